// Builds a Message for encoding from owned parameter contents (call control,
// the CLI, tests). Decoding never needs this: decoded messages are views.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "isup/fixed_vector.h"
#include "isup/message.h"

namespace isupgw::isup {

template <class T>
concept Encodable = requires(const T& t, ParamBytes& b) {
  t.encode(b);
};

class MessageBuilder {
 public:
  explicit MessageBuilder(std::uint8_t type, std::uint16_t cic = 0) {
    m_.type = type;
    m_.cic = cic;
  }
  MessageBuilder(const MessageBuilder&) = delete;
  MessageBuilder& operator=(const MessageBuilder&) = delete;

  MessageBuilder& fixed(std::uint8_t code, std::span<const std::uint8_t> v) { return add(m_.fixed, code, v); }
  MessageBuilder& variable(std::uint8_t code, std::span<const std::uint8_t> v) { return add(m_.variable, code, v); }
  MessageBuilder& optional(std::uint8_t code, std::span<const std::uint8_t> v) { return add(m_.optional, code, v); }
  // Typed values: anything with encode(ParamBytes&).
  template <Encodable T>
  MessageBuilder& fixed(std::uint8_t code, const T& t) {
    return fixed(code, bytes_of(t));
  }
  template <Encodable T>
  MessageBuilder& variable(std::uint8_t code, const T& t) {
    return variable(code, bytes_of(t));
  }
  template <Encodable T>
  MessageBuilder& optional(std::uint8_t code, const T& t) {
    return optional(code, bytes_of(t));
  }
  MessageBuilder& body(std::span<const std::uint8_t> v) {
    m_.body = keep(v);
    return *this;
  }

  // False if a part overflowed its capacity (the parameter was dropped).
  bool ok() const { return ok_; }
  const Message& message() const { return m_; }

 private:
  template <Encodable T>
  static std::vector<std::uint8_t> bytes_of(const T& t) {
    ParamBytes b;
    t.encode(b);
    return {b.begin(), b.end()};
  }
  std::span<const std::uint8_t> keep(std::span<const std::uint8_t> v) {
    store_.emplace_back(v.begin(), v.end());
    return store_.back();
  }
  template <class Part>
  MessageBuilder& add(Part& part, std::uint8_t code, std::span<const std::uint8_t> v) {
    ok_ = part.push_back(Param{code, keep(v)}) && ok_;
    return *this;
  }

  std::deque<std::vector<std::uint8_t>> store_;  // deque: stable addresses for the spans
  Message m_;
  bool ok_ = true;
};

}  // namespace isupgw::isup
