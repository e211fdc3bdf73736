// ANSI T1.113 circuit validation: CVT (circuit validation test, 0xEC, no
// parameters) asks the far end whether its translations for the circuit match
// ours; CVR (circuit validation response, 0xEB) answers with two mandatory
// fixed parameters (T1.113.3): the circuit validation response indicator (0xE6;
// BA 00 failure, 01 success) and the circuit group characteristics indicator
// (0xE5; BA carrier, DC double-seizure control, FE alarm carrier, HG continuity
// check requirement). CVT is a maintenance test of one circuit, run at
// turn-up or on an operator's request, whatever the circuit's call state.
#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "isup/params.h"

namespace isupgw::isup {

namespace {
// Circuit group characteristics indicator, DC: 01 odd CICs, 10 even CICs, 11 all, 00 none.
std::uint8_t double_seizure_bits(const TrunkGroup& g) {
  return static_cast<std::uint8_t>((g.controls(1) ? 1 : 0) | (g.controls(2) ? 2 : 0));
}
}  // namespace

std::uint8_t IsupCallControl::group_characteristics(const TrunkGroup& g) {
  CircuitGroupCharacteristics cgc;
  cgc.carrier = 0;  // unknown: the carrier and its alarm handling are not configured (README limit)
  cgc.double_seizure = double_seizure_bits(g);
  cgc.alarm_carrier = 0;
  cgc.continuity_check = g.config().continuity_check ? 3 : 1;  // 11 per call, 01 none
  ParamBytes b;
  cgc.encode(b);
  return b[0];
}

// CVT received: CVR success for a circuit of the group, failure for a CIC we
// do not have (the translations differ: the test exists to find that).
void IsupCallControl::rx_cvt(TrunkGroup& g, std::uint16_t cic, bool known) {
  if (!known) {
    if (Counter* k = message_counters(Variant::kAnsi).rx[msg::kCvt]) k->inc();  // not dispatched: no circuit
    count("isup.cvt.unknown_circuit");
    log_.warn(Subsystem::kIsup, "cvt.unknown_circuit", {{"group", g.config().name}, {"cic", cic}});
  }
  MessageBuilder b(msg::kCvr, cic);
  b.fixed(par::kAnsiCircuitValidationResponse, OctetValue{static_cast<std::uint8_t>(known ? 1 : 0)});
  b.fixed(par::kAnsiCircuitGroupCharacteristics, OctetValue{group_characteristics(g)});
  send_on(g, b);
}

Result<bool, CcError> IsupCallControl::validate(GroupId group, std::uint16_t cic, ValidationDone done) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  if (g->config().variant != Variant::kAnsi) return Err(CcError::kWrongState);  // CVT is ANSI only
  Circuit* c = g->find(cic);
  if (c == nullptr) return Err(CcError::kUnknownCircuit);
  const GroupKey key{group, cic};
  if (validations_.count(key)) return Err(CcError::kBusy);
  auto& pending = validations_[key];
  pending.done = std::move(done);
  pending.tcvt = std::make_unique<OneShotTimer>(timers_);
  MessageBuilder b(msg::kCvt, cic);
  send(*c, b);
  pending.tcvt->arm(c->timer_config().tcvt, [this, key, g] {
    auto it = validations_.find(key);
    if (it == validations_.end()) return;
    auto waiting = std::move(it->second.done);
    validations_.erase(it);
    count("isup.cvt.no_response");
    log_.warn(Subsystem::kIsup, "cvt.no_response", {{"group", g->config().name}, {"cic", key.second}});
    CircuitValidation v;
    v.ours = group_characteristics(*g);
    if (waiting) waiting(v);
  });
  return true;
}

void IsupCallControl::rx_cvr(TrunkGroup& g, const Message& m) {
  auto it = validations_.find({g.id(), m.cic});
  if (it == validations_.end()) {
    count("isup.cvr.unexpected");  // no CVT of ours: nothing to judge, nothing to answer
    return;
  }
  auto waiting = std::move(it->second.done);
  validations_.erase(it);  // cancels T_CVT
  CircuitValidation v;
  v.answered = true;
  v.ours = group_characteristics(g);
  if (const Param* p = m.find(par::kAnsiCircuitValidationResponse); p && p->value.size() == 1)
    v.success = (p->value[0] & 0x03) == 1;
  if (const Param* p = m.find(par::kAnsiCircuitGroupCharacteristics); p && p->value.size() == 1)
    v.theirs = p->value[0];
  auto field = [](std::uint8_t octet, unsigned shift) { return (octet >> shift) & 0x03; };
  const bool dc_ok = (field(v.ours, 2) ^ field(v.theirs, 2)) == 3;
  auto same_if_known = [&](unsigned shift) {
    const auto a = field(v.ours, shift), b = field(v.theirs, shift);
    return a == 0 || b == 0 || a == b;
  };
  v.consistent = dc_ok && same_if_known(0) && same_if_known(6);
  count(!v.success ? "isup.cvt.failure" : v.consistent ? "isup.cvt.success" : "isup.cvt.inconsistent");
  log_.notice(Subsystem::kIsup, "cvt.result",
              {{"group", g.config().name},
               {"cic", m.cic},
               {"success", v.success},
               {"consistent", v.consistent},
               {"ours", v.ours},
               {"theirs", v.theirs}});
  if (waiting) waiting(v);
}

}  // namespace isupgw::isup
