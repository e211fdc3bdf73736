// Meaning for the generic items of h248_syntax: each function maps one ABNF
// production of H.248.1 Annex B.2 between a syntax Node and a model value.
#include "media-gw/h248_codec.h"

#include <array>
#include <cctype>

namespace isupgw::mediagw::h248 {

namespace {

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

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::optional<Tok> lookup(std::string_view name) {
  for (const auto& t : kTokens)
    if (iequals(name, t.long_name) || iequals(name, t.short_name)) return t.tok;
  return std::nullopt;
}

const TokenSpelling& spelling(Tok t) {
  for (const auto& s : kTokens)
    if (s.tok == t) return s;
  return kTokens[0];  // unreachable: every Tok has a row
}

bool refused(Tok t) { return t >= Tok::kDigitMap; }

template <class E>
std::optional<E> from_table(std::string_view name, std::initializer_list<std::pair<Tok, E>> table) {
  auto t = lookup(name);
  if (!t) return std::nullopt;
  for (const auto& [tok, e] : table)
    if (tok == *t) return e;
  return std::nullopt;
}

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

template <class E>
Tok tok_of(E e, std::initializer_list<std::pair<Tok, E>> table) {
  for (const auto& [tok, v] : table)
    if (v == e) return tok;
  return table.begin()->first;
}

// ---------------------------------------------------------------- decoding

class Decoder {
 public:
  std::optional<ParseFailure> failure;

  bool fail(ParseError e, const Node& n) {
    if (!failure) failure = ParseFailure{e, n.offset};
    return false;
  }

  // Token of a node, refusing the unsupported ones.
  std::optional<Tok> token(const Node& n) {
    auto t = lookup(n.name);
    if (!t) {
      fail(ParseError::kUnknownToken, n);
      return std::nullopt;
    }
    if (refused(*t)) {
      fail(ParseError::kUnsupported, n);
      return std::nullopt;
    }
    if (n.optional || n.wildcard || !n.timestamp.empty()) {
      fail(ParseError::kUnknownToken, n);
      return std::nullopt;
    }
    return t;
  }

  bool uint32(std::string_view s, std::uint32_t& out, const Node& n) {
    if (s.empty() || s.size() > 10) return fail(ParseError::kBadNumber, n);
    std::uint64_t v = 0;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail(ParseError::kBadNumber, n);
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 0xFFFFFFFFull) return fail(ParseError::kBadNumber, n);
    out = static_cast<std::uint32_t>(v);
    return true;
  }

  // "Token = value" with no braces.
  bool plain_value(const Node& n) {
    if (n.relation != '=' || n.braces) return fail(ParseError::kMissingValue, n);
    return true;
  }
  bool bare(const Node& n) {
    if (n.relation != 0 || n.braces) return fail(ParseError::kMissingValue, n);
    return true;
  }

  bool property(const Node& n, Property& p) {
    if (n.name.empty() || n.braces || !n.timestamp.empty() || n.optional || n.wildcard)
      return fail(ParseError::kBadDescriptor, n);
    p.name = n.name;
    p.relation = n.relation;
    p.value = n.value;
    return true;
  }
  bool properties(const std::vector<Node>& ns, std::vector<Property>& out) {
    for (const auto& c : ns) {
      Property p;
      if (!property(c, p)) return false;
      out.push_back(std::move(p));
    }
    return true;
  }

  bool error(const Node& n, ErrorDescriptor& e) {
    // errorDescriptor = ErrorToken EQUAL ErrorCode LBRKT [quotedString] RBRKT
    if (n.relation != '=' || n.value.empty() || n.value.size() > 4) return fail(ParseError::kBadNumber, n);
    unsigned code = 0;
    for (char c : n.value) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail(ParseError::kBadNumber, n);
      code = code * 10 + static_cast<unsigned>(c - '0');
    }
    e.code = static_cast<std::uint16_t>(code);
    if (n.children.size() > 1) return fail(ParseError::kBadDescriptor, n);
    if (n.children.size() == 1) {
      const Node& t = n.children[0];
      if (!t.name.empty() || t.value.size() < 2) return fail(ParseError::kBadDescriptor, t);
      e.text = t.value.substr(1, t.value.size() - 2);
    }
    return true;
  }

