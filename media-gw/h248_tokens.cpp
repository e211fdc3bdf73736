// The token table of H.248.1 Annex B.3 (pure data) and its lookups.
#include "media-gw/h248_tokens.h"

#include <array>
#include <cctype>

namespace isupgw::mediagw::h248::tokens {

namespace {
constexpr std::array kTokens{
    TokenSpelling{Tok::kAdd, "Add", "A"},
    TokenSpelling{Tok::kAuditValue, "AuditValue", "AV"},
    TokenSpelling{Tok::kAuditCap, "AuditCapability", "AC"},
    TokenSpelling{Tok::kAudit, "Audit", "AT"},
    TokenSpelling{Tok::kContext, "Context", "C"},
    TokenSpelling{Tok::kError, "Error", "ER"},
    TokenSpelling{Tok::kEvents, "Events", "E"},
    TokenSpelling{Tok::kLocal, "Local", "L"},
    TokenSpelling{Tok::kLocalControl, "LocalControl", "O"},
    TokenSpelling{Tok::kMedia, "Media", "M"},
    TokenSpelling{Tok::kMode, "Mode", "MO"},
    TokenSpelling{Tok::kModify, "Modify", "MF"},
    TokenSpelling{Tok::kMove, "Move", "MV"},
    TokenSpelling{Tok::kNotify, "Notify", "N"},
    TokenSpelling{Tok::kObservedEvents, "ObservedEvents", "OE"},
    TokenSpelling{Tok::kPending, "Pending", "PN"},
    TokenSpelling{Tok::kReply, "Reply", "P"},
    TokenSpelling{Tok::kRemote, "Remote", "R"},
    TokenSpelling{Tok::kServiceChange, "ServiceChange", "SC"},
    TokenSpelling{Tok::kServices, "Services", "SV"},
    TokenSpelling{Tok::kMethod, "Method", "MT"},
    TokenSpelling{Tok::kReason, "Reason", "RE"},
    TokenSpelling{Tok::kServiceChangeAddress, "ServiceChangeAddress", "AD"},
    TokenSpelling{Tok::kProfile, "Profile", "PF"},
    TokenSpelling{Tok::kDelay, "Delay", "DL"},
    TokenSpelling{Tok::kMgcId, "MgcIdToTry", "MG"},
    TokenSpelling{Tok::kVersion, "Version", "V"},
    TokenSpelling{Tok::kSignals, "Signals", "SG"},
    TokenSpelling{Tok::kStatistics, "Statistics", "SA"},
    TokenSpelling{Tok::kStream, "Stream", "ST"},
    TokenSpelling{Tok::kSubtract, "Subtract", "S"},
    TokenSpelling{Tok::kTerminationState, "TerminationState", "TS"},
    TokenSpelling{Tok::kServiceStates, "ServiceStates", "SI"},
    TokenSpelling{Tok::kBuffer, "Buffer", "BF"},
    TokenSpelling{Tok::kTransaction, "Transaction", "T"},
    TokenSpelling{Tok::kResponseAck, "TransactionResponseAck", "K"},
    TokenSpelling{Tok::kImmAckRequired, "ImmAckRequired", "IA"},
    TokenSpelling{Tok::kSendOnly, "SendOnly", "SO"},
    TokenSpelling{Tok::kRecvOnly, "ReceiveOnly", "RC"},
    TokenSpelling{Tok::kSendRecv, "SendReceive", "SR"},
    TokenSpelling{Tok::kInactive, "Inactive", "IN"},
    TokenSpelling{Tok::kLoopback, "Loopback", "LB"},
    TokenSpelling{Tok::kRestart, "Restart", "RS"},
    TokenSpelling{Tok::kForced, "Forced", "FO"},
    TokenSpelling{Tok::kGraceful, "Graceful", "GR"},
    TokenSpelling{Tok::kDisconnected, "Disconnected", "DC"},
    TokenSpelling{Tok::kFailover, "Failover", "FL"},
    TokenSpelling{Tok::kHandOff, "HandOff", "HO"},
    TokenSpelling{Tok::kInService, "InService", "IV"},
    TokenSpelling{Tok::kOutOfService, "OutOfService", "OS"},
    TokenSpelling{Tok::kTest, "Test", "TE"},
    TokenSpelling{Tok::kPackages, "Packages", "PG"},
    TokenSpelling{Tok::kLockStep, "LockStep", "SP"},
    TokenSpelling{Tok::kReservedValue, "ReservedValue", "RV"},
    TokenSpelling{Tok::kReservedGroup, "ReservedGroup", "RG"},
    TokenSpelling{Tok::kServiceChangeInc, "ServiceChangeInc", "SIC"},
    TokenSpelling{Tok::kKeepActive, "KeepActive", "KA"},
    TokenSpelling{Tok::kDigitMap, "DigitMap", "DM"},
    TokenSpelling{Tok::kEventBuffer, "EventBuffer", "EB"},
    TokenSpelling{Tok::kMux, "Mux", "MX"},
    TokenSpelling{Tok::kModem, "Modem", "MD"},
    TokenSpelling{Tok::kEmbed, "Embed", "EM"},
    TokenSpelling{Tok::kSignalList, "SignalList", "SL"},
    TokenSpelling{Tok::kPriority, "Priority", "PR"},
    TokenSpelling{Tok::kEmergency, "Emergency", "EG"},
    TokenSpelling{Tok::kEmergencyOff, "EmergencyOff", "EGO"},
    TokenSpelling{Tok::kTopology, "Topology", "TP"},
    TokenSpelling{Tok::kContextAttr, "ContextAttr", "CT"},
    TokenSpelling{Tok::kContextAudit, "ContextAudit", "CA"},
    TokenSpelling{Tok::kIeps, "IEPSCall", "IEPS"},
    TokenSpelling{Tok::kContextList, "ContextList", "CLT"},
    TokenSpelling{Tok::kAuthentication, "Authentication", "AU"},
    TokenSpelling{Tok::kSegment, "Segment", "SM"},
};

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // ASCII letters only (B.1: tokens are case-insensitive ALPHA); no locale call per character.
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

std::optional<Tok> lookup(std::string_view name) {
  for (const auto& t : kTokens)
    if (iequals(name, t.long_name) || iequals(name, t.short_name)) return t.tok;
  return std::nullopt;
}

// The rows are in the order of Tok: spelling() is an index.
constexpr bool rows_in_order() {
  for (std::size_t i = 0; i < kTokens.size(); ++i)
    if (static_cast<std::size_t>(kTokens[i].tok) != i) return false;
  return kTokens.size() == static_cast<std::size_t>(Tok::kSegment) + 1;
}
static_assert(rows_in_order(), "kTokens: one row per Tok, in the order of the enum");

const TokenSpelling& spelling(Tok t) { return kTokens[static_cast<std::size_t>(t)]; }

bool refused(Tok t) { return t >= Tok::kDigitMap; }

const std::initializer_list<std::pair<Tok, StreamMode>> kModes = {{Tok::kSendOnly, StreamMode::kSendOnly},
                                                                  {Tok::kRecvOnly, StreamMode::kRecvOnly},
                                                                  {Tok::kSendRecv, StreamMode::kSendRecv},
                                                                  {Tok::kInactive, StreamMode::kInactive},
                                                                  {Tok::kLoopback, StreamMode::kLoopback}};
const std::initializer_list<std::pair<Tok, ServiceState>> kStates = {{Tok::kTest, ServiceState::kTest},
                                                                     {Tok::kOutOfService, ServiceState::kOutOfService},
                                                                     {Tok::kInService, ServiceState::kInService}};
const std::initializer_list<std::pair<Tok, ServiceChangeMethod>> kMethods = {
    {Tok::kFailover, ServiceChangeMethod::kFailover},         {Tok::kForced, ServiceChangeMethod::kForced},
    {Tok::kGraceful, ServiceChangeMethod::kGraceful},         {Tok::kRestart, ServiceChangeMethod::kRestart},
    {Tok::kDisconnected, ServiceChangeMethod::kDisconnected}, {Tok::kHandOff, ServiceChangeMethod::kHandOff}};
const std::initializer_list<std::pair<Tok, CommandType>> kCommands = {
    {Tok::kAdd, CommandType::kAdd},
    {Tok::kModify, CommandType::kModify},
    {Tok::kMove, CommandType::kMove},
    {Tok::kSubtract, CommandType::kSubtract},
    {Tok::kAuditValue, CommandType::kAuditValue},
    {Tok::kAuditCap, CommandType::kAuditCapability},
    {Tok::kNotify, CommandType::kNotify},
    {Tok::kServiceChange, CommandType::kServiceChange}};

}  // namespace isupgw::mediagw::h248::tokens
