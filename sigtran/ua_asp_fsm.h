// The ASP state machines every SIGTRAN user adaptation layer shares (M3UA
// RFC 4666 4.3, IUA RFC 4233 4.3: the same ASPSM/ASPTM procedures): one table
// for the local ASP (we send ASPUP/ASPAC/ASPIA/ASPDN, move on the acks) and one
// for the remote ASP as its SGP/IPSP peer keeps it (we ack). The tables and
// their actions are protocol-neutral; a layer supplies the messages through a
// traits class (m3ua: asp_fsm.h / peer_asp_fsm.h, iua: iua_asp.h):
//
//   struct Traits {
//     using Message; using AspConfig;  // name, auto_activate, t_ack
//     static constexpr Ua kUa;
//     static Message aspup(const AspConfig&), aspac(...), aspia(...), aspdn(...);
//     static Message up_ack(const PeerAspConfig&), dn_ack(), ac_ack(const Message*), ia_ack(const Message*),
//                    ntfy(std::uint16_t as_state, const Message* request), unexpected();
//   };
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/sigtran_common.h"

namespace isupgw::sigtran {

// Which adaptation layer a machine serves: names its counters (m3ua.*, iua.*).
enum class Ua : std::uint8_t { kM3ua, kIua };

// ---------------------------------------------------------------------------
// The local ASP (RFC 4666 4.3.1/4.3.4, RFC 4233 4.3.1/4.3.4). The RFC states
// DOWN / INACTIVE / ACTIVE are refined with "request sent, ack awaited" states
// that run T(ack) and retransmit on expiry (RFC 4666 4.3.4.1: "e.g. every 2 s").

enum class AspState : std::uint8_t { kDown, kUpSent, kInactive, kActiveSent, kActive, kInactiveSent, kDownSent };
inline constexpr std::size_t kAspStates = static_cast<std::size_t>(AspState::kDownSent) + 1;
enum class AspEvent : std::uint8_t {
  kStart,         // transport up (or retry): bring the ASP up
  kCommDown,      // transport lost (RFC 4666 4.3.4: ASP-DOWN)
  kUpAck,         // ASPUP ACK received
  kActivate,      // M-ASP_ACTIVE request
  kActiveAck,     // ASPAC ACK received
  kDeactivate,    // M-ASP_INACTIVE request
  kInactiveAck,   // ASPIA ACK received
  kStop,          // M-ASP_DOWN request
  kDownAck,       // ASPDN ACK received (also unsolicited, RFC 4666 4.3.4.2)
  kAckTimeout,    // T(ack) expired
  kAlternateAsp,  // NTFY Other/Alternate ASP Active (override: we were replaced, RFC 4666 4.3.4.3)
};
inline constexpr std::size_t kAspEvents = static_cast<std::size_t>(AspEvent::kAlternateAsp) + 1;
// What a transition sends (the layer's traits build the message).
enum class AspAction : std::uint8_t { kNone, kSendAspUp, kSendAspAc, kSendAspIa, kSendAspDn };

std::string_view to_string(AspState s);
std::string_view to_string(AspEvent e);
std::string_view to_string(AspAction a);
bool is_up(AspState s);  // INACTIVE or ACTIVE in RFC terms (ASPUP acked, ASPDN not yet acked)

using AspRow = fsm::Row<AspState, AspEvent, AspAction>;
// asp_fsm_transition asp=<name> log lines, <ua>.asp_fsm.* counters; built once at wiring time.
fsm::Meter<AspRow> make_asp_meter(Logger& log, Counters& counters, Ua ua);

template <class Traits>
class UaAspFsm {
 public:
  using Message = typename Traits::Message;
  using Config = typename Traits::AspConfig;
  using Send = std::function<void(const Message&)>;
  using OnChange = std::function<void(AspState from, AspState to)>;
  using Row = AspRow;
  using Meter = fsm::Meter<AspRow>;
  static Meter make_meter(Logger& log, Counters& counters) { return make_asp_meter(log, counters, Traits::kUa); }

  UaAspFsm(Config cfg, const Meter& meter, TimerService& timers, Counters& counters, Send send, OnChange on_change = {})
      : cfg_(std::move(cfg)),
        m_(meter, AspState::kDown, fsm::Label{cfg_.name}),
        retransmits_(counters.get(Traits::kUa == Ua::kIua ? "iua.asp_fsm.retransmits" : "m3ua.asp_fsm.retransmits")),
        send_(std::move(send)),
        on_change_(std::move(on_change)),
        t_ack_(timers) {}

  AspState state() const { return m_.state(); }
  // Returns false when the event is refused in the current state (counted and logged).
  bool handle(AspEvent e) {
    const AspState from = m_.state();
    const Row* row = m_.step(e);
    if (!row) return false;
    if (e == AspEvent::kAckTimeout) retransmits_.inc();
    t_ack_.cancel();
    switch (row->action) {
      case AspAction::kNone: break;
      case AspAction::kSendAspUp: send(Traits::aspup(cfg_)); break;
      case AspAction::kSendAspAc: send(Traits::aspac(cfg_)); break;
      case AspAction::kSendAspIa: send(Traits::aspia(cfg_)); break;
      case AspAction::kSendAspDn: send(Traits::aspdn(cfg_)); break;
    }
    if (awaits_ack(state()) && !t_ack_.armed()) arm_t_ack();
    if (from != state() && on_change_) on_change_(from, state());
    // RFC 4666 4.3.4.3 / RFC 4233 4.3.4.3: the ASP activates once up, when so configured.
    if (state() == AspState::kInactive && from == AspState::kUpSent && cfg_.auto_activate) handle(AspEvent::kActivate);
    return true;
  }
  // T(ack) runs while a request awaits its acknowledgement.
  bool ack_timer_running() const { return t_ack_.armed(); }
  const Config& config() const { return cfg_; }