  bool stream_parm(const Node& n, Tok t, StreamParms& s, bool& seen_lc, bool& seen_stats) {
    switch (t) {
      case Tok::kLocal:
      case Tok::kRemote: {
        if (!n.raw) return fail(ParseError::kBadDescriptor, n);
        auto& slot = t == Tok::kLocal ? s.local : s.remote;
        if (slot) return fail(ParseError::kDuplicate, n);
        slot = n.text;
        return true;
      }
      case Tok::kLocalControl: {
        if (seen_lc) return fail(ParseError::kDuplicate, n);
        seen_lc = true;
        if (n.relation != 0 || n.children.empty()) return fail(ParseError::kBadDescriptor, n);
        for (const auto& c : n.children) {
          auto ct = lookup(c.name);
          if (ct == Tok::kMode) {
            if (!plain_value(c)) return false;
            auto m = from_table(c.value, kModes);
            if (!m) return fail(ParseError::kBadDescriptor, c);
            if (s.mode) return fail(ParseError::kDuplicate, c);
            s.mode = m;
          } else if (ct == Tok::kReservedValue || ct == Tok::kReservedGroup) {
            if (!plain_value(c)) return false;
            if (!iequals(c.value, "ON") && !iequals(c.value, "OFF")) return fail(ParseError::kBadDescriptor, c);
            Property p{std::string(spelling(*ct).long_name), '=', c.value};
            s.local_control.push_back(std::move(p));
          } else {
            // propertyParm = pkgdName parmValue
            if (c.relation == 0 || c.name.find('/') == std::string::npos) return fail(ParseError::kUnknownToken, c);
            Property p;
            if (!property(c, p)) return false;
            s.local_control.push_back(std::move(p));
          }
        }
        return true;
      }
      case Tok::kStatistics:
        if (seen_stats) return fail(ParseError::kDuplicate, n);
        seen_stats = true;
        if (n.relation != 0) return fail(ParseError::kBadDescriptor, n);
        return properties(n.children, s.statistics);
      default: return fail(ParseError::kUnknownToken, n);
    }
  }

  bool stream_parms(const std::vector<Node>& ns, StreamParms& s) {
    bool lc = false, st = false;
    for (const auto& c : ns) {
      auto t = token(c);
      if (!t) return false;
      if (!stream_parm(c, *t, s, lc, st)) return false;
    }
    return true;
  }

