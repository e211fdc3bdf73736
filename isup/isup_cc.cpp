#include "isup/isup_cc.h"

#include <algorithm>
#include <string>

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

namespace {
constexpr int kCauseTemporaryFailure = 41;
constexpr int kCauseMessageTypeNonExistent = 97;
constexpr int kCauseParameterNonExistent = 99;
constexpr int kCauseMessageWithParameterDiscarded = 110;

std::vector<std::uint8_t> all_bits(std::uint8_t range) {
  std::vector<std::uint8_t> s(range / 8 + 1, 0);
  for (unsigned i = 0; i <= range; ++i) s[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
  return s;
}
bool bit(const std::vector<std::uint8_t>& s, unsigned i) { return i / 8 < s.size() && ((s[i / 8] >> (i % 8)) & 1); }
void set_bit(std::vector<std::uint8_t>& s, unsigned i) { s[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8)); }
}  // namespace

std::string_view to_string(CcError e) {
  switch (e) {
    case CcError::kUnknownGroup: return "unknown trunk group";
    case CcError::kUnknownCall: return "unknown call";
    case CcError::kWrongState: return "request not valid in this state";
    case CcError::kNoCircuit: return "no circuit available";
    case CcError::kDestinationUnavailable: return "destination unavailable";
    case CcError::kUnknownCircuit: return "unknown circuit";
    case CcError::kBusy: return "procedure already running";
    case CcError::kBadRange: return "bad range";
    case CcError::kCongestion: return "destination congested";
  }
  return "?";
}

IsupCallControl::IsupCallControl(MtpPort& mtp, CallControlUser& user, TimerService& timers, Logger& log,
                                 Counters& counters, IsupRecoveryConfig recovery)
    : mtp_(mtp),
      user_(user),
      timers_(timers),
      log_(log),
      counters_(counters),
      recovery_(recovery),
      pace_timer_(timers),
      reaper_(timers) {}

IsupCallControl::~IsupCallControl() = default;

Result<GroupId, CcError> IsupCallControl::add_group(TrunkGroupConfig cfg) {
  for (const auto& r : cfg.cics)
    if (r.first > r.last || r.last > max_cic(cfg.variant)) return Err(CcError::kBadRange);
  const auto id = static_cast<GroupId>(groups_.size());
  log_.info(Subsystem::kIsup, "group.added",
            {{"group", cfg.name}, {"opc", cfg.opc}, {"dpc", cfg.dpc}, {"variant", to_string(cfg.variant)}});
  CircuitEnv& env = *this;
  groups_.push_back(std::make_unique<TrunkGroup>(id, std::move(cfg), env));
  return id;
}

void IsupCallControl::start() {
  if (!recovery_.reset_on_start) return;
  for (auto& g : groups_) queue_reset(*g);
  pump_grs();
}

// --- lookup ---

TrunkGroup* IsupCallControl::find_group(GroupId id) { return id < groups_.size() ? groups_[id].get() : nullptr; }
const TrunkGroup* IsupCallControl::group(GroupId id) const { return id < groups_.size() ? groups_[id].get() : nullptr; }
const Circuit* IsupCallControl::circuit(GroupId group, std::uint16_t cic) const {
  const TrunkGroup* g = this->group(group);
  return g ? g->find(cic) : nullptr;
}
Circuit* IsupCallControl::find_call(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : it->second;
}
const Circuit* IsupCallControl::circuit_of(CallId call) const {
  auto it = calls_.find(call);
  return it == calls_.end() ? nullptr : it->second;
}
bool IsupCallControl::destination_available(PointCode dpc) const {
  auto it = dests_.find(dpc);
  return it == dests_.end() || (!it->second.paused && !it->second.user_part_unavailable);
}

// --- sending ---

void IsupCallControl::send(const Circuit& c, const MessageBuilder& m) { send_on(c.group(), m); }

void IsupCallControl::send_on(const TrunkGroup& g, const MessageBuilder& m) {
  const auto& cfg = g.config();
  auto bytes = encode(m.message(), cfg.variant);
  if (!m.ok() || !bytes) {
    count("isup.tx.encode_error");
    log_.error(Subsystem::kIsup, "tx.encode_error",
               {{"group", cfg.name},
                {"cic", m.message().cic},
                {"type", m.message().type},
                {"error", bytes ? std::string_view("parameter overflow") : to_string(bytes.error())}});
    return;
  }
  MtpLabel label;
  label.opc = cfg.opc;
  label.dpc = cfg.dpc;
  label.ni = cfg.ni;
  // SLS from the CIC keeps a circuit's messages on one link, in sequence (Q.764 2.2.1).
  label.sls = static_cast<std::uint8_t>(m.message().cic & (cfg.variant == Variant::kAnsi ? 0x1f : 0x0f));
  const auto acr = message_acronym(m.message().type, cfg.variant);
  count(std::string("isup.tx.") + std::string(acr));
  log_.debug(Subsystem::kIsup, "tx", {{"group", cfg.name}, {"cic", m.message().cic}, {"msg", acr}});
  mtp_.transfer(label, *bytes);
}

void IsupCallControl::send_simple(const Circuit& c, std::uint8_t type) {
  MessageBuilder b(type, c.cic());
  send(c, b);
}

