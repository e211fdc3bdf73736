// The M3UA messages the shared ASP tables send (RFC 4666 3.5, 3.7, 3.8.2).
#include "sigtran/asp_fsm.h"

#include "sigtran/m3ua_codec.h"

namespace isupgw::sigtran::m3ua {

namespace {
Message of(MessageType t) {
  Message m;
  m.type = t;
  return m;
}
}  // namespace

Message AspMessages::aspup(const AspConfig& c) {
  Message m = of(MessageType::kAspUp);
  m.asp_identifier = c.asp_identifier;
  return m;
}

Message AspMessages::aspac(const AspConfig& c) {
  Message m = of(MessageType::kAspAc);
  if (c.traffic_mode) m.traffic_mode_type = static_cast<std::uint32_t>(*c.traffic_mode);
  if (!c.routing_contexts.empty()) m.routing_context = c.routing_contexts;
  return m;
}

Message AspMessages::aspia(const AspConfig& c) {
  Message m = of(MessageType::kAspIa);
  if (!c.routing_contexts.empty()) m.routing_context = c.routing_contexts;
  return m;
}

Message AspMessages::aspdn(const AspConfig&) { return of(MessageType::kAspDn); }

Message AspMessages::up_ack(const PeerAspConfig& c) {
  Message m = of(MessageType::kAspUpAck);
  m.asp_identifier = c.asp_identifier;
  return m;
}

Message AspMessages::dn_ack() { return of(MessageType::kAspDnAck); }

Message AspMessages::ac_ack(const Message* request) {
  Message m = of(MessageType::kAspAcAck);
  if (request) {
    m.traffic_mode_type = request->traffic_mode_type;
    m.routing_context = request->routing_context;
  }
  return m;
}

Message AspMessages::ia_ack(const Message* request) {
  Message m = of(MessageType::kAspIaAck);
  if (request) m.routing_context = request->routing_context;
  return m;
}

Message AspMessages::ntfy(std::uint16_t as_state, const Message* request) {
  Message n = of(MessageType::kNtfy);
  n.status = Status{status::kTypeAsStateChange, as_state};
  if (request && request->routing_context) n.routing_context = request->routing_context;
  return n;
}

Message AspMessages::unexpected() { return make_error(ErrorCode::kUnexpectedMessage); }

}  // namespace isupgw::sigtran::m3ua