  bool termination_state(const Node& n, TerminationState& ts) {
    if (n.relation != 0) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      auto t = lookup(c.name);
      if (t == Tok::kServiceStates) {
        if (!plain_value(c)) return false;
        if (ts.service_state) return fail(ParseError::kDuplicate, c);
        ts.service_state = from_table(c.value, kStates);
        if (!ts.service_state) return fail(ParseError::kBadDescriptor, c);
      } else if (t == Tok::kBuffer) {
        if (!plain_value(c)) return false;
        if (ts.buffer_lockstep) return fail(ParseError::kDuplicate, c);
        if (iequals(c.value, "OFF")) {
          ts.buffer_lockstep = false;
        } else if (lookup(c.value) == Tok::kLockStep) {
          ts.buffer_lockstep = true;
        } else {
          return fail(ParseError::kBadDescriptor, c);
        }
      } else {
        if (c.relation == 0 || c.name.find('/') == std::string::npos) return fail(ParseError::kUnknownToken, c);
        Property p;
        if (!property(c, p)) return false;
        ts.properties.push_back(std::move(p));
      }
    }
    return true;
  }

  // mediaDescriptor = MediaToken LBRKT mediaParm *(COMMA mediaParm) RBRKT
  bool media(const Node& n, MediaDescriptor& m) {
    if (n.relation != 0 || !n.braces) return fail(ParseError::kBadDescriptor, n);
    bool lc = false, st = false;
    for (const auto& c : n.children) {
      auto t = token(c);
      if (!t) return false;
      if (*t == Tok::kTerminationState) {
        if (m.termination_state) return fail(ParseError::kDuplicate, c);
        m.termination_state.emplace();
        if (!termination_state(c, *m.termination_state)) return false;
      } else if (*t == Tok::kStream) {
        // streamDescriptor = StreamToken EQUAL StreamID LBRKT streamParm *(COMMA streamParm) RBRKT
        std::uint32_t id = 0;
        if (c.relation != '=' || !uint32(c.value, id, c) || id > 0xFFFF) return fail(ParseError::kBadNumber, c);
        for (const auto& [sid, _] : m.streams)
          if (sid == id) return fail(ParseError::kDuplicate, c);
        StreamParms s;
        if (!stream_parms(c.children, s)) return false;
        m.streams.emplace_back(static_cast<std::uint16_t>(id), std::move(s));
      } else {
        if (!stream_parm(c, *t, m.stream, lc, st)) return false;
      }
    }
    return true;
  }

  // Event or signal parameters: properties or bare flags; embedded descriptors are refused.
  bool parameters(const std::vector<Node>& ns, std::vector<Property>& out) {
    for (const auto& c : ns) {
      auto t = lookup(c.name);
      if (t && refused(*t)) return fail(ParseError::kUnsupported, c);
      Property p;
      if (!property(c, p)) return false;
      out.push_back(std::move(p));
    }
    return true;
  }

  bool events(const Node& n, EventsDescriptor& e) {
    // eventsDescriptor = EventsToken [EQUAL RequestID LBRKT requestedEvent *(COMMA requestedEvent) RBRKT]
    if (n.relation == 0) {
      if (n.braces) return fail(ParseError::kBadDescriptor, n);
      return true;
    }
    std::uint32_t id = 0;
    if (n.relation != '=' || !uint32(n.value, id, n)) return fail(ParseError::kBadNumber, n);
    if (n.children.empty()) return fail(ParseError::kBadDescriptor, n);
    e.request_id = id;
    for (const auto& c : n.children) {
      if (c.name.empty() || c.relation != 0 || c.raw || c.optional || c.wildcard || !c.timestamp.empty())
        return fail(ParseError::kBadDescriptor, c);
      RequestedEvent r;
      r.name = c.name;
      if (!parameters(c.children, r.parameters)) return false;
      e.events.push_back(std::move(r));
    }
    return true;
  }

  bool signals(const Node& n, SignalsDescriptor& s) {
    // signalsDescriptor = SignalsToken [LBRKT [signalParm *(COMMA signalParm)] RBRKT]
    if (n.relation != 0) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      if (lookup(c.name) == Tok::kSignalList) return fail(ParseError::kUnsupported, c);
      if (c.name.empty() || c.relation != 0 || c.raw || c.optional || c.wildcard || !c.timestamp.empty())
        return fail(ParseError::kBadDescriptor, c);
      SignalRequest r;
      r.name = c.name;
      if (!parameters(c.children, r.parameters)) return false;
      s.signals.push_back(std::move(r));
    }
    return true;
  }

  bool observed(const Node& n, ObservedEventsDescriptor& o) {
    if (n.relation != '=' || !uint32(n.value, o.request_id, n)) return fail(ParseError::kBadNumber, n);
    if (n.children.empty()) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      if (c.name.empty() || c.relation != 0 || c.raw || c.optional || c.wildcard)
        return fail(ParseError::kBadDescriptor, c);
      if (!c.timestamp.empty() && !is_timestamp(c.timestamp)) return fail(ParseError::kBadDescriptor, c);
      ObservedEvent e;
      e.timestamp = c.timestamp;
      e.name = c.name;
      if (!parameters(c.children, e.parameters)) return false;
      o.events.push_back(std::move(e));
    }
    return true;
  }

  // TimeStamp = Date "T" Time; Date = 8(DIGIT); Time = 8(DIGIT)
  static bool is_timestamp(std::string_view s) {
    if (s.size() != 17 || (s[8] != 'T' && s[8] != 't')) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (i != 8 && !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  }

  bool services(const Node& n, ServiceChangeDescriptor& d) {
    if (n.relation != 0 || !n.braces) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      if (c.relation == 0 && !c.braces && is_timestamp(c.name) && c.timestamp.empty()) {
        if (d.timestamp) return fail(ParseError::kDuplicate, c);
        d.timestamp = c.name;
        continue;
      }
      auto t = token(c);
      if (!t) return false;
      auto once = [&](auto& slot) {
        if (slot) return fail(ParseError::kDuplicate, c);
        return plain_value(c);
      };
      switch (*t) {
        case Tok::kMethod:
          if (!once(d.method)) return false;
          d.method = from_table(c.value, kMethods);
          if (!d.method) return fail(ParseError::kUnsupported, c);  // extensionParameter
          break;
        case Tok::kReason:
          if (!once(d.reason)) return false;
          d.reason = c.value;
          break;
        case Tok::kDelay: {
          if (!once(d.delay)) return false;
          std::uint32_t v = 0;
          if (!uint32(c.value, v, c)) return false;
          d.delay = v;
          break;
        }
        case Tok::kServiceChangeAddress:
          if (!once(d.address)) return false;
          d.address = c.value;
          break;
        case Tok::kMgcId:
          if (!once(d.mgc_id)) return false;
          d.mgc_id = c.value;
          break;
        case Tok::kProfile:
          if (!once(d.profile)) return false;
          if (c.value.find('/') == std::string::npos) return fail(ParseError::kBadDescriptor, c);
          d.profile = c.value;
          break;
        case Tok::kVersion: {
          if (!once(d.version)) return false;
          std::uint32_t v = 0;
          if (!uint32(c.value, v, c) || c.value.size() > 2) return fail(ParseError::kBadNumber, c);
          d.version = v;
          break;
        }
        case Tok::kServiceChangeInc:
          if (!bare(c)) return false;
          if (d.incomplete) return fail(ParseError::kDuplicate, c);
          d.incomplete = true;
          break;
        default: return fail(ParseError::kUnknownToken, c);
      }
    }
    return true;
  }

  bool audit(const Node& n, AuditDescriptor& a) {
    if (n.relation != 0 || !n.braces) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      // auditItem (B.2): the descriptors an audit may return; indAudparameters (v2+) are not held.
      if (c.braces) return fail(ParseError::kUnsupported, c);
      auto t = token(c);
      if (!t) return false;
      switch (*t) {
        case Tok::kMedia:
        case Tok::kSignals:
        case Tok::kStatistics:
        case Tok::kEvents:
        case Tok::kObservedEvents:
        case Tok::kPackages:
          if (!bare(c)) return false;
          a.items.emplace_back(spelling(*t).long_name);
          break;
        default: return fail(ParseError::kUnknownToken, c);
      }
    }
    return true;
  }

  template <class T>
  bool once(std::optional<T>& slot, const Node& n) {
    if (slot) return fail(ParseError::kDuplicate, n);
    slot.emplace();
    return true;
  }

  bool command(const Node& n, Command& cmd) {
    auto type = from_table(n.name, kCommands);
    if (!type) return token(n) ? fail(ParseError::kUnknownToken, n) : false;
    cmd.type = *type;
    cmd.optional = n.optional;
    cmd.wildcard_reply = n.wildcard;
    if (!n.timestamp.empty() || n.relation != '=') return fail(ParseError::kMissingValue, n);
    cmd.termination_id = n.value;
    bool stats = false;
    for (const auto& c : n.children) {
      auto t = token(c);
      if (!t) return false;
      bool ok = true;
      switch (*t) {
        case Tok::kMedia: ok = once(cmd.media, c) && media(c, *cmd.media); break;
        case Tok::kEvents: ok = once(cmd.events, c) && events(c, *cmd.events); break;
        case Tok::kSignals: ok = once(cmd.signals, c) && signals(c, *cmd.signals); break;
        case Tok::kAudit: ok = once(cmd.audit, c) && audit(c, *cmd.audit); break;
        case Tok::kObservedEvents: ok = once(cmd.observed_events, c) && observed(c, *cmd.observed_events); break;
        case Tok::kServices: ok = once(cmd.service_change, c) && services(c, *cmd.service_change); break;
        case Tok::kError: ok = once(cmd.error, c) && error(c, *cmd.error); break;
        case Tok::kStatistics:
          if (stats) return fail(ParseError::kDuplicate, c);
          stats = true;
          ok = c.relation == 0 ? properties(c.children, cmd.statistics) : fail(ParseError::kBadDescriptor, c);
          break;
        default: return fail(ParseError::kUnknownToken, c);
      }
      if (!ok) return false;
    }
    // Per-command requirements of B.2.
    switch (cmd.type) {
      case CommandType::kAuditValue:
      case CommandType::kAuditCapability:
        if (!cmd.audit) return fail(ParseError::kBadDescriptor, n);
        break;
      case CommandType::kNotify:
        if (!cmd.observed_events) return fail(ParseError::kBadDescriptor, n);
        break;
      case CommandType::kServiceChange:
        if (!cmd.service_change) return fail(ParseError::kBadDescriptor, n);
        break;
      default: break;
    }
    if (cmd.type != CommandType::kNotify && (cmd.observed_events || cmd.error))
      return fail(ParseError::kBadDescriptor, n);
    if (cmd.type != CommandType::kServiceChange && cmd.service_change) return fail(ParseError::kBadDescriptor, n);
    return true;
  }

  bool command_reply(const Node& n, CommandReply& r) {
    auto type = from_table(n.name, kCommands);
    if (!type) return token(n) ? fail(ParseError::kUnknownToken, n) : false;
    r.type = *type;
    if (n.optional || n.wildcard || !n.timestamp.empty() || n.relation != '=')
      return fail(ParseError::kMissingValue, n);
    r.termination_id = n.value;
    bool stats = false, pkgs = false;
    for (const auto& c : n.children) {
      auto t = token(c);
      if (!t) return false;
      bool ok = true;
      switch (*t) {
        case Tok::kError: ok = once(r.error, c) && error(c, *r.error); break;
        case Tok::kMedia: ok = once(r.media, c) && media(c, *r.media); break;
        case Tok::kEvents: ok = once(r.events, c) && events(c, *r.events); break;
        case Tok::kSignals: ok = once(r.signals, c) && signals(c, *r.signals); break;
        case Tok::kObservedEvents: ok = once(r.observed_events, c) && observed(c, *r.observed_events); break;
        case Tok::kServices: ok = once(r.service_change, c) && services(c, *r.service_change); break;
        case Tok::kStatistics:
          if (stats) return fail(ParseError::kDuplicate, c);
          stats = true;
          ok = c.relation == 0 ? properties(c.children, r.statistics) : fail(ParseError::kBadDescriptor, c);
          break;
        case Tok::kPackages:
          if (pkgs) return fail(ParseError::kDuplicate, c);
          pkgs = true;
          for (const auto& p : c.children) {
            if (p.name.empty() || p.relation != 0 || p.braces || p.optional || p.wildcard || !p.timestamp.empty())
              return fail(ParseError::kBadDescriptor, p);
            r.packages.push_back(p.name);
          }
          break;
        default: return fail(ParseError::kUnknownToken, c);
      }
      if (!ok) return false;
    }
    if (r.type != CommandType::kServiceChange && r.service_change) return fail(ParseError::kBadDescriptor, n);
    return true;
  }

  bool context_id(const Node& n, ContextId& c) {
    if (n.relation != '=') return fail(ParseError::kBadContextId, n);
    if (n.value == "-") {
      c = ContextId::null();
    } else if (n.value == "$") {
      c = ContextId::choose();
    } else if (n.value == "*") {
      c = ContextId::all();
    } else {
      std::uint32_t id = 0;
      for (char ch : n.value)
        if (!std::isdigit(static_cast<unsigned char>(ch))) return fail(ParseError::kBadContextId, n);
      if (!uint32(n.value, id, n)) return false;
      c = ContextId::of(id);
    }
    return true;
  }

  bool action(const Node& n, Action& a) {
    if (token(n) != Tok::kContext) return failure ? false : fail(ParseError::kUnknownToken, n);
    if (!context_id(n, a.context)) return false;
    if (!n.braces) return fail(ParseError::kBadDescriptor, n);
    for (const auto& c : n.children) {
      auto t = lookup(c.name);
      if (t && refused(*t)) return fail(ParseError::kUnsupported, c);  // contextRequest properties
      Command cmd;
      if (!command(c, cmd)) return false;
      a.commands.push_back(std::move(cmd));
    }
    return true;
  }

  bool action_reply(const Node& n, ActionReply& a) {
    if (token(n) != Tok::kContext) return failure ? false : fail(ParseError::kUnknownToken, n);
    if (!context_id(n, a.context)) return false;
    if (!n.braces || n.children.empty()) return fail(ParseError::kBadDescriptor, n);
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      const Node& c = n.children[i];
      auto t = lookup(c.name);
      if (t == Tok::kError) {
        // actionReply = ... errorDescriptor / commandReply / (commandReply COMMA errorDescriptor): last only
        if (i + 1 != n.children.size()) return fail(ParseError::kBadDescriptor, c);
        a.error.emplace();
        if (!token(c) || !error(c, *a.error)) return false;
        continue;
      }
      if (t && refused(*t)) return fail(ParseError::kUnsupported, c);
      CommandReply r;
      if (!command_reply(c, r)) return false;
      a.replies.push_back(std::move(r));
    }
    return true;
  }

  bool transaction(const Node& n, Transaction& out) {
    auto t = token(n);
    if (!t) return false;
    switch (*t) {
      case Tok::kTransaction: {
        TransactionRequest r;
        if (n.relation != '=' || !uint32(n.value, r.id, n)) return fail(ParseError::kBadNumber, n);
        if (n.children.empty()) return fail(ParseError::kBadDescriptor, n);
        for (const auto& c : n.children) {
          Action a;
          if (!action(c, a)) return false;
          r.actions.push_back(std::move(a));
        }
        out = std::move(r);
        return true;
      }
      case Tok::kReply: {
        TransactionReply r;
        if (n.relation == '=' && n.value.find('/') != std::string::npos) return fail(ParseError::kUnsupported, n);
        if (n.relation != '=' || !uint32(n.value, r.id, n)) return fail(ParseError::kBadNumber, n);
        std::size_t i = 0;
        if (!n.children.empty() && lookup(n.children[0].name) == Tok::kImmAckRequired) {
          if (!bare(n.children[0]) || !token(n.children[0])) return false;
          r.immediate_ack_required = true;
          i = 1;
        }
        if (i == n.children.size()) return fail(ParseError::kBadDescriptor, n);
        if (lookup(n.children[i].name) == Tok::kError) {
          if (i + 1 != n.children.size()) return fail(ParseError::kBadDescriptor, n.children[i + 1]);
          r.error.emplace();
          if (!token(n.children[i]) || !error(n.children[i], *r.error)) return false;
        } else {
          for (; i < n.children.size(); ++i) {
            ActionReply a;
            if (!action_reply(n.children[i], a)) return false;
            r.actions.push_back(std::move(a));
          }
        }
        out = std::move(r);
        return true;
      }
      case Tok::kPending: {
        TransactionPending p;
        if (n.relation != '=' || !uint32(n.value, p.id, n)) return fail(ParseError::kBadNumber, n);
        if (!n.children.empty()) return fail(ParseError::kBadDescriptor, n);
        out = p;
        return true;
      }
      case Tok::kResponseAck: {
        TransactionResponseAck k;
        if (n.relation != 0 || n.children.empty()) return fail(ParseError::kBadDescriptor, n);
        for (const auto& c : n.children) {
          // transactionAck = TransactionID / (TransactionID "-" TransactionID)
          if (c.relation != 0 || c.braces || c.optional || c.wildcard || !c.timestamp.empty())
            return fail(ParseError::kBadDescriptor, c);
          std::string_view s = c.name;
          auto dash = s.find('-');
          std::uint32_t a = 0, b = 0;
          if (!uint32(s.substr(0, dash), a, c)) return false;
          b = a;
          if (dash != std::string_view::npos && !uint32(s.substr(dash + 1), b, c)) return false;
          if (b < a) return fail(ParseError::kBadNumber, c);
          k.ranges.emplace_back(a, b);
        }
        out = std::move(k);
        return true;
      }
      default: return fail(ParseError::kUnknownToken, n);
    }
  }

  bool message(const SyntaxTree& t, Message& m) {
    m.version = t.version;
    m.mid = t.mid;
    if (!t.body.empty() && lookup(t.body[0].name) == Tok::kError) {
      // messageBody = errorDescriptor / transactionList
      if (t.body.size() != 1) return fail(ParseError::kTrailingText, t.body[1]);
      m.error.emplace();
      return token(t.body[0]) && error(t.body[0], *m.error);
    }
    for (const auto& n : t.body) {
      Transaction tr;
      if (!transaction(n, tr)) return false;
      m.transactions.push_back(std::move(tr));
    }
    return true;
  }
};