void IsupCallControl::send_cause(const TrunkGroup& g, std::uint16_t cic, std::uint8_t type, int cause,
                                 std::span<const std::uint8_t> diagnostic) {
  MessageBuilder b(type, cic);
  CauseIndicators ci;
  ci.location = kLocationPublicLocal;
  ci.value = static_cast<std::uint8_t>(cause);
  ci.diagnostics = diagnostic;
  b.variable(par::kCauseIndicators, ci);
  send_on(g, b);
}

void IsupCallControl::alarm(const Circuit& c, std::string_view what) {
  count(std::string("isup.alarm.") + std::string(what));
  log_.error(Subsystem::kIsup, "alarm", {{"what", what}, {"group", c.group_name()}, {"cic", c.cic()}});
}

CallId IsupCallControl::new_call(Circuit& c) {
  const CallId id = next_call_++;
  calls_[id] = &c;
  return id;
}

void IsupCallControl::call_detached(Circuit& c, CallId id) {
  auto it = calls_.find(id);
  if (it != calls_.end() && it->second == &c) calls_.erase(it);
}

// --- circuit selection, dual seizure avoidance ---

Circuit* IsupCallControl::select_circuit(TrunkGroup& g, const Circuit* exclude) {
  // Q.764 2.10.1.4: prefer the circuits this exchange controls (no dual seizure
  // can be lost there), searched upwards; then the others, searched downwards
  // so the two ends approach each other's circuits from opposite directions.
  const auto& cs = g.circuits();
  for (const auto& c : cs)
    if (c.get() != exclude && c->controlled_here() && c->available_for_outgoing()) return c.get();
  for (auto it = cs.rbegin(); it != cs.rend(); ++it)
    if (it->get() != exclude && !(*it)->controlled_here() && (*it)->available_for_outgoing()) return it->get();
  return nullptr;
}

Result<CallId, CcError> IsupCallControl::setup(GroupId group, SetupRequest req) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  if (!destination_available(g->config().dpc)) {
    count("isup.call.rejected_destination_unavailable");
    return Err(CcError::kDestinationUnavailable);
  }
  if (!admit(g->config().dpc)) {
    count("isup.call.rejected_congestion");
    return Err(CcError::kCongestion);
  }
  Circuit* c = select_circuit(*g, nullptr);
  if (c == nullptr) {
    count("isup.call.no_circuit");
    return Err(CcError::kNoCircuit);
  }
  const CallId id = next_call_++;
  calls_[id] = c;
  if (!c->call().setup(id, std::move(req), 1)) {
    calls_.erase(id);
    return Err(CcError::kWrongState);
  }
  return id;
}

bool IsupCallControl::reattempt(CallId id, SetupRequest req, unsigned attempts, const Circuit& failed) {
  TrunkGroup& g = const_cast<Circuit&>(failed).group();
  if (attempts > 1 + g.config().max_repeat_attempts || !destination_available(g.config().dpc)) return false;
  Circuit* c = select_circuit(g, &failed);
  if (c == nullptr) return false;
  count("isup.call.repeat_attempt");
  log_.info(Subsystem::kIsup, "call.repeat_attempt",
            {{"group", g.config().name}, {"from_cic", failed.cic()}, {"to_cic", c->cic()}, {"attempt", attempts}});
  calls_[id] = c;
  return c->call().setup(id, std::move(req), attempts);
}

// --- call requests ---

#define ISUP_CC_REQUEST(expr)                          \
  Circuit* c = find_call(call);                        \
  if (c == nullptr) return Err(CcError::kUnknownCall); \
  if (!(expr)) return Err(CcError::kWrongState);       \
  return true

Result<bool, CcError> IsupCallControl::send_digits(CallId call, const Number& subsequent) {
  ISUP_CC_REQUEST(c->call().digits(subsequent));
}
Result<bool, CcError> IsupCallControl::alert(CallId call, bool inband) { ISUP_CC_REQUEST(c->call().alert(inband)); }
Result<bool, CcError> IsupCallControl::progress(CallId call, std::uint8_t event, bool inband) {
  ISUP_CC_REQUEST(c->call().progress(event, inband));
}
Result<bool, CcError> IsupCallControl::answer(CallId call) { ISUP_CC_REQUEST(c->call().answer()); }
Result<bool, CcError> IsupCallControl::release(CallId call, int cause, std::uint8_t location) {
  ISUP_CC_REQUEST(c->call().release(cause, location));
}
Result<bool, CcError> IsupCallControl::suspend(CallId call, bool network) {
  ISUP_CC_REQUEST(c->call().suspend(network));
}
Result<bool, CcError> IsupCallControl::resume(CallId call, bool network) { ISUP_CC_REQUEST(c->call().resume(network)); }
Result<bool, CcError> IsupCallControl::request_information(CallId call, const InformationRequestIndicators& ind) {
  ISUP_CC_REQUEST(c->call().request_information(ind));
}
Result<bool, CcError> IsupCallControl::information(CallId call, const InformationIndicators& ind,
                                                   std::vector<OwnedParam> params) {
  ISUP_CC_REQUEST(c->call().information(ind, std::move(params)));
}
Result<bool, CcError> IsupCallControl::user_to_user(CallId call, std::vector<std::uint8_t> uui) {
  ISUP_CC_REQUEST(c->call().user_to_user(std::move(uui)));
}
Result<bool, CcError> IsupCallControl::facility(CallId call, std::vector<OwnedParam> params) {
  ISUP_CC_REQUEST(c->call().facility(std::move(params)));
}
Result<bool, CcError> IsupCallControl::notify(CallId call, std::uint8_t notification) {
  ISUP_CC_REQUEST(c->call().notify(notification));
}
#undef ISUP_CC_REQUEST

