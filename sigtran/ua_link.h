// What an M3UA association (RFC 4666) and an IUA association (RFC 4233) do
// alike, written once: the transport's life (start, loss, reconnect with
// backoff), the local ASP and the remote ASP machines of the role (one table
// each, ua_asp_fsm.h), the AS machines, BEAT supervision and the BEAT ACK echo,
// the ASPSM/ASPTM/MGMT messages (RFC 4666 4.3 and 3.8 read as RFC 4233 4.3 and
// 3.3.3), ERR never answered with ERR, readiness. The layer (m3ua_link.h,
// iua_link.h) supplies its messages through a traits class L and keeps its
// payload: M3UA its routing contexts, DATA and SSNM; IUA its interface
// identifiers and the QPTM primitives.
//
//   struct L {
//     using Message, MessageType, ErrorCode, LinkConfig, AspMessages;
//     static constexpr std::string_view kCounters;   // "m3ua" -> m3ua.rx.err, ...
//     static constexpr UaLogNames kLog;
//     static constexpr ErrorCode kUnsupportedTrafficMode;  // 0x05 in both RFCs
//     static auto decode(std::span<const std::uint8_t>);
//     static bool local_half(const LinkConfig&), peer_half(const LinkConfig&);
//     static AspMessages::AspConfig asp_config(const LinkConfig&);
//     static bool peer_notifies(const LinkConfig&);  // the peer half sends NTFY (an SGP's)
//     static std::vector<std::uint32_t> as_contexts(const LinkConfig&);  // one AS machine each
//     static std::optional<std::uint32_t> traffic_mode(const LinkConfig&);
//     static std::optional<std::vector<std::uint32_t>> ntfy_contexts(const Message&);  // nullopt: every AS
//   };
//
// The member definitions are in ua_link_impl.h, instantiated once per layer in
// m3ua_link.cpp and iua_link.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/as_fsm.h"
#include "sigtran/beat_fsm.h"
#include "sigtran/transport.h"
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran {

// The log events of a layer (M3UA's stay "link_ready" etc., IUA's "iua_link_ready").
struct UaLogNames {
  std::string_view start, connected, disconnected, reconnect, ready, not_ready, tx, rx, encode_failed, rejected, ntfy,
      err;
};

// The state machines' meters (FSM kit), built once and shared by a layer's links.
template <class AspMessages>
struct UaLinkMeters {
  UaLinkMeters(Logger& log, Counters& counters)
      : asp(UaAspFsm<AspMessages>::make_meter(log, counters)),
        peer_asp(UaPeerAspFsm<AspMessages>::make_meter(log, counters)),
        as(AsFsm::make_meter(log, counters, AspMessages::kUa)),
        beat(BeatFsm::make_meter(log, counters, AspMessages::kUa)) {}
  typename UaAspFsm<AspMessages>::Meter asp;
  typename UaPeerAspFsm<AspMessages>::Meter peer_asp;
  AsFsm::Meter as;
  BeatFsm::Meter beat;
};

template <class L>
class UaLink : public TransportHandler {
 public:
  using Message = typename L::Message;
  using ErrorCode = typename L::ErrorCode;
  using Config = typename L::LinkConfig;
  using AspFsm = UaAspFsm<typename L::AspMessages>;
  using PeerAspFsm = UaPeerAspFsm<typename L::AspMessages>;
  using Meters = UaLinkMeters<typename L::AspMessages>;

  ~UaLink() override;
  UaLink(const UaLink&) = delete;
  UaLink& operator=(const UaLink&) = delete;

  void start();  // starts the transport (connect / accept)
  void stop();   // M-ASP_DOWN: ASPDN, then close; no reconnect
  // Any message, on stream 0 (RFC 4666 1.4.7 / RFC 4233 1.4.7: management).
  bool send_message(const Message& m);

  bool ready() const { return ready_; }
  const Config& config() const { return cfg_; }
  AspState asp_state() const { return asp_ ? asp_->state() : AspState::kDown; }
  PeerAspState peer_state() const { return peer_ ? peer_->state() : PeerAspState::kDown; }
  std::optional<AsState> as_state(std::uint32_t context) const;
  // The association's SCTP paths (issue 19: multi-homing), for status.
  std::vector<TransportPath> paths() const { return transport_.paths(); }

  // TransportHandler (on_message is the layer's: it sees its payload first).
  void on_connected() override;
  void on_disconnected(std::string_view reason) override;

 protected:
  UaLink(Config cfg, Transport& transport, const Meters& meters, TimerService& timers, Logger& log, Counters& counters);

  // A received message, not yet decoded: decoded (ERR for a fault), then handled.
  void receive(std::span<const std::uint8_t> raw);
  // ERR with `code` for `offending` (not for an ERR: RFC 4666 3.8.1, RFC 4233 3.3.3.1); counted as dropped.
  void send_error(ErrorCode code, std::span<const std::uint8_t> offending);
  void send_error(const Message& err, ErrorCode code, std::span<const std::uint8_t> offending);
  bool active() const;  // ASPTM done: our ASP or the peer's ACTIVE
  void as_event(AsEvent e, const std::optional<std::vector<std::uint32_t>>& contexts = {});

  // The layer's hooks.
  virtual void on_up() {}    // the transport is up, before ASPUP
  virtual void on_down() {}  // the transport is lost
  virtual void on_asp_state(AspState /*from*/, AspState /*to*/) {}
  virtual void on_peer_state(PeerAspState /*to*/) {}
  virtual void report_ready(bool ready) = 0;
  // ASPUP from the peer: false refuses it (the layer has answered).
  virtual bool admit_aspup(const Message& /*m*/, std::span<const std::uint8_t> /*raw*/) { return true; }
  // ASPAC/ASPIA naming contexts not served: false refuses it (the layer has answered).
  virtual bool admit_contexts(const Message& m, std::span<const std::uint8_t> raw) = 0;
  // A message of the layer's own classes (DATA, SSNM, RKM; QPTM, TEI management).
  virtual void handle_payload(const Message& m, std::span<const std::uint8_t> raw) = 0;

  Config cfg_;
  Transport& transport_;
  Logger& log_;
  std::unique_ptr<AspFsm> asp_;
  std::unique_ptr<PeerAspFsm> peer_;
  std::unique_ptr<BeatFsm> beat_;
  std::map<std::uint32_t, AsFsm> as_;
  Counter& rx_dropped_;
  Counter& rx_errors_;
  Counter& tx_errors_;

 private:
  void handle(const Message& m, std::span<const std::uint8_t> raw);
  void on_asp_change(AspState from, AspState to);
  void update_ready();

  bool ready_ = false;
  bool stopping_ = false;
  Clock::duration backoff_;
  OneShotTimer reconnect_;
  Counter& rx_err_msgs_;
  Counter& reconnects_;
};

}  // namespace isupgw::sigtran
