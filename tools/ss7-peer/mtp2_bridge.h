// The bridge end of libss7's signalling link: one end of a SOCK_SEQPACKET
// socketpair (one datagram = one MTP2 frame, libss7's DAHDI D-channel
// semantics), an MTP2 link of our own (mtp2_link_fsm.h) with 7-bit FSN/BSN and
// indicator bits, and the MSUs (SIO + SIF) handed to and taken from the other
// side of the bridge (M2PA towards isupgw). libss7's MTP3 talks to isupgw's
// MTP3 through it: the bridge terminates MTP2 only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "tools/ss7-peer/mtp2_link_fsm.h"
#include "tools/ss7-peer/mtp2_signal_unit.h"

namespace isupgw::tools::ss7peer {

struct Mtp2Timers {
  // Q.703 12.3 (ITU, 64 kbit/s); T4 emergency as libss7 proves.
  Clock::duration t1 = std::chrono::seconds(45);
  Clock::duration t2 = std::chrono::seconds(50);
  Clock::duration t3 = std::chrono::milliseconds(1500);
  Clock::duration t4e = std::chrono::milliseconds(500);
};

class Mtp2Bridge {
 public:
  struct User {
    std::function<void()> in_service;
    std::function<void()> out_of_service;
    std::function<void(std::span<const std::uint8_t>)> msu;  // accepted in sequence, once
  };
  using Meter = fsm::Meter<Mtp2Row>;
  static Meter make_meter(Logger& log, Counters& counters);

  // `fd`: our end of the socketpair (not owned; non-blocking).
  Mtp2Bridge(int fd, Mtp2Timers timers, const Meter& meter, TimerService& ts, Logger& log, User user);

  void start();
  // Out of service: SIOS to libss7 (its MTP2 and MTP3 see the link fail).
  void stop();
  // Reads every frame waiting on the descriptor.
  void on_readable();
  // An MSU towards libss7: sent at once when in service, else dropped (false).
  bool send_msu(std::span<const std::uint8_t> msu);
  bool in_service() const { return m_.state() == Mtp2State::kInService; }
  Mtp2State state() const { return m_.state(); }

 private:
  void fire(Mtp2Event e);
  void act(Mtp2Action a);
  void on_frame(std::span<const std::uint8_t> frame);
  void acknowledged(std::uint8_t bsn);
  void accept_msu(const SignalUnit& su);
  void send_lssu(LinkStatus s);
  void send_fisu();
  void write_frame(const SignalUnit& su);
  SignalUnit header() const;

  int fd_;
  Mtp2Timers t_;
  Logger& log_;
  User user_;
  fsm::Machine<Mtp2Row> m_;
  OneShotTimer timer_;  // T1..T4: one runs at a time (Q.703 12.3)
  bool peer_ready_ = false;
  // Q.703 5.2: our FSN (last sent), the peer's last accepted FSN (our BSN), and the
  // indicator bits, which stay equal while nothing is negatively acknowledged.
  std::uint8_t tx_fsn_ = 0x7f;
  std::uint8_t rx_fsn_ = 0x7f;
  bool fib_ = true;
  bool bib_ = true;
  std::uint8_t acked_ = 0x7f;  // the peer's last BSN
  static constexpr int kNoType = -100;
  int last_type_ = kNoType;  // the last unit received: LSSU status, or -1 - SuKind
};

}  // namespace isupgw::tools::ss7peer