// ---------------------------------------------------------------- encoding

class Encoder {
 public:
  explicit Encoder(Style s) : compact_(s == Style::kCompact) {}

  std::string tok(Tok t) const {
    const auto& s = spelling(t);
    return std::string(compact_ ? s.short_name : s.long_name);
  }
  Node item(Tok t) const {
    Node n;
    n.name = tok(t);
    return n;
  }
  Node item(Tok t, std::string value) const {
    Node n = item(t);
    n.relation = '=';
    n.value = std::move(value);
    return n;
  }
  static Node group(Node n) {
    n.braces = true;
    return n;
  }

  static Node property(const Property& p) {
    Node n;
    n.name = p.name;
    n.relation = p.relation;
    if (p.relation != 0) n.value = p.value;
    return n;
  }
  Node named_property(const Property& p) const {
    // ReservedValue/ReservedGroup are tokens: write them in the chosen style.
    Node n = property(p);
    auto t = lookup(p.name);
    if (t == Tok::kReservedValue || t == Tok::kReservedGroup) n.name = tok(*t);
    return n;
  }

  Node error(const ErrorDescriptor& e) const {
    Node n = group(item(Tok::kError, std::to_string(e.code)));
    if (!e.text.empty()) {
      Node t;
      t.value = "\"" + e.text + "\"";
      n.children.push_back(std::move(t));
    }
    return n;
  }

