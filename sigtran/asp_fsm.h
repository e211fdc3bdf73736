// ASP state machine of the local ASP towards an SG, or of the initiating side of
// an IPSP exchange (RFC 4666 4.3.1, 4.3.4): we send ASPUP / ASPAC / ASPIA /
// ASPDN and move on the acks. The RFC states DOWN / INACTIVE / ACTIVE are
// refined with "request sent, ack awaited" states that run T(ack) and
// retransmit on expiry (RFC 4666 4.3.4.1: "e.g. every 2 seconds").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/m3ua_message.h"

namespace isupgw::sigtran::m3ua {

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

std::string_view to_string(AspState s);
std::string_view to_string(AspEvent e);
bool is_up(AspState s);  // INACTIVE or ACTIVE in RFC terms (ASPUP acked, ASPDN not yet acked)

struct AspConfig {
  std::string name = "asp";
  std::optional<std::uint32_t> asp_identifier;
  std::vector<std::uint32_t> routing_contexts;  // sent in ASPAC/ASPIA when non-empty
  std::optional<TrafficMode> traffic_mode;      // sent in ASPAC when set
  bool auto_activate = true;                    // ASPAC right after ASPUP ACK
  Clock::duration t_ack = std::chrono::seconds(2);
};

class AspFsm {
 public:
  using Send = std::function<void(const Message&)>;
  using OnChange = std::function<void(AspState from, AspState to)>;

  using Row = fsm::Row<AspState, AspEvent, void (AspFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // asp_fsm_transition asp=<name> log lines, m3ua.asp_fsm.* counters; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  AspFsm(AspConfig cfg, const Meter& meter, TimerService& timers, Counters& counters, Send send,
         OnChange on_change = {});

  AspState state() const { return m_.state(); }
  // Returns false when the event is refused in the current state (counted and logged).
  bool handle(AspEvent e);
  // T(ack) runs while a request awaits its acknowledgement.
  bool ack_timer_running() const { return t_ack_.armed(); }
  const AspConfig& config() const { return cfg_; }

 private:
  static const auto& table();
  void send(Message m);
  void a_send_aspup();
  void a_send_aspac();
  void a_send_aspia();
  void a_send_aspdn();
  void arm_t_ack();

  AspConfig cfg_;
  fsm::Machine<Row> m_;
  Counter& retransmits_;
  Send send_;
  OnChange on_change_;
  OneShotTimer t_ack_;
};

}  // namespace isupgw::sigtran::m3ua
