#include "sip/multipart.h"

#include "sip/grammar.h"
#include "sip/headers.h"

namespace isupgw::sip {

namespace g = grammar;

namespace {

// RFC 2046 5.1.1: boundary := 0*69<bchars> bcharsnospace (1-70 characters).
bool valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b)
    if (!g::is(c, g::kAlnum) && std::string_view("'()+_,-./:=? ").find(c) == std::string_view::npos) return false;
  return true;
}

}  // namespace

Result<std::vector<BodyPartView>, Fault> parse_multipart(std::string_view body, std::string_view boundary) {
  if (!valid_boundary(boundary)) return Err(Fault::kBadMultipart);
  std::string delim = "\r\n--";
  delim += boundary;
  // The first delimiter may open the body without a preceding CRLF.
  std::size_t pos;
  if (body.substr(0, delim.size() - 2) == std::string_view(delim).substr(2))
    pos = delim.size() - 2;
  else if ((pos = body.find(delim)) != std::string_view::npos)
    pos += delim.size();
  else
    return Err(Fault::kBadMultipart);
  std::vector<BodyPartView> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;                               // close delimiter; epilogue ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;  // transport padding
    if (body.substr(pos, 2) != "\r\n") return Err(Fault::kBadMultipart);
    pos += 2;
    std::size_t next = body.find(delim, pos);
    if (next == std::string_view::npos) return Err(Fault::kBadMultipart);  // no close delimiter
    std::string_view part = body.substr(pos, next - pos);
    BodyPartView v;
    std::string_view headers;
    if (part.substr(0, 2) == "\r\n") {
      v.body = part.substr(2);
    } else {
      std::size_t he = part.find("\r\n\r\n");
      if (he == std::string_view::npos) return Err(Fault::kBadMultipart);
      headers = part.substr(0, he + 2);
      v.body = part.substr(he + 4);
    }
    // Part header lines (folding allowed).
    std::size_t hp = 0;
    while (hp < headers.size()) {
      std::size_t eol = headers.find("\r\n", hp);
      while (eol + 2 < headers.size() && (headers[eol + 2] == ' ' || headers[eol + 2] == '\t'))
        eol = headers.find("\r\n", eol + 2);
      std::string_view line = headers.substr(hp, eol - hp);
      hp = eol + 2;
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return Err(Fault::kBadMultipart);
      HeaderId id = header_id(g::trim(line.substr(0, colon)));
      if (id == HeaderId::kContentType) v.content_type = g::trim(line.substr(colon + 1));
      if (id == HeaderId::kContentDisposition) v.content_disposition = g::trim(line.substr(colon + 1));
    }
    parts.push_back(v);
    if (parts.size() > 32) return Err(Fault::kBadMultipart);  // bound the work per message
    pos = next + delim.size();
  }
}

std::string build_multipart(const std::vector<BodyPart>& parts, std::string_view boundary) {
  std::string out;
  for (const auto& p : parts) {
    out += "--";
    out += boundary;
    out += "\r\nContent-Type: ";
    out += p.content_type;
    out += "\r\n";
    if (!p.content_disposition.empty()) {
      out += "Content-Disposition: ";
      out += p.content_disposition;
      out += "\r\n";
    }
    out += "\r\n";
    out += p.body;
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

BodyPart make_isup_part(const IsupBody& isup) {
  BodyPart p;
  p.content_type = "application/ISUP;version=" + isup.version;
  if (!isup.base.empty()) p.content_type += ";base=" + isup.base;
  p.content_disposition = std::string("signal;handling=") + (isup.handling_required ? "required" : "optional");
  p.body = isup.bytes;
  return p;
}

namespace {

Result<bool, Fault> take_part(std::string_view type, std::string_view disposition, std::string_view body,
                              GatewayBodies& out) {
  auto mt = parse_media_type(type.empty() ? std::string_view("text/plain") : type);
  if (!mt) return Err(mt.error());
  std::optional<ContentDisposition> cd;
  if (!disposition.empty()) {
    auto d = parse_content_disposition(disposition);
    if (!d) return Err(d.error());
    cd = *d;
  }
  if (mt->is("application", "sdp")) {
    if (!out.sdp) out.sdp = body;
  } else if (mt->is("application", "isup")) {
    GatewayBodies::Isup isup;
    isup.version = mt->param("version");
    isup.base = mt->param("base");
    isup.handling_required = !cd || cd->handling_required();
    isup.bytes = body;
    if (!out.isup) out.isup = isup;
  } else if (!cd || cd->handling_required()) {
    // RFC 3261 20.11: handling defaults to required.
    out.unknown_required_part = true;
  }
  return true;
}

}  // namespace

Result<GatewayBodies, Fault> split_bodies(std::string_view content_type, std::string_view disposition,
                                          std::string_view body) {
  GatewayBodies out;
  if (body.empty()) return out;
  auto mt = parse_media_type(content_type);
  if (!mt) return Err(mt.error());
  if (mt->is("multipart", "mixed") || mt->is("multipart", "alternative") || mt->is("multipart", "related")) {
    auto parts = parse_multipart(body, mt->param("boundary"));
    if (!parts) return Err(parts.error());
    for (const auto& p : *parts) {
      auto r = take_part(p.content_type, p.content_disposition, p.body, out);
      if (!r) return Err(r.error());
    }
    return out;
  }
  auto r = take_part(content_type, disposition, body, out);
  if (!r) return Err(r.error());
  return out;
}

BuiltBody build_gateway_body(const std::optional<std::string>& sdp, const std::optional<IsupBody>& isup,
                             std::string_view boundary) {
  if (sdp && isup) {
    std::vector<BodyPart> parts{{"application/sdp", "", *sdp}, make_isup_part(*isup)};
    return {"multipart/mixed;boundary=" + std::string(boundary), "", build_multipart(parts, boundary)};
  }
  if (sdp) return {"application/sdp", "", *sdp};
  if (isup) {
    auto p = make_isup_part(*isup);
    return {p.content_type, p.content_disposition, p.body};
  }
  return {};
}

}  // namespace isupgw::sip
