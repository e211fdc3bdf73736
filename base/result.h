// Errors as values for hot paths (no exceptions): Result<T, E> holds either a
// value or an error. Minimal stand-in for C++23 std::expected.
#pragma once

#include <utility>
#include <variant>

namespace isupgw {

template <class E>
struct Err {
  explicit Err(E e) : error(std::move(e)) {}  // a constructor, not an aggregate: clang 14 lacks aggregate CTAD
  E error;
};
template <class E>
Err(E) -> Err<E>;

// [[nodiscard]]: an ignored Result is an ignored error.
template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}     // NOLINT: implicit by design
  Result(Err<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace isupgw
