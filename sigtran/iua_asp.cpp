// The IUA messages the shared ASP tables send (RFC 4233 3.3.2, 3.3.3.2).
#include "sigtran/iua_asp.h"

#include "sigtran/iua_codec.h"

namespace isupgw::sigtran::iua {

namespace {
Message of(MessageType t) {
  Message m;
  m.type = t;
  return m;
}
void copy_interfaces(const Message* from, Message& to) {
  if (!from) return;
  to.interface_ids = from->interface_ids;
  to.interface_ranges = from->interface_ranges;
  to.interface_names = from->interface_names;
}
}  // namespace

Message AspMessages::aspup(const AspConfig& c) {
  Message m = of(MessageType::kAspUp);
  m.asp_identifier = c.asp_identifier;
  return m;
}

Message AspMessages::aspac(const AspConfig& c) {
  Message m = of(MessageType::kAspAc);
  m.traffic_mode_type = c.traffic_mode;
  m.interface_ids = c.interface_ids;
  m.interface_names = c.interface_names;
  return m;
}

Message AspMessages::aspia(const AspConfig& c) {
  Message m = of(MessageType::kAspIa);
  m.interface_ids = c.interface_ids;
  m.interface_names = c.interface_names;
  return m;
}

Message AspMessages::aspdn(const AspConfig&) { return of(MessageType::kAspDn); }

Message AspMessages::up_ack(const PeerAspConfig&) {
  // RFC 4233 3.3.2.2: ASPUP ACK carries an INFO String only (no ASP Identifier, unlike M3UA).
  return of(MessageType::kAspUpAck);
}

Message AspMessages::dn_ack() { return of(MessageType::kAspDnAck); }

Message AspMessages::ac_ack(const Message* request) {
  Message m = of(MessageType::kAspAcAck);
  if (request) m.traffic_mode_type = request->traffic_mode_type;
  copy_interfaces(request, m);
  return m;
}

Message AspMessages::ia_ack(const Message* request) {
  Message m = of(MessageType::kAspIaAck);
  copy_interfaces(request, m);
  return m;
}

Message AspMessages::ntfy(std::uint16_t as_state, const Message* request) {
  Message n = of(MessageType::kNtfy);
  n.status = Status{common::status::kTypeAsStateChange, as_state};
  copy_interfaces(request, n);
  return n;
}

Message AspMessages::unexpected() { return make_error(ErrorCode::kUnexpectedMessage); }

}  // namespace isupgw::sigtran::iua
