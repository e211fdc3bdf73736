// Fixed-capacity vector: decode must not touch the heap (issue 3, benchmarked).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

namespace isupgw::isup {

// Storage is left uninitialized and copies move only the used elements: a
// decoded Message holds 32 optional-parameter slots but usually uses a handful.
template <class T, std::size_t N>
class FixedVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  FixedVector() = default;
  FixedVector(const FixedVector& o) : size_(o.size_) { std::memcpy(raw_, o.raw_, size_ * sizeof(T)); }
  FixedVector& operator=(const FixedVector& o) {
    size_ = o.size_;
    std::memmove(raw_, o.raw_, size_ * sizeof(T));
    return *this;
  }
  static constexpr std::size_t capacity() { return N; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }
  // False (and nothing stored) when full: callers turn that into an error value.
  bool push_back(const T& v) {
    if (size_ == N) return false;
    new (data() + size_) T(v);
    ++size_;
    return true;
  }
  void clear() { size_ = 0; }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  const T& back() const { return data()[size_ - 1]; }

 private:
  T* data() { return std::launder(reinterpret_cast<T*>(raw_)); }
  const T* data() const { return std::launder(reinterpret_cast<const T*>(raw_)); }

  std::size_t size_ = 0;
  alignas(T) unsigned char raw_[sizeof(T) * N];
};

// Octets a parameter's contents may need (the length octet caps it at 255).
using ParamBytes = FixedVector<std::uint8_t, 255>;

template <std::size_t N>
struct FixedString {
  std::array<char, N> data{};
  std::size_t size = 0;
  std::string_view view() const { return {data.data(), size}; }
  bool assign(std::string_view s) {
    if (s.size() > N) return false;
    for (std::size_t i = 0; i < s.size(); ++i) data[i] = s[i];
    size = s.size();
    return true;
  }
  bool push_back(char c) {
    if (size == N) return false;
    data[size++] = c;
    return true;
  }
  friend bool operator==(const FixedString& a, const FixedString& b) { return a.view() == b.view(); }
};

}  // namespace isupgw::isup