void IsupCallControl::continuity_result(GroupId group, std::uint16_t cic, bool ok) {
  TrunkGroup* g = find_group(group);
  Circuit* c = g ? g->find(cic) : nullptr;
  if (c == nullptr) return;
  c->call().continuity_result(ok);
}

// --- maintenance requests ---

Result<bool, CcError> IsupCallControl::block(GroupId group, std::uint16_t cic) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  Circuit* c = g->find(cic);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (!c->blocking().handle(BlockingEvent::kBlockReq)) return Err(CcError::kWrongState);
  return true;
}

Result<bool, CcError> IsupCallControl::unblock(GroupId group, std::uint16_t cic) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  Circuit* c = g->find(cic);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (!c->blocking().handle(BlockingEvent::kUnblockReq)) return Err(CcError::kWrongState);
  return true;
}

void IsupCallControl::reset_locally(Circuit& c, int cause, std::string_view why) { c.call().clear(cause, why); }

Result<bool, CcError> IsupCallControl::reset_circuit(GroupId group, std::uint16_t cic) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  Circuit* c = g->find(cic);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (c->reset().resetting()) return Err(CcError::kBusy);
  reset_locally(*c, kCauseTemporaryFailure, "reset_req");
  c->reset().handle(ResetEvent::kResetReq);
  return true;
}

Result<bool, CcError> IsupCallControl::start_group(TrunkGroup& g, std::uint16_t first, std::uint8_t range,
                                                   const std::function<bool(CircuitGroupFsm&)>& go) {
  Circuit* c = g.find(first);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (first + range > static_cast<int>(max_cic(g.config().variant))) return Err(CcError::kBadRange);
  const GroupKey key{g.id(), first};
  if (group_procs_.count(key)) return Err(CcError::kBusy);
  auto f =
      std::make_unique<CircuitGroupFsm>(*c, [this](CircuitGroupFsm& f, const Message& ack) { group_done(f, ack); });
  auto* raw = f.get();
  group_procs_[key] = std::move(f);
  if (!go(*raw)) {
    group_procs_.erase(key);
    return Err(CcError::kWrongState);
  }
  return true;
}

Result<bool, CcError> IsupCallControl::group_block(GroupId group, std::uint16_t first, std::uint8_t range,
                                                   bool hardware, std::vector<std::uint8_t> status) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  if (range == 0) return Err(CcError::kBadRange);  // Q.763 3.43: range 0 is reserved for CGB/CGU
  if (status.empty()) status = all_bits(range);
  if (status.size() != static_cast<std::size_t>(range / 8 + 1)) return Err(CcError::kBadRange);
  auto r = start_group(*g, first, range, [&](CircuitGroupFsm& f) { return f.block(hardware, range, status); });
  if (r && hardware) {
    // Q.764 2.8.2.2: hardware-failure blocking releases the calls on those circuits.
    for (unsigned i = 0; i <= range; ++i)
      if (Circuit* c = g->find(static_cast<std::uint16_t>(first + i)); c && bit(status, i))
        reset_locally(*c, kCauseTemporaryFailure, "CGB(hardware)");
  }
  return r;
}

Result<bool, CcError> IsupCallControl::group_unblock(GroupId group, std::uint16_t first, std::uint8_t range,
                                                     bool hardware, std::vector<std::uint8_t> status) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  if (range == 0) return Err(CcError::kBadRange);
  if (status.empty()) status = all_bits(range);
  if (status.size() != static_cast<std::size_t>(range / 8 + 1)) return Err(CcError::kBadRange);
  return start_group(*g, first, range, [&](CircuitGroupFsm& f) { return f.unblock(hardware, range, status); });
}

Result<bool, CcError> IsupCallControl::group_reset(GroupId group, std::uint16_t first, std::uint8_t range) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  if (range == 0 || range > 31) return Err(CcError::kBadRange);  // Q.763 3.43: GRS range 1..31
  auto r = start_group(*g, first, range, [&](CircuitGroupFsm& f) { return f.reset(range); });
  if (r) {
    for (unsigned i = 0; i <= range; ++i)
      if (Circuit* c = g->find(static_cast<std::uint16_t>(first + i))) {
        reset_locally(*c, kCauseTemporaryFailure, "GRS_sent");
        c->group_reset_pending = true;
      }
  }
  return r;
}

Result<bool, CcError> IsupCallControl::query(GroupId group, std::uint16_t first, std::uint8_t range) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  Circuit* c = g->find(first);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (range > 31) return Err(CcError::kBadRange);
  MessageBuilder b(msg::kCqm, first);
  b.variable(par::kRangeAndStatus, RangeAndStatus{range, {}});
  send(*c, b);
  // T28: no CQR -> alert maintenance (Q.764 2.10.4, Table A.1).
  auto& t = t28_[{group, first}];
  if (!t) t = std::make_unique<Timer>(timers_);
  t->start(c->timer_config().t28, [this, c] { alarm(*c, "t28_expired"); });
  return true;
}

