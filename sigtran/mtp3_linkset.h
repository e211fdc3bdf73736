// MTP3 (Q.704, Q.707) over M2PA links, as a signalling end point: one link set
// of up to 16 signalling links towards an adjacent signalling point. Each link's
// MTP3 state (test, availability, changeover, changeback) is a table on the FSM
// kit (SlState/SlEvent, mtp3_link_status.cpp); so is the MTP restart.
//
//  - Signalling link test (Q.707 2): a link that M2PA reports in service is
//    tested with SLTM/SLTA (T1) before it carries traffic, and every T2 after.
//    A newly aligned link carries traffic once it is tested at both ends: our
//    SLTA has arrived and we have answered the adjacent SP's SLTM (a strict peer
//    drops what arrives before its own test ends); if the adjacent SP sends no
//    SLTM within Q.707 T1 after ours passed, our test alone decides.
//  - Load sharing (Q.704 4.2): each SLS has a home link (SLS mod links, by SLC);
//    while it is unavailable the SLS goes over the available links (SLS mod n).
//  - Changeover (Q.704 5, with Q.2210 XCO/XCA for M2PA's 24-bit FSN): traffic of
//    a failed link is held, XCO carries our last accepted FSN, the peer's XCO/XCA
//    tells which of our messages it never accepted; those are retrieved from the
//    M2PA retransmission buffer and sent on the alternative links before the held
//    ones: nothing lost, nothing duplicated. A classic COO/COA (7-bit FSN) from an
//    MTP2-era peer is answered in kind and retrieved by the low 7 bits.
//  - Emergency changeover (Q.704 5.6): when our last accepted FSN is unknown (the
//    M2PA numbers were reset for a new alignment, or the link never was in
//    service) we send ECO, or answer ECA; a changeover order for a link whose
//    changeover is already complete is answered ECA and nothing else (5.7.3).
//    Without the peer's FSN (ECO/ECA received, T2 expiry, an unreasonable FSN,
//    5.7.1) nothing is retrieved: the unacknowledged messages are discarded and
//    counted (possible loss, never duplication; ISUP recovers by its timers).
//    A link whose far end reports processor outage is changed over time-
//    controlled (5.6.2): no order, its traffic held for T1, then diverted.
//  - Changeback (Q.704 6): when the link is available again its SLSs are held,
//    CBD goes over the alternative links and their CBA (or T4) releases the
//    held traffic on the restored link, after everything sent before.
//  - MTP restart (Q.704 9, mtp3_restart.h): both roles, T19/T20/T21. Traffic
//    restarts only once the adjacent SP's M2PA has acknowledged our TRA, so no
//    user message reaches it before the TRA (over another link); user messages
//    received before the restart ends are held and delivered after MTP-RESUME.
//  - Signalling route management as an end point (Q.704 13): TFP/TFR/TFA update
//    destinations; RST for our own point code is answered with TFA; RST is sent
//    every T10 for prohibited destinations.
//  - UPU (Q.704 11.2.7): sent for an unequipped user part, received as MTP-STATUS.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/m2pa_link.h"
#include "sigtran/mtp3_codec.h"
#include "sigtran/mtp3_restart.h"
#include "sigtran/mtp_service.h"
#include "sigtran/point_code.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran::mtp3 {

struct LinkSetConfig {
  std::string name = "ls";
  Variant variant = Variant::kItu;
  PointCodeFormat pc_format = PointCodeFormat::kItu383;  // logs only
  std::uint32_t local_pc = 0;
  std::uint32_t adjacent_pc = 0;
  std::uint8_t ni = 2;
  std::vector<std::uint32_t> destinations;            // further DPCs reached through the adjacent SP (an STP)
  Clock::duration t1_slt = std::chrono::seconds(8);   // Q.707 T1: SLTA awaited (4-12 s)
  Clock::duration t2_slt = std::chrono::seconds(60);  // Q.707 T2: periodic test (30-90 s)
  Clock::duration t1_changeover = std::chrono::milliseconds(800);   // Q.704 T1: time-controlled changeover (0.5-1.2 s)
  Clock::duration t2_changeover = std::chrono::milliseconds(1500);  // Q.704 T2: XCA/COA/ECA awaited (0.7-2 s)
  Clock::duration t4_changeback = std::chrono::milliseconds(1000);  // Q.704 T4: CBA awaited (0.8-1.2 s)
  Clock::duration t10_rst = std::chrono::seconds(30);               // Q.704 T10: RST repetition (30-60 s)
  RestartTimers restart;                                            // Q.704 T19, T20, T21 (mtp3_restart.h)
  // True: our MTP restarts when the link set starts (Q.704 9.2). False: the link set comes up
  // as after the adjacent SP's restart (9.3): TRA as soon as it is available.
  bool own_restart = true;
};