  void stream_parms(const StreamParms& s, std::vector<Node>& out) const {
    if (s.mode || !s.local_control.empty()) {
      Node lc = group(item(Tok::kLocalControl));
      if (s.mode) lc.children.push_back(item(Tok::kMode, tok(tok_of(*s.mode, kModes))));
      for (const auto& p : s.local_control) lc.children.push_back(named_property(p));
      out.push_back(std::move(lc));
    }
    for (auto [slot, t] : {std::pair{&s.local, Tok::kLocal}, std::pair{&s.remote, Tok::kRemote}}) {
      if (!*slot) continue;
      Node n = group(item(t));
      n.raw = true;
      n.text = **slot;
      out.push_back(std::move(n));
    }
    if (!s.statistics.empty()) out.push_back(statistics(s.statistics));
  }

  Node statistics(const std::vector<Property>& ps) const {
    Node n = group(item(Tok::kStatistics));
    for (const auto& p : ps) n.children.push_back(property(p));
    return n;
  }

  Node media(const MediaDescriptor& m) const {
    Node n = group(item(Tok::kMedia));
    if (m.termination_state) {
      const auto& ts = *m.termination_state;
      Node t = group(item(Tok::kTerminationState));
      if (ts.service_state) t.children.push_back(item(Tok::kServiceStates, tok(tok_of(*ts.service_state, kStates))));
      if (ts.buffer_lockstep)
        t.children.push_back(item(Tok::kBuffer, *ts.buffer_lockstep ? tok(Tok::kLockStep) : "OFF"));
      for (const auto& p : ts.properties) t.children.push_back(property(p));
      n.children.push_back(std::move(t));
    }
    stream_parms(m.stream, n.children);
    for (const auto& [id, s] : m.streams) {
      Node st = group(item(Tok::kStream, std::to_string(id)));
      stream_parms(s, st.children);
      n.children.push_back(std::move(st));
    }
    return n;
  }