void IsupCallControl::group_done(CircuitGroupFsm& f, const Message& ack) {
  TrunkGroup& g = f.first().group();
  const GroupKey key{g.id(), f.cic()};
  RangeAndStatus rs;
  if (const Param* p = ack.find(par::kRangeAndStatus)) {
    auto d = RangeAndStatus::decode(p->value);
    if (d) rs = *d;
  }
  if (rs.range != f.range()) {
    count("isup.group.ack_range_mismatch");
    log_.warn(Subsystem::kIsup, "group.ack_range_mismatch",
              {{"group", g.config().name}, {"cic", f.cic()}, {"sent", f.range()}, {"received", rs.range}});
  }
  // Q.764 2.8.2.3: circuits requested but not acknowledged are requested
  // again; circuits blocked by the peer without being asked are unblocked.
  std::vector<std::uint8_t> missing(f.range() / 8 + 1, 0), extra(f.range() / 8 + 1, 0);
  for (unsigned i = 0; i <= f.range(); ++i) {
    const bool acked = rs.status_bit(i);
    if (ack.type != msg::kGra && f.status_bit(i) && !acked) set_bit(missing, i);
    if (ack.type == msg::kCgba && !f.status_bit(i) && acked) set_bit(extra, i);
    Circuit* c = g.find(static_cast<std::uint16_t>(f.cic() + i));
    if (c == nullptr) continue;
    switch (ack.type) {
      case msg::kGra:
        // Q.764 2.10.3.2: the circuits are idle; a status bit set means the
        // peer has that circuit locally maintenance blocked.
        c->group_reset_pending = false;
        if (c->reset().resetting()) c->reset().handle(ResetEvent::kGroupReset);
        c->remote_maint_blocked = acked;
        c->remote_hw_blocked = false;
        break;
      case msg::kCgba:
        if (!f.status_bit(i)) break;
        if (!acked) break;
        if (f.hardware()) {
          c->local_hw_blocked = true;
        } else {
          c->blocking().handle(BlockingEvent::kGroupBlocked);
        }
        break;
      case msg::kCgua:
        if (!f.status_bit(i) || !acked) break;
        if (f.hardware()) {
          c->local_hw_blocked = false;
        } else {
          c->blocking().handle(BlockingEvent::kGroupUnblocked);
        }
        break;
      default: break;
    }
  }
  auto it = group_procs_.find(key);
  if (it != group_procs_.end()) {
    finished_.push_back(std::move(it->second));  // destroyed later: we are inside its callback
    group_procs_.erase(it);
  }
  if (paced_grs_.erase(key) && grs_in_flight_ > 0) --grs_in_flight_;
  const bool hw = f.hardware();
  const std::uint8_t range = f.range();
  const std::uint16_t first = f.cic();
  auto any = [](const std::vector<std::uint8_t>& v) {
    return std::any_of(v.begin(), v.end(), [](std::uint8_t b) { return b != 0; });
  };
  if (any(missing)) {
    count(ack.type == msg::kCgba ? "isup.group.cgba_missing_bit" : "isup.group.cgua_missing_bit");
    if (ack.type == msg::kCgba) {
      (void)start_group(g, first, range, [&](CircuitGroupFsm& n) { return n.block(hw, range, missing); });
    } else {
      (void)start_group(g, first, range, [&](CircuitGroupFsm& n) { return n.unblock(hw, range, missing); });
    }
  } else if (any(extra)) {
    count("isup.group.cgba_extra_bit");
    (void)start_group(g, first, range, [&](CircuitGroupFsm& n) { return n.unblock(hw, range, extra); });
  }
  reaper_.start(Clock::duration::zero(), [this] {
    finished_.clear();
    pump_grs();
  });
}

// --- recovery: paced GRS (Q.764 2.10.3.2) ---

void IsupCallControl::queue_reset(TrunkGroup& g) {
  // Runs of consecutive CICs, at most 32 circuits (range 31) per GRS.
  const auto& cs = g.circuits();
  std::size_t i = 0;
  while (i < cs.size()) {
    std::size_t j = i;
    while (j + 1 < cs.size() && cs[j + 1]->cic() == cs[j]->cic() + 1 && j + 1 - i < 32) ++j;
    grs_queue_.push_back(GrsJob{g.id(), cs[i]->cic(), static_cast<std::uint8_t>(j - i)});
    i = j + 1;
  }
  log_.info(Subsystem::kIsup, "recovery.reset_queued", {{"group", g.config().name}, {"jobs", grs_queue_.size()}});
}

void IsupCallControl::pump_grs() {
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) / std::max(1u, recovery_.grs_per_second);
  while (!grs_queue_.empty() && grs_in_flight_ < std::max(1u, recovery_.max_grs_in_flight)) {
    // First job whose destination is reachable.
    auto it = std::find_if(grs_queue_.begin(), grs_queue_.end(), [this](const GrsJob& j) {
      const TrunkGroup* g = group(j.group);
      return g && !dests_[g->config().dpc].paused;
    });
    if (it == grs_queue_.end()) return;
    const auto now = timers_.clock().now();
    if (last_grs_ && now < *last_grs_ + interval) {
      pace_timer_.start(*last_grs_ + interval - now, [this] { pump_grs(); });
      return;
    }
    const GrsJob job = *it;
    grs_queue_.erase(it);
    TrunkGroup* g = find_group(job.group);
    if (g == nullptr) continue;
    last_grs_ = now;
    if (job.range == 0) {
      // A lone circuit: GRS range 0 is reserved (Q.763 3.43), use RSC.
      if (Circuit* c = g->find(job.first); c && !c->reset().resetting()) {
        reset_locally(*c, kCauseTemporaryFailure, "recovery");
        c->reset().handle(ResetEvent::kResetReq);
      }
      continue;
    }
    if (group_reset(job.group, job.first, job.range)) {
      paced_grs_.insert({job.group, job.first});
      ++grs_in_flight_;
    }
  }
}

