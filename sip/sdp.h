// SDP (RFC 4566): a value-type model with owned strings, a strict parser
// (type letters in the order of RFC 4566 5, unknown types rejected as 5
// requires) and a serializer. Bodies are small and not on the per-packet
// hot path, so ownership beats zero-copy here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace isupgw::sip {

struct SdpError {
  std::size_t line = 0;  // 1-based line number, 0 = whole description
  std::string_view what;
};

struct SdpConnection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address;  // may carry "/ttl[/n]" for multicast, kept as written
};

struct SdpOrigin {
  std::string username = "-";
  std::string session_id = "0";
  std::uint64_t session_version = 0;
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address;
};

struct SdpAttribute {
  std::string name;
  std::string value;
  bool has_value = false;
};

enum class Direction : std::uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view to_string(Direction d);

struct RtpMap {
  int payload_type = -1;
  std::string encoding;  // "PCMA", "telephone-event"
  std::uint32_t clock_rate = 0;
  std::string encoding_params;  // channels
};

struct SdpMedia {
  std::string media;  // "audio", "video", "image"
  std::uint16_t port = 0;
  std::uint16_t port_count = 0;  // 0 = not written
  std::string proto;             // "RTP/AVP"
  std::vector<std::string> formats;
  std::string info;
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;  // "AS:64"
  std::string key;
  std::vector<SdpAttribute> attributes;

  std::optional<std::string> attribute(std::string_view name) const;
  // rtpmap for a payload type, or the RFC 3551 static mapping (0 PCMU, 8 PCMA, ...).
  std::optional<RtpMap> rtpmap(std::string_view payload_type) const;
  // a=sendrecv/sendonly/recvonly/inactive at media level, else `session`.
  Direction direction(Direction session = Direction::kSendRecv) const;
};

struct Sdp {
  int version = 0;
  SdpOrigin origin;
  std::string session_name = "-";
  std::string info;
  std::string uri;
  std::vector<std::string> emails;
  std::vector<std::string> phones;
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;
  std::vector<std::string> times;    // t= values, "0 0"
  std::vector<std::string> repeats;  // r= values
  std::string zone;                  // z=
  std::string key;                   // k=
  std::vector<SdpAttribute> attributes;
  std::vector<SdpMedia> media;

  std::optional<std::string> attribute(std::string_view name) const;
  Direction direction() const;  // session-level direction attribute
  // The connection address that applies to a media line (media c= overrides session c=).
  const SdpConnection* connection_for(const SdpMedia& m) const;
};

Result<Sdp, SdpError> parse_sdp(std::string_view text);
std::string serialize_sdp(const Sdp& sdp);

}  // namespace isupgw::sip
