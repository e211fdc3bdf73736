// Circuit and circuit group supervision of IsupCallControl: blocking and
// unblocking (Q.764 2.8.2: BLO/UBL, CGB/CGU), reset (2.10.3: RSC, GRS),
// unequipped circuits (2.12: UCIC) and circuit group query (CQM/CQR), both
// the requests of our maintenance and the peer's messages.
#include "isup/isup_cc.h"

#include <algorithm>
#include <string>

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

namespace {
std::vector<std::uint8_t> all_bits(std::uint8_t range) {
  std::vector<std::uint8_t> s(range / 8 + 1, 0);
  for (unsigned i = 0; i <= range; ++i) s[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
  return s;
}
bool bit(const std::vector<std::uint8_t>& s, unsigned i) { return i / 8 < s.size() && ((s[i / 8] >> (i % 8)) & 1); }
void set_bit(std::vector<std::uint8_t>& s, unsigned i) { s[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8)); }
}  // namespace

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
  reset_locally(*c, cause::kTemporaryFailure, "reset_req");
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
        reset_locally(*c, cause::kTemporaryFailure, "CGB(hardware)");
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
        reset_locally(*c, cause::kTemporaryFailure, "GRS_sent");
        c->group_reset_pending = true;
      }
  }
  return r;
}

Result<bool, CcError> IsupCallControl::query(GroupId group, std::uint16_t first, std::uint8_t range, QueryDone done) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  Circuit* c = g->find(first);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  if (range > 31) return Err(CcError::kBadRange);
  if (done && queries_.count({group, first})) return Err(CcError::kBusy);
  if (done) queries_[{group, first}] = std::move(done);
  MessageBuilder b(msg::kCqm, first);
  b.variable(par::kRangeAndStatus, RangeAndStatus{range, {}});
  send(*c, b);
  // T28: no CQR -> alert maintenance (Q.764 2.10.4, Table A.1).
  auto& t = t28_[{group, first}];
  if (!t) t = std::make_unique<OneShotTimer>(timers_);
  t->arm(c->timer_config().t28, [this, c, key = GroupKey{group, first}] {
    alarm(*c, "t28_expired");
    if (auto q = queries_.find(key); q != queries_.end()) {
      auto waiting = std::move(q->second);
      queries_.erase(q);
      waiting(std::nullopt);
    }
  });
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
        c->touched();
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
          c->touched();
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
  if (paced_grs_.erase(key)) {
    auto& d = dest(g.config().dpc);
    if (d.grs_in_flight > 0) --d.grs_in_flight;
  }
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
  reaper_.arm(Clock::duration::zero(), [this] {
    finished_.clear();
    pump_grs();
  });
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
  reset_locally(c, cause::kTemporaryFailure, "RSC");
  c.remote_maint_blocked = false;
  c.touched();
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
  c.touched();
  send_simple(c, msg::kUba);
}

void IsupCallControl::rx_ucic(Circuit& c) {
  // Q.764 2.12: the peer has no such circuit: take it out of service, repeat the call elsewhere.
  alarm(c, "ucic_received");
  c.unequipped = true;
  if (!c.call().unequipped_before_backward()) reset_locally(c, cause::kTemporaryFailure, "UCIC");
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
    reset_locally(*c, cause::kTemporaryFailure, "GRS");
    c->remote_maint_blocked = false;
    c->remote_hw_blocked = false;
    c->touched();
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
    c->touched();
    if (hardware) {
      c->remote_hw_blocked = block;
      // Q.764 2.8.2.2: hardware failure blocking removes calls without REL/RLC.
      if (block) reset_locally(*c, cause::kTemporaryFailure, "CGB(hardware)");
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
  if (it != t28_.end()) it->second->cancel();
  const Param* p = m.find(par::kCircuitStateIndicator);
  if (auto q = queries_.find({g.id(), m.cic}); q != queries_.end()) {
    auto waiting = std::move(q->second);
    queries_.erase(q);
    waiting(p ? std::vector<std::uint8_t>(p->value.begin(), p->value.end()) : std::vector<std::uint8_t>{});
  }
  user_->on_query_response(g.id(), m.cic, p ? p->value : Bytes{});
}

}  // namespace isupgw::isup