  static Node with_parameters(std::string name, const std::vector<Property>& ps) {
    Node n;
    n.name = std::move(name);
    if (!ps.empty()) n.braces = true;
    for (const auto& p : ps) n.children.push_back(property(p));
    return n;
  }

  Node events(const EventsDescriptor& e) const {
    if (!e.request_id) return item(Tok::kEvents);
    Node n = group(item(Tok::kEvents, std::to_string(*e.request_id)));
    for (const auto& r : e.events) n.children.push_back(with_parameters(r.name, r.parameters));
    return n;
  }
  Node signals(const SignalsDescriptor& s) const {
    Node n = group(item(Tok::kSignals));
    for (const auto& r : s.signals) n.children.push_back(with_parameters(r.name, r.parameters));
    return n;
  }
  Node observed(const ObservedEventsDescriptor& o) const {
    Node n = group(item(Tok::kObservedEvents, std::to_string(o.request_id)));
    for (const auto& e : o.events) {
      Node c = with_parameters(e.name, e.parameters);
      c.timestamp = e.timestamp;
      n.children.push_back(std::move(c));
    }
    return n;
  }
  Node services(const ServiceChangeDescriptor& d) const {
    Node n = group(item(Tok::kServices));
    if (d.method) n.children.push_back(item(Tok::kMethod, tok(tok_of(*d.method, kMethods))));
    if (d.reason) n.children.push_back(item(Tok::kReason, *d.reason));
    if (d.delay) n.children.push_back(item(Tok::kDelay, std::to_string(*d.delay)));
    if (d.address) n.children.push_back(item(Tok::kServiceChangeAddress, *d.address));
    if (d.profile) n.children.push_back(item(Tok::kProfile, *d.profile));
    if (d.version) n.children.push_back(item(Tok::kVersion, std::to_string(*d.version)));
    if (d.mgc_id) n.children.push_back(item(Tok::kMgcId, *d.mgc_id));
    if (d.timestamp) {
      Node t;
      t.name = *d.timestamp;
      n.children.push_back(std::move(t));
    }
    if (d.incomplete) n.children.push_back(item(Tok::kServiceChangeInc));
    return n;
  }
  Node audit(const AuditDescriptor& a) const {
    Node n = group(item(Tok::kAudit));
    for (const auto& i : a.items) {
      Node c;
      auto t = lookup(i);
      c.name = t ? tok(*t) : i;
      n.children.push_back(std::move(c));
    }
    return n;
  }
  Node packages(const std::vector<std::string>& ps) const {
    Node n = group(item(Tok::kPackages));
    for (const auto& p : ps) {
      Node c;
      c.name = p;
      n.children.push_back(std::move(c));
    }
    return n;
  }

