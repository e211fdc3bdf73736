// What a PRI span's owner above Q.931 (the call engine, issue 21) is told about the span's calls: an
// incoming SETUP, the messages of a call it must act on, and a call gone. The daemon's PriStack forwards
// each Span's hooks (q931/pri_span.h) to one SpanUser; without one, incoming calls are refused (cause 47).
#pragma once

#include <cstdint>
#include <optional>

namespace isupgw::q931 {

class Span;
struct Message;

class SpanUser {
 public:
  virtual ~SpanUser() = default;
  // An incoming SETUP on `channel` (reserved for it). nullopt: taken (the user drives it by Span::request);
  // a cause: refused with RELEASE COMPLETE (Q.931 5.2.5.1).
  virtual std::optional<std::uint8_t> on_pri_setup(Span& span, std::uint32_t call, const Message& setup,
                                                   std::uint8_t channel) = 0;
  // SETUP ACK, CALL PROCEEDING, ALERTING, PROGRESS, CONNECT, INFORMATION, NOTIFY, DISCONNECT of a call.
  virtual void on_pri_message(Span& span, std::uint32_t call, const Message& m) = 0;
  // The call is in the Null state (released, restarted, data link lost); its channel is free.
  virtual void on_pri_released(Span& span, std::uint32_t call, std::uint8_t cause) = 0;
};

}  // namespace isupgw::q931
