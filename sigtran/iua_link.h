// One IUA association (RFC 4233, RFC 5133) on a SIGTRAN transport (TCP on the
// host, kernel SCTP with PPID 1 in production), with the ASP state machines,
// BEAT supervision and reconnect that M3UA uses (ua_asp_fsm.h, beat_fsm.h,
// as_fsm.h). Above it: the Q.921/Q.931 boundary primitives (QPTM, RFC 4233
// 3.3.1) per interface identifier and DLCI.
//
// Roles (RFC 4233 1.3):
//  kAsp  the call agent (isupgw): sends ASPUP/ASPAC and the Request primitives,
//        receives Indications and Confirms.
//  kSg   the signalling gateway end (the MG simulator): acks the ASP, sends
//        Indications and Confirms, receives Requests.
//
// Bad input gets an ERR (RFC 4233 3.3.3.1) and is dropped: a decode fault with
// its code; a primitive of the wrong direction or before ASP-ACTIVE "Unexpected
// Message"; an interface not served "Invalid Interface Identifier" (a text one
// where only integers are served: "Unsupported Interface Identifier Type"); a
// SAPI not served "Unrecognized SAPI"; the group TEI 127 on anything but Unit
// Data "Invalid TEI, SAPI combination" (Q.921 3.3.4.2: broadcast is UI only).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/as_fsm.h"
#include "sigtran/beat_fsm.h"
#include "sigtran/iua_asp.h"
#include "sigtran/iua_codec.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran::iua {

enum class Role : std::uint8_t { kAsp, kSg };
std::string_view to_string(Role r);

struct LinkConfig {
  std::string name = "iua";
  Role role = Role::kAsp;
  // The interfaces (D channels) served (RFC 4233 3.1.3): integer and/or text
  // identifiers. The ASP names them in ASPAC/ASPIA.
  std::vector<std::uint32_t> interface_ids;
  std::vector<std::string> interface_names;
  std::vector<std::uint8_t> sapis = {0};        // Q.921 SAPIs served (0: call control, Q.921 table 2)
  std::optional<std::uint32_t> traffic_mode;    // 1 override, 2 load-share, 3 broadcast
  std::optional<std::uint32_t> asp_identifier;  // sent in ASPUP
  Clock::duration t_ack = std::chrono::seconds(2);
  Clock::duration t_beat = std::chrono::seconds(0);  // 0: rely on the transport (SCTP heartbeats)
  Clock::duration reconnect_min = std::chrono::milliseconds(200);
  Clock::duration reconnect_max = std::chrono::seconds(10);
  bool reconnect = true;  // client transports: start() again after a loss, with backoff
};

struct LinkMeters {
  LinkMeters(Logger& log, Counters& counters)
      : asp(AspFsm::make_meter(log, counters)),
        peer_asp(PeerAspFsm::make_meter(log, counters)),
        as(AsFsm::make_meter(log, counters, Ua::kIua)),
        beat(BeatFsm::make_meter(log, counters, Ua::kIua)) {}
  AspFsm::Meter asp;
  PeerAspFsm::Meter peer_asp;
  AsFsm::Meter as;
  BeatFsm::Meter beat;
};

// A QPTM primitive as received: its type (Data/Unit Data/Establish/Release
// Request, Indication or Confirm; TEI Status and Query), the interface, the
// DLCI, the Q.931 octets (Data, Unit Data) and the Release Reason.
struct Primitive {
  MessageType type = MessageType::kDataIndication;
  InterfaceId interface_id;
  Dlci dlci;
  std::span<const std::uint8_t> data;
  std::optional<std::uint32_t> reason;
  std::optional<std::uint32_t> tei_status;
};

class LinkUser {
 public:
  virtual ~LinkUser() = default;
  // ASP: our ASP is ACTIVE (primitives may flow). SG: the peer's ASP is.
  virtual void on_link_ready(bool ready) = 0;
  virtual void on_primitive(const Primitive& p) = 0;
};

class Link final : public TransportHandler {
 public:
  Link(LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers, Logger& log,
       Counters& counters, LinkUser& user);
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void start();  // starts the transport (connect / accept)
  void stop();   // M-ASP_DOWN: ASPDN, then close; no reconnect

  // Sends one QPTM primitive of this role's direction (ASP: Requests; SG:
  // Indications, Confirms, TEI Status Confirm/Indication). False (counted) when
  // not ready, of the wrong direction or for an interface not served.
  bool send_primitive(MessageType type, const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> data = {},
                      std::optional<std::uint32_t> reason = {});
  // The DL-DATA of this role: Data Request (ASP) / Data Indication (SG).
  bool send_data(const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> q931);
  // Any other message (tests, NTFY from an SG).
  bool send_message(const Message& m);

  bool ready() const { return ready_; }
  const LinkConfig& config() const { return cfg_; }
  AspState asp_state() const { return asp_ ? asp_->state() : AspState::kDown; }
  PeerAspState peer_state() const { return peer_ ? peer_->state() : PeerAspState::kDown; }
  AsState as_state() const { return as_ ? as_->state() : AsState::kDown; }
  // The data link of (interface, DLCI) as the primitives left it (Establish
  // Confirm/Indication: up; Release Confirm/Indication, association loss: down).
  bool established(const InterfaceId& iid, Dlci dlci) const;

  // TransportHandler
  void on_connected() override;
  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override;
  void on_disconnected(std::string_view reason) override;

 private:
  using DlcKey = std::pair<InterfaceId, std::uint16_t>;  // interface, SAPI << 8 | TEI
  static DlcKey key(const InterfaceId& iid, Dlci d) { return {iid, static_cast<std::uint16_t>(d.sapi << 8 | d.tei)}; }
  void update_ready();
  void on_asp_change(AspState from, AspState to);
  void send_error(ErrorCode code, std::span<const std::uint8_t> offending);
  void handle(const Message& m, std::span<const std::uint8_t> raw);
  void handle_qptm(const Message& m, std::span<const std::uint8_t> raw);
  // The ERR code a QPTM/TEI message for (iid, dlci) earns, if any.
  std::optional<ErrorCode> check_address(const InterfaceId& iid, Dlci dlci, MessageType type) const;
  std::optional<ErrorCode> check_interfaces(const Message& m) const;  // ASPAC/ASPIA lists
  bool active() const;
  void track(MessageType type, const InterfaceId& iid, Dlci dlci);
  std::uint16_t stream_for(const InterfaceId& iid) const;

  LinkConfig cfg_;
  Transport& transport_;
  Logger& log_;
  LinkUser& user_;
  std::unique_ptr<AspFsm> asp_;
  std::unique_ptr<PeerAspFsm> peer_;
  std::unique_ptr<BeatFsm> beat_;
  std::optional<AsFsm> as_;
  std::map<DlcKey, bool> dlc_;
  bool ready_ = false;
  bool stopping_ = false;
  Clock::duration backoff_;
  OneShotTimer reconnect_;

  Counter& rx_qptm_;
  Counter& tx_qptm_;
  Counter& tx_refused_;
  Counter& rx_dropped_;
  Counter& rx_errors_;
  Counter& tx_errors_;
  Counter& rx_err_msgs_;
  Counter& reconnects_;
};

}  // namespace isupgw::sigtran::iua