// Link states as MTP3 sees them (Q.704 3.2 available/unavailable, plus the test).
enum class LinkStatus : std::uint8_t { kDown, kTesting, kActive };
std::string_view to_string(LinkStatus s);

// One signalling link of the set as MTP3 manages it (Q.704 3.2, 5, 6; Q.707 2): the table is
// in mtp3_link_status.cpp, the changeover and changeback actions in mtp3_changeover.cpp.
enum class SlState : std::uint8_t {
  kUnavailable,  // not in service at level 2 (aligning), or failed before it carried traffic
  kTesting,      // in service at level 2: our SLTM out (Q.707 T1), the adjacent SP's test not seen yet
  kPeerTested,   // we answered the adjacent SP's SLTM; our own test runs
  kTested,       // our test passed; the adjacent SP's SLTM awaited (Q.707 T1)
  kAvailable,    // carries traffic (tested again every Q.707 T2)
  kChangeback,   // available again, its SLSs held until CBA or T4 (Q.704 6)
  kChangeover,   // failed while carrying traffic: its SLSs held, XCO/ECO out (T2) or time-controlled (T1)
  kChangedOver,  // changeover complete, realigning: a changeover order gets ECA only (Q.704 5.7.3)
};
inline constexpr std::size_t kSlStates = static_cast<std::size_t>(SlState::kChangedOver) + 1;
enum class SlEvent : std::uint8_t {
  kInService,              // M2PA in service (level 2)
  kSltaOk,                 // the SLTA to our SLTM (Q.707 2.2)
  kSltmAnswered,           // we answered the adjacent SP's SLTM
  kPeerTestMissing,        // Q.707 T1 after our test passed, no SLTM from the adjacent SP
  kSltT1,                  // Q.707 T1 expiry, the first: test again
  kSltFailed,              // Q.707 T1 expiry, the second: the link fails
  kSltT2,                  // the periodic test is due
  kChangebackBegin,        // available again while other links carry its SLSs
  kCba,                    // a CBA, more awaited
  kCbaLast,                // the last CBA awaited
  kT4,                     // Q.704 T4: no CBA
  kFailed,                 // level 2 out of service (or remote processor outage), no alternative link
  kFailedWithAlternative,  // the same while carrying traffic, another link available
  kChangeoverAck,          // XCA, COA or ECA for this link
  kChangeoverOrder,        // XCO, COO or ECO for this link
  kCoTimer,                // Q.704 T2 (our order unanswered) or T1 (time-controlled)
  kRetest,                 // changeover done with level 2 still in service
  kRemoteRecovered,        // the far end's processor outage ended (level 2 in service)
};
inline constexpr std::size_t kSlEvents = static_cast<std::size_t>(SlEvent::kRemoteRecovered) + 1;
std::string_view to_string(SlState s);
std::string_view to_string(SlEvent e);

class LinkSet final : public m2pa::LinkUser, private RestartOwner {
 public:
  static constexpr std::size_t kMaxLinks = 16;  // SLC is 4 bits (Q.704 2.3.5)

  LinkSet(LinkSetConfig cfg, TimerService& timers, Logger& log, Counters& counters);
  ~LinkSet() override;

