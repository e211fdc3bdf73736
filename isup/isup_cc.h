// ISUP call control and circuit supervision (Q.764): the engine between the
// MTP3 service (MtpPort / MtpUser) and the call engine (CallControlUser).
//
// It owns the trunk groups and their circuits, decodes received messages with
// the codec and routes them to the per-circuit state machines (call_fsm,
// blocking_fsm, circuit_reset_fsm) or the group procedures
// (circuit_group_fsm), answers the peer's maintenance messages, handles
// unrecognized messages and parameters (Q.764 2.9.5), selects circuits for
// outgoing calls (dual seizure avoidance), and resets circuits with paced GRS
// on start and after MTP-RESUME.
//
// Its files: isup_cc.cpp (wiring, the send path, circuit selection, call
// requests, the receive path), circuit_maintenance.cpp (2.8 blocking, 2.10.3
// reset, circuit group procedures and query), mtp_availability.cpp (2.13
// MTP-PAUSE/RESUME/STATUS, paced GRS), compatibility.cpp (2.9.5, 2.12),
// circuit_equipment.cpp (CICs equipped and withdrawn by a reload),
// segmentation_cc.cpp (2.1.12 simple segmentation: SGM sent and awaited, T34),
// circuit_validation.cpp (ANSI T1.113 CVT/CVR).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "base/result.h"
#include "isup/circuit.h"
#include "isup/circuit_group_fsm.h"
#include "isup/isup_cc_config.h"
#include "isup/isup_cc_user.h"
#include "isup/mtp_port.h"
#include "isup/trunk_group.h"

namespace isupgw::isup {

class IsupCallControl final : public MtpUser, private CircuitEnv {
 public:
  IsupCallControl(MtpPort& mtp, CallControlUser& user, TimerService& timers, Logger& log, Counters& counters,
                  IsupRecoveryConfig recovery = {});
  ~IsupCallControl() override;
  IsupCallControl(const IsupCallControl&) = delete;
  IsupCallControl& operator=(const IsupCallControl&) = delete;

  void set_continuity(ContinuityCheck* cc) { continuity_ = cc; }
  Result<GroupId, CcError> add_group(TrunkGroupConfig cfg);
  // Resets every circuit with paced GRS (when IsupRecoveryConfig::reset_on_start).
  void start();

  // The user of call events; the daemon sets its call engine once built.
  void set_user(CallControlUser& user) { user_ = &user; }

  // --- Call requests (upward interface) ---
  // `basis`: SIP-I/SIP-T, the message the SIP peer encapsulated, on which the
  // message sent is rebuilt (message_basis.h; Q.1912.5 profile C, RFC 3372 2);
  // valid during the call only.
  Result<CallId, CcError> setup(GroupId group, SetupRequest req);
  Result<bool, CcError> send_digits(CallId call, const Number& subsequent);  // SAM (overlap)
  Result<bool, CcError> alert(CallId call, bool inband = false, const Message* basis = nullptr);
  Result<bool, CcError> progress(CallId call, std::uint8_t event, bool inband, const Message* basis = nullptr);
  Result<bool, CcError> answer(CallId call, const Message* basis = nullptr);
  // REL with `cause`; `location` is the cause's (Q.850 2.2.3), ours by default,
  // a SIP-I peer's when its encapsulated REL gave one.
  Result<bool, CcError> release(CallId call, int cause, std::uint8_t location = kLocationPublicLocal,
                                const Message* basis = nullptr);
  // OLM instead of REL 42 for an IAM refused because this node is overloaded, on a group configured for it
  // (overload_olm; Q.763 Table 39, Q.764 Annex A T3): the call ends here, the circuit stays seized until
  // the originating exchange's REL. kWrongState once the IAM was answered by anything.
  Result<bool, CcError> overload(CallId call);
  Result<bool, CcError> suspend(CallId call, bool network);
  Result<bool, CcError> resume(CallId call, bool network);
  Result<bool, CcError> request_information(CallId call, const InformationRequestIndicators& ind);
  Result<bool, CcError> information(CallId call, const InformationIndicators& ind, std::vector<OwnedParam> params = {});
  Result<bool, CcError> user_to_user(CallId call, std::vector<std::uint8_t> uui);
  Result<bool, CcError> facility(CallId call, std::vector<OwnedParam> params = {});
  // CPG with a generic notification (kNotificationRemoteHold, ...) on an answered call.
  Result<bool, CcError> notify(CallId call, std::uint8_t notification);
  // A mid-call message a SIP-I/SIP-T peer sent in INFO (RFC 3372, Q.1912.5):
  // CPG, USR, FAC, SUS, RES, SAM, INR or INF, sent on the call's circuit rebuilt
  // on `m` (the procedure of its type, its state checks and timers).
  // kNotForwardable for any other type, kWrongState where Q.764 does not allow it.
  Result<bool, CcError> forward(CallId call, const Message& m);
  // Outgoing continuity test result from ContinuityCheck::start_test.
  void continuity_result(GroupId group, std::uint16_t cic, bool ok);

