// The encoder: model -> the generic items of h248_syntax, in long or short tokens.
#include "media-gw/h248_codec.h"
#include "media-gw/h248_tokens.h"

namespace isupgw::mediagw::h248 {

using namespace tokens;

namespace {

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

std::string serialize(const Message& m, Style style) {
  return write_syntax(Encoder(style).message(m), style == Style::kCompact);
}

}  // namespace isupgw::mediagw::h248
