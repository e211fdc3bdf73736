#include "media-gw/h248_continuity.h"

namespace isupgw::mediagw {

namespace {

using S = CotState;
using E = CotEvent;
using A = H248Continuity::Action;

// (state, event) -> (next state, action); the MGCP checker's table with the H.248 commands. kCreated is the
// Add's reply, kDeleted the Subtract's. Pairs not listed are refused (counted, logged).
constexpr auto kTable = fsm::make_table<kCotStates, kCotEvents, H248Continuity::Row>({
    {S::kIdle, E::kConnectLoop, S::kLoopConnecting, A::kAddLoop},
    {S::kIdle, E::kStartTest, S::kTestConnecting, A::kAddTest},
    {S::kLoopConnecting, E::kCreated, S::kLooped, A::kLoopReady},
    {S::kLoopConnecting, E::kCreateFailed, S::kIdle, A::kForget},
    {S::kLoopConnecting, E::kDisconnectLoop, fsm::stay, A::kMarkDisconnect},
    {S::kLooped, E::kDisconnectLoop, S::kDeleting, A::kSubtract},
    {S::kTestConnecting, E::kCreated, S::kToneRequested, A::kStartT24},
    {S::kTestConnecting, E::kCreateFailed, S::kIdle, A::kReportFailForget},
    {S::kToneRequested, E::kPassed, S::kDeleting, A::kReportPassSubtract},
    {S::kToneRequested, E::kFailed, S::kDeleting, A::kReportFailSubtract},
    {S::kToneRequested, E::kT24, S::kDeleting, A::kReportFailSubtract},
    {S::kDeleting, E::kDeleted, S::kIdle, A::kForget},
});

h248::Command add_command(const std::string& termination) {
  h248::Command c;
  c.type = h248::CommandType::kAdd;
  c.termination_id = termination;
  return c;
}

// E.10 ObservedEvents parameter res: success / failure (in the text encoding any letter case).
std::optional<bool> cmp_result(const h248::ObservedEvent& e) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
  };
  if (lower(e.name) != "ct/cmp") return std::nullopt;
  for (const auto& p : e.parameters) {
    if (lower(p.name) != "res") continue;
    std::string v = lower(p.value);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v == "success") return true;
    if (v == "failure") return false;
  }
  return false;  // a completion without a result proves nothing: a failure
}

}  // namespace

H248Continuity::H248Continuity(H248Client& client, TimerService& timers, Logger& log, Counters& counters,
                               ContinuityConfig cfg)
    : client_(client),
      timers_(timers),
      log_(log),
      cfg_(cfg),
      meter_(kTable, log, counters,
             {.counters = "h248.cot",
              .subsystem = Subsystem::kMgcp,
              .refused_level = LogLevel::kDebug,
              .transition_log = "cot.transition",
              .refused_log = "cot.ignored",
              .label_key = "termination"}),
      loops_(counters.get("h248.cot.loops")),
      passed_(counters.get("h248.cot.passed")),
      failed_(counters.get("h248.cot.failed")),
      busy_(counters.get("h248.cot.busy")) {}

H248Continuity::~H248Continuity() {
  *alive_ = false;
  for (auto& [t, c] : circuits_)
    if (c.t24 != 0) timers_.cancel(c.t24);
}

CotState H248Continuity::state(std::string_view termination) const {
  auto it = circuits_.find(termination);
  return it == circuits_.end() ? CotState::kIdle : it->second.m.state();
}

H248Continuity::Circuit* H248Continuity::find(const std::string& termination, std::uint64_t generation) {
  auto it = circuits_.find(termination);
  if (it == circuits_.end() || it->second.generation != generation) return nullptr;
  return &it->second;
}

void H248Continuity::connect_loop(const std::string& termination) { fire(termination, E::kConnectLoop); }

void H248Continuity::disconnect_loop(const std::string& termination) { fire(termination, E::kDisconnectLoop); }

void H248Continuity::start_test(const std::string& termination, Done done) {
  if (state(termination) != CotState::kIdle) {
    busy_.inc();
    log_.warn(Subsystem::kMgcp, "cot.busy", {{"termination", termination}, {"state", to_string(state(termination))}});
    timers_.start(Clock::duration::zero(), [done = std::move(done)] { done(false); });
    return;
  }
  Circuit& c = add(termination);
  c.done = std::move(done);
  fire(termination, E::kStartTest);
}

bool H248Continuity::on_notify(const h248::Command& notify, const h248::ContextId& context) {
  auto it = circuits_.find(notify.termination_id);
  if (it == circuits_.end() || !notify.observed_events || it->second.request_id == 0) return false;
  Circuit& c = it->second;
  if (notify.observed_events->request_id != c.request_id) return false;
  if (c.context && context.kind == h248::ContextId::Kind::kId && context.id != *c.context) return false;
  std::optional<bool> outcome;
  for (const auto& e : notify.observed_events->events)
    if (auto r = cmp_result(e)) outcome = r;
  if (!outcome) return false;
  if (c.m.state() == S::kTestConnecting) {
    c.early_outcome = outcome;  // the Notify overtook the Add's reply
    return true;
  }
  fire(notify.termination_id, *outcome ? E::kPassed : E::kFailed);
  return true;
}

H248Continuity::Circuit& H248Continuity::add(const std::string& termination) {
  auto it = circuits_.try_emplace(termination, meter_).first;
  it->second.m.set_label(fsm::Label{it->first});
  it->second.generation = next_generation_++;
  return it->second;
}

