#include "isup/isup_cc.h"

#include <algorithm>
#include <string>

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

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
    case CcError::kNotForwardable: return "message type not forwardable";
  }
  return "?";
}

IsupCallControl::IsupCallControl(MtpPort& mtp, CallControlUser& user, TimerService& timers, Logger& log,
                                 Counters& counters, IsupRecoveryConfig recovery)
    : mtp_(mtp),
      user_(&user),
      timers_(timers),
      log_(log),
      counters_(counters),
      meters_(log, counters),
      tx_encode_error_(counters.get("isup.tx.encode_error")),
      recovery_(recovery),
      reaper_(timers) {}

IsupCallControl::~IsupCallControl() = default;

Result<GroupId, CcError> IsupCallControl::add_group(TrunkGroupConfig cfg) {
  for (const auto& r : cfg.cics)
    if (r.first > r.last || r.last > max_cic(cfg.variant)) return Err(CcError::kBadRange);
  const auto id = static_cast<GroupId>(groups_.size());
  log_.info(Subsystem::kIsup, "group.added",
            {{"group", cfg.name}, {"opc", cfg.opc}, {"dpc", cfg.dpc}, {"variant", to_string(cfg.variant)}});
  auto& mc = message_counters_[static_cast<std::size_t>(cfg.variant)];
  if (!mc) {
    mc = std::make_unique<MessageCounters>();
    for (unsigned type = 0; type < 256; ++type) {
      const auto acr = message_acronym(static_cast<std::uint8_t>(type), cfg.variant);
      if (acr.empty()) continue;
      mc->tx[type] = &counters_.get(std::string("isup.tx.") + std::string(acr));
      mc->rx[type] = &counters_.get(std::string("isup.rx.") + std::string(acr));
    }
  }
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
    tx_encode_error_.inc();
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
  const std::uint8_t type = m.message().type;
  if (send_segmented(g, m.message(), *bytes, label)) return;  // Q.764 2.1.12
  if (Counter* k = message_counters(cfg.variant).tx[type]) k->inc();
  if (log_.enabled(Subsystem::kIsup, LogLevel::kDebug))
    log_.debug(Subsystem::kIsup, "tx",
               {{"group", cfg.name}, {"cic", m.message().cic}, {"msg", message_acronym(type, cfg.variant)}});
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
  // A circuit withdrawn by a reload: its last call has ended, block it now (BLO).
  if (c.withdrawn && c.blocking().state() == BlockingState::kUnblocked) {
    count("isup.circuit.withdrawn_blocked");
    (void)c.blocking().handle(BlockingEvent::kBlockReq);
  }
}

// --- circuit selection, dual seizure avoidance ---

