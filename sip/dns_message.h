// DNS answers as values (RFC 1035 4.1): the records of the answer section of a
// response, with their TTLs, for the types RFC 3263 and ENUM (RFC 6116) use:
// A, AAAA (RFC 3596), SRV (RFC 2782), NAPTR (RFC 3403 4.1). The bytes come
// from the network (c-ares hands them over undecoded): every length and name
// pointer is checked; a malformed answer is an error, never a partial read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace isupgw::sip::dns {

enum class RrType : std::uint16_t { kA = 1, kAaaa = 28, kSrv = 33, kNaptr = 35 };

struct Record {
  std::string name;  // owner name, lower case, no trailing dot
  RrType type = RrType::kA;
  std::uint32_t ttl = 0;  // seconds
  std::string address;    // A / AAAA: the IP literal
  // SRV (RFC 2782)
  std::uint16_t priority = 0, weight = 0, port = 0;
  std::string target;  // SRV target; NAPTR replacement ("" for the root ".")
  // NAPTR (RFC 3403 4.1)
  std::uint16_t order = 0, preference = 0;
  std::string flags, services, regexp;
};

struct Answer {
  int rcode = 0;                // RFC 1035 4.1.1: 0 no error, 3 NXDOMAIN
  std::vector<Record> records;  // answer section, types above only (others skipped)
};

Result<Answer, std::string> parse_answer(std::span<const std::uint8_t> msg);

}  // namespace isupgw::sip::dns
