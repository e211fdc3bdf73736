#pragma once
// Boxed<T>: an optional T kept out of line. A member that most objects never fill (the overlap IAM
// being collected, a transfer's INVITE) costs one pointer instead of sizeof(T) in every object; the
// call engine keeps one Call per concurrent call (issue 19: 60,000 calls in bounded memory).
// The interface is std::optional's subset the engine uses, so a member can switch between the two.
#include <memory>
#include <optional>
#include <utility>

namespace isupgw {

template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): as std::optional
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(std::nullopt_t) {
    p_.reset();
    return *this;
  }
  Boxed& operator=(const T& v) { return set(T(v)); }
  Boxed& operator=(T&& v) { return set(std::move(v)); }

  template <typename... A>
  T& emplace(A&&... a) {
    p_ = std::make_unique<T>(std::forward<A>(a)...);
    return *p_;
  }
  void reset() { p_.reset(); }
  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }

 private:
  Boxed& set(T&& v) {
    if (p_)
      *p_ = std::move(v);
    else
      p_ = std::make_unique<T>(std::move(v));
    return *this;
  }
  std::unique_ptr<T> p_;
};

}  // namespace isupgw
