// The link set's signalling links as MTP3 manages them (Q.704 3.2 link status, 5
// changeover, 6 changeback; Q.707 2 signalling link test): the table, the tests and
// what a link's availability and failure do. Changeover and changeback actions are in
// mtp3_changeover.cpp.
#include <algorithm>

#include "sigtran/mtp3_linkset.h"

namespace isupgw::sigtran::mtp3 {

using S = SlState;
using E = SlEvent;
using fsm::in;

std::string_view to_string(SlState s) {
  switch (s) {
    case S::kUnavailable: return "unavailable";
    case S::kTesting: return "testing";
    case S::kPeerTested: return "peer-tested";
    case S::kTested: return "tested";
    case S::kAvailable: return "available";
    case S::kChangeback: return "changeback";
    case S::kChangeover: return "changeover";
    case S::kChangedOver: return "changed-over";
  }
  return "?";
}

std::string_view to_string(SlEvent e) {
  switch (e) {
    case E::kInService: return "in_service";
    case E::kSltaOk: return "slta";
    case E::kSltmAnswered: return "sltm_answered";
    case E::kPeerTestMissing: return "peer_test_missing";
    case E::kSltT1: return "slt_t1_expiry";
    case E::kSltFailed: return "slt_failed";
    case E::kSltT2: return "slt_t2_expiry";
    case E::kChangebackBegin: return "changeback_begin";
    case E::kCba: return "cba";
    case E::kCbaLast: return "cba_last";
    case E::kT4: return "t4_expiry";
    case E::kFailed: return "failed";
    case E::kFailedWithAlternative: return "failed_with_alternative";
    case E::kChangeoverAck: return "changeover_ack";
    case E::kChangeoverOrder: return "changeover_order";
    case E::kCoTimer: return "changeover_timer";
    case E::kRetest: return "retest";
    case E::kRemoteRecovered: return "remote_recovered";
  }
  return "?";
}

std::string_view to_string(LinkStatus s) {
  switch (s) {
    case LinkStatus::kDown: return "unavailable";
    case LinkStatus::kTesting: return "testing";
    case LinkStatus::kActive: return "available";
  }
  return "?";
}

namespace {
LinkStatus status_of(SlState s) {
  switch (s) {
    case S::kTesting:
    case S::kPeerTested:
    case S::kTested: return LinkStatus::kTesting;
    case S::kAvailable:
    case S::kChangeback: return LinkStatus::kActive;
    default: return LinkStatus::kDown;
  }
}
constexpr auto kTestingStates = in(S::kTesting, S::kPeerTested, S::kTested);
constexpr auto kCarrying = in(S::kAvailable, S::kChangeback);
}  // namespace

const auto& LinkSet::sl_table() {
  using L = LinkSet;
  static constexpr auto kTable = fsm::make_table<kSlStates, kSlEvents, SlRow>({
      // Q.707 2.2: a link in service at level 2 is tested before it carries traffic; so is it by the
      // adjacent SP (a strict peer drops what arrives before its own test passed).
      {in(S::kUnavailable, S::kChangedOver), E::kInService, S::kTesting, &L::a_start_test},
      {S::kTesting, E::kSltaOk, S::kTested, &L::a_await_peer_test},
      {S::kTesting, E::kSltmAnswered, S::kPeerTested},
      {S::kPeerTested, E::kSltaOk, S::kAvailable, &L::a_available},
      {S::kTested, E::kSltmAnswered, S::kAvailable, &L::a_available},
      {S::kTested, E::kPeerTestMissing, S::kAvailable, &L::a_available_untested},
      {in(S::kTesting, S::kPeerTested, S::kAvailable, S::kChangeback), E::kSltT1, fsm::stay, &L::a_retest},
      {in(S::kTesting, S::kPeerTested, S::kAvailable, S::kChangeback), E::kSltFailed, fsm::stay, &L::a_slt_failed},
      {kCarrying, E::kSltT2, fsm::stay, &L::a_periodic_test},
      {kCarrying, E::kSltaOk, fsm::stay},
      {kCarrying | in(S::kPeerTested, S::kUnavailable, S::kChangeover, S::kChangedOver), E::kSltmAnswered, fsm::stay},
      // Q.704 6: changeback.
      {S::kAvailable, E::kChangebackBegin, S::kChangeback, &L::a_begin_changeback},
      {S::kChangeback, E::kCba, fsm::stay},
      {S::kChangeback, E::kCbaLast, S::kAvailable, &L::a_complete_changeback},
      {S::kChangeback, E::kT4, S::kAvailable, &L::a_changeback_timeout},  // 6.4 time-controlled diversion
      // Q.704 5: failure while carrying traffic with an alternative: changeover; otherwise the
      // link just realigns (Q.704 3.3), its unacknowledged messages discarded and counted.
      {kCarrying, E::kFailedWithAlternative, S::kChangeover, &L::a_begin_changeover},
      {kCarrying | kTestingStates | in(S::kUnavailable), E::kFailed, S::kUnavailable, &L::a_down},
      {S::kChangedOver, E::kFailed, fsm::stay, &L::a_down},  // realigning still: 5.7.3 holds
      {S::kChangeover, E::kFailed, fsm::stay},               // the changeover realigns the link when done
      {S::kChangeover, E::kChangeoverAck, S::kChangedOver, &L::a_complete_changeover},
      {S::kChangeover, E::kCoTimer, S::kChangedOver, &L::a_changeover_timeout},
      {S::kChangeover, E::kChangeoverOrder, S::kChangedOver, &L::a_answer_and_complete},
      {S::kChangedOver, E::kChangeoverOrder, fsm::stay, &L::a_eca},  // 5.7.3
      // Both ends changed over at once: the adjacent SP's order completed ours, its answer follows.
      {S::kChangedOver, E::kChangeoverAck, fsm::stay},
      {S::kUnavailable, E::kChangeoverOrder, fsm::stay, &L::a_answer_order},
      {kCarrying | kTestingStates, E::kChangeoverOrder, fsm::stay, &L::a_order_unnoticed},
      // Level 2 stayed in service (a remote processor outage that ended): test again; the adjacent
      // SP's test of this alignment is behind us.
      {S::kChangedOver, E::kRetest, S::kPeerTested, &L::a_start_test},
      {in(S::kUnavailable, S::kChangedOver), E::kRemoteRecovered, S::kPeerTested, &L::a_start_test},
  });
  return kTable;
}

LinkSet::SlMeter LinkSet::make_sl_meter(const std::string& linkset, Logger& log, Counters& counters) {
  return SlMeter(sl_table(), log, counters,
                 {.name = {},
                  .counters = "mtp3.linkset." + linkset + ".link",
                  .subsystem = Subsystem::kM3ua,
                  .transition_level = LogLevel::kInfo,
                  .refused_level = LogLevel::kInfo,
                  .transition_log = "mtp3_link_transition",
                  .refused_log = "mtp3_link_refused",
                  .refused_counter = {},
                  .label_key = "link",
                  .id_key = {}});
}

bool LinkSet::fire(Rec& r, SlEvent e) {
  return r.sl.fire(e, [this, &r](auto action) {
    if (action) (this->*action)(r);
  });
}

LinkStatus LinkSet::link_status(std::size_t i) const { return status_of(links_.at(i)->sl.state()); }

// --- Inputs -------------------------------------------------------------------------------------------

void LinkSet::on_link_in_service(m2pa::Link& link) {
  restart_.first_link_in_service();  // Q.704 9.2.3 / 9.3.2: T20 or T21 start at level 2
  fire(*links_[index_of(link)], E::kInService);
}

void LinkSet::on_link_out_of_service(m2pa::Link& link, std::string_view reason) {
  link_unavailable(index_of(link), reason);
}

void LinkSet::link_unavailable(std::size_t i, std::string_view reason) {
  auto& r = *links_[i];
  reason_ = reason;
  was_ = status_of(r.sl.state());
  fire(r, carrying(r) && any_active(i) ? E::kFailedWithAlternative : E::kFailed);
}

// Remote processor outage (RFC 4165 4.1.5, Q.704 3.2.6): the link cannot carry traffic while the
// far end's level 3 is out; its changeover is time-controlled (the far end cannot answer). On
// recovery the link is tested again and its traffic changed back.
void LinkSet::on_link_remote_outage(m2pa::Link& link, bool outage) {
  log_.warn(Subsystem::kM3ua, outage ? "mtp3_remote_processor_outage" : "mtp3_remote_processor_recovered",
            {{"linkset", cfg_.name}, {"slc", link.slc()}});
  const auto i = index_of(link);
  auto& r = *links_[i];
  r.remote_outage = outage;
  if (outage) {
    if (!r.sl.in(in(S::kUnavailable, S::kChangeover, S::kChangedOver))) link_unavailable(i, "remote processor outage");
    return;
  }
  if (link.in_service()) fire(r, E::kRemoteRecovered);
}

// --- Signalling link test (Q.707 2.2) -----------------------------------------------------------------

void LinkSet::send_sltm(Rec& r) {
  r.pattern.clear();
  for (int k = 0; k < 4; ++k) r.pattern.push_back(static_cast<std::uint8_t>(0x5a ^ (++slt_seed_ * 37)));
  // T1 expiry: repeat once; a second failure restarts the link.
  r.slt_t1.arm(cfg_.t1_slt, [this, rp = &r] {
    slt_failures_.inc();
    const bool failed = ++rp->slt_failures >= 2;
    if (failed) rp->slt_failures = 0;
    fire(*rp, failed ? E::kSltFailed : E::kSltT1);
  });
  Management m;
  m.type = MgmtType::kSltm;
  m.slc = r.link->slc();
  m.pattern = r.pattern;
  send_mgmt(index_of(&r), m, cfg_.variant == Variant::kItu ? m.slc : 0);
}

void LinkSet::a_start_test(Rec& r) { send_sltm(r); }
void LinkSet::a_retest(Rec& r) { send_sltm(r); }

// Periodic test (Q.707 2.2 T2): the link keeps carrying traffic meanwhile.
void LinkSet::a_periodic_test(Rec& r) {
  r.slt_t2.arm(cfg_.t2_slt, [this, rp = &r] { fire(*rp, E::kSltT2); });
  send_sltm(r);
}

void LinkSet::a_slt_failed(Rec& r) {
  log_.warn(Subsystem::kM3ua, "mtp3_slt_failed", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
  r.link->stop();  // reports out of service when M2PA had it in service
  if (r.sl.in(kCarrying | kTestingStates)) link_unavailable(index_of(&r), "signalling link test failed");
}

// Our test of a new alignment passed: the link carries traffic once the adjacent SP's test of
// it has passed too (we answered its SLTM), or Q.707 T1 later if it sends none.
void LinkSet::a_await_peer_test(Rec& r) {
  r.peer_test_wait.arm(cfg_.t1_slt, [this, rp = &r] { fire(*rp, E::kPeerTestMissing); });
}

void LinkSet::a_available_untested(Rec& r) {
  log_.warn(Subsystem::kM3ua, "mtp3_peer_link_test_missing", {{"linkset", cfg_.name}, {"slc", r.link->slc()}});
  a_available(r);
}

void LinkSet::a_available(Rec& r) {
  r.peer_test_wait.cancel();
  log_.notice(Subsystem::kM3ua, "mtp3_link_available",
              {{"linkset", cfg_.name}, {"slc", r.link->slc()}, {"adjacent", pc(cfg_.adjacent_pc)}});
  const auto i = index_of(&r);
  if (active().size() == 1) {
    // Q.704 9: the link set (and the route to the adjacent SP) becomes available.
    restart_.links_up();
    update_destinations();
    return;
  }
  if (!changeback_carriers(i).empty()) fire(r, E::kChangebackBegin);
}

// --- Unavailability ----------------------------------------------------------------------------------

void LinkSet::stop_tests(Rec& r) {
  r.slt_t1.cancel();
  r.slt_t2.cancel();
  r.peer_test_wait.cancel();
  if (r.cb_pending > 0) {  // failed during changeback: what was held goes back to the alternatives
    r.cb_pending = 0;
    r.cb_timer.cancel();
  }
  if (tra_link_ == &r) {  // our TRA's fate is unknown: traffic need not wait for its acknowledgement
    tra_unacked_ = false;
    tra_link_ = nullptr;
    if (restart_.ended() && !active().empty()) resume_traffic();
  }
}

void LinkSet::note_unavailable(Rec& r) {
  log_.warn(Subsystem::kM3ua, "mtp3_link_unavailable",
            {{"linkset", cfg_.name},
             {"slc", r.link->slc()},
             {"adjacent", pc(cfg_.adjacent_pc)},
             {"was", to_string(was_)},
             {"reason", reason_}});
}

// No alternative (or the link never carried traffic): nothing to change over to. What it held
// goes to the links left; its unacknowledged messages are discarded and counted; it realigns.
void LinkSet::a_down(Rec& r) {
  stop_tests(r);
  note_unavailable(r);
  flush_held(r);
  discarded_.inc(r.link->unacked());
  (void)r.link->retrieve(r.link->last_accepted_fsn());
  if (active().empty() && restart_.state() != RestartState::kDown) {
    restart_.link_set_down();  // the adjacent SP is inaccessible: its next availability is a restart
    update_destinations();
  }
  restart_link(index_of(&r));
}

}  // namespace isupgw::sigtran::mtp3