 private:
  static bool awaits_ack(AspState s) {
    return s == AspState::kUpSent || s == AspState::kActiveSent || s == AspState::kInactiveSent ||
           s == AspState::kDownSent;
  }
  void arm_t_ack() {
    t_ack_.arm(cfg_.t_ack, [this] { handle(AspEvent::kAckTimeout); });
  }
  void send(const Message& m) {
    arm_t_ack();
    send_(m);
  }

  Config cfg_;
  fsm::Machine<Row> m_;
  Counter& retransmits_;
  Send send_;
  OnChange on_change_;
  OneShotTimer t_ack_;
};

// ---------------------------------------------------------------------------
// The REMOTE ASP as the receiving side of the ASPSM/ASPTM exchanges keeps it:
// an SGP towards its ASPs, or the responding side of an IPSP exchange
// (RFC 4666 4.3.1 and 4.3.4, RFC 4233 4.3.4, the "SGP/IPSP" half).

enum class PeerAspState : std::uint8_t { kDown, kInactive, kActive };
inline constexpr std::size_t kPeerAspStates = static_cast<std::size_t>(PeerAspState::kActive) + 1;
enum class PeerAspEvent : std::uint8_t { kAspUp, kAspDn, kAspAc, kAspIa, kCommDown };
inline constexpr std::size_t kPeerAspEvents = static_cast<std::size_t>(PeerAspEvent::kCommDown) + 1;
enum class PeerAspAction : std::uint8_t {
  kNone,
  kUpAck,               // ASPUP ACK (+ NTFY AS-INACTIVE, RFC 4666 4.3.4.5)
  kUpAckAndUnexpected,  // ASPUP while ACTIVE: + ERR Unexpected Message (RFC 4666 4.3.4.1)
  kDnAck,               // ASPDN ACK
  kAcAck,               // ASPAC ACK (+ NTFY AS-ACTIVE)
  kIaAck,               // ASPIA ACK (+ NTFY AS-INACTIVE)
  kUnexpected,          // ERR Unexpected Message (ASPAC/ASPIA while DOWN)
};

std::string_view to_string(PeerAspState s);
std::string_view to_string(PeerAspEvent e);
std::string_view to_string(PeerAspAction a);

using PeerAspRow = fsm::Row<PeerAspState, PeerAspEvent, PeerAspAction>;

// The remote ASP's settings, the same in both layers.
struct PeerAspConfig {
  std::string name = "peer";
  bool send_notify = true;                      // SGP: NTFY after state changes (RFC 4666 4.3.4.5); IPSP usually off
  std::optional<std::uint32_t> asp_identifier;  // echoed in ASPUP ACK (M3UA only, RFC 4666 3.5.2)
};
// peer_asp_fsm_transition peer=<name> log lines, <ua>.peer_asp_fsm.* counters.
fsm::Meter<PeerAspRow> make_peer_asp_meter(Logger& log, Counters& counters, Ua ua);

template <class Traits>
class UaPeerAspFsm {
 public:
  using Message = typename Traits::Message;
  using Config = PeerAspConfig;
  using Send = std::function<void(const Message&)>;
  using OnChange = std::function<void(PeerAspState from, PeerAspState to)>;
  using Row = PeerAspRow;
  using Meter = fsm::Meter<PeerAspRow>;
  static Meter make_meter(Logger& log, Counters& counters) { return make_peer_asp_meter(log, counters, Traits::kUa); }

  UaPeerAspFsm(Config cfg, const Meter& meter, Send send, OnChange on_change = {})
      : cfg_(std::move(cfg)),
        m_(meter, PeerAspState::kDown, fsm::Label{cfg_.name}),
        send_(std::move(send)),
        on_change_(std::move(on_change)) {}

  PeerAspState state() const { return m_.state(); }
  // `request` is the received message (its context / traffic mode are echoed in the ack).
  bool handle(PeerAspEvent e, const Message* request = nullptr) {
    const PeerAspState from = m_.state();
    const Row* row = m_.step(e);
    if (!row) return false;
    switch (row->action) {
      case PeerAspAction::kNone: break;
      case PeerAspAction::kUpAck:
        send_(Traits::up_ack(cfg_));
        notify(common::status::kAsInactive, nullptr);
        break;
      case PeerAspAction::kUpAckAndUnexpected:
        send_(Traits::up_ack(cfg_));
        send_(Traits::unexpected());
        notify(common::status::kAsInactive, nullptr);
        break;
      case PeerAspAction::kDnAck: send_(Traits::dn_ack()); break;
      case PeerAspAction::kAcAck:
        send_(Traits::ac_ack(request));
        notify(common::status::kAsActive, request);
        break;
      case PeerAspAction::kIaAck:
        send_(Traits::ia_ack(request));
        notify(common::status::kAsInactive, request);
        break;
      case PeerAspAction::kUnexpected: send_(Traits::unexpected()); break;
    }
    if (from != state() && on_change_) on_change_(from, state());
    return true;
  }

 private:
  // NTFY AS-State-Change after the ack (RFC 4666 4.3.4.5, RFC 4233 3.3.3.2); SGP only.
  void notify(std::uint16_t as_state, const Message* request) {
    if (cfg_.send_notify) send_(Traits::ntfy(as_state, request));
  }

  Config cfg_;
  fsm::Machine<Row> m_;
  Send send_;
  OnChange on_change_;
};

}  // namespace isupgw::sigtran
