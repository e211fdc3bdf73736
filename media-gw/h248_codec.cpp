// Meaning for the generic items of h248_syntax: each function maps one ABNF
// production of H.248.1 Annex B.2 from a syntax Node to a model value (the encoder is h248_encode.cpp).
#include "media-gw/h248_codec.h"

#include "media-gw/h248_tokens.h"

#include <cctype>

namespace isupgw::mediagw::h248 {

using namespace tokens;

namespace {

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
    p = Property{std::string(n.name), n.relation, std::string(n.value)};
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
            Property p{std::string(spelling(*ct).long_name), '=', std::string(c.value)};
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
            r.packages.emplace_back(p.name);
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

bool is_root(std::string_view t) { return iequals(t, "ROOT"); }

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

}  // namespace isupgw::mediagw::h248
