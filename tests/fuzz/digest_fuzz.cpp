// libFuzzer target: the Digest headers (RFC 7616, sip/digest.h) -- WWW-Authenticate /
// Proxy-Authenticate and Authorization / Proxy-Authorization values. Whatever parses is
// written again and must parse to the same fields; parsed credentials are checked by the
// UAS side (sip/digest_server.h), which must answer without crashing whatever they hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/digest.h"
#include "sip/digest_server.h"

namespace {

using namespace isupgw;
using namespace isupgw::sip;

void check(bool ok) {
  if (!ok) std::abort();
}

void challenge_paths(std::string_view in) {
  auto c = parse_digest_challenge(in);
  if (!c) return;
  auto again = parse_digest_challenge(format_challenge(*c));
  check(again.ok());
  check(again->realm == c->realm && again->nonce == c->nonce && again->opaque == c->opaque);
  check(again->algorithm == c->algorithm && again->stale == c->stale && again->qop_auth == c->qop_auth);
  // Answering it must give credentials that parse and carry the same digest.
  auto creds = answer_challenge(*c, "gw", "pw", "INVITE", "sip:1@example.net", "cnonce");
  auto parsed = parse_digest_credentials(format_credentials(creds));
  check(parsed.ok());
  check(parsed->response == creds.response && parsed->nonce == creds.nonce && parsed->realm == creds.realm);
}

void credentials_paths(std::string_view in) {
  auto c = parse_digest_credentials(in);
  if (!c) return;
  auto again = parse_digest_credentials(format_credentials(*c));
  check(again.ok());
  check(again->username == c->username && again->realm == c->realm && again->nonce == c->nonce &&
        again->uri == c->uri && again->response == c->response && again->algorithm == c->algorithm);
  static ManualClock clock;
  static DigestServer server(clock, {7}, std::chrono::seconds(60), 64);
  static_cast<void>(server.check(*c, "INVITE", c->realm, c->username, "pw"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  challenge_paths(in);
  credentials_paths(in);
  return 0;
}