  Node command(const Command& c) const {
    Node n = item(tok_of(c.type, kCommands), c.termination_id);
    n.optional = c.optional;
    n.wildcard = c.wildcard_reply;
    if (c.media) n.children.push_back(media(*c.media));
    if (c.events) n.children.push_back(events(*c.events));
    if (c.signals) n.children.push_back(signals(*c.signals));
    if (c.audit) n.children.push_back(audit(*c.audit));
    if (!c.statistics.empty()) n.children.push_back(statistics(c.statistics));
    if (c.observed_events) n.children.push_back(observed(*c.observed_events));
    if (c.service_change) n.children.push_back(services(*c.service_change));
    if (c.error) n.children.push_back(error(*c.error));
    n.braces = !n.children.empty();
    return n;
  }
  Node command_reply(const CommandReply& r) const {
    Node n = item(tok_of(r.type, kCommands), r.termination_id);
    if (r.error) n.children.push_back(error(*r.error));
    if (r.media) n.children.push_back(media(*r.media));
    if (r.events) n.children.push_back(events(*r.events));
    if (r.signals) n.children.push_back(signals(*r.signals));
    if (r.observed_events) n.children.push_back(observed(*r.observed_events));
    if (r.service_change) n.children.push_back(services(*r.service_change));
    if (!r.statistics.empty()) n.children.push_back(statistics(r.statistics));
    if (!r.packages.empty()) n.children.push_back(packages(r.packages));
    n.braces = !n.children.empty();
    return n;
  }

