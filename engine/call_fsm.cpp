#include "engine/call_fsm.h"

#include <array>

namespace isupgw::engine {

namespace {

using S = CallState;
using E = CallEvent;
using A = CallAction;

constexpr std::array<CallTransition, 14> kTable{{
    {S::kIdle, E::kSetup, S::kOutgoing, A::kStartB},
    {S::kIdle, E::kAReleased, S::kReleased, A::kNone},
    {S::kIdle, E::kRefused, S::kReleased, A::kRefuseA},
    {S::kOutgoing, E::kRetry, S::kOutgoing, A::kTryNext},
    {S::kOutgoing, E::kProgress, S::kEarly, A::kForwardProgress},
    {S::kEarly, E::kProgress, S::kEarly, A::kForwardProgress},
    {S::kOutgoing, E::kAnswer, S::kActive, A::kForwardAnswer},
    {S::kEarly, E::kAnswer, S::kActive, A::kForwardAnswer},
    {S::kOutgoing, E::kBFailed, S::kReleased, A::kRefuseAWithCause},
    {S::kEarly, E::kBFailed, S::kReleased, A::kRefuseAWithCause},
    {S::kOutgoing, E::kAReleased, S::kReleased, A::kReleaseB},
    {S::kEarly, E::kAReleased, S::kReleased, A::kReleaseB},
    {S::kActive, E::kAReleased, S::kReleased, A::kReleaseB},
    {S::kActive, E::kBReleased, S::kReleased, A::kReleaseA},
}};

}  // namespace

std::optional<CallTransition> call_transition(CallState s, CallEvent e) {
  for (const auto& t : kTable)
    if (t.from == s && t.event == e) return t;
  return std::nullopt;
}

std::string_view to_string(CallState s) {
  switch (s) {
    case S::kIdle: return "idle";
    case S::kOutgoing: return "outgoing";
    case S::kEarly: return "early";
    case S::kActive: return "active";
    case S::kReleased: return "released";
  }
  return "?";
}

std::string_view to_string(CallEvent e) {
  switch (e) {
    case E::kSetup: return "setup";
    case E::kRefused: return "refused";
    case E::kRetry: return "retry";
    case E::kProgress: return "progress";
    case E::kAnswer: return "answer";
    case E::kBFailed: return "b_failed";
    case E::kAReleased: return "a_released";
    case E::kBReleased: return "b_released";
  }
  return "?";
}

std::string_view to_string(CallAction a) {
  switch (a) {
    case A::kStartB: return "start_b";
    case A::kRefuseA: return "refuse_a";
    case A::kTryNext: return "try_next";
    case A::kForwardProgress: return "forward_progress";
    case A::kForwardAnswer: return "forward_answer";
    case A::kRefuseAWithCause: return "refuse_a_with_cause";
    case A::kReleaseB: return "release_b";
    case A::kReleaseA: return "release_a";
    case A::kNone: return "none";
  }
  return "?";
}

}  // namespace isupgw::engine