  // A link with its SLC; `transport` must outlive the link set. Null beyond 16 links or a repeated SLC.
  m2pa::Link* add_link(m2pa::LinkConfig cfg, Transport& transport);
  std::size_t link_count() const { return links_.size(); }
  m2pa::Link& link(std::size_t i) { return *links_.at(i)->link; }
  LinkStatus link_status(std::size_t i) const;
  SlState link_state(std::size_t i) const { return links_.at(i)->sl.state(); }
  std::size_t active_links() const;
  const LinkSetConfig& config() const { return cfg_; }
  RestartState restart_state() const { return restart_.state(); }

  // Users by service indicator; si < 0 = every SI without its own user.
  void set_user(int si, MtpUser* user);

  void start();
  void stop();

  // MTP-TRANSFER request: false if the DPC is not available through this link set.
  bool transfer(const MtpLabel& label, std::span<const std::uint8_t> data);
  bool available(std::uint32_t dpc) const;
  bool serves(std::uint32_t dpc) const;  // adjacent PC or a configured destination
  // The link index SLS `sls` is sent on now (nullopt: none available).
  std::optional<std::size_t> link_for_sls(std::uint8_t sls) const;

  // m2pa::LinkUser
  void on_link_in_service(m2pa::Link& link) override;
  void on_link_out_of_service(m2pa::Link& link, std::string_view reason) override;
  void on_link_msu(m2pa::Link& link, std::span<const std::uint8_t> msu) override;
  void on_link_remote_outage(m2pa::Link& link, bool outage) override;
  void on_link_acknowledged(m2pa::Link& link) override;

 private:
  struct Rec;
  using SlRow = fsm::Row<SlState, SlEvent, void (LinkSet::*)(Rec&)>;
  using SlMeter = fsm::Meter<SlRow>;
  struct Rec {
    Rec(TimerService& timers, const SlMeter& meter, std::string link_name)
        : name(std::move(link_name)),
          sl(meter, SlState::kUnavailable, fsm::Label{name}),
          slt_t1(timers),
          slt_t2(timers),
          peer_test_wait(timers),
          co_timer(timers),
          cb_timer(timers) {}
    std::string name;  // "<linkset>/<slc>"
    fsm::Machine<SlRow> sl;
    std::unique_ptr<m2pa::Link> link;
    std::vector<std::uint8_t> pattern;  // of the outstanding SLTM
    int slt_failures = 0;
    OneShotTimer slt_t1;                         // Q.707 T1: SLTA awaited
    OneShotTimer slt_t2;                         // Q.707 T2: next periodic test
    OneShotTimer peer_test_wait;                 // Q.707 T1 for the adjacent SP's SLTM
    std::deque<std::vector<std::uint8_t>> held;  // MSUs of this link's SLSs, changeover/changeback
    bool co_sent = false;                        // our XCO/ECO is out
    bool remote_outage = false;                  // far end in processor outage (M2PA)
    OneShotTimer co_timer;                       // Q.704 T2 (order sent) or T1 (time-controlled)
    std::uint8_t cb_code = 0;
    int cb_pending = 0;     // CBA awaited
    OneShotTimer cb_timer;  // Q.704 T4
  };
  static const auto& sl_table();
  static SlMeter make_sl_meter(const std::string& linkset, Logger& log, Counters& counters);
  static bool carrying(const Rec& r) { return r.sl.in(fsm::in(SlState::kAvailable, SlState::kChangeback)); }
  static bool holding(const Rec& r) { return r.sl.in(fsm::in(SlState::kChangeover, SlState::kChangeback)); }
  bool fire(Rec& r, SlEvent e);
  // Actions of the signalling link table (mtp3_link_status.cpp, mtp3_changeover.cpp).
  void a_start_test(Rec& r);
  void a_await_peer_test(Rec& r);
  void a_available(Rec& r);
  void a_available_untested(Rec& r);
  void a_retest(Rec& r);
  void a_slt_failed(Rec& r);
  void a_periodic_test(Rec& r);
  void a_down(Rec& r);
  void a_begin_changeover(Rec& r);
  void a_complete_changeover(Rec& r);
  void a_changeover_timeout(Rec& r);
  void a_answer_and_complete(Rec& r);
  void a_answer_order(Rec& r);
  void a_eca(Rec& r);
  void a_order_unnoticed(Rec& r);
  void a_begin_changeback(Rec& r);
  void a_complete_changeback(Rec& r);
  void a_changeback_timeout(Rec& r);
  void send_sltm(Rec& r);
  void stop_tests(Rec& r);
  void note_unavailable(Rec& r);
  void complete_changeover(Rec& r, std::optional<std::uint32_t> peer_fsn, bool low7);
  std::vector<std::size_t> changeback_carriers(std::size_t i) const;

