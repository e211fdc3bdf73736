// A scripted, strict M2PA + MTP3 peer for the unit tests (issue 24), on one end of
// an in-memory transport pair, in virtual time. It behaves like the independent
// SS7 implementation that cost a link set ~15 s at every start:
//  - on a new association it sends Out of Service and accepts Alignment only while
//    its own alignment timer (T2) runs, which starts `align_delay` later; it never
//    sends Alignment first. No Alignment within T2: it drops the association.
//  - it proves for `proving`, then Ready.
//  - MTP3: it answers our SLTM, and only then starts its own link test; every MSU
//    other than SLTM/SLTA that arrives before its own test passed is dropped.
//  - once its test passed it sends TRA (Q.704 9.3.2, adjacent to our restart) and
//    accepts user traffic only after our TRA; earlier user messages are dropped
//    ("prohibited route", Q.704 9.6.7).
// It acknowledges every User Data at once (empty User Data with its BSN).
#pragma once

#include <string>
#include <vector>

#include "base/timer_service.h"
#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"
#include "tests/unit/sigtran/m3ua_test_support.h"

namespace isupgw::sigtran::testing {

class StrictPeer final : public TransportHandler {
 public:
  struct Config {
    std::uint32_t pc = 2;
    std::uint32_t adjacent_pc = 1;
    Clock::duration align_delay = std::chrono::seconds(1);
    Clock::duration t2 = std::chrono::seconds(5);
    Clock::duration proving = std::chrono::milliseconds(500);
  };

  StrictPeer(Config cfg, m3ua::testing::MemTransport& t, TimerService& timers) : cfg_(cfg), t_(t), timers_(timers) {
    t_.set_handler(this);
    t_.start();  // listening: connects when our side starts
  }
  ~StrictPeer() override {
    timers_.cancel(align_timer_);
    timers_.cancel(proving_timer_);
    t_.set_handler(nullptr);
  }

  // What happened, for the test's verdicts.
  int associations = 0;
  int ignored_alignments = 0;   // Alignment before our T2 ran
  int accepted_alignments = 0;  // Alignment while T2 ran
  bool in_service = false;
  bool test_passed = false;           // its own SLTM answered
  bool tra_received = false;          // our TRA accepted (after its test passed)
  std::vector<std::string> dropped;   // MSUs dropped, by name
  std::vector<std::string> accepted;  // MSUs taken (management by name, user parts "si=N")
  std::vector<std::string> order;     // every MSU it received, in order

  // MTP3 message to us (after its test, e.g. its own user traffic).
  void send_msu(const mtp3::Message& m) { send_user_data(mtp3::encode(m, mtp3::Variant::kItu)); }

  void on_connected() override {
    ++associations;
    state_ = State::kOutOfService;
    rx_fsn_ = tx_fsn_ = m2pa::kInitialSeq;
    send_status(m2pa::LinkState::kOutOfService);
    align_timer_ = timers_.start(cfg_.align_delay, [this] {
      align_timer_ = 0;
      state_ = State::kNotAligned;  // its T2 starts now
      align_timer_ = timers_.start(cfg_.t2, [this] {
        align_timer_ = 0;
        if (state_ == State::kNotAligned) t_.close();  // alignment not possible: give up
      });
    });
  }
  void on_disconnected(std::string_view) override { state_ = State::kOutOfService; }

  void on_message(std::uint16_t, std::span<const std::uint8_t> bytes) override {
    auto m = m2pa::decode(bytes);
    if (!m) return;
    if (m->type == m2pa::MessageType::kLinkStatus) {
      on_status(m->state);
      return;
    }
    if (m->data.empty()) return;  // an acknowledgement
    rx_fsn_ = m->fsn;
    send_ack();
    on_msu(m->data);
  }

 private:
  enum class State { kOutOfService, kNotAligned, kProving, kAlignedReady, kInService };

  void on_status(m2pa::LinkState s) {
    switch (s) {
      case m2pa::LinkState::kAlignment:
        if (state_ != State::kNotAligned) {
          ++ignored_alignments;
          return;
        }
        ++accepted_alignments;
        timers_.cancel(align_timer_);
        align_timer_ = 0;
        send_status(m2pa::LinkState::kAlignment);
        send_status(m2pa::LinkState::kProvingNormal);
        state_ = State::kProving;
        proving_timer_ = timers_.start(cfg_.proving, [this] {
          proving_timer_ = 0;
          send_status(m2pa::LinkState::kReady);
          state_ = State::kAlignedReady;
          if (peer_ready_) in_service_now();
        });
        return;
      case m2pa::LinkState::kReady:
        peer_ready_ = true;
        if (state_ == State::kAlignedReady) in_service_now();
        return;
      default: return;  // Proving and the rest: nothing to do for this script
    }
  }
  void in_service_now() {
    state_ = State::kInService;
    in_service = true;
  }

