// The one place the project includes Asio. Boost 1.74 Asio (its coroutine
// support) fails to compile with g++ 12 in C++20 unless <utility> comes first.
#pragma once

#include <utility>

#include <boost/asio.hpp>
