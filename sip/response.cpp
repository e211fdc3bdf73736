#include "sip/response.h"

namespace isupgw::sip {

std::string stamped_via(const Via& via, const Peer& from) {
  const bool want_rport = via.rport().has_value();
  const bool need_received = via.host != from.host;
  if (!want_rport && !need_received) return std::string(via.text);
  // Rebuild "SIP/2.0/UDP host:port" + params without received/rport, then add ours.
  std::string out(via.text.substr(0, via.text.size() - via.params.text().size()));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  for (const auto& p : via.params) {
    if (grammar::iequals(p.name, "received") || grammar::iequals(p.name, "rport")) continue;
    out += ';';
    out += p.name;
    if (p.has_value) {
      out += '=';
      out += p.value;
    }
  }
  if (need_received || want_rport) {
    out += ";received=";
    out += from.host;
  }
  if (want_rport) {
    out += ";rport=";
    out += std::to_string(from.port);
  }
  return out;
}

OutMessage make_response(const Message& req, const Peer& from, int status, const ResponseOptions& o,
                         std::string reason) {
  OutMessage r = OutMessage::response(status, std::move(reason));
  bool top = true;
  for (const Header& h : req.headers()) {
    if (h.id != HeaderId::kVia) continue;
    if (top) {
      // The first Via header may hold several comma-separated values.
      grammar::CommaSplitter split(h.value);
      bool first = true;
      std::string_view v;
      while (split.next(v)) {
        if (first) {
          r.add(HeaderId::kVia, stamped_via(req.top_via, from));
          first = false;
        } else {
          r.add(HeaderId::kVia, std::string(v));
        }
      }
      top = false;
    } else {
      r.add(HeaderId::kVia, std::string(h.value));
    }
  }
  if (o.copy_record_route)
    for (const Header& h : req.headers())
      if (h.id == HeaderId::kRecordRoute) r.add(HeaderId::kRecordRoute, std::string(h.value));
  r.add(HeaderId::kFrom, std::string(req.from.text));
  std::string to(req.to.text);
  if (!o.to_tag.empty() && req.to.tag().empty() && status != 100) {
    to += ";tag=";
    to += o.to_tag;
  }
  r.add(HeaderId::kTo, std::move(to));
  r.add(HeaderId::kCallId, std::string(req.call_id));
  r.add(HeaderId::kCSeq, std::to_string(req.cseq.number) + " " + std::string(req.cseq.method));
  return r;
}

}  // namespace isupgw::sip
