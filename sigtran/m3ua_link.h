// One M3UA association (RFC 4666): on the association IUA shares (ua_link.h:
// transport, reconnect with backoff, the ASP state machines of the role, BEAT,
// NTFY/ERR), the routing-context checks, the guards of issue 23 and the
// hand-over of DATA and SSNM to the MTP3 service (mtp3.h).
//
// Roles (RFC 4666 1.3, 4.3):
//  kAsp             we are an ASP towards an SGP: send ASPUP/ASPAC, obey NTFY/SSNM.
//  kSg              we are the SGP side (test double / small STP): ack the peer ASP.
//  kIpspClient      IPSP single exchange, initiating side (behaves like an ASP).
//  kIpspServer      IPSP single exchange, responding side (acks, no NTFY).
//  kIpspDouble      IPSP double exchange: both exchanges run, traffic when both are ACTIVE.
//
// Unsolicited NTFY / DUNA / DAVA / SCON / DUPU / DRST and BEAT are handled in every state.
// Timers (T(ack), T(beat), reconnect backoff) run on the injected TimerService.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "base/rate_limit.h"
#include "sigtran/asp_fsm.h"
#include "sigtran/m3ua_codec.h"
#include "sigtran/mtp_service.h"
#include "sigtran/peer_asp_fsm.h"
#include "sigtran/transport.h"
#include "sigtran/ua_link.h"

namespace isupgw::sigtran::m3ua {

enum class Role : std::uint8_t { kAsp, kSg, kIpspClient, kIpspServer, kIpspDouble };
std::string_view to_string(Role r);

struct LinkConfig {
  std::string name = "m3ua";
  Role role = Role::kAsp;
  // Routing contexts of the AS(s) served over this association. Sent in ASPAC
  // and DATA; received ASPAC/DATA naming another RC get ERR "invalid routing context".
  std::vector<std::uint32_t> routing_contexts;
  std::optional<TrafficMode> traffic_mode;
  std::optional<std::uint32_t> asp_identifier;
  std::optional<std::uint32_t> network_appearance;
  Clock::duration t_ack = std::chrono::seconds(2);
  Clock::duration t_beat = std::chrono::seconds(0);  // 0: rely on the transport (SCTP heartbeats)
  Clock::duration reconnect_min = std::chrono::milliseconds(200);
  Clock::duration reconnect_max = std::chrono::seconds(10);
  bool reconnect = true;  // client transports: start() again after a loss, with backoff
  // Issue 23 guards on the peer half (sg, ipsp roles); see m3ua_guard.cpp.
  // The ASP Identifier the peer must present in ASPUP (RFC 4666 3.5.1): absent
  // -> ERR "ASP Identifier Required", another -> ERR "Invalid ASP Identifier",
  // and the connection is closed. A routing context not configured here in
  // ASPAC/ASPIA/DATA/SSNM before the peer was ever ACTIVE on this connection:
  // ERR "Invalid Routing Context" and closed (afterwards: ERR only).
  std::optional<std::uint32_t> peer_asp_identifier;
  // A connection whose peer has not brought its ASP up (an accepted ASPUP)
  // within this time is closed; 0 = never.
  Clock::duration handshake_timeout{};
  // Messages received per second: DATA, and every other message; beyond them
  // dropped and counted. Need `clock`; unlimited by default.
  RateLimit data_rate;
  RateLimit management_rate;
  const Clock* clock = nullptr;
};

// The M3UA side of the shared association (ua_link.h).
struct Layer {
  using Message = m3ua::Message;
  using MessageType = m3ua::MessageType;
  using ErrorCode = m3ua::ErrorCode;
  using LinkConfig = m3ua::LinkConfig;
  using AspMessages = m3ua::AspMessages;
  static constexpr std::string_view kCounters = "m3ua";
  static constexpr UaLogNames kLog{
      "link_start", "link_connected", "link_disconnected", "link_reconnect", "link_ready", "link_not_ready", "tx",
      "rx",         "encode_failed",  "rx_rejected",       "rx_ntfy",        "rx_err"};
  static constexpr ErrorCode kUnsupportedTrafficMode = ErrorCode::kUnsupportedTrafficModeType;
  static Result<Message, CodecError> decode(std::span<const std::uint8_t> b) { return m3ua::decode(b); }
  static bool local_half(const LinkConfig& c) {
    return c.role == Role::kAsp || c.role == Role::kIpspClient || c.role == Role::kIpspDouble;
  }
  static bool peer_half(const LinkConfig& c) {
    return c.role == Role::kSg || c.role == Role::kIpspServer || c.role == Role::kIpspDouble;
  }
  static AspConfig asp_config(const LinkConfig& c);
  static bool peer_notifies(const LinkConfig& c) { return c.role == Role::kSg; }
  static std::vector<std::uint32_t> as_contexts(const LinkConfig& c);
  static std::optional<std::uint32_t> traffic_mode(const LinkConfig& c);
  static std::optional<std::vector<std::uint32_t>> ntfy_contexts(const Message& m) { return m.routing_context; }
};
using LinkMeters = UaLinkMeters<AspMessages>;

// What the link reports upward (implemented by Mtp3).
class LinkUser {
 public:
  virtual ~LinkUser() = default;
  virtual void on_link_ready(std::size_t link, bool ready) = 0;
  virtual void on_link_data(std::size_t link, const DataView& data) = 0;
  // DUNA / DAVA / SCON / DUPU / DRST / DAUD with their affected point codes.
  virtual void on_link_ssnm(std::size_t link, const Message& m) = 0;
};

class Link final : public UaLink<Layer> {
 public:
  Link(std::size_t id, LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers,
       Logger& log, Counters& counters, LinkUser& user);

  // MTP-TRANSFER request on this association. False (and counted) if not ready.
  bool send_data(const MtpLabel& label, std::span<const std::uint8_t> data);

  std::size_t id() const { return id_; }

  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override;

 private:
  void on_up() override;
  void on_down() override;
  void on_peer_state(PeerAspState to) override;
  void report_ready(bool ready) override;
  bool admit_aspup(const Message& m, std::span<const std::uint8_t> raw) override;  // m3ua_guard.cpp
  bool admit_contexts(const Message& m, std::span<const std::uint8_t> raw) override;
  void handle_payload(const Message& m, std::span<const std::uint8_t> raw) override;
  void handle_data(std::span<const std::uint8_t> raw);
  bool check_routing_contexts(const std::optional<std::vector<std::uint32_t>>& rcs, std::span<const std::uint8_t> raw);
  bool check_routing_context(std::uint32_t rc, std::span<const std::uint8_t> raw);
  // m3ua_guard.cpp (issue 23)
  bool admit_rate(bool data);
  void refuse(std::string_view why, Counter& counter);
  void on_handshake_timeout();
  std::uint16_t stream_for(std::uint8_t sls) const;

  std::size_t id_;
  LinkUser& user_;
  std::vector<std::uint8_t> tx_;  // scratch for large DATA encodes
  // Guards (issue 23).
  OneShotTimer handshake_;
  bool peer_was_active_ = false;  // on this connection
  TokenBucket data_bucket_;
  TokenBucket management_bucket_;
  LogThrottle rate_log_;
  Counter& refused_asp_id_;
  Counter& refused_rc_;
  Counter& handshake_timeouts_;
  Counter& dropped_data_rate_;
  Counter& dropped_management_rate_;

  Counter& rx_data_;
  Counter& tx_data_;
  Counter& tx_dropped_;
};

}  // namespace isupgw::sigtran::m3ua