  // --- Maintenance requests ---
  Result<bool, CcError> block(GroupId group, std::uint16_t cic);          // BLO
  Result<bool, CcError> unblock(GroupId group, std::uint16_t cic);        // UBL
  Result<bool, CcError> reset_circuit(GroupId group, std::uint16_t cic);  // RSC
  // CGB / CGU for CICs first..first+range with the status bits given
  // (empty status = all circuits of the range).
  Result<bool, CcError> group_block(GroupId group, std::uint16_t first, std::uint8_t range, bool hardware,
                                    std::vector<std::uint8_t> status = {});
  Result<bool, CcError> group_unblock(GroupId group, std::uint16_t first, std::uint8_t range, bool hardware,
                                      std::vector<std::uint8_t> status = {});
  Result<bool, CcError> group_reset(GroupId group, std::uint16_t first, std::uint8_t range);  // GRS (unpaced)
  // CQM. `done` (optional) gets the CQR's circuit state indicators (one octet
  // per circuit, Q.763 3.14), or nullopt when T28 expires first (Q.764 2.10.4);
  // the user's on_query_response is called as well.
  using QueryDone = std::function<void(std::optional<std::vector<std::uint8_t>> states)>;
  Result<bool, CcError> query(GroupId group, std::uint16_t first, std::uint8_t range, QueryDone done = {});

  // --- ANSI T1.113 circuit validation (CVT 0xEC / CVR 0xEB; circuit_validation.cpp) ---
  // CVT on the circuit; `done` gets the judged CVR, or answered=false when T_CVT
  // (IsupTimerConfig::tcvt) expires first. kWrongState on a non-ANSI group.
  struct CircuitValidation {
    bool answered = false;     // a well-formed CVR came before T_CVT
    bool success = false;      // its circuit validation response indicator (T1.113.3: 01 success)
    std::uint8_t ours = 0;     // circuit group characteristics indicator octets (ours, the peer's)
    std::uint8_t theirs = 0;   //   BA carrier, DC double-seizure control, FE alarm carrier, HG continuity
    bool consistent = false;   // DC complementary; carrier and continuity equal where both are known
  };
  using ValidationDone = std::function<void(const CircuitValidation&)>;
  Result<bool, CcError> validate(GroupId group, std::uint16_t cic, ValidationDone done = {});
  // The characteristics this exchange reports for the group in a CVR.
  static std::uint8_t group_characteristics(const TrunkGroup& g);

  // --- Circuits equipped and withdrawn by a reload (issue 16; circuit_equipment.cpp) ---
  // New CICs join the group and are reset first (GRS per run of up to 32, RSC
  // for a lone one; Q.764 2.10.3) -- a withdrawn CIC coming back is unblocked
  // (UBL/CGU). Withdrawn CICs take no new outgoing call at once and are blocked
  // towards the peer with maintenance BLO/CGB (Q.764 2.8.2) as soon as no call
  // is on them (a circuit only finishing a release is blocked at once); a call
  // on one runs to its end first. kUnknownGroup, else the count.
  Result<std::size_t, CcError> equip(GroupId group, std::span<const std::uint16_t> cics);
  Result<std::size_t, CcError> withdraw(GroupId group, std::span<const std::uint16_t> cics);
  // Withdrawn circuits not yet blocked towards the peer (draining calls or awaiting BLA/CGBA).
  std::size_t withdrawing(GroupId group) const;

  // --- MtpUser ---
  void on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override;
  void on_pause(PointCode dpc) override;
  void on_resume(PointCode dpc) override;
  void on_status(PointCode dpc, const MtpStatus& status) override;