Circuit* IsupCallControl::select_circuit(TrunkGroup& g, const Circuit* exclude) {
  // Q.764 2.10.1.4: prefer the circuits this exchange controls (no dual seizure
  // can be lost there), searched upwards; then the others, searched downwards
  // so the two ends approach each other's circuits from opposite directions.
  return g.hunt(exclude);
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
  if (g->config().continuity_check) req.continuity_check = true;
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
  if (!c->call().setup(id, std::move(req), attempts)) return false;
  user_->on_repeat_attempt(id, g.id(), c->cic());
  return true;
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
Result<bool, CcError> IsupCallControl::alert(CallId call, bool inband, const Message* basis) {
  ISUP_CC_REQUEST(based(*c, basis, [&] { return c->call().alert(inband); }));
}
Result<bool, CcError> IsupCallControl::progress(CallId call, std::uint8_t event, bool inband, const Message* basis) {
  ISUP_CC_REQUEST(based(*c, basis, [&] { return c->call().progress(event, inband); }));
}
Result<bool, CcError> IsupCallControl::answer(CallId call, const Message* basis) {
  ISUP_CC_REQUEST(based(*c, basis, [&] { return c->call().answer(); }));
}
Result<bool, CcError> IsupCallControl::release(CallId call, int cause, std::uint8_t location, const Message* basis) {
  ISUP_CC_REQUEST(based(*c, basis, [&] { return c->call().release(cause, location); }));
}
Result<bool, CcError> IsupCallControl::overload(CallId call) { ISUP_CC_REQUEST(c->call().overload()); }
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
Result<bool, CcError> IsupCallControl::forward(CallId call, const Message& m) {
  Circuit* c = find_call(call);
  if (c == nullptr) return Err(CcError::kUnknownCall);
  auto flag = [&m](std::uint8_t code) {
    const Param* p = m.find(code);
    auto f = p ? FlagOctet::decode(p->value) : Result<FlagOctet, DecodeError>(Err(DecodeError::kBadValue));
    return f && f->flag;
  };
  std::function<bool()> request;
  switch (m.type) {
    case msg::kCpg: {  // Q.764 2.1.5: after ACM, either direction once answered
      const Param* p = m.find(par::kEventInformation);
      auto ev =
          p ? EventInformation::decode(p->value) : Result<EventInformation, DecodeError>(Err(DecodeError::kBadValue));
      if (!ev) return Err(CcError::kNotForwardable);
      request = [c, e = ev->event] { return c->call().progress(e, false); };
      break;
    }
    case msg::kUsr: request = [c] { return c->call().user_to_user({}); }; break;
    case msg::kFac: request = [c] { return c->call().facility({}); }; break;
    case msg::kSus: request = [c, n = flag(par::kSuspendResumeIndicators)] { return c->call().suspend(n); }; break;
    case msg::kRes: request = [c, n = flag(par::kSuspendResumeIndicators)] { return c->call().resume(n); }; break;
    case msg::kSam: {
      const Param* p = m.find(par::kSubsequentNumber);
      auto n = p ? Number::decode(NumberKind::kSubsequent, p->value)
                 : Result<Number, DecodeError>(Err(DecodeError::kBadValue));
      if (!n) return Err(CcError::kNotForwardable);
      request = [c, n = *n] { return c->call().digits(n); };
      break;
    }
    case msg::kInr: {
      const Param* p = m.find(par::kInformationRequestIndicators);
      auto i = p ? InformationRequestIndicators::decode(p->value)
                 : Result<InformationRequestIndicators, DecodeError>(Err(DecodeError::kBadValue));
      if (!i) return Err(CcError::kNotForwardable);
      request = [c, i = *i] { return c->call().request_information(i); };
      break;
    }
    case msg::kInf: {
      const Param* p = m.find(par::kInformationIndicators);
      auto i = p ? InformationIndicators::decode(p->value)
                 : Result<InformationIndicators, DecodeError>(Err(DecodeError::kBadValue));
      if (!i) return Err(CcError::kNotForwardable);
      request = [c, i = *i] { return c->call().information(i, {}); };
      break;
    }
    default: return Err(CcError::kNotForwardable);
  }
  if (!based(*c, &m, request)) return Err(CcError::kWrongState);
  return true;
}

#undef ISUP_CC_REQUEST

void IsupCallControl::continuity_result(GroupId group, std::uint16_t cic, bool ok) {
  TrunkGroup* g = find_group(group);
  Circuit* c = g ? g->find(cic) : nullptr;
  if (c == nullptr) return;
  c->call().continuity_result(ok);
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
    if (it->second.t4) it->second.t4->cancel();
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
  if (c == nullptr && m->type == msg::kCvt) {
    rx_cvt(*g, m->cic, false);  // the validation fails: no such circuit here (T1.113.4)
    return;
  }
  if (c == nullptr) {
    unequipped_cic(*g, m->cic, m->type);
    return;
  }
  if (on_segment(*g, *c, *m, data)) return;  // held for its SGM, or an SGM (Q.764 2.1.12)
  deliver(*g, *c, *m);
}

void IsupCallControl::dispatch(TrunkGroup& g, Circuit& c, const Message& m) {
  const Variant v = g.config().variant;
  if (Counter* k = message_counters(v).rx[m.type]) k->inc();
  if (log_.enabled(Subsystem::kIsup, LogLevel::kDebug))
    log_.debug(Subsystem::kIsup, "rx",
               {{"group", g.config().name}, {"cic", m.cic}, {"msg", message_acronym(m.type, v)}});
  switch (m.type) {
    case msg::kIam: rx_iam(c, m); break;
    case msg::kSam:
    case msg::kAcm:
    case msg::kCon:
    case msg::kAnm:
    case msg::kRel:
      if (m.find(par::kAutomaticCongestionLevel) != nullptr) rx_acl(g, m);
      c.call().on_message(m);
      break;
    case msg::kCpg:
    case msg::kSus:
    case msg::kRes:
    case msg::kInr:
    case msg::kInf:
    case msg::kUsr:
    case msg::kFac:
    case msg::kOlm:
    case msg::kCot:
    case msg::kCcr:
    case msg::kCrm:  // ANSI circuit reservation (circuit_reservation.cpp)
    case msg::kExm: c.call().on_message(m); break;
    case msg::kCvt: rx_cvt(g, m.cic, true); break;
    case msg::kCvr: rx_cvr(g, m); break;
    case msg::kCrg:  // issue 20: charge information during a call, for the call record (national format)
      if (!c.call().idle() && c.call().call_id() != 0) user_->on_charge(c.call().call_id(), m);
      break;
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
      log_.info(Subsystem::kIsup, "rx.unsupported",
                {{"group", g.config().name}, {"cic", m.cic}, {"msg", message_acronym(m.type, v)}});
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
  c.touched();
  c.call().on_message(m);
}

}  // namespace isupgw::isup
