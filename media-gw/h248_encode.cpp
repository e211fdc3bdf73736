// The encoder: model -> H.248.1 Annex B text, in long or short tokens, written
// straight into one string. Byte for byte what write_syntax() writes for the
// same items (h248_syntax.h: "item = name [= value] [{ items }]", children on
// indented lines when pretty), without building the item tree first: one
// call's Add/Modify/Subtract is written per transaction on the hot path, and
// a tree of strings cost about as much as the rest of the transaction.
#include "media-gw/h248_codec.h"
#include "media-gw/h248_tokens.h"

#include <charconv>

namespace isupgw::mediagw::h248 {

using namespace tokens;

namespace {

class Writer {
 public:
  Writer(std::string& out, bool compact) : out_(out), compact_(compact) {}

  std::string_view tok(Tok t) const {
    const auto& s = spelling(t);
    return compact_ ? s.short_name : s.long_name;
  }

  // Starts an item: the separator from the previous sibling, the indent, then "name".
  void name(std::string_view n) {
    separate();
    out_ += n;
  }
  void name(Tok t) { name(tok(t)); }
  // " = value" (pretty) or "=value" (compact).
  void value(char relation, std::string_view v) {
    if (!compact_) out_ += ' ';
    out_ += relation;
    if (!compact_) out_ += ' ';
    out_ += v;
  }
  void value(std::string_view v) { value('=', v); }
  void number(std::uint32_t n) {
    char buf[16];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    value(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  // "{": the items written until close() are its children.
  void open() {
    out_ += compact_ ? "{" : " {";
    ++depth_;
    first_ = true;
  }
  void close() {
    --depth_;
    if (first_) {
      out_ += '}';  // no children: "{}"
    } else {
      if (!compact_) {
        out_ += '\n';
        indent(depth_);
      }
      out_ += '}';
    }
    first_ = false;  // the group itself was a child of its parent
  }
  // An octet string (Local/Remote) on lines of its own: SDP reads as SDP in a trace. The closing
  // brace at the start of a line: Wireshark hands everything up to it to its SDP dissector, which
  // calls an indented "}" line an invalid SDP line.
  void raw(std::string_view text) {
    out_ += compact_ ? "{" : " {";
    out_ += '\n';
    out_ += text;
    out_ += "\n}";
  }
  // A top-level item (transaction) ends its line.
  void end_top() {
    out_ += '\n';
    first_ = true;
  }
  std::string& out() { return out_; }

 private:
  void separate() {
    if (depth_ == 0) return;
    if (!first_) out_ += ',';
    if (!compact_) {
      out_ += '\n';
      indent(depth_);
    }
    first_ = false;
  }
  void indent(std::size_t n) { out_.append(2 * n, ' '); }

  std::string& out_;
  bool compact_;
  std::size_t depth_ = 0;
  bool first_ = true;
};

class Encoder {
 public:
  Encoder(std::string& out, Style s) : w_(out, s == Style::kCompact) {}

  void property(const Property& p, bool named = false) {
    // ReservedValue/ReservedGroup are tokens: written in the chosen style.
    std::optional<Tok> t;
    if (named) t = lookup(p.name);
    if (t == Tok::kReservedValue || t == Tok::kReservedGroup) {
      w_.name(*t);
    } else {
      w_.name(p.name);
    }
    if (p.relation != 0) w_.value(p.relation, p.value);
  }
  void properties(const std::vector<Property>& ps) {
    for (const auto& p : ps) property(p);
  }

  void error(const ErrorDescriptor& e) {
    w_.name(Tok::kError);
    w_.number(e.code);
    w_.open();
    if (!e.text.empty()) {
      w_.name("");
      auto& o = w_.out();
      o += '"';
      o += e.text;
      o += '"';
    }
    w_.close();
  }

  void stream_parms(const StreamParms& s) {
    if (s.mode || !s.local_control.empty()) {
      w_.name(Tok::kLocalControl);
      w_.open();
      if (s.mode) {
        w_.name(Tok::kMode);
        w_.value(w_.tok(tok_of(*s.mode, kModes)));
      }
      for (const auto& p : s.local_control) property(p, true);
      w_.close();
    }
    if (s.local) {
      w_.name(Tok::kLocal);
      w_.raw(*s.local);
    }
    if (s.remote) {
      w_.name(Tok::kRemote);
      w_.raw(*s.remote);
    }
    if (!s.statistics.empty()) statistics(s.statistics);
  }

  void statistics(const std::vector<Property>& ps) {
    w_.name(Tok::kStatistics);
    w_.open();
    properties(ps);
    w_.close();
  }

  void media(const MediaDescriptor& m) {
    w_.name(Tok::kMedia);
    w_.open();
    if (m.termination_state) {
      const auto& ts = *m.termination_state;
      w_.name(Tok::kTerminationState);
      w_.open();
      if (ts.service_state) {
        w_.name(Tok::kServiceStates);
        w_.value(w_.tok(tok_of(*ts.service_state, kStates)));
      }
      if (ts.buffer_lockstep) {
        w_.name(Tok::kBuffer);
        w_.value(*ts.buffer_lockstep ? w_.tok(Tok::kLockStep) : std::string_view("OFF"));
      }
      properties(ts.properties);
      w_.close();
    }
    stream_parms(m.stream);
    for (const auto& [id, s] : m.streams) {
      w_.name(Tok::kStream);
      w_.number(id);
      w_.open();
      stream_parms(s);
      w_.close();
    }
    w_.close();
  }

  void with_parameters(std::string_view name, const std::vector<Property>& ps) {
    w_.name(name);
    if (ps.empty()) return;
    w_.open();
    properties(ps);
    w_.close();
  }

  void events(const EventsDescriptor& e) {
    w_.name(Tok::kEvents);
    if (!e.request_id) return;
    w_.number(*e.request_id);
    w_.open();
    for (const auto& r : e.events) with_parameters(r.name, r.parameters);
    w_.close();
  }
  void signals(const SignalsDescriptor& s) {
    w_.name(Tok::kSignals);
    w_.open();
    for (const auto& r : s.signals) with_parameters(r.name, r.parameters);
    w_.close();
  }
  void observed(const ObservedEventsDescriptor& o) {
    w_.name(Tok::kObservedEvents);
    w_.number(o.request_id);
    w_.open();
    for (const auto& e : o.events) {
      if (e.timestamp.empty()) {
        w_.name(e.name);
      } else {
        w_.name(e.timestamp);
        w_.out() += ':';
        w_.out() += e.name;
      }
      if (e.parameters.empty()) continue;
      w_.open();
      properties(e.parameters);
      w_.close();
    }
    w_.close();
  }
  void services(const ServiceChangeDescriptor& d) {
    w_.name(Tok::kServices);
    w_.open();
    if (d.method) {
      w_.name(Tok::kMethod);
      w_.value(w_.tok(tok_of(*d.method, kMethods)));
    }
    if (d.reason) {
      w_.name(Tok::kReason);
      w_.value(*d.reason);
    }
    if (d.delay) {
      w_.name(Tok::kDelay);
      w_.number(*d.delay);
    }
    if (d.address) {
      w_.name(Tok::kServiceChangeAddress);
      w_.value(*d.address);
    }
    if (d.profile) {
      w_.name(Tok::kProfile);
      w_.value(*d.profile);
    }
    if (d.version) {
      w_.name(Tok::kVersion);
      w_.number(*d.version);
    }
    if (d.mgc_id) {
      w_.name(Tok::kMgcId);
      w_.value(*d.mgc_id);
    }
    if (d.timestamp) w_.name(*d.timestamp);
    if (d.incomplete) w_.name(Tok::kServiceChangeInc);
    w_.close();
  }
  void audit(const AuditDescriptor& a) {
    w_.name(Tok::kAudit);
    w_.open();
    for (const auto& i : a.items) {
      auto t = lookup(i);
      if (t) {
        w_.name(*t);
      } else {
        w_.name(i);
      }
    }
    w_.close();
  }
  void packages(const std::vector<std::string>& ps) {
    w_.name(Tok::kPackages);
    w_.open();
    for (const auto& p : ps) w_.name(p);
    w_.close();
  }

  void command(const Command& c) {
    if (c.optional || c.wildcard_reply) {
      w_.name("");
      if (c.optional) w_.out() += "O-";
      if (c.wildcard_reply) w_.out() += "W-";
      w_.out() += w_.tok(tok_of(c.type, kCommands));
    } else {
      w_.name(tok_of(c.type, kCommands));
    }
    w_.value(c.termination_id);
    const bool children = c.media || c.events || c.signals || c.audit || !c.statistics.empty() ||
                          c.observed_events || c.service_change || c.error;
    if (!children) return;
    w_.open();
    if (c.media) media(*c.media);
    if (c.events) events(*c.events);
    if (c.signals) signals(*c.signals);
    if (c.audit) audit(*c.audit);
    if (!c.statistics.empty()) statistics(c.statistics);
    if (c.observed_events) observed(*c.observed_events);
    if (c.service_change) services(*c.service_change);
    if (c.error) error(*c.error);
    w_.close();
  }
  void command_reply(const CommandReply& r) {
    w_.name(tok_of(r.type, kCommands));
    w_.value(r.termination_id);
    const bool children = r.error || r.media || r.events || r.signals || r.observed_events || r.service_change ||
                          !r.statistics.empty() || !r.packages.empty();
    if (!children) return;
    w_.open();
    if (r.error) error(*r.error);
    if (r.media) media(*r.media);
    if (r.events) events(*r.events);
    if (r.signals) signals(*r.signals);
    if (r.observed_events) observed(*r.observed_events);
    if (r.service_change) services(*r.service_change);
    if (!r.statistics.empty()) statistics(r.statistics);
    if (!r.packages.empty()) packages(r.packages);
    w_.close();
  }

  void context(const ContextId& c) {
    w_.name(Tok::kContext);
    switch (c.kind) {
      case ContextId::Kind::kNull: w_.value("-"); break;
      case ContextId::Kind::kChoose: w_.value("$"); break;
      case ContextId::Kind::kAll: w_.value("*"); break;
      case ContextId::Kind::kId: w_.number(c.id); break;
    }
    w_.open();
  }

  void transaction(const Transaction& t) {
    if (const auto* r = std::get_if<TransactionRequest>(&t)) {
      w_.name(Tok::kTransaction);
      w_.number(r->id);
      w_.open();
      for (const auto& a : r->actions) {
        context(a.context);
        for (const auto& cmd : a.commands) command(cmd);
        w_.close();
      }
      w_.close();
      return;
    }
    if (const auto* r = std::get_if<TransactionReply>(&t)) {
      w_.name(Tok::kReply);
      w_.number(r->id);
      w_.open();
      if (r->immediate_ack_required) w_.name(Tok::kImmAckRequired);
      if (r->error) {
        error(*r->error);
      } else {
        for (const auto& a : r->actions) {
          context(a.context);
          for (const auto& cr : a.replies) command_reply(cr);
          if (a.error) error(*a.error);
          w_.close();
        }
      }
      w_.close();
      return;
    }
    if (const auto* p = std::get_if<TransactionPending>(&t)) {
      w_.name(Tok::kPending);
      w_.number(p->id);
      w_.open();
      w_.close();
      return;
    }
    const auto& k = std::get<TransactionResponseAck>(t);
    w_.name(Tok::kResponseAck);
    w_.open();
    for (const auto& [a, b] : k.ranges) {
      w_.name(std::to_string(a));
      if (a != b) {
        w_.out() += '-';
        w_.out() += std::to_string(b);
      }
    }
    w_.close();
  }

  void message(const Message& m, bool compact) {
    auto& o = w_.out();
    o += compact ? "!/" : "MEGACO/";
    o += std::to_string(m.version);
    o += ' ';
    o += m.mid;
    o += '\n';
    if (m.error) {
      error(*m.error);
      w_.end_top();
      return;
    }
    for (const auto& tr : m.transactions) {
      transaction(tr);
      w_.end_top();
    }
  }

 private:
  Writer w_;
};

}  // namespace

std::string serialize(const Message& m, Style style) {
  std::string out;
  out.reserve(512);
  Encoder(out, style).message(m, style == Style::kCompact);
  return out;
}

}  // namespace isupgw::mediagw::h248
