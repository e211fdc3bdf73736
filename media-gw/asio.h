// The one place Asio is included for media-gw transports. Boost 1.74 Asio
// needs <utility> before Asio with g++ 12 in C++20 (see sip/asio.h).
#pragma once

#include <utility>

#include <boost/asio.hpp>
