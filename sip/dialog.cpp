#include "sip/dialog.h"

#include <boost/asio/ip/address.hpp>

namespace isupgw::sip {

std::string Dialog::key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag) {
  std::string k;
  k.reserve(call_id.size() + local_tag.size() + remote_tag.size() + 2);
  k += call_id;
  k += '|';
  k += local_tag;
  k += '|';
  k += remote_tag;
  return k;
}

std::string_view uri_of(std::string_view v) {
  auto lt = v.find('<');
  if (lt != std::string_view::npos) {
    auto gt = v.find('>', lt);
    if (gt != std::string_view::npos) return v.substr(lt + 1, gt - lt - 1);
  }
  auto semi = v.find(';');  // addr-spec: header params follow
  v = v.substr(0, semi);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

std::optional<Peer> peer_of_uri(std::string_view text, Transport default_transport) {
  auto uri = parse_uri(text);
  if (!uri || !uri->is_sip()) return std::nullopt;
  std::string_view host = uri->host;
  if (uri->ipv6()) host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  Peer p;
  p.host = std::string(host);
  p.transport = default_transport;
  if (auto t = uri->params.get("transport")) {
    if (grammar::iequals(*t, "udp")) p.transport = Transport::kUdp;
    if (grammar::iequals(*t, "tcp")) p.transport = Transport::kTcp;
    if (grammar::iequals(*t, "tls")) p.transport = Transport::kTls;
  }
  if (uri->scheme == Scheme::kSips) p.transport = Transport::kTls;
  p.port = uri->port ? uri->port : (p.transport == Transport::kTls ? 5061 : 5060);
  return p;
}

Dialog Dialog::from_request(const Message& req, std::string local_tag) {
  Dialog d;
  d.call_id = std::string(req.call_id);
  d.local_tag = std::move(local_tag);
  d.remote_tag = std::string(req.from.tag());
  d.remote_party = std::string(req.from.text);
  d.local_party = std::string(req.to.text);
  d.local_party += ";tag=";
  d.local_party += d.local_tag;
  d.remote_cseq = req.cseq.number;
  if (auto c = req.first(HeaderId::kContact)) d.remote_target = std::string(uri_of(*c));
  // 12.1.1: the route set is the Record-Route list in order.
  for (std::string_view rr : req.values(HeaderId::kRecordRoute)) d.route_set.emplace_back(rr);
  return d;
}

void Dialog::update_from_response(const Message& r) {
  remote_tag = std::string(r.to.tag());
  remote_party = std::string(r.to.text);
  if (auto c = r.first(HeaderId::kContact)) remote_target = std::string(uri_of(*c));
  // 12.1.2: the route set is the Record-Route list in reverse order. A 2xx
  // after an early dialog recomputes it (13.2.2.4).
  if (!confirmed) {
    route_set.clear();
    for (std::string_view rr : r.values(HeaderId::kRecordRoute)) route_set.emplace(route_set.begin(), rr);
  }
}

void Dialog::refresh_target(const Message& m) {
  if (auto c = m.first(HeaderId::kContact)) remote_target = std::string(uri_of(*c));
}

OutMessage Dialog::request(std::string method, std::uint32_t cseq, std::string via) const {
  // 12.2.1.1: a first route without lr is a strict router (RFC 2543): it
  // becomes the Request-URI and the remote target goes last in Route.
  const bool strict = !route_set.empty() && route_set.front().find(";lr") == std::string::npos;
  std::string ruri = strict ? std::string(uri_of(route_set.front())) : remote_target;
  OutMessage m = OutMessage::request(method, std::move(ruri));
  m.add(HeaderId::kVia, std::move(via));
  m.add(HeaderId::kMaxForwards, "70");
  for (std::size_t i = strict ? 1 : 0; i < route_set.size(); ++i) m.add(HeaderId::kRoute, route_set[i]);
  if (strict) m.add(HeaderId::kRoute, "<" + remote_target + ">");
  m.add(HeaderId::kFrom, local_party);
  m.add(HeaderId::kTo, remote_party);
  m.add(HeaderId::kCallId, call_id);
  m.add(HeaderId::kCSeq, std::to_string(cseq) + " " + method);
  return m;
}

std::optional<Peer> Dialog::next_hop(Transport transport) const {
  if (!route_set.empty()) return peer_of_uri(uri_of(route_set.front()), transport);
  return peer_of_uri(remote_target, transport);
}

}  // namespace isupgw::sip