  std::size_t index_of(const m2pa::Link& l) const;
  std::size_t index_of(const Rec* r) const { return index_of(*r->link); }
  void on_t10();
  std::optional<std::size_t> index_of_slc(std::uint8_t slc) const;
  std::size_t home_of(std::uint8_t sls) const;
  std::vector<std::size_t> active() const;
  std::optional<std::size_t> alternative_for(std::uint8_t sls, std::optional<std::size_t> excluding) const;
  void route_msu(std::vector<std::uint8_t> msu, std::uint8_t sls);
  bool send_on(std::size_t i, std::span<const std::uint8_t> msu);
  void send_mgmt(std::size_t via, const Management& m, std::uint8_t sls);
  std::optional<std::size_t> any_active(std::optional<std::size_t> excluding = {}) const;

  void on_mgmt(std::size_t from, const Label& l, const Management& m);
  void on_changeover_message(std::size_t from, const Management& m);
  bool traffic_allowed() const { return restart_.ended() && !tra_unacked_; }
  void resume_traffic();
  void deliver(const Label& l, std::span<const std::uint8_t> data);
  // RestartOwner
  bool restart_links_up() const override { return !active().empty(); }
  void restart_send_tra(bool before_traffic) override;
  void restart_traffic() override;
  void restart_stopped() override;
  void link_unavailable(std::size_t i, std::string_view reason);
  void flush_held(Rec& r);
  void restart_link(std::size_t i);
  void update_destinations();
  void set_destination(std::uint32_t dpc, bool avail);
  MtpUser* user_for(std::uint8_t si) const;
  std::string pc(std::uint32_t p) const { return format_point_code(PointCode{p}, cfg_.pc_format); }
  std::string link_name(std::size_t i) const;

  LinkSetConfig cfg_;
  TimerService& timers_;
  Logger& log_;
  m2pa::LinkFsm::Meter link_meter_;  // the links' M2PA machines
  SlMeter sl_meter_;                 // their MTP3 signalling link machines
  MtpRestart::Meter restart_meter_;
  // The input an action works on: why a link failed (and its status before), the changeover
  // message and the link it came on.
  std::string reason_;
  LinkStatus was_ = LinkStatus::kDown;
  Management order_;
  std::size_t order_from_ = 0;
  std::vector<std::unique_ptr<Rec>> links_;
  std::map<int, MtpUser*> users_;
  bool started_ = false;
  MtpRestart restart_;
  Rec* tra_link_ = nullptr;    // our TRA awaits its M2PA acknowledgement on this link ...
  std::uint32_t tra_fsn_ = 0;  // ... with this FSN
  bool tra_unacked_ = false;
  std::deque<std::vector<std::uint8_t>> held_rx_;  // user MSUs received before the restart ended
  std::map<std::uint32_t, bool> prohibited_;       // by TFP (true) / TFA (false)
  std::map<std::uint32_t, bool> reported_;         // last MTP-PAUSE/RESUME per destination
  OneShotTimer t10_;                               // RST repetition
  std::uint8_t next_cb_code_ = 0;
  std::uint8_t slt_seed_ = 0;
  Counter& tx_msu_;
  Counter& rx_msu_;
  Counter& unavailable_;
  Counter& no_user_;
  Counter& not_for_us_;
  Counter& changeovers_;
  Counter& changebacks_;
  Counter& retrieved_;
  Counter& discarded_;
  Counter& slt_failures_;
  Counter& decode_errors_;
  Counter& rx_held_;
  Counters& counters_;
};

}  // namespace isupgw::sigtran::mtp3
