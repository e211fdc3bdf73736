#include "tools/ss7-peer/mtp2_bridge.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace isupgw::tools::ss7peer {

using S = Mtp2State;
using E = Mtp2Event;
using A = Mtp2Action;

Mtp2Bridge::Meter Mtp2Bridge::make_meter(Logger& log, Counters& counters) {
  return Meter(mtp2_table(), log, counters,
               fsm::Options{.name = "mtp2",
                            .counters = "ss7peer.mtp2",
                            .subsystem = Subsystem::kM3ua,
                            .transition_level = LogLevel::kInfo,
                            .log_action = true});
}

Mtp2Bridge::Mtp2Bridge(int fd, Mtp2Timers timers, const Meter& meter, TimerService& ts, Logger& log, User user)
    : fd_(fd), t_(timers), log_(log), user_(std::move(user)), m_(meter, S::kOutOfService), timer_(ts) {}

void Mtp2Bridge::start() { fire(E::kStart); }

void Mtp2Bridge::stop() { fire(E::kStop); }

void Mtp2Bridge::fire(Mtp2Event e) {
  m_.fire(e, [this](Mtp2Action a) { act(a); });
}

SignalUnit Mtp2Bridge::header() const {
  SignalUnit su;
  su.bsn = rx_fsn_;
  su.bib = bib_;
  su.fsn = tx_fsn_;
  su.fib = fib_;
  return su;
}

void Mtp2Bridge::act(Mtp2Action a) {
  switch (a) {
    case A::kNone: return;
    case A::kRealign:
      timer_.cancel();
      if (user_.out_of_service) user_.out_of_service();
      [[fallthrough]];
    case A::kSendSio:
      // Q.703 5.2.2 / libss7 reset_mtp(): both sequence numbers 127, both indicator bits 1.
      tx_fsn_ = rx_fsn_ = acked_ = 0x7f;
      last_type_ = kNoType;
      fib_ = bib_ = true;
      peer_ready_ = false;
      send_lssu(LinkStatus::kSio);
      timer_.arm(t_.t2, [this] { fire(E::kT2); });
      return;
    case A::kSendSie:
      send_lssu(LinkStatus::kSie);
      timer_.arm(t_.t3, [this] { fire(E::kT3); });
      return;
    case A::kStartProving:
      send_lssu(LinkStatus::kSie);
      timer_.arm(t_.t4e, [this] { fire(E::kT4); });
      return;
    case A::kNoteReady: peer_ready_ = true; return;
    case A::kSendReady:
      send_fisu();
      timer_.arm(t_.t1, [this] { fire(E::kT1); });
      if (peer_ready_) fire(E::kRxFisu);
      return;
    case A::kInService:
      timer_.cancel();
      if (user_.in_service) user_.in_service();
      return;
    case A::kSendSios:
      timer_.cancel();
      send_lssu(LinkStatus::kSios);
      return;
  }
}

void Mtp2Bridge::on_readable() {
  std::array<std::uint8_t, 512> buf{};
  for (;;) {
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) return;
    on_frame(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
  }
}

void Mtp2Bridge::on_frame(std::span<const std::uint8_t> frame) {
  const auto su = decode(frame);
  if (!su) {
    log_.warn(Subsystem::kM3ua, "mtp2_bad_frame", {{"octets", frame.size()}});
    return;
  }
  // Q.703 7.1: the status is sent continuously; like libss7 (mtp2.c lastsurxd), only a change
  // of the received LSSU status or unit type is an event. FISUs still carry BSNs to process.
  const int type = su->kind == SuKind::kLssu ? static_cast<int>(su->status) : -1 - static_cast<int>(su->kind);
  const bool repeated = type == last_type_ && su->kind != SuKind::kMsu;
  last_type_ = type;
  if (repeated) {
    if (su->kind == SuKind::kFisu && in_service()) acknowledged(su->bsn);
    return;
  }
  switch (su->kind) {
    case SuKind::kLssu:
      switch (su->status) {
        case LinkStatus::kSio: fire(E::kRxSio); return;
        case LinkStatus::kSin:
        case LinkStatus::kSie: fire(E::kRxSinSie); return;
        case LinkStatus::kSios: fire(E::kRxSios); return;
        case LinkStatus::kSipo:
        case LinkStatus::kSib: fire(E::kRxSipoSib); return;
      }
      return;
    case SuKind::kFisu:
      if (in_service()) acknowledged(su->bsn);
      fire(E::kRxFisu);
      return;
    case SuKind::kMsu:
      fire(E::kRxMsu);
      if (in_service()) {
        acknowledged(su->bsn);
        accept_msu(*su);
      }
      return;
  }
}

// Q.703 5.3: the peer's BSN acknowledges our MSUs up to it. On a socketpair nothing is
// lost, so a negative acknowledgement (BIB != our FIB) is counted, never answered.
void Mtp2Bridge::acknowledged(std::uint8_t bsn) { acked_ = bsn; }

// Q.703 5.2.2: an MSU is accepted when its FSN is one more than the last accepted; a
// repeated FSN is discarded. Each accepted MSU is acknowledged at once with a FISU
// carrying the new BSN (libss7 takes the link down when T7 (1.25 s) runs out).
void Mtp2Bridge::accept_msu(const SignalUnit& su) {
  if (su.fsn == rx_fsn_) return;
  if (su.fsn != static_cast<std::uint8_t>((rx_fsn_ + 1) & 0x7f)) {
    log_.warn(Subsystem::kM3ua, "mtp2_out_of_sequence", {{"fsn", su.fsn}, {"expected", (rx_fsn_ + 1) & 0x7f}});
    return;
  }
  rx_fsn_ = su.fsn;
  send_fisu();
  if (user_.msu) user_.msu(su.msu);
}

bool Mtp2Bridge::send_msu(std::span<const std::uint8_t> msu) {
  if (!in_service() || msu.empty()) return false;
  tx_fsn_ = static_cast<std::uint8_t>((tx_fsn_ + 1) & 0x7f);
  SignalUnit su = header();
  su.kind = SuKind::kMsu;
  su.msu.assign(msu.begin(), msu.end());
  write_frame(su);
  return true;
}

void Mtp2Bridge::send_lssu(LinkStatus s) {
  SignalUnit su = header();
  su.kind = SuKind::kLssu;
  su.status = s;
  write_frame(su);
}

void Mtp2Bridge::send_fisu() { write_frame(header()); }

void Mtp2Bridge::write_frame(const SignalUnit& su) {
  const auto f = encode(su);
  if (::send(fd_, f.data(), f.size(), MSG_DONTWAIT | MSG_NOSIGNAL) != static_cast<ssize_t>(f.size()))
    log_.warn(Subsystem::kM3ua, "mtp2_write_failed", {{"errno", errno}});
}

}  // namespace isupgw::tools::ss7peer
