// One M3UA association (RFC 4666): the codec, the ASP state machines of the
// role, BEAT supervision, reconnect with backoff, routing-context checks, and
// the hand-over of DATA and SSNM to the MTP3 service (mtp3.h).
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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "base/rate_limit.h"
#include "sigtran/as_fsm.h"
#include "sigtran/asp_fsm.h"
#include "sigtran/beat_fsm.h"
#include "sigtran/m3ua_codec.h"
#include "sigtran/mtp_service.h"
#include "sigtran/peer_asp_fsm.h"
#include "sigtran/transport.h"

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

// The state machines' meters (FSM kit), built once per Mtp3 and shared by its links.
struct LinkMeters {
  LinkMeters(Logger& log, Counters& counters)
      : asp(AspFsm::make_meter(log, counters)),
        peer_asp(PeerAspFsm::make_meter(log, counters)),
        as(AsFsm::make_meter(log, counters)),
        beat(BeatFsm::make_meter(log, counters)) {}
  AspFsm::Meter asp;
  PeerAspFsm::Meter peer_asp;
  AsFsm::Meter as;
  BeatFsm::Meter beat;
};

// What the link reports upward (implemented by Mtp3).
class LinkUser {
 public:
  virtual ~LinkUser() = default;
  virtual void on_link_ready(std::size_t link, bool ready) = 0;
  virtual void on_link_data(std::size_t link, const DataView& data) = 0;
  // DUNA / DAVA / SCON / DUPU / DRST / DAUD with their affected point codes.
  virtual void on_link_ssnm(std::size_t link, const Message& m) = 0;
};

class Link final : public TransportHandler {
 public:
  Link(std::size_t id, LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers,
       Logger& log, Counters& counters, LinkUser& user);
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Starts the transport (connect / accept).
  void start();
  // M-ASP_DOWN: ASPDN, then close. No reconnect.
  void stop();

  // MTP-TRANSFER request on this association. False (and counted) if not ready.
  bool send_data(const MtpLabel& label, std::span<const std::uint8_t> data);
  // Any non-DATA message (SSNM from an SG double, DAUD, ...).
  bool send_message(const Message& m);

  bool ready() const { return ready_; }
  std::size_t id() const { return id_; }
  const LinkConfig& config() const { return cfg_; }
  AspState asp_state() const { return asp_ ? asp_->state() : AspState::kDown; }
  PeerAspState peer_state() const { return peer_ ? peer_->state() : PeerAspState::kDown; }
  std::optional<AsState> as_state(std::uint32_t rc) const;
  // The association's SCTP paths (issue 19: multi-homing), for status.
  std::vector<TransportPath> paths() const { return transport_.paths(); }

  // TransportHandler
  void on_connected() override;
  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override;
  void on_disconnected(std::string_view reason) override;

 private:
  bool has_local_half() const;
  bool has_peer_half() const;
  void update_ready();
  void send_error(ErrorCode code, std::span<const std::uint8_t> offending, std::optional<std::uint32_t> rc = {});
  void handle(const Message& m, std::span<const std::uint8_t> raw);
  void handle_data(std::span<const std::uint8_t> raw);
  bool check_routing_contexts(const std::optional<std::vector<std::uint32_t>>& rcs, std::span<const std::uint8_t> raw);
  void on_asp_change(AspState from, AspState to);
  // m3ua_guard.cpp (issue 23)
  bool admit_rate(bool data);
  bool admit_aspup(const Message& m, std::span<const std::uint8_t> raw);
  void refuse(std::string_view why, Counter& counter);
  void on_handshake_timeout();
  void as_event(AsEvent e, std::optional<std::vector<std::uint32_t>> rcs = {});
  std::uint16_t stream_for(std::uint8_t sls) const;

  std::size_t id_;
  LinkConfig cfg_;
  Transport& transport_;
  TimerService& timers_;
  Logger& log_;
  LinkUser& user_;
  std::unique_ptr<AspFsm> asp_;
  std::unique_ptr<PeerAspFsm> peer_;
  std::unique_ptr<BeatFsm> beat_;
  std::map<std::uint32_t, AsFsm> as_;
  bool ready_ = false;
  bool stopping_ = false;
  Clock::duration backoff_;
  OneShotTimer reconnect_;
  std::vector<std::uint8_t> tx_;  // scratch for non-DATA encodes
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
  Counter& rx_dropped_;
  Counter& rx_errors_;
  Counter& tx_errors_;
  Counter& rx_err_msgs_;
  Counter& reconnects_;
};

}  // namespace isupgw::sigtran::m3ua
