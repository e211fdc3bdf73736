// tshark as an independent oracle for every wire format we emit.
//
// Bytes in -> tshark's decoded fields out. Payloads are wrapped by text2pcap
// in the transport a real capture would show: M3UA in SCTP (ports 2905, PPID 3),
// M2PA in SCTP (3565, PPID 5), SIP over UDP 5060, MGCP over UDP 2427/2727,
// H.248 text over UDP 2944 (tshark needs -d udp.port==2944,megaco).
// Many payloads go through one tshark run (tshark start-up dominates).
//
//   auto r = tshark::dissect(bytes, tshark::Wrap::kM3ua);
//   EXPECT_FALSE(r.malformed) << r.problems();
//   EXPECT_EQ(r.first("isup.message_type"), "1");
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace isupgw::tshark {

// kIua: SCTP port 9900, PPID 1; kQ931Raw: link type 147. Both decoded with q931_options().
// kLapd: link type 203 (Q.921 frames without flags or FCS; Q.931 inside SAPI 0 I/UI frames).
enum class Wrap { kM3ua, kM2pa, kSipUdp, kMgcpUdp, kIua, kQ931Raw, kLapd, kMegacoUdp };
// tshark options for Q.931 on user DLT 147 (oracles.md) and for IUA: SAPI 0 is Q.931, not GSM RSL
// (iua.use_gsm_sapi_values), and RFC 4233's ASP Identifier (tag 0x11) is decoded (iua.support_ig).
std::vector<std::string> q931_options();

struct Field {
  std::string name;      // e.g. "m3ua.protocol_data_opc"
  std::string show;      // tshark's display value, e.g. "1"
  std::string value;     // raw hex of the field bytes, when tshark gives it
  std::string showname;  // e.g. "OPC: 1"
};

struct Dissection {
  std::vector<Field> fields;        // every field of the packet, in PDML order
  bool malformed = false;           // tshark reported a malformed packet / dissector bug
  std::vector<std::string> expert;  // expert infos of severity warning or error
  std::string error;                // set when text2pcap/tshark could not run

  bool ok() const { return error.empty(); }
  // First field of that name: its "show" value.
  std::optional<std::string> first(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const { return first(name).has_value(); }
  // Malformed/expert/error text for assertion messages.
  std::string problems() const;
  // The whole tree as "name = show" lines, for debugging a test.
  std::string dump() const;
};

// One packet per payload; the result has one Dissection per payload.
std::vector<Dissection> dissect_many(const std::vector<std::vector<std::uint8_t>>& payloads, Wrap wrap,
                                     const std::vector<std::string>& tshark_options = {});
Dissection dissect(std::span<const std::uint8_t> payload, Wrap wrap,
                   const std::vector<std::string>& tshark_options = {});

// True if text2pcap and tshark are on PATH.
bool available();

// M3UA DATA (RFC 4666 3.3.1) with one Protocol Data parameter carrying an ISUP message: OPC 1, DPC 2, SI 5,
// NI 2, MP 0, SLS 0; padded to 4 octets. What Wrap::kM3ua expects of an ISUP test.
inline std::vector<std::uint8_t> m3ua_data(std::span<const std::uint8_t> isup) {
  std::vector<std::uint8_t> pd = {0, 0, 0, 1, 0, 0, 0, 2, 5, 2, 0, 0};
  pd.insert(pd.end(), isup.begin(), isup.end());
  const std::size_t plen = 4 + pd.size();
  std::vector<std::uint8_t> param = {0x02, 0x10, static_cast<std::uint8_t>(plen >> 8), static_cast<std::uint8_t>(plen)};
  param.insert(param.end(), pd.begin(), pd.end());
  while (param.size() % 4) param.push_back(0);
  const std::size_t len = 8 + param.size();
  std::vector<std::uint8_t> msg = {1, 0, 1, 1, 0, 0, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
  msg.insert(msg.end(), param.begin(), param.end());
  return msg;
}

}  // namespace isupgw::tshark