// --- MTP primitives ---

void IsupCallControl::on_pause(PointCode dpc) {
  auto& d = dest(dpc);
  count("isup.mtp.pause");
  log_.warn(Subsystem::kIsup, "mtp.pause", {{"dpc", dpc}});
  d.paused = true;
}

void IsupCallControl::on_resume(PointCode dpc) {
  auto& d = dest(dpc);
  count("isup.mtp.resume");
  log_.notice(Subsystem::kIsup, "mtp.resume", {{"dpc", dpc}});
  const bool was_paused = d.paused;
  d.paused = false;
  if (was_paused && recovery_.reset_on_resume) {
    // Circuit states may have diverged during the outage: reset them all, paced.
    for (auto& g : groups_)
      if (g->config().dpc == dpc) queue_reset(*g);
  }
  pump_grs();
}

void IsupCallControl::on_status(PointCode dpc, const MtpStatus& st) {
  if (st.cause == MtpStatusCause::kCongestion) {
    count("isup.mtp.congestion");
    log_.warn(Subsystem::kIsup, "mtp.congestion", {{"dpc", dpc}, {"level", st.congestion_level}});
    // Q.764 2.13.3: reduce the traffic by one step and start T29 and T30;
    // indications while T29 runs are ignored; each T30 expiry restores one step.
    const TrunkGroup* g = nullptr;
    for (auto& x : groups_)
      if (x->config().dpc == dpc) g = x.get();
    if (g == nullptr) return;
    auto& d = dest(dpc);
    if (!d.t29) d.t29 = std::make_unique<Timer>(timers_);
    if (!d.t30) d.t30 = std::make_unique<Timer>(timers_);
    if (d.t29->running()) return;
    d.congestion_level = std::min(d.congestion_level + 1, std::max(1u, recovery_.congestion_steps));
    log_.notice(Subsystem::kIsup, "traffic.reduced", {{"dpc", dpc}, {"step", d.congestion_level}});
    const auto& t = g->config().timers;
    d.t29->start(t.t29, [] {});
    d.t30->start(t.t30, [this, dpc, t30 = t.t30] { on_t30(dpc, t30); });
    return;
  }
  count("isup.mtp.user_part_unavailable");
  log_.warn(Subsystem::kIsup, "mtp.user_part_unavailable", {{"dpc", dpc}, {"cause", static_cast<int>(st.upu_cause)}});
  auto& d = dest(dpc);
  d.user_part_unavailable = true;
  // Q.764 2.13.2: probe with UPT every T4 until the user part answers.
  TrunkGroup* probe = nullptr;
  for (auto& g : groups_)
    if (g->config().dpc == dpc && !g->circuits().empty()) probe = g.get();
  if (probe == nullptr || (d.t4 && d.t4->running())) return;
  if (!d.t4) d.t4 = std::make_unique<Timer>(timers_);
  d.t4->start(probe->config().timers.t4, [this, dpc, probe] { on_t4(dpc, probe); });
}

void IsupCallControl::on_t30(PointCode dpc, milliseconds t30) {
  auto& d = dest(dpc);
  if (d.congestion_level > 0) --d.congestion_level;
  log_.notice(Subsystem::kIsup, "traffic.restored", {{"dpc", dpc}, {"step", d.congestion_level}});
  if (d.congestion_level > 0) d.t30->start(t30, [this, dpc, t30] { on_t30(dpc, t30); });
}

bool IsupCallControl::admit(PointCode dpc) {
  auto it = dests_.find(dpc);
  if (it == dests_.end() || it->second.congestion_level == 0) return true;
  auto& d = it->second;
  const unsigned n = std::max(1u, recovery_.congestion_steps);
  return (d.admitted++ % n) < n - std::min(d.congestion_level, n);
}

unsigned IsupCallControl::congestion_level(PointCode dpc) const {
  auto it = dests_.find(dpc);
  return it == dests_.end() ? 0 : it->second.congestion_level;
}

void IsupCallControl::on_t4(PointCode dpc, TrunkGroup* probe) {
  auto& d = dest(dpc);
  if (!d.user_part_unavailable) return;
  MessageBuilder b(msg::kUpt, probe->circuits().front()->cic());
  send_on(*probe, b);
  d.t4->start(probe->config().timers.t4, [this, dpc, probe] { on_t4(dpc, probe); });
}

// --- receive side ---

TrunkGroup* IsupCallControl::route(const MtpLabel& label, std::span<const std::uint8_t> data) {
  TrunkGroup* first = nullptr;
  const unsigned cic = data.size() >= 2 ? (data[0] | (data[1] << 8)) : 0;
  for (auto& g : groups_) {
    const auto& c = g->config();
    if (c.dpc != label.opc || c.opc != label.dpc || c.ni != label.ni) continue;
    if (first == nullptr) first = g.get();
    if (g->find(static_cast<std::uint16_t>(cic & max_cic(c.variant)))) return g.get();
  }
  return first;
}

