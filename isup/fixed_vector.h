// Fixed-capacity vector: decode must not touch the heap (issue 3, benchmarked).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace isupgw::isup {

template <class T, std::size_t N>
class FixedVector {
 public:
  FixedVector() = default;
  static constexpr std::size_t capacity() { return N; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == N; }
  // False (and nothing stored) when full: callers turn that into an error value.
  bool push_back(const T& v) {
    if (size_ == N) return false;
    items_[size_++] = v;
    return true;
  }
  void clear() { size_ = 0; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  const T& back() const { return items_[size_ - 1]; }

 private:
  std::array<T, N> items_{};
  std::size_t size_ = 0;
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
