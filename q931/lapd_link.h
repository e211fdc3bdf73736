// Q.921 data link procedures for one point-to-point link (a PRI's D channel,
// SAPI 0, TEI 0): multiple frame establishment (SABME/UA), information
// transfer with acknowledgement (I, RR, RNR, REJ; window k), timer recovery
// (T200, N200) and link supervision (T203), release (DISC/UA, DM). States
// numbered as Q.921 Annex B's SDL names them: 4 TEI assigned, 5 awaiting
// establishment, 6 awaiting release, 7 multiple frame established, 8 timer
// recovery. Timers on an injectable TimerService.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "q931/call_fsm.h"
#include "q931/lapd_frame.h"

namespace isupgw::q931::lapd {

enum class LinkState : std::uint8_t {
  k4TeiAssigned,
  k5AwaitingEstablishment,
  k6AwaitingRelease,
  k7Established,
  k8TimerRecovery
};
inline constexpr std::size_t kLinkStates = 5;
enum class LinkEvent : std::uint8_t {
  kEstablishReq,
  kReleaseReq,
  kDataReq,
  kSabme,
  kDisc,
  kUa,
  kDm,
  kI,
  kSupervisory,    // RR/RNR/REJ, except a response with F=1 in timer recovery
  kResponseFinal,  // RR/RNR/REJ response with F=1 (5.6.7: ends timer recovery)
  kT200,
  kT200Exhausted,  // T200 expired with the retransmission count at N200
  kT203,
};
inline constexpr std::size_t kLinkEvents = 13;
std::string_view to_string(LinkState s);
std::string_view to_string(LinkEvent e);

struct LinkParams {
  Clock::duration t200 = std::chrono::seconds(1);   // Q.921 5.9.1
  Clock::duration t203 = std::chrono::seconds(10);  // Q.921 5.9.8
  int n200 = 3;                                     // 5.9.2
  int k = 7;                                        // 5.9.5: window on a 64 kbit/s SAPI 0 link
};

class Link {
 public:
  struct Hooks {
    std::function<void(Frame)> send;
    std::function<void()> established;                    // DL-ESTABLISH indication/confirm
    std::function<void()> released;                       // DL-RELEASE indication/confirm
    std::function<void(std::vector<std::uint8_t>)> data;  // DL-DATA indication (the Q.931 message)
  };
  using Row = fsm::Row<LinkState, LinkEvent, void (Link::*)()>;
  using Meter = fsm::Meter<Row>;
  static Meter make_meter(Logger& log, Counters& counters);

  // `side` sets the C/R bit (Q.921 3.3.2: the network sends commands with C/R=1).
  Link(Side side, const Meter& meter, TimerService& timers, LinkParams p, Hooks hooks);

  LinkState state() const { return m_.state(); }
  bool establish() { return fire(LinkEvent::kEstablishReq); }
  bool release() { return fire(LinkEvent::kReleaseReq); }
  // Queues a layer 3 message; sent when established and the window is open.
  bool send_data(std::vector<std::uint8_t> l3);
  // A frame from the peer (decoded). False if refused in this state.
  bool receive(const Frame& f);

  std::uint8_t vs() const { return vs_; }
  std::uint8_t va() const { return va_; }
  std::uint8_t vr() const { return vr_; }
  std::size_t unacknowledged() const { return sent_.size(); }
  std::size_t queued() const { return queue_.size(); }

 private:
  static const auto& table();
  bool fire(LinkEvent e);
  bool command_bit() const { return side_ == Side::kNetwork; }
  Frame make(FrameType t, bool command, bool pf) const;
  void start_t200();
  void start_t203();
  void reset_variables();
  bool ack_to(std::uint8_t nr);  // processes N(R); false if N(R) is not in V(A)..V(S)
  void push_window();

  void a_send_sabme();
  void a_resend_sabme();
  void a_ua_established();
  void a_established();
  void a_send_dm();
  void a_released();
  void a_ua_released();
  void a_queue();
  void a_i_rx();
  void a_s_rx();
  void a_recovered();
  void a_t200_recovery();
  void a_enquiry();
  void a_send_disc();
  void a_resend_disc();
  void a_send_ua();
  void a_reestablish();

  Side side_;
  fsm::Machine<Row> m_;
  LinkParams p_;
  Hooks hooks_;
  OneShotTimer t200_;
  OneShotTimer t203_;
  int rc_ = 0;  // retransmission count
  std::uint8_t vs_ = 0, va_ = 0, vr_ = 0;
  bool peer_busy_ = false;
  bool reject_sent_ = false;
  std::deque<std::vector<std::uint8_t>> sent_;   // I frames V(A)..V(S)-1, kept for retransmission
  std::deque<std::vector<std::uint8_t>> queue_;  // waiting for the window
  Frame rx_;                                     // the frame being handled
};

}  // namespace isupgw::q931::lapd
