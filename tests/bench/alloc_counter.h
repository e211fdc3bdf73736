// Heap allocation counting for benchmarks that must not allocate: replaces the
// global operator new/delete of the benchmark executable. Include it from
// exactly one translation unit per executable (each bench_<name> is one .cpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace isupgw::bench {
inline std::atomic<std::size_t> g_allocations{0};
// Allocations so far in this process (operator new, any form).
inline std::size_t allocations() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace isupgw::bench

// g++ 12 sees malloc behind the inlined operator new and flags the matching
// free in operator delete; the pair is consistent by construction.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t n) {
  isupgw::bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  isupgw::bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
