// The one place Asio is included for sigtran transports. Boost 1.74 Asio needs
// <utility> before it with g++ 12 in C++20 (DEVELOPING.md).
#pragma once

#include <utility>

#include <boost/asio.hpp>