void IsupCallControl::on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) {
  TrunkGroup* g = route(label, data);
  if (g == nullptr) {
    count("isup.rx.no_route");
    log_.warn(Subsystem::kIsup, "rx.no_route", {{"opc", label.opc}, {"dpc", label.dpc}, {"ni", label.ni}});
    return;
  }
  if (auto it = dests_.find(label.opc); it != dests_.end() && it->second.user_part_unavailable) {
    // Any message from the peer's user part ends the unavailability (Q.764 2.13.2).
    it->second.user_part_unavailable = false;
    if (it->second.t4) it->second.t4->stop();
  }
  auto m = decode(data, g->config().variant);
  if (!m) {
    if (m.error() == DecodeError::kUnknownMessageType) {
      unknown_message(*g, data);
      return;
    }
    count("isup.rx.decode_error");
    log_.warn(Subsystem::kIsup, "rx.decode_error", {{"group", g->config().name}, {"error", to_string(m.error())}});
    return;
  }
  Circuit* c = g->find(m->cic);
  if (c == nullptr) {
    unequipped_cic(*g, m->cic, m->type);
    return;
  }
  if (!check_parameters(*g, *c, *m)) return;
  dispatch(*g, *c, *m);
}

void IsupCallControl::unequipped_cic(TrunkGroup& g, std::uint16_t cic, std::uint8_t type) {
  count("isup.rx.unequipped_cic");
  log_.warn(Subsystem::kIsup, "rx.unequipped_cic", {{"group", g.config().name}, {"cic", cic}, {"type", type}});
  // Q.764 2.12: answer with UCIC (national option), never to a UCIC.
  if (!g.config().send_ucic || type == msg::kUcic) return;
  MessageBuilder b(msg::kUcic, cic);
  send_on(g, b);
}

void IsupCallControl::unknown_message(TrunkGroup& g, std::span<const std::uint8_t> data) {
  // Q.764 2.9.5.1: an unrecognized message. Messages added after 1992 carry
  // only an optional part, so the message compatibility information can be
  // found behind the optional-part pointer.
  count("isup.rx.unrecognized_message");
  if (data.size() < 3) return;
  const std::uint16_t cic = static_cast<std::uint16_t>((data[0] | (data[1] << 8)) & max_cic(g.config().variant));
  const std::uint8_t type = data[2];
  log_.warn(Subsystem::kIsup, "rx.unrecognized_message", {{"group", g.config().name}, {"cic", cic}, {"type", type}});
  Circuit* c = g.find(cic);
  if (c == nullptr) {
    unequipped_cic(g, cic, type);
    return;
  }
  std::optional<MessageCompatibilityInformation> mci;
  if (data.size() > 3 && data[3] != 0) {
    std::size_t p = 3 + data[3];
    while (p + 1 < data.size() && data[p] != 0) {
      const std::size_t len = data[p + 1];
      if (p + 2 + len > data.size()) break;
      if (data[p] == par::kMessageCompatibilityInformation) {
        auto d = MessageCompatibilityInformation::decode(data.subspan(p + 2, len));
        if (d) mci = *d;
        break;
      }
      p += 2 + len;
    }
  }
  const std::uint8_t diag[1] = {type};
  if (mci && mci->release_call) {
    release_for_compatibility(*c, kCauseMessageTypeNonExistent);
    return;
  }
  // Without instructions (or discard with notification): CFN cause 97 naming the message type.
  if (!mci || mci->send_notification) send_cause(g, cic, msg::kCfn, kCauseMessageTypeNonExistent, diag);
}

void IsupCallControl::release_for_compatibility(Circuit& c, int cause) {
  const CallId id = c.call().call_id();
  if (id == 0) return;
  if (c.call().release(cause)) user_.on_release(id, cause);
}

bool IsupCallControl::check_parameters(TrunkGroup& g, Circuit& c, const Message& m) {
  // Q.764 2.9.5.2: unrecognized optional parameters, with the instructions of
  // the parameter compatibility information when present.
  const Variant v = g.config().variant;
  std::vector<std::uint8_t> discarded;  // CFN cause 99 diagnostics
  bool notify_discard_message = false;
  bool discard_message = false;
  std::optional<ParameterCompatibilityInformation> pci;
  if (const Param* p = m.find(par::kParameterCompatibilityInformation)) {
    auto d = ParameterCompatibilityInformation::decode(p->value);
    if (d) pci = *d;
  }
  for (const auto& p : m.optional) {
    if (!param_name(p.code, v).empty()) continue;
    count("isup.rx.unrecognized_parameter");
    std::uint8_t ins = 0;
    bool have = false;
    if (pci)
      for (const auto& e : pci->entries)
        if (e.parameter == p.code && !e.instructions.empty()) {
          ins = e.instructions[0];
          have = true;
        }
    if (!have) {  // default: discard the parameter and notify
      discarded.push_back(p.code);
      continue;
    }
    const bool release_call = ins & 0x02, send_notification = ins & 0x04, discard_msg = ins & 0x08,
               discard_param = ins & 0x10;
    if (release_call) {
      if (m.type != msg::kRel && m.type != msg::kRlc) release_for_compatibility(c, kCauseParameterNonExistent);
      return false;
    }
    if (discard_msg) {
      discard_message = true;
      notify_discard_message = notify_discard_message || send_notification;
    } else {
      // Discard the parameter (or pass on, impossible at an end node): it is simply not interpreted.
      (void)discard_param;
      if (send_notification) discarded.push_back(p.code);
    }
  }
  if (m.type == msg::kCfn) return !discard_message;  // never answer a CFN with a CFN
  if (discard_message) {
    if (notify_discard_message) {
      const std::uint8_t diag[1] = {m.type};
      send_cause(g, m.cic, msg::kCfn, kCauseMessageWithParameterDiscarded, diag);
    }
    return false;
  }
  if (!discarded.empty()) send_cause(g, m.cic, msg::kCfn, kCauseParameterNonExistent, discarded);
  return true;
}

