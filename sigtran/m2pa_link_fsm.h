// M2PA link state machine (RFC 4165 4.1 alignment and proving, 4.2 in-service
// procedures; timers after Q.703 12.3): one signalling link's state as an
// explicit state/event table. Sequence numbers and the retransmission buffer
// live in M2paLink; this table only decides states, Link Status messages and
// timers.
//
//   OUT-OF-SERVICE --start--> NOT-ALIGNED (send Alignment, T2)
//   NOT-ALIGNED --Alignment--> ALIGNED (send Proving, T3)
//   NOT-ALIGNED/ALIGNED --Proving--> PROVING (send Proving, T4 normal/emergency)
//   NOT-ALIGNED, ALIGNED, PROVING --repeat--> the same (Alignment / Proving sent again)
//   PROVING --T4--> ALIGNED-READY (send Ready, T1)
//   ALIGNED-READY --Ready/User Data--> IN-SERVICE
//   IN-SERVICE --Out of Service/Alignment, T6, T7, stop, comm down--> OUT-OF-SERVICE
#pragma once

#include <chrono>
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
#include "sigtran/m2pa_codec.h"

namespace isupgw::sigtran::m2pa {

enum class LinkFsmState : std::uint8_t { kOutOfService, kNotAligned, kAligned, kProving, kAlignedReady, kInService };
inline constexpr std::size_t kLinkFsmStates = static_cast<std::size_t>(LinkFsmState::kInService) + 1;
enum class LinkFsmEvent : std::uint8_t {
  kStart,        // MTP3: start the link (transport up)
  kStop,         // MTP3: stop the link
  kCommDown,     // transport lost
  kRxAlignment,  // Link Status received
  kRxProving,    // Proving Normal or Emergency
  kRxReady,
  kRxUserData,  // first User Data doubles as Ready (RFC 4165 4.1.4)
  kRxOutOfService,
  kRxProcessorOutage,
  kRxProcessorRecovered,
  kRxBusy,
  kRxBusyEnded,
  kT1,      // alignment ready
  kT2,      // not aligned
  kT3,      // aligned
  kT4,      // proving period
  kT6,      // remote congestion (Busy too long)
  kT7,      // excessive delay of acknowledgement
  kRepeat,  // status repetition interval: Alignment / Proving sent again
};
inline constexpr std::size_t kLinkFsmEvents = static_cast<std::size_t>(LinkFsmEvent::kRepeat) + 1;

std::string_view to_string(LinkFsmState s);
std::string_view to_string(LinkFsmEvent e);

struct LinkTimers {
  // Q.703 12.3 (64 kbit/s) and RFC 4165 4.1 / 4.2 defaults; configurable per link.
  Clock::duration t1 = std::chrono::seconds(45);          // alignment ready
  Clock::duration t2 = std::chrono::seconds(20);          // not aligned
  Clock::duration t3 = std::chrono::milliseconds(1500);   // aligned
  Clock::duration t4n = std::chrono::milliseconds(8200);  // normal proving period (Pn)
  Clock::duration t4e = std::chrono::milliseconds(500);   // emergency proving period (Pe)
  Clock::duration t6 = std::chrono::seconds(5);           // remote congestion
  Clock::duration t7 = std::chrono::milliseconds(1500);   // excessive delay of acknowledgement
  // While NOT-ALIGNED, ALIGNED and PROVING the status is sent again at this interval (RFC 4165
  // 4.1.2/4.1.3 after Q.703's continuous SIO and SIN/SIE), so a peer that missed or ignored the
  // first Alignment (or Proving) aligns as soon as its own alignment runs.
  Clock::duration status_repeat = std::chrono::milliseconds(100);
};

class LinkFsm {
 public:
  enum class Report : std::uint8_t { kInService, kOutOfService, kAlignmentFailed, kRemoteOutage, kRemoteRecovered };
  using SendStatus = std::function<void(LinkState)>;
  using OnReport = std::function<void(Report, std::string_view reason)>;

  using Row = fsm::Row<LinkFsmState, LinkFsmEvent, void (LinkFsm::*)()>;
  using Meter = fsm::Meter<Row>;
  // m2pa_fsm_transition link=<name> log lines (debug: the peer's repeated status is an event
  // too), m2pa.link_fsm.* counters; built once at wiring time.
  static Meter make_meter(Logger& log, Counters& counters);

  LinkFsm(std::string name, LinkTimers timers, const Meter& meter, TimerService& timers_service, Logger& log,
          Counters& counters, SendStatus send, OnReport report);

  LinkFsmState state() const { return m_.state(); }
  bool in_service() const { return state() == LinkFsmState::kInService; }
  // Emergency proving (Q.703 7.3: the link set has no other link in service).
  void set_emergency(bool e) { emergency_ = e; }
  bool handle(LinkFsmEvent e);
  // Maps a received Link Status to its event.
  bool on_link_status(LinkState s);
  // T7 is run by the link while messages await acknowledgement.
  void set_ack_timer(bool running);
  const std::string& name() const { return name_; }

 private:
  static const auto& table();
  void a_send_alignment();  // + T2
  void a_send_proving();    // + T3
  void a_start_proving();   // send Proving, + T4 (normal or emergency)
  void a_repeat_status();   // the state's Alignment / Proving again
  void a_note_ready();      // the peer's Ready before our proving ended
  void a_send_ready();      // + T1, or in service at once if the peer is Ready already
  void a_in_service();      // stop T1, report in service
  void a_fail();            // report failure, send Out of Service
  void a_stop_link();       // send Out of Service
  void a_remote_outage();
  void a_remote_recovered();
  void a_remote_busy();  // start T6
  void a_remote_busy_ended();
  void down(bool failure);
  void send(LinkState s);
  void arm_repeat();

  std::string name_;
  LinkTimers t_;
  fsm::Machine<Row> m_;
  Logger& log_;
  Counter& failures_;
  Counter& alignment_attempts_;
  Counter& tx_alignment_;
  Counter& tx_proving_;
  Counter& proving_periods_;
  SendStatus send_;
  OnReport report_;
  LinkFsmEvent cause_ = LinkFsmEvent::kStart;  // the event whose action runs
  bool emergency_ = false;
  bool peer_ready_ = false;
  OneShotTimer align_timer_;  // T1, T2, T3 or T4: one runs at a time
  OneShotTimer t6_;
  OneShotTimer t7_;
  OneShotTimer repeat_;
};

}  // namespace isupgw::sigtran::m2pa
