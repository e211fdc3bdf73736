// The one place Asio is included for SIP transports. Boost 1.74 Asio
// coroutines need <utility> before Asio with g++ 12 in C++20 (DEVELOPERS.md).
#pragma once

#include <utility>

#include <boost/asio.hpp>
