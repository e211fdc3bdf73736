// MTP2 signal units (Q.703 2.2/2.3) as libss7's software MTP2 writes them on a
// SS7_TRANSPORT_DAHDIDCHAN descriptor: octet 0 = BSN (7 bits) | BIB (bit 8),
// octet 1 = FSN | FIB, octet 2 = LI (6 bits) | spare; then the SIF (an MSU's
// SIO + SIF) or the LSSU status field; then 2 octets where the FCS would be
// (libss7 drops the last 2 octets of every frame it reads and writes 2 of its
// own, whose contents mean nothing). No flags, no bit stuffing: one datagram is
// one frame.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace isupgw::tools::ss7peer {

// Q.703 11.1.2: the status field of an LSSU (the values libss7's mtp2.h uses).
enum class LinkStatus : std::uint8_t { kSio = 0, kSin = 1, kSie = 2, kSios = 3, kSipo = 4, kSib = 5 };
std::string_view to_string(LinkStatus s);

enum class SuKind : std::uint8_t { kFisu, kLssu, kMsu };

struct SignalUnit {
  SuKind kind = SuKind::kFisu;
  std::uint8_t bsn = 0x7f;  // 7-bit sequence numbers, 127 after a reset (Q.703 5.2.2)
  bool bib = true;
  std::uint8_t fsn = 0x7f;
  bool fib = true;
  LinkStatus status = LinkStatus::kSio;  // LSSU only
  std::vector<std::uint8_t> msu;         // MSU only: SIO + SIF
};

inline constexpr std::size_t kFcsOctets = 2;
inline constexpr std::size_t kHeaderOctets = 3;
// Q.703 2.3.3: LI 63 stands for every MSU of 63 octets or more; the length comes from the frame.
inline constexpr std::uint8_t kLiMax = 63;

// The frame for `su`, with the 2 dummy FCS octets.
std::vector<std::uint8_t> encode(const SignalUnit& su);
// A frame as read (FCS octets included). nullopt when shorter than a FISU + FCS or when
// LI disagrees with the length (Q.703 2.3.3: an MSU's LI is its SIF + SIO length, capped at 63).
std::optional<SignalUnit> decode(std::span<const std::uint8_t> frame);

}  // namespace isupgw::tools::ss7peer