  // --- Inspection ---
  const TrunkGroup* group(GroupId id) const;
  const Circuit* circuit(GroupId group, std::uint16_t cic) const;
  const Circuit* circuit_of(CallId call) const;
  bool destination_available(PointCode dpc) const;
  // Paced GRSs sent and not yet answered / waiting to be sent, over every destination.
  std::size_t grs_in_flight() const;
  std::size_t grs_queued() const;
  unsigned congestion_level(PointCode dpc) const;
  // This exchange's own overload (issue 19, Q.764 2.11): 0 none, 1 or 2, sent in every REL as the automatic
  // congestion level parameter (Q.763 3.4).
  void set_congestion_level(unsigned level) { own_acl_ = static_cast<std::uint8_t>(level > 2 ? 2 : level); }

 private:
  // CircuitEnv
  void send(const Circuit& c, const MessageBuilder& m) override;
  TimerService& timers() override { return timers_; }
  Logger& logger() override { return log_; }
  const CircuitMeters& meters() override { return meters_; }
  CallControlUser& user() override { return *user_; }
  ContinuityCheck* continuity() override { return continuity_; }
  void alarm(const Circuit& c, std::string_view what) override;
  CallId new_call(Circuit& c) override;
  void call_detached(Circuit& c, CallId id) override;
  bool reattempt(CallId id, SetupRequest req, unsigned attempts, const Circuit& failed) override;
  std::uint8_t own_congestion_level() const override { return own_acl_; }
  // A REL with the automatic congestion level: the adjacent exchange is overloaded (Q.764 2.11.2).
  void rx_acl(const TrunkGroup& g, const Message& rel);

  struct GrsJob {
    GroupId group;
    std::uint16_t first;
    std::uint8_t range;
  };
  struct Destination {
    bool paused = false;
    bool user_part_unavailable = false;
    std::unique_ptr<OneShotTimer> t4;
    unsigned congestion_level = 0;  // traffic reduction step
    std::uint64_t admitted = 0;
    std::unique_ptr<OneShotTimer> t29, t30;
    // Paced circuit group resets towards this exchange (Q.764 2.10.3.2): each
    // adjacent exchange has its own queue, GRSs in flight and pace, so one
    // that is slow or silent never holds up the others' resets.
    std::deque<GrsJob> grs_queue;
    std::size_t grs_in_flight = 0;
    std::unique_ptr<OneShotTimer> pace;
  };
  using GroupKey = std::pair<GroupId, std::uint16_t>;

  TrunkGroup* find_group(GroupId id);
  TrunkGroup* route(const MtpLabel& label, std::span<const std::uint8_t> data);
  Circuit* find_call(CallId id);
  // Runs one call request with the FSM's messages rebuilt on `basis`.
  template <class F>
  static bool based(Circuit& c, const Message* basis, F&& request) {
    c.call().set_basis(basis);
    const bool ok = request();
    c.call().set_basis(nullptr);
    return ok;
  }
  Circuit* select_circuit(TrunkGroup& g, const Circuit* exclude);
  Destination& dest(PointCode dpc) { return dests_[dpc]; }
  void count(std::string_view name) { counters_.get(name).inc(); }  // rare events only: builds the name
  // isup.tx.<message> / isup.rx.<message> by message type code, resolved when a
  // group of that variant is added (acronyms differ between variants).
  struct MessageCounters {
    std::array<Counter*, 256> tx{}, rx{};
  };
  const MessageCounters& message_counters(Variant v) const { return *message_counters_[static_cast<std::size_t>(v)]; }
  void send_simple(const Circuit& c, std::uint8_t type);
  void send_on(const TrunkGroup& g, const MessageBuilder& m);
  void send_cause(const TrunkGroup& g, std::uint16_t cic, std::uint8_t type, int cause,
                  std::span<const std::uint8_t> diagnostic = {});
  void release_for_compatibility(Circuit& c, int cause);
  void on_t4(PointCode dpc, TrunkGroup* probe);
  void on_t30(PointCode dpc, milliseconds t30);
  bool admit(PointCode dpc);

