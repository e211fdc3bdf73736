#include "cdr/radius_packet.h"

#include <openssl/evp.h>

#include <algorithm>

namespace isupgw::cdr::radius {

namespace {

constexpr std::size_t kHeader = 20;       // Code, Identifier, Length(2), Authenticator(16) (RFC 2866 3)
constexpr std::size_t kMaxPacket = 4096;  // RFC 2865 3

void put_text(std::vector<std::uint8_t>& out, Attr type, std::string_view value) {
  if (value.empty()) return;     // RFC 2865 5: text attributes have length >= 3
  value = value.substr(0, 253);  // one attribute carries at most 253 octets
  out.push_back(static_cast<std::uint8_t>(type));
  out.push_back(static_cast<std::uint8_t>(value.size() + 2));
  out.insert(out.end(), value.begin(), value.end());
}

void put_u32(std::vector<std::uint8_t>& out, Attr type, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(type));
  out.push_back(6);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// RFC 2865 5.26: Type 26, Length, Vendor-Id (4 octets), then the vendor's own type, length and value.
void put_vsa(std::vector<std::uint8_t>& out, std::uint32_t vendor, std::uint8_t type, std::string_view value) {
  if (value.empty()) return;
  value = value.substr(0, 247);  // 255 - 6 (type, length, vendor) - 2 (vendor type, length)
  out.push_back(static_cast<std::uint8_t>(Attr::kVendorSpecific));
  out.push_back(static_cast<std::uint8_t>(value.size() + 8));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(vendor >> shift));
  out.push_back(type);
  out.push_back(static_cast<std::uint8_t>(value.size() + 2));
  out.insert(out.end(), value.begin(), value.end());
}

Authenticator md5(std::span<const std::uint8_t> a, std::string_view secret) {
  Authenticator d{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, secret.data(), secret.size());
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx, d.data(), &n);
  EVP_MD_CTX_free(ctx);
  return d;
}

Accounting base_of(const CdrRecord& r, std::string_view nas) {
  Accounting a;
  a.session_id = r.call_id;
  a.nas_identifier = std::string(nas);
  a.calling = r.calling_in;
  a.called = r.called_out.empty() ? r.called_in : r.called_out;
  return a;
}

}  // namespace

TerminateCause terminate_cause_of(const CdrRecord& r) {
  if (r.released_by == "gateway") return TerminateCause::kNasRequest;
  const int cause = r.cause.value_or(16);
  if (cause == 16 || cause == 31) return TerminateCause::kUserRequest;         // Q.850 normal clearing
  if (cause == 102) return TerminateCause::kSessionTimeout;                    // recovery on timer expiry
  if (cause >= 34 && cause <= 47) return TerminateCause::kServiceUnavailable;  // resource unavailable class
  return TerminateCause::kLostService;
}

Accounting start_of(const CdrRecord& r, std::string_view nas_identifier) {
  Accounting a = base_of(r, nas_identifier);
  a.status = StatusType::kStart;
  return a;
}

Accounting stop_of(const CdrRecord& r, std::string_view nas_identifier) {
  Accounting a = base_of(r, nas_identifier);
  a.status = StatusType::kStop;
  // RFC 2866 5.7: whole seconds; rounded to the nearest second.
  a.session_time_s = static_cast<std::uint32_t>((r.duration_ms() + 500) / 1000);
  a.terminate_cause = terminate_cause_of(r);
  a.charge_messages = r.charge_messages;
  a.charge_info = r.charge_info;
  return a;
}

std::vector<std::uint8_t> encode_request(const Accounting& a, std::uint8_t identifier, std::string_view secret) {
  std::vector<std::uint8_t> p(kHeader, 0);
  p[0] = kAccountingRequest;
  p[1] = identifier;
  put_u32(p, Attr::kAcctStatusType, static_cast<std::uint32_t>(a.status));
  put_text(p, Attr::kAcctSessionId, a.session_id);
  put_text(p, Attr::kNasIdentifier, a.nas_identifier);
  put_text(p, Attr::kCallingStationId, a.calling);
  put_text(p, Attr::kCalledStationId, a.called);
  put_u32(p, Attr::kAcctDelayTime, a.delay_s);
  if (a.session_time_s) put_u32(p, Attr::kAcctSessionTime, *a.session_time_s);
  if (a.terminate_cause) put_u32(p, Attr::kAcctTerminateCause, static_cast<std::uint32_t>(*a.terminate_cause));
  if (a.event_timestamp) put_u32(p, Attr::kEventTimestamp, *a.event_timestamp);
  if (a.status == StatusType::kStop && a.charge_messages > 0) {
    put_vsa(p, kVendorCisco, kCiscoAvPair, "isup-charge-messages=" + std::to_string(a.charge_messages));
    put_vsa(p, kVendorCisco, kCiscoAvPair, "isup-charge-info=" + a.charge_info);
  }
  p[2] = static_cast<std::uint8_t>(p.size() >> 8);
  p[3] = static_cast<std::uint8_t>(p.size());
  const Authenticator auth = md5(p, secret);  // authenticator octets are still zero here
  std::copy(auth.begin(), auth.end(), p.begin() + 4);
  return p;
}

Result<bool, std::string> check_response(std::span<const std::uint8_t> response, std::span<const std::uint8_t> request,
                                         std::string_view secret) {
  if (response.size() < kHeader || response.size() > kMaxPacket) return Err(std::string("bad length"));
  if (request.size() < kHeader) return Err(std::string("no request"));
  if (response[0] != kAccountingResponse) return Err("code " + std::to_string(response[0]) + ", not 5");
  if (response[1] != request[1]) return Err(std::string("identifier does not match the request"));
  const std::size_t length = (std::size_t{response[2]} << 8) | response[3];
  if (length < kHeader || length > response.size()) return Err(std::string("length field out of range"));
  std::vector<std::uint8_t> text(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(length));
  std::copy(request.begin() + 4, request.begin() + 20, text.begin() + 4);
  const Authenticator want = md5(text, secret);
  if (!std::equal(want.begin(), want.end(), response.begin() + 4)) {
    return Err(std::string("Response Authenticator does not match (wrong secret?)"));
  }
  return true;
}

}  // namespace isupgw::cdr::radius
