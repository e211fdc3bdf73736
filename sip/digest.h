// HTTP Digest for SIP (RFC 3261 22.4, RFC 7616 with SHA-256 and MD5, qop=auth;
// RFC 8760 for SIP's use of SHA-256): the challenge (WWW-/Proxy-Authenticate)
// and credentials (Authorization / Proxy-Authorization) as values, their
// parsers and writers, and the response computation. No I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace isupgw::sip {

enum class DigestAlgorithm : std::uint8_t { kMd5, kSha256 };
std::string_view to_string(DigestAlgorithm a);  // "MD5", "SHA-256"
// RFC 7616 3.3 names ("MD5", "SHA-256", case-insensitive); "-sess" variants are not supported.
std::optional<DigestAlgorithm> digest_algorithm(std::string_view name);

// WWW-Authenticate / Proxy-Authenticate: Digest (RFC 7616 3.3).
struct DigestChallenge {
  std::string realm, nonce, opaque;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;  // absent: MD5 (RFC 7616 3.3)
  bool qop_auth = false;                              // qop offered includes "auth"
  bool qop_given = false;                             // a qop directive was present (RFC 2069 compatibility when not)
  bool stale = false;
};

// Authorization / Proxy-Authorization: Digest (RFC 7616 3.4).
struct DigestCredentials {
  std::string username, realm, nonce, uri, response, cnonce, nc, qop, opaque;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
};

// Errors name the fault ("not Digest", "missing nonce", "unknown algorithm 'X'").
Result<DigestChallenge, std::string> parse_digest_challenge(std::string_view value);
Result<DigestCredentials, std::string> parse_digest_credentials(std::string_view value);

std::string format_challenge(const DigestChallenge& c);
std::string format_credentials(const DigestCredentials& c);

// RFC 7616 3.4.1: response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2)) with
// A1 = user:realm:password, A2 = method:uri; without qop (RFC 2069) H(H(A1):nonce:H(A2)). Lower-case hex.
std::string digest_response(DigestAlgorithm a, std::string_view username, std::string_view realm,
                            std::string_view password, std::string_view method, std::string_view uri,
                            std::string_view nonce, std::string_view nc, std::string_view cnonce, std::string_view qop);

// The credentials answering `c` for a request (RFC 3261 22.2): qop=auth when offered, nc 00000001.
DigestCredentials answer_challenge(const DigestChallenge& c, std::string_view username, std::string_view password,
                                   std::string_view method, std::string_view uri, std::string_view cnonce);

// Lower-case hex of H(text).
std::string digest_hash(DigestAlgorithm a, std::string_view text);

}  // namespace isupgw::sip
