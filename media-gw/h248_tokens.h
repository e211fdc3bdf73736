// H.248.1 Annex B.3 tokens (long and short spellings) shared by the decoder
// (h248_codec.cpp) and the encoder (h248_encode.cpp); internal to media-gw.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

#include "media-gw/h248_message.h"

namespace isupgw::mediagw::h248::tokens {

// Tokens (B.3) this codec gives meaning to, or recognises in order to refuse them as unsupported.
enum class Tok : std::uint8_t {
  kAdd,
  kAuditValue,
  kAuditCap,
  kAudit,
  kContext,
  kError,
  kEvents,
  kLocal,
  kLocalControl,
  kMedia,
  kMode,
  kModify,
  kMove,
  kNotify,
  kObservedEvents,
  kPending,
  kReply,
  kRemote,
  kServiceChange,
  kServices,
  kMethod,
  kReason,
  kServiceChangeAddress,
  kProfile,
  kDelay,
  kMgcId,
  kVersion,
  kSignals,
  kStatistics,
  kStream,
  kSubtract,
  kTerminationState,
  kServiceStates,
  kBuffer,
  kTransaction,
  kResponseAck,
  kImmAckRequired,
  kSendOnly,
  kRecvOnly,
  kSendRecv,
  kInactive,
  kLoopback,
  kRestart,
  kForced,
  kGraceful,
  kDisconnected,
  kFailover,
  kHandOff,
  kInService,
  kOutOfService,
  kTest,
  kPackages,
  kLockStep,
  kReservedValue,
  kReservedGroup,
  kServiceChangeInc,
  kKeepActive,
  // refused (kUnsupported):
  kDigitMap,
  kEventBuffer,
  kMux,
  kModem,
  kEmbed,
  kSignalList,
  kPriority,
  kEmergency,
  kEmergencyOff,
  kTopology,
  kContextAttr,
  kContextAudit,
  kIeps,
  kContextList,
  kAuthentication,
  kSegment,
};

struct TokenSpelling {
  Tok tok;
  std::string_view long_name;
  std::string_view short_name;
};

bool iequals(std::string_view a, std::string_view b);
std::optional<Tok> lookup(std::string_view name);  // either spelling, any letter case
const TokenSpelling& spelling(Tok t);
bool refused(Tok t);  // recognised only to be refused as unsupported

template <class E>
std::optional<E> from_table(std::string_view name, std::initializer_list<std::pair<Tok, E>> table) {
  auto t = lookup(name);
  if (!t) return std::nullopt;
  for (const auto& [tok, e] : table)
    if (tok == *t) return e;
  return std::nullopt;
}

template <class E>
Tok tok_of(E e, std::initializer_list<std::pair<Tok, E>> table) {
  for (const auto& [tok, v] : table)
    if (v == e) return tok;
  return table.begin()->first;
}

extern const std::initializer_list<std::pair<Tok, StreamMode>> kModes;
extern const std::initializer_list<std::pair<Tok, ServiceState>> kStates;
extern const std::initializer_list<std::pair<Tok, ServiceChangeMethod>> kMethods;
extern const std::initializer_list<std::pair<Tok, CommandType>> kCommands;

}  // namespace isupgw::mediagw::h248::tokens