  // Receive side.
  void dispatch(TrunkGroup& g, Circuit& c, const Message& m);
  void unknown_message(TrunkGroup& g, std::span<const std::uint8_t> data);
  // Unrecognized optional parameters (Q.764 2.9.5.2); false = the message is discarded.
  bool check_parameters(TrunkGroup& g, Circuit& c, const Message& m);
  void unequipped_cic(TrunkGroup& g, std::uint16_t cic, std::uint8_t type);
  void rx_rsc(Circuit& c);
  void rx_rlc(Circuit& c, const Message& m);
  void rx_blo(Circuit& c);
  void rx_ubl(Circuit& c);
  void rx_ucic(Circuit& c);
  void rx_iam(Circuit& c, const Message& m);
  // Simple segmentation (Q.764 2.1.12; segmentation_cc.cpp). send_segmented:
  // false when `bytes` needs no segmentation. on_segment: true when the
  // message was taken (held for its SGM, or an SGM completing / discarded).
  bool send_segmented(const TrunkGroup& g, const Message& m, std::span<const std::uint8_t> bytes,
                      const MtpLabel& label);
  bool on_segment(TrunkGroup& g, Circuit& c, const Message& m, std::span<const std::uint8_t> data);
  void process_held(GroupKey key);  // the held first segment, alone (T34 expired or another message came)
  void deliver(TrunkGroup& g, Circuit& c, const Message& m);  // parameter check, then dispatch
  void rx_grs(TrunkGroup& g, const Message& m);
  void rx_cgb_cgu(TrunkGroup& g, const Message& m);
  void rx_group_ack(TrunkGroup& g, const Message& m);
  void rx_cqm(TrunkGroup& g, const Message& m);
  void rx_cqr(TrunkGroup& g, const Message& m);
  void rx_cvt(TrunkGroup& g, std::uint16_t cic, bool known);
  void rx_cvr(TrunkGroup& g, const Message& m);
  void reset_locally(Circuit& c, int cause, std::string_view why);

  // Group procedures we started.
  Result<bool, CcError> start_group(TrunkGroup& g, std::uint16_t first, std::uint8_t range,
                                    const std::function<bool(CircuitGroupFsm&)>& go);
  void group_done(CircuitGroupFsm& f, const Message& ack);
  void reap_groups();

  // Maintenance blocking (or unblocking) of `cics` of `g`: CGB/CGU per run of
  // consecutive CICs (2..32), BLO/UBL for a lone one or when a group procedure runs there.
  void block_runs(TrunkGroup& g, const std::vector<std::uint16_t>& cics, bool block);

  // Recovery: paced GRS.
  void queue_reset(TrunkGroup& g);
  void queue_grs(const TrunkGroup& g, std::uint16_t first, std::uint8_t range);
  void pump_grs();               // every destination
  void pump_grs(PointCode dpc);  // one destination

  MtpPort& mtp_;
  CallControlUser* user_;
  TimerService& timers_;
  Logger& log_;
  Counters& counters_;
  CircuitMeters meters_;  // before the groups: every circuit's machines hold it
  std::array<std::unique_ptr<MessageCounters>, 3> message_counters_;  // by Variant
  Counter& tx_encode_error_;
  IsupRecoveryConfig recovery_;
  ContinuityCheck* continuity_ = nullptr;

  std::vector<std::unique_ptr<TrunkGroup>> groups_;
  std::unordered_map<CallId, Circuit*> calls_;
  CallId next_call_ = 1;
  std::map<PointCode, Destination> dests_;
  std::uint8_t own_acl_ = 0;  // this exchange's automatic congestion level (set_congestion_level)
  std::map<GroupKey, std::unique_ptr<CircuitGroupFsm>> group_procs_;
  std::vector<std::unique_ptr<CircuitGroupFsm>> finished_;  // destroyed outside their own callbacks
  std::map<GroupKey, std::unique_ptr<OneShotTimer>> t28_;
  std::map<GroupKey, QueryDone> queries_;  // CQMs whose sender waits for the CQR
  struct PendingValidation {
    ValidationDone done;
    std::unique_ptr<OneShotTimer> tcvt;
  };
  std::map<GroupKey, PendingValidation> validations_;  // CVTs awaiting their CVR
  std::set<GroupKey> paced_grs_;
  // Received first segments awaiting their SGM (Q.764 2.1.12), by circuit.
  struct HeldSegment {
    std::vector<std::uint8_t> bytes;
    std::unique_ptr<OneShotTimer> t34;
  };
  std::map<GroupKey, HeldSegment> held_;
  OneShotTimer reaper_;
};

}  // namespace isupgw::isup