void IsupCallControl::dispatch(TrunkGroup& g, Circuit& c, const Message& m) {
  const auto acr = message_acronym(m.type, g.config().variant);
  count(std::string("isup.rx.") + std::string(acr));
  log_.debug(Subsystem::kIsup, "rx", {{"group", g.config().name}, {"cic", m.cic}, {"msg", acr}});
  switch (m.type) {
    case msg::kIam: rx_iam(c, m); break;
    case msg::kSam:
    case msg::kAcm:
    case msg::kCon:
    case msg::kAnm:
    case msg::kCpg:
    case msg::kRel:
    case msg::kSus:
    case msg::kRes:
    case msg::kInr:
    case msg::kInf:
    case msg::kUsr:
    case msg::kFac:
    case msg::kCot:
    case msg::kCcr: c.call().on_message(m); break;
    case msg::kRlc: rx_rlc(c, m); break;
    case msg::kRsc: rx_rsc(c); break;
    case msg::kBlo: rx_blo(c); break;
    case msg::kUbl: rx_ubl(c); break;
    case msg::kBla: c.blocking().handle(BlockingEvent::kBlaRx); break;
    case msg::kUba: c.blocking().handle(BlockingEvent::kUbaRx); break;
    case msg::kGrs: rx_grs(g, m); break;
    case msg::kCgb:
    case msg::kCgu: rx_cgb_cgu(g, m); break;
    case msg::kCgba:
    case msg::kCgua:
    case msg::kGra: rx_group_ack(g, m); break;
    case msg::kCqm: rx_cqm(g, m); break;
    case msg::kCqr: rx_cqr(g, m); break;
    case msg::kUcic: rx_ucic(c); break;
    case msg::kUpt: send_simple(c, msg::kUpa); break;  // Q.764 2.13.2: user part test
    case msg::kUpa: break;
    case msg::kCfn: {
      int cause = 0;
      if (const Param* p = m.find(par::kCauseIndicators))
        if (auto ci = CauseIndicators::decode(p->value)) cause = ci->value;
      count("isup.rx.cfn");
      log_.warn(Subsystem::kIsup, "rx.confusion", {{"group", g.config().name}, {"cic", m.cic}, {"cause", cause}});
      break;
    }
    default:
      count("isup.rx.unsupported");
      log_.info(Subsystem::kIsup, "rx.unsupported", {{"group", g.config().name}, {"cic", m.cic}, {"msg", acr}});
      break;
  }
}

void IsupCallControl::rx_iam(Circuit& c, const Message& m) {
  if (c.blocking().locally_blocked()) {
    // Q.764 2.8.2.3: an IAM on a circuit we blocked: discard it, repeat BLO.
    count("isup.rx.iam_on_blocked_circuit");
    c.blocking().handle(BlockingEvent::kIamRx);
    return;
  }
  if (c.reset().resetting() || c.group_reset_pending || c.local_hw_blocked) {
    count("isup.rx.iam_discarded");
    return;
  }
  // An IAM implies the peer no longer blocks the circuit (Q.764 2.8.2.3).
  c.remote_maint_blocked = false;
  c.call().on_message(m);
}

void IsupCallControl::rx_rlc(Circuit& c, const Message& m) {
  if (c.reset().resetting()) {
    c.reset().handle(ResetEvent::kRlcRx);
    if (c.call().state() == CallState::kReleasing) c.call().on_message(m);
    return;
  }
  c.call().on_message(m);
}

void IsupCallControl::rx_rsc(Circuit& c) {
  // Q.764 2.10.3.1: clear the call, remove remote blocking, answer RLC; a
  // locally blocked circuit repeats BLO.
  reset_locally(c, kCauseTemporaryFailure, "RSC");
  c.remote_maint_blocked = false;
  send_simple(c, msg::kRlc);
  if (c.blocking().locally_blocked()) c.blocking().handle(BlockingEvent::kResetRx);
}

void IsupCallControl::rx_blo(Circuit& c) {
  c.remote_maint_blocked = true;
  send_simple(c, msg::kBla);
  c.call().blocked_before_backward();
}

void IsupCallControl::rx_ubl(Circuit& c) {
  c.remote_maint_blocked = false;
  send_simple(c, msg::kUba);
}

void IsupCallControl::rx_ucic(Circuit& c) {
  // Q.764 2.12: the peer has no such circuit: take it out of service, repeat the call elsewhere.
  alarm(c, "ucic_received");
  c.unequipped = true;
  if (!c.call().unequipped_before_backward()) reset_locally(c, kCauseTemporaryFailure, "UCIC");
}