  Node transaction(const Transaction& t) const {
    if (const auto* r = std::get_if<TransactionRequest>(&t)) {
      Node n = group(item(Tok::kTransaction, std::to_string(r->id)));
      for (const auto& a : r->actions) {
        Node c = group(item(Tok::kContext, to_string(a.context)));
        for (const auto& cmd : a.commands) c.children.push_back(command(cmd));
        n.children.push_back(std::move(c));
      }
      return n;
    }
    if (const auto* r = std::get_if<TransactionReply>(&t)) {
      Node n = group(item(Tok::kReply, std::to_string(r->id)));
      if (r->immediate_ack_required) n.children.push_back(item(Tok::kImmAckRequired));
      if (r->error) {
        n.children.push_back(error(*r->error));
      } else {
        for (const auto& a : r->actions) {
          Node c = group(item(Tok::kContext, to_string(a.context)));
          for (const auto& cr : a.replies) c.children.push_back(command_reply(cr));
          if (a.error) c.children.push_back(error(*a.error));
          n.children.push_back(std::move(c));
        }
      }
      return n;
    }
    if (const auto* p = std::get_if<TransactionPending>(&t)) return group(item(Tok::kPending, std::to_string(p->id)));
    const auto& k = std::get<TransactionResponseAck>(t);
    Node n = group(item(Tok::kResponseAck));
    for (const auto& [a, b] : k.ranges) {
      Node c;
      c.name = a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
      n.children.push_back(std::move(c));
    }
    return n;
  }

  SyntaxTree message(const Message& m) const {
    SyntaxTree t;
    t.version = m.version;
    t.mid = m.mid;
    if (m.error) {
      t.body.push_back(error(*m.error));
    } else {
      for (const auto& tr : m.transactions) t.body.push_back(transaction(tr));
    }
    return t;
  }

 private:
  bool compact_;
};

}  // namespace

std::string to_string(const ContextId& c) {
  switch (c.kind) {
    case ContextId::Kind::kNull: return "-";
    case ContextId::Kind::kChoose: return "$";
    case ContextId::Kind::kAll: return "*";
    case ContextId::Kind::kId: return std::to_string(c.id);
  }
  return "-";
}

std::string_view to_string(CommandType t) { return spelling(tok_of(t, kCommands)).long_name; }
std::string_view to_string(StreamMode m) { return spelling(tok_of(m, kModes)).long_name; }
std::string_view to_string(ServiceState s) { return spelling(tok_of(s, kStates)).long_name; }
std::string_view to_string(ServiceChangeMethod m) { return spelling(tok_of(m, kMethods)).long_name; }

std::optional<std::uint16_t> ServiceChangeDescriptor::reason_code() const {
  if (!reason) return std::nullopt;
  std::string_view s = *reason;
  if (!s.empty() && s.front() == '"') s.remove_prefix(1);
  unsigned v = 0;
  std::size_t n = 0;
  while (n < s.size() && n < 4 && std::isdigit(static_cast<unsigned char>(s[n]))) v = v * 10 + (s[n++] - '0');
  if (n == 0) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

Result<Message, ParseFailure> parse(std::string_view text) {
  auto tree = parse_syntax(text);
  if (!tree) return Err(tree.error());
  Decoder d;
  Message m;
  if (!d.message(*tree, m)) return Err(d.failure.value_or(ParseFailure{ParseError::kBadDescriptor, 0}));
  return m;
}

std::string serialize(const Message& m, Style style) {
  return write_syntax(Encoder(style).message(m), style == Style::kCompact);
}

}  // namespace isupgw::mediagw::h248
