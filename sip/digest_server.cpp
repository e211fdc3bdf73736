#include "sip/digest_server.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstdio>

namespace isupgw::sip {

namespace {

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view to_string(DigestServer::Verdict v) {
  switch (v) {
    case DigestServer::Verdict::kOk: return "ok";
    case DigestServer::Verdict::kStale: return "stale";
    case DigestServer::Verdict::kBadNonce: return "bad-nonce";
    case DigestServer::Verdict::kReplay: return "replay";
    case DigestServer::Verdict::kWrong: return "wrong-credentials";
  }
  return "?";
}

DigestServer::DigestServer(Clock& clock, std::array<std::uint8_t, 32> secret, Clock::duration lifetime,
                           std::size_t max_tracked)
    : clock_(clock), secret_(secret), lifetime_(lifetime), max_tracked_(max_tracked) {}

std::string DigestServer::mac(std::uint64_t stamp, std::uint64_t rnd) const {
  unsigned char in[16];
  for (int i = 0; i < 8; ++i) {
    in[i] = static_cast<unsigned char>(stamp >> (56 - 8 * i));
    in[8 + i] = static_cast<unsigned char>(rnd >> (56 - 8 * i));
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), in, sizeof in, md, &n);
  std::uint64_t a = 0, b = 0;
  for (int i = 0; i < 8; ++i) {
    a = (a << 8) | md[i];
    b = (b << 8) | md[8 + i];
  }
  return hex64(a) + hex64(b);
}

// 64 hex digits: issue time (ns of our clock), a per-process sequence mixed
// with the secret's MAC, and 128 bits of that MAC.
std::string DigestServer::new_nonce() {
  const auto stamp = static_cast<std::uint64_t>(clock_.now().time_since_epoch().count());
  const std::uint64_t seq = ++counter_;
  return hex64(stamp) + hex64(seq) + mac(stamp, seq);
}

DigestChallenge DigestServer::challenge(std::string realm, DigestAlgorithm a, bool stale) {
  DigestChallenge c;
  c.realm = std::move(realm);
  c.nonce = new_nonce();
  c.algorithm = a;
  c.qop_auth = true;
  c.qop_given = true;
  c.stale = stale;
  return c;
}

void DigestServer::purge() {
  const auto now = clock_.now();
  for (auto it = seen_.begin(); it != seen_.end();)
    it = now - it->second.issued > lifetime_ ? seen_.erase(it) : std::next(it);
}

DigestServer::Verdict DigestServer::check(const DigestCredentials& c, std::string_view method, std::string_view realm,
                                          std::string_view username, std::string_view password) {
  if (c.nonce.size() != 64) return Verdict::kBadNonce;
  const auto stamp = parse_hex(std::string_view(c.nonce).substr(0, 16));
  const auto seq = parse_hex(std::string_view(c.nonce).substr(16, 16));
  if (!stamp || !seq) return Verdict::kBadNonce;
  const std::string want = mac(*stamp, *seq);
  if (CRYPTO_memcmp(want.data(), c.nonce.data() + 32, 32) != 0) return Verdict::kBadNonce;
  const Clock::time_point issued{Clock::duration(static_cast<Clock::duration::rep>(*stamp))};
  if (clock_.now() - issued > lifetime_) return Verdict::kStale;
  // The password decides before the nonce count is spent (a wrong guess must not burn a count).
  if (c.realm != realm || c.username != username) return Verdict::kWrong;
  const std::string expected =
      digest_response(c.algorithm, c.username, c.realm, password, method, c.uri, c.nonce, c.nc, c.cnonce, c.qop);
  if (expected.size() != c.response.size() || CRYPTO_memcmp(expected.data(), c.response.data(), expected.size()) != 0)
    return Verdict::kWrong;
  // RFC 7616 3.4.5: qop=auth carries nc; a count not above the last is a replay.
  // Without qop (RFC 2069) there is no count: the nonce serves once.
  const std::uint64_t nc = c.qop.empty() ? 1 : parse_hex(c.nc).value_or(0);
  auto it = seen_.find(c.nonce);
  if (it == seen_.end()) {
    if (seen_.size() >= max_tracked_) purge();
    if (seen_.size() >= max_tracked_) return Verdict::kStale;  // table full: a fresh nonce, counted anew
    seen_.emplace(c.nonce, Seen{nc, issued});
    return nc == 0 ? Verdict::kReplay : Verdict::kOk;
  }
  if (nc <= it->second.nc) return Verdict::kReplay;
  it->second.nc = nc;
  return Verdict::kOk;
}

}  // namespace isupgw::sip