void H248Continuity::fire(const std::string& termination, CotEvent ev) {
  auto it = circuits_.find(termination);
  if (it == circuits_.end()) {
    if (ev != E::kConnectLoop) {
      fsm::Machine<Row>(meter_, S::kIdle, fsm::Label{termination}).step(ev);
      return;
    }
    add(termination);
    it = circuits_.find(termination);
  }
  Circuit& c = it->second;
  const Row* row = c.m.step(ev);
  if (row == nullptr) return;
  switch (row->action) {
    case A::kAddLoop: send_add(termination, c, false); break;
    case A::kAddTest: send_add(termination, c, true); break;
    case A::kLoopReady:
      loops_.inc();
      if (c.disconnect_pending) fire(termination, E::kDisconnectLoop);
      break;
    case A::kMarkDisconnect: c.disconnect_pending = true; break;
    case A::kSubtract: send_subtract(termination, c); break;
    case A::kStartT24: {
      if (c.early_outcome) {
        const bool passed = *c.early_outcome;
        c.early_outcome.reset();
        fire(termination, passed ? E::kPassed : E::kFailed);
        break;
      }
      const std::uint64_t gen = c.generation;
      c.t24 = timers_.start(cfg_.t24, [this, termination, gen] {
        if (Circuit* cur = find(termination, gen)) {
          cur->t24 = 0;
          fire(termination, E::kT24);
        }
      });
      break;
    }
    case A::kReportPassSubtract:
      report(c, true);
      send_subtract(termination, c);
      break;
    case A::kReportFailSubtract:
      report(c, false);
      send_subtract(termination, c);
      break;
    case A::kReportFailForget:
    case A::kForget: {
      if (row->action == A::kReportFailForget) report(c, false);
      const std::string name = it->first;  // `termination` may be the key itself
      circuits_.erase(it);
      if (on_idle_) on_idle_(name);
      break;
    }
  }
}

void H248Continuity::report(Circuit& c, bool passed) {
  if (c.t24 != 0) {
    timers_.cancel(c.t24);
    c.t24 = 0;
  }
  (passed ? passed_ : failed_).inc();
  if (!c.done) return;
  timers_.start(Clock::duration::zero(), [done = std::move(c.done), passed] { done(passed); });
  c.done = nullptr;
}

void H248Continuity::send_add(const std::string& termination, Circuit& c, bool test) {
  h248::Command add = add_command(termination);
  add.signals = h248::SignalsDescriptor{};
  if (test) {
    c.request_id = next_request_++;
    add.events = h248::EventsDescriptor{c.request_id, {h248::RequestedEvent{"ct/cmp", {}}}};
    add.signals->signals.push_back(h248::SignalRequest{"ct/ct", {}});
  } else {
    // 7.1.11: an On/Off signal lasts until the Signals descriptor is replaced or the termination subtracted.
    add.signals->signals.push_back(h248::SignalRequest{"ct/rsp", {h248::Property{"SY", '=', "OO"}}});
  }
  const std::uint64_t gen = c.generation;
  std::weak_ptr<bool> alive = alive_;
  client_.send({h248::Action{h248::ContextId::choose(), {std::move(add)}}},
               [this, alive, termination, gen](const H248Outcome& o) {
                 if (alive.expired()) return;
                 Circuit* cur = find(termination, gen);
                 if (cur == nullptr) return;
                 std::optional<h248::ErrorDescriptor> err;
                 if (o.ok()) err = reply_error(*o);
                 if (o.ok() && !o->actions.empty() && o->actions[0].context.kind == h248::ContextId::Kind::kId)
                   cur->context = o->actions[0].context.id;
                 if (o.ok() && !err && cur->context) {
                   fire(termination, E::kCreated);
                   return;
                 }
                 log_.warn(Subsystem::kMgcp, "cot.add_failed",
                           {{"termination", termination},
                            {"error", o.ok() ? "reply" : to_string(o.error().error)},
                            {"code", err ? err->code : (o.ok() ? 0 : o.error().code)}});
                 // Whatever the MG made is taken away again; the machine forgets the circuit at once.
                 if (cur->context) {
                   h248::Command sub;
                   sub.type = h248::CommandType::kSubtract;
                   sub.termination_id = termination;
                   client_.send({h248::Action{h248::ContextId::of(*cur->context), {std::move(sub)}}},
                                [](const H248Outcome&) {});
                 }
                 fire(termination, E::kCreateFailed);
               });
}

void H248Continuity::send_subtract(const std::string& termination, Circuit& c) {
  h248::Command sub;
  sub.type = h248::CommandType::kSubtract;
  sub.termination_id = termination;
  const std::uint64_t gen = c.generation;
  std::weak_ptr<bool> alive = alive_;
  client_.send({h248::Action{h248::ContextId::of(c.context.value_or(0)), {std::move(sub)}}},
               [this, alive, termination, gen](const H248Outcome& o) {
                 if (alive.expired()) return;
                 std::optional<h248::ErrorDescriptor> err;
                 if (o.ok()) err = reply_error(*o);
                 if (!o.ok() || err)
                   log_.warn(Subsystem::kMgcp, "cot.subtract_failed",
                             {{"termination", termination},
                              {"code", err ? err->code : (o.ok() ? 0 : o.error().code)}});
                 if (find(termination, gen) != nullptr) fire(termination, E::kDeleted);
               });
}

}  // namespace isupgw::mediagw