void IsupCallControl::rx_grs(TrunkGroup& g, const Message& m) {
  const Param* p = m.find(par::kRangeAndStatus);
  auto rs = p ? RangeAndStatus::decode(p->value) : Result<RangeAndStatus, DecodeError>(Err(DecodeError::kBadValue));
  const unsigned min_range = g.config().variant == Variant::kAnsi ? 0 : 1;
  if (!rs || rs->range < min_range || rs->range > 31) {
    count("isup.rx.grs_bad_range");  // Q.764 2.9.3.2: discard
    return;
  }
  std::vector<std::uint8_t> status(rs->range / 8 + 1, 0);
  for (unsigned i = 0; i <= rs->range; ++i) {
    Circuit* c = g.find(static_cast<std::uint16_t>(m.cic + i));
    if (c == nullptr) continue;
    reset_locally(*c, kCauseTemporaryFailure, "GRS");
    c->remote_maint_blocked = false;
    c->remote_hw_blocked = false;
    // GRA status bit: we hold the circuit maintenance blocked (Q.764 2.10.3.2).
    if (c->blocking().locally_blocked()) set_bit(status, i);
  }
  MessageBuilder b(msg::kGra, m.cic);
  b.variable(par::kRangeAndStatus, RangeAndStatus{rs->range, status});
  send_on(g, b);
  // Q.764 2.10.3.2: the reset cleared the peer's record of our hardware
  // blocking; re-assert it with a hardware-failure oriented CGB.
  std::vector<std::uint8_t> hw(rs->range / 8 + 1, 0);
  bool any_hw = false;
  for (unsigned i = 0; i <= rs->range; ++i)
    if (const Circuit* c = g.find(static_cast<std::uint16_t>(m.cic + i)); c && c->local_hw_blocked) {
      set_bit(hw, i);
      any_hw = true;
    }
  if (any_hw && rs->range > 0)
    (void)start_group(g, m.cic, rs->range, [&](CircuitGroupFsm& f) { return f.block(true, rs->range, hw); });
}

void IsupCallControl::rx_cgb_cgu(TrunkGroup& g, const Message& m) {
  const bool block = m.type == msg::kCgb;
  const Param* tp = m.find(par::kCircuitGroupSupervisionMessageType);
  const Param* rp = m.find(par::kRangeAndStatus);
  auto type = tp ? CircuitGroupSupervisionMessageType::decode(tp->value)
                 : Result<CircuitGroupSupervisionMessageType, DecodeError>(Err(DecodeError::kBadValue));
  auto rs = rp ? RangeAndStatus::decode(rp->value) : Result<RangeAndStatus, DecodeError>(Err(DecodeError::kBadValue));
  if (!type || !rs || rs->range == 0 || rs->status.empty() || type->type > 1) {
    count("isup.rx.cgb_invalid");  // Q.764 2.9.3.2: discard
    return;
  }
  unsigned set = 0;
  for (unsigned i = 0; i <= rs->range; ++i) set += rs->status_bit(i);
  if (set > 32) {
    count("isup.rx.cgb_invalid");
    return;
  }
  const bool hardware = type->type == 1;
  std::vector<std::uint8_t> status(rs->range / 8 + 1, 0);
  for (unsigned i = 0; i <= rs->range; ++i) {
    if (!rs->status_bit(i)) continue;
    Circuit* c = g.find(static_cast<std::uint16_t>(m.cic + i));
    if (c == nullptr) continue;
    set_bit(status, i);
    if (hardware) {
      c->remote_hw_blocked = block;
      // Q.764 2.8.2.2: hardware failure blocking removes calls without REL/RLC.
      if (block) reset_locally(*c, kCauseTemporaryFailure, "CGB(hardware)");
    } else {
      c->remote_maint_blocked = block;
      if (block) c->call().blocked_before_backward();
    }
  }
  MessageBuilder b(block ? msg::kCgba : msg::kCgua, m.cic);
  b.fixed(par::kCircuitGroupSupervisionMessageType, *type);
  b.variable(par::kRangeAndStatus, RangeAndStatus{rs->range, status});
  send_on(g, b);
}

void IsupCallControl::rx_group_ack(TrunkGroup& g, const Message& m) {
  auto it = group_procs_.find({g.id(), m.cic});
  if (it == group_procs_.end() || !it->second->on_ack(m)) {
    count("isup.rx.unexpected_group_ack");
    log_.info(Subsystem::kIsup, "rx.unexpected_group_ack",
              {{"group", g.config().name}, {"cic", m.cic}, {"msg", message_acronym(m.type, g.config().variant)}});
  }
}

void IsupCallControl::rx_cqm(TrunkGroup& g, const Message& m) {
  const Param* p = m.find(par::kRangeAndStatus);
  auto rs = p ? RangeAndStatus::decode(p->value) : Result<RangeAndStatus, DecodeError>(Err(DecodeError::kBadValue));
  if (!rs || rs->range > 31) {
    count("isup.rx.cqm_bad_range");
    return;
  }
  // Q.764 2.10.4 / Q.763 3.14: one circuit state indicator octet per circuit.
  std::vector<std::uint8_t> states;
  for (unsigned i = 0; i <= rs->range; ++i) {
    const Circuit* c = g.find(static_cast<std::uint16_t>(m.cic + i));
    states.push_back(c ? c->state_indicator() : std::uint8_t{0x03});  // 0x03: unequipped
  }
  MessageBuilder b(msg::kCqr, m.cic);
  b.variable(par::kRangeAndStatus, RangeAndStatus{rs->range, {}});
  b.variable(par::kCircuitStateIndicator, states);
  send_on(g, b);
}

void IsupCallControl::rx_cqr(TrunkGroup& g, const Message& m) {
  auto it = t28_.find({g.id(), m.cic});
  if (it != t28_.end()) it->second->stop();
  const Param* p = m.find(par::kCircuitStateIndicator);
  user_.on_query_response(g.id(), m.cic, p ? p->value : Bytes{});
}

}  // namespace isupgw::isup
