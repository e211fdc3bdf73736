// What the call engine needs from the media side: one MG connection per ISUP
// circuit or PRI B channel of a call (a TDM-TDM transit has one per leg), whose SDP is what the gateway offers or answers towards
// SIP, whose mode follows the call, and which is deleted at release. The
// daemon's MediaStack implements it over MGCP; without it (or for a trunk
// group without a media gateway) the engine uses a placeholder SDP.
//
// Modes are the MG's view of the connection (RFC 3435 3.2.2.6): sendonly while
// only the PSTN side may be heard (early media towards SIP), recvonly while
// only the SIP side's media is played into the circuit, sendrecv once answered;
// on hold (RFC 3264 8.4) the mode mirrors the held side's direction: recvonly
// when SIP holds with sendonly, inactive for inactive or c=0.0.0.0.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "isup/isup_cc_user.h"

namespace isupgw::engine {

enum class MediaMode : std::uint8_t { kSendOnly, kRecvOnly, kSendRecv, kInactive };

// A call's connection as management shows it (RFC 3435: endpoint and I:).
struct MediaDescription {
  std::string mg, endpoint, connection_id;  // endpoint/connection_id empty while the CRCX is in flight
};

class CallMedia {
 public:
  using Id = std::uint64_t;
  // The MG's SDP, or nullopt when the connection could not be made.
  using Ready = std::function<void(const std::optional<std::string>& sdp)>;
  // The connection was lost (MG restart, MG unreachable): release the call with `cause`.
  using Lost = std::function<void(Id id, int cause)>;

  virtual ~CallMedia() = default;
  // nullopt: the group has no media gateway (no connection needed). Otherwise
  // `ready` is called once, later, unless close() came first.
  virtual std::optional<Id> open(isup::GroupId group, std::uint16_t cic, const std::string& remote_sdp, MediaMode mode,
                                 Ready ready) = 0;
  // The same for B channel `channel` of PRI span `span` (issue 21): its endpoint from the span's
  // media_gateway/endpoints. nullopt: the span has no media gateway.
  virtual std::optional<Id> open_channel(std::string_view /*span*/, std::uint8_t /*channel*/,
                                         const std::string& /*remote_sdp*/, MediaMode /*mode*/, Ready /*ready*/) {
    return std::nullopt;
  }
  // New mode and, when not empty, the SIP side's SDP.
  virtual void update(Id id, const std::string& remote_sdp, MediaMode mode) = 0;
  // Deletes the connection (also one still being created). Idempotent.
  virtual void close(Id id) = 0;
  virtual void set_lost_handler(Lost lost) = 0;
  // Plays one DTMF digit (0-9 * # A-D) into the circuit (a SIP INFO dtmf-relay, issue 20);
  // false when the connection cannot (no MG, not created yet, an H.248 MG: not built).
  virtual bool play_digit(Id /*id*/, char /*digit*/) { return false; }
  // Fax (issue 20): switches the connection to T.38 for the SIP side's `t38_sdp` (m=image udptl
  // t38). `done` is called once, later, with the MG's T.38 SDP, or nullopt when the MG refused:
  // the connection is then G.711 pass-through with echo cancellation and silence suppression
  // off. False (done never called): not possible (no MG, not created yet, an H.248 MG: not built).
  using FaxDone = std::function<void(const std::optional<std::string>& mg_sdp)>;
  virtual bool start_t38(Id /*id*/, const std::string& /*t38_sdp*/, FaxDone /*done*/) { return false; }
  // For management; nullopt when unknown.
  virtual std::optional<MediaDescription> describe(Id /*id*/) const { return std::nullopt; }
};

}  // namespace isupgw::engine