  void on_msu(const std::vector<std::uint8_t>& msu) {
    using mtp3::MgmtType;
    auto m = mtp3::decode(msu, mtp3::Variant::kItu);
    if (!m) return;
    const std::string name =
        m->mgmt ? std::string(mtp3::to_string(m->mgmt->type)) : "si=" + std::to_string(m->label.si);
    order.push_back(name);
    if (m->mgmt && m->mgmt->type == MgmtType::kSltm) {
      answer_and_test(*m);
      return;
    }
    if (m->mgmt && m->mgmt->type == MgmtType::kSlta) {
      if (m->mgmt->pattern == pattern_) {
        test_passed = true;
        send_mgmt(MgmtType::kTra, 0);  // Q.704 9.3.2: the link set is available here
      }
      accepted.push_back(name);
      return;
    }
    if (!test_passed) {
      dropped.push_back(name);  // before its own link test passed
      return;
    }
    if (m->mgmt && m->mgmt->type == MgmtType::kTra) {
      tra_received = true;
      accepted.push_back(name);
      return;
    }
    if (!m->mgmt && !tra_received) {
      dropped.push_back(name);  // the route to us is still prohibited here
      return;
    }
    accepted.push_back(name);
  }

  void answer_and_test(const mtp3::Message& sltm) {
    mtp3::Message a = sltm;
    std::swap(a.label.opc, a.label.dpc);
    a.mgmt->type = mtp3::MgmtType::kSlta;
    send_msu(a);
    if (sltm_sent_) return;
    sltm_sent_ = true;
    pattern_ = {0xde, 0xad, 0xbe, 0xef};
    mtp3::Message t;
    t.label = sltm.label;
    std::swap(t.label.opc, t.label.dpc);
    t.mgmt = mtp3::Management{};
    t.mgmt->type = mtp3::MgmtType::kSltm;
    t.mgmt->slc = sltm.mgmt->slc;
    t.mgmt->pattern = pattern_;
    send_msu(t);
  }

  void send_mgmt(mtp3::MgmtType type, std::uint8_t sls) {
    mtp3::Message m;
    m.label = mtp3::Label{mtp3::si::kSnm, 2, 0, cfg_.adjacent_pc, cfg_.pc, sls};
    m.mgmt = mtp3::Management{};
    m.mgmt->type = type;
    send_msu(m);
  }

  void send_status(m2pa::LinkState s) {
    m2pa::Message m;
    m.type = m2pa::MessageType::kLinkStatus;
    m.state = s;
    m.bsn = rx_fsn_;
    m.fsn = tx_fsn_;
    t_.send(m2pa::kStreamLinkStatus, m2pa::encode(m));
  }
  void send_ack() {
    m2pa::Message m;
    m.type = m2pa::MessageType::kUserData;
    m.bsn = rx_fsn_;
    m.fsn = tx_fsn_;
    t_.send(m2pa::kStreamUserData, m2pa::encode(m));
  }
  void send_user_data(std::vector<std::uint8_t> msu) {
    tx_fsn_ = m2pa::seq_next(tx_fsn_);
    m2pa::Message m;
    m.type = m2pa::MessageType::kUserData;
    m.bsn = rx_fsn_;
    m.fsn = tx_fsn_;
    m.data = std::move(msu);
    t_.send(m2pa::kStreamUserData, m2pa::encode(m));
  }

  Config cfg_;
  m3ua::testing::MemTransport& t_;
  TimerService& timers_;
  State state_ = State::kOutOfService;
  bool peer_ready_ = false;
  bool sltm_sent_ = false;
  std::vector<std::uint8_t> pattern_;
  std::uint32_t rx_fsn_ = m2pa::kInitialSeq;
  std::uint32_t tx_fsn_ = m2pa::kInitialSeq;
  TimerService::Id align_timer_ = 0;
  TimerService::Id proving_timer_ = 0;
};

}  // namespace isupgw::sigtran::testing
