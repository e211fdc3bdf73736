// The UAS side of Digest (RFC 3261 22.1, RFC 7616 3.3/3.4.5): nonces we can
// check without storing them (time stamp, random part, HMAC-SHA-256 under a
// per-process secret), a nonce lifetime (an old nonce is answered stale=true),
// and replay protection: each nonce's nonce-count must grow (RFC 7616 3.4.5).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "sip/digest.h"

namespace isupgw::sip {

class DigestServer {
 public:
  enum class Verdict : std::uint8_t {
    kOk,
    kStale,     // our nonce, past its lifetime: challenge again with stale=true
    kBadNonce,  // not ours (or mangled): challenge again
    kReplay,    // nc not above the last one seen for this nonce
    kWrong,     // the response does not match the password: refuse (403)
  };

  // `secret`: random bytes (the caller draws them); nonces live `lifetime`.
  DigestServer(Clock& clock, std::array<std::uint8_t, 32> secret, Clock::duration lifetime,
               std::size_t max_tracked = 65536);

  std::string new_nonce();
  DigestChallenge challenge(std::string realm, DigestAlgorithm a, bool stale);
  // `method` of the request (for A2), `password` of the user the trunk expects.
  Verdict check(const DigestCredentials& c, std::string_view method, std::string_view realm, std::string_view username,
                std::string_view password);

 private:
  std::string mac(std::uint64_t stamp, std::uint64_t rnd) const;
  void purge();

  Clock& clock_;
  std::array<std::uint8_t, 32> secret_;
  Clock::duration lifetime_;
  std::size_t max_tracked_;
  std::uint64_t counter_ = 0;
  struct Seen {
    std::uint64_t nc = 0;
    Clock::time_point issued;
  };
  std::unordered_map<std::string, Seen> seen_;  // nonce -> highest nc accepted
};

std::string_view to_string(DigestServer::Verdict v);

}  // namespace isupgw::sip
