// Q.921 5.5-5.7 data link procedures as an FSM-kit table (Annex B SDL states 4-8).
#include "q931/lapd_link.h"

namespace isupgw::q931::lapd {

using S = LinkState;
using E = LinkEvent;
using L = Link;
using fsm::in;
using fsm::stay;

const auto& Link::table() {
  static constexpr auto kTable = fsm::make_table<kLinkStates, kLinkEvents, Row>({
      // 5.5.1 establishment.
      {S::k4TeiAssigned, E::kEstablishReq, S::k5AwaitingEstablishment, &L::a_send_sabme},
      {S::k4TeiAssigned, E::kDataReq, S::k5AwaitingEstablishment, &L::a_send_sabme},
      {in(S::k4TeiAssigned, S::k5AwaitingEstablishment), E::kSabme, S::k7Established, &L::a_ua_established},
      {S::k5AwaitingEstablishment, E::kUa, S::k7Established, &L::a_established},
      {S::k5AwaitingEstablishment, E::kDm, S::k4TeiAssigned, &L::a_released},
      {S::k5AwaitingEstablishment, E::kT200, stay, &L::a_resend_sabme},
      {S::k5AwaitingEstablishment, E::kT200Exhausted, S::k4TeiAssigned, &L::a_released},
      {in(S::k5AwaitingEstablishment, S::k8TimerRecovery), E::kDataReq, stay, &L::a_queue},
      {in(S::k4TeiAssigned, S::k5AwaitingEstablishment), E::kDisc, stay, &L::a_send_dm},
      // 5.6 information transfer, 5.7 link supervision and timer recovery.
      {S::k7Established, E::kDataReq, stay, &L::a_queue},
      {in(S::k7Established, S::k8TimerRecovery), E::kI, stay, &L::a_i_rx},
      {in(S::k7Established, S::k8TimerRecovery), E::kSupervisory, stay, &L::a_s_rx},
      {S::k7Established, E::kResponseFinal, stay, &L::a_s_rx},
      {S::k8TimerRecovery, E::kResponseFinal, S::k7Established, &L::a_recovered},
      {S::k7Established, E::kT203, S::k8TimerRecovery, &L::a_enquiry},
      {in(S::k7Established, S::k8TimerRecovery), E::kT200, S::k8TimerRecovery, &L::a_t200_recovery},
      {S::k8TimerRecovery, E::kT200Exhausted, S::k5AwaitingEstablishment, &L::a_reestablish},
      {in(S::k7Established, S::k8TimerRecovery), E::kSabme, S::k7Established, &L::a_ua_established},
      {in(S::k7Established, S::k8TimerRecovery), E::kDm, S::k5AwaitingEstablishment, &L::a_reestablish},
      {in(S::k7Established, S::k8TimerRecovery), E::kDisc, S::k4TeiAssigned, &L::a_ua_released},
      // 5.5.3 release.
      {in(S::k5AwaitingEstablishment, S::k7Established, S::k8TimerRecovery), E::kReleaseReq, S::k6AwaitingRelease,
       &L::a_send_disc},
      {S::k6AwaitingRelease, E::kUa, S::k4TeiAssigned, &L::a_released},
      {S::k6AwaitingRelease, E::kDm, S::k4TeiAssigned, &L::a_released},
      {S::k6AwaitingRelease, E::kT200, stay, &L::a_resend_disc},
      {S::k6AwaitingRelease, E::kT200Exhausted, S::k4TeiAssigned, &L::a_released},
      {S::k6AwaitingRelease, E::kSabme, stay, &L::a_send_dm},
      {S::k6AwaitingRelease, E::kDisc, stay, &L::a_send_ua},
  });
  return kTable;
}

std::string_view to_string(LinkState s) {
  switch (s) {
    case S::k4TeiAssigned: return "4_tei_assigned";
    case S::k5AwaitingEstablishment: return "5_awaiting_establishment";
    case S::k6AwaitingRelease: return "6_awaiting_release";
    case S::k7Established: return "7_multiple_frame_established";
    case S::k8TimerRecovery: return "8_timer_recovery";
  }
  return "?";
}

std::string_view to_string(LinkEvent e) {
  static constexpr std::string_view kNames[kLinkEvents] = {
      "establish_req", "release_req",    "data_req", "SABME",     "DISC", "UA", "DM", "I",
      "supervisory",   "response_final", "T200",     "T200_N200", "T203"};
  const auto i = static_cast<std::size_t>(e);
  return i < kLinkEvents ? kNames[i] : "?";
}

Link::Meter Link::make_meter(Logger& log, Counters& counters) {
  fsm::Options o;
  o.name = "lapd";
  o.counters = "lapd";
  o.subsystem = Subsystem::kCall;
  o.transition_log = "lapd_transition";
  o.refused_log = "lapd_refused";
  o.label_key = "side";
  return Meter(table(), log, counters, o);
}

Link::Link(Side side, const Meter& meter, TimerService& timers, LinkParams p, Hooks hooks)
    : side_(side),
      m_(meter, S::k4TeiAssigned, fsm::Label{side == Side::kNetwork ? "network" : "user"}),
      p_(p),
      hooks_(std::move(hooks)),
      t200_(timers),
      t203_(timers) {}

bool Link::fire(LinkEvent e) {
  return m_.fire(e, [this](auto action) {
    if (action) (this->*action)();
  });
}

bool Link::send_data(std::vector<std::uint8_t> l3) {
  queue_.push_back(std::move(l3));
  if (!fire(E::kDataReq)) {
    queue_.pop_back();
    return false;
  }
  return true;
}

bool Link::receive(const Frame& f) {
  rx_ = f;
  // 3.3.2: commands from the network carry C/R=1, from the user C/R=0.
  const bool command = f.cr == (side_ == Side::kUser);
  switch (f.type) {
    case FrameType::kSabme: return fire(E::kSabme);
    case FrameType::kDisc: return fire(E::kDisc);
    case FrameType::kUa: return fire(E::kUa);
    case FrameType::kDm: return fire(E::kDm);
    case FrameType::kI: return fire(E::kI);
    case FrameType::kRr:
    case FrameType::kRnr:
    case FrameType::kRej: return fire(!command && f.pf ? E::kResponseFinal : E::kSupervisory);
    default: return false;  // UI, FRMR, XID: not used on this link
  }
}

Frame Link::make(FrameType t, bool command, bool pf) const {
  Frame f;
  f.type = t;
  f.cr = command == command_bit();
  f.pf = pf;
  f.nr = vr_;
  return f;
}

void Link::start_t200() {
  t200_.arm(p_.t200, [this] { fire(rc_ >= p_.n200 ? E::kT200Exhausted : E::kT200); });
}
void Link::start_t203() {
  t203_.arm(p_.t203, [this] { fire(E::kT203); });
}
void Link::reset_variables() {
  vs_ = va_ = vr_ = 0;
  rc_ = 0;
  peer_busy_ = reject_sent_ = false;
}

// 5.6.3.2 / 5.7.1: N(R) acknowledges every I frame up to N(R)-1, when V(A) <= N(R) <= V(S) modulo 128.
bool Link::ack_to(std::uint8_t nr) {
  const auto dist = [](std::uint8_t from, std::uint8_t to) { return static_cast<std::uint8_t>((to - from) & 0x7f); };
  if (dist(va_, nr) > dist(va_, vs_)) return false;
  while (va_ != nr) {
    sent_.pop_front();
    va_ = static_cast<std::uint8_t>((va_ + 1) & 0x7f);
  }
  return true;
}

// Sends queued I frames while the window (k) is open and the peer not busy (5.6.1).
void Link::push_window() {
  if (state() != S::k7Established) return;
  while (!queue_.empty() && !peer_busy_ && static_cast<int>(sent_.size()) < p_.k) {
    Frame f = make(FrameType::kI, true, false);
    f.ns = vs_;
    f.info = queue_.front();
    sent_.push_back(std::move(queue_.front()));
    queue_.pop_front();
    vs_ = static_cast<std::uint8_t>((vs_ + 1) & 0x7f);
    if (hooks_.send) hooks_.send(std::move(f));
    if (!t200_.armed()) {
      t203_.cancel();
      start_t200();
    }
  }
}

void Link::a_send_sabme() {
  rc_ = 0;
  if (hooks_.send) hooks_.send(make(FrameType::kSabme, true, true));
  start_t200();
}
void Link::a_resend_sabme() {
  ++rc_;
  if (hooks_.send) hooks_.send(make(FrameType::kSabme, true, true));
  start_t200();
}
void Link::a_ua_established() {
  // 5.5.1.2: UA with F = the SABME's P; V(S), V(A), V(R) to 0; unacknowledged frames are discarded.
  reset_variables();
  sent_.clear();
  if (hooks_.send) hooks_.send(make(FrameType::kUa, false, rx_.pf));
  t200_.cancel();
  start_t203();
  if (hooks_.established) hooks_.established();
  push_window();
}
void Link::a_established() {
  reset_variables();
  sent_.clear();
  t200_.cancel();
  start_t203();
  if (hooks_.established) hooks_.established();
  push_window();
}
void Link::a_send_dm() {
  if (hooks_.send) hooks_.send(make(FrameType::kDm, false, rx_.pf));
}
void Link::a_released() {
  t200_.cancel();
  t203_.cancel();
  sent_.clear();
  queue_.clear();
  if (hooks_.released) hooks_.released();
}
void Link::a_ua_released() {
  if (hooks_.send) hooks_.send(make(FrameType::kUa, false, rx_.pf));
  a_released();
}
void Link::a_queue() { push_window(); }

void Link::a_i_rx() {
  // 5.6.2: in sequence -> V(R)+1 and DL-DATA; out of sequence -> REJ once (5.6.4); N(R) acknowledges ours.
  const bool in_sequence = rx_.ns == vr_;
  if (in_sequence) {
    vr_ = static_cast<std::uint8_t>((vr_ + 1) & 0x7f);
    reject_sent_ = false;
    if (hooks_.data) hooks_.data(rx_.info);
  }
  const bool poll = rx_.pf;
  if (!in_sequence && !reject_sent_) {
    reject_sent_ = true;
    if (hooks_.send) hooks_.send(make(FrameType::kRej, false, poll));
  } else if (in_sequence || poll) {
    if (hooks_.send) hooks_.send(make(FrameType::kRr, false, poll));  // acknowledges (no I frame to carry it)
  }
  if (ack_to(rx_.nr) && state() == S::k7Established) {
    if (va_ == vs_) {
      t200_.cancel();
      start_t203();
    } else {
      start_t200();
    }
  }
  push_window();
}

void Link::a_s_rx() {
  peer_busy_ = rx_.type == FrameType::kRnr;
  const bool command = rx_.cr == (side_ == Side::kUser);
  if (command && rx_.pf && hooks_.send) hooks_.send(make(FrameType::kRr, false, true));  // 5.6.3.1 enquiry answered
  const bool acked = ack_to(rx_.nr);
  if (state() == S::k7Established && acked) {
    if (rx_.type == FrameType::kRej) {
      // 5.6.4: retransmit from N(R).
      auto resend = std::move(sent_);
      sent_.clear();
      vs_ = va_;
      for (auto it = resend.rbegin(); it != resend.rend(); ++it) queue_.push_front(std::move(*it));
    }
    if (va_ == vs_) {
      t200_.cancel();
      start_t203();
    } else if (rx_.nr != va_ || rx_.type == FrameType::kRej) {
      start_t200();
    }
  }
  push_window();
}

void Link::a_recovered() {
  // 5.7.1: the final response ends timer recovery; unacknowledged frames from N(R) are sent again.
  peer_busy_ = rx_.type == FrameType::kRnr;
  t200_.cancel();
  if (ack_to(rx_.nr)) {
    auto resend = std::move(sent_);
    sent_.clear();
    vs_ = va_;
    for (auto it = resend.rbegin(); it != resend.rend(); ++it) queue_.push_front(std::move(*it));
  }
  rc_ = 0;
  start_t203();
  push_window();
}

void Link::a_t200_recovery() {
  // 5.7.1: T200 expired: enquire with RR command P=1 (the last I frame is not retransmitted here), RC + 1.
  t203_.cancel();
  ++rc_;
  if (hooks_.send) hooks_.send(make(FrameType::kRr, true, true));
  start_t200();
}
void Link::a_enquiry() {  // 5.7.2: T203 expired: RR command P=1, T200, RC = 0
  rc_ = 0;
  if (hooks_.send) hooks_.send(make(FrameType::kRr, true, true));
  start_t200();
}
void Link::a_send_disc() {
  rc_ = 0;
  t203_.cancel();
  if (hooks_.send) hooks_.send(make(FrameType::kDisc, true, true));
  start_t200();
}
void Link::a_resend_disc() {
  ++rc_;
  if (hooks_.send) hooks_.send(make(FrameType::kDisc, true, true));
  start_t200();
}
void Link::a_send_ua() {
  if (hooks_.send) hooks_.send(make(FrameType::kUa, false, rx_.pf));
}
void Link::a_reestablish() {  // 5.7.1 / 5.6.6: N200 exceeded or DM: establish again (SABME)
  t203_.cancel();
  a_send_sabme();
}

}  // namespace isupgw::q931::lapd
