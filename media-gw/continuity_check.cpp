#include "media-gw/continuity_check.h"

#include <array>
#include <cstdio>

#include "media-gw/mgcp_connection.h"

namespace isupgw::mediagw {

std::string_view to_string(CotState s) {
  switch (s) {
    case CotState::kIdle: return "idle";
    case CotState::kLoopConnecting: return "loop-connecting";
    case CotState::kLooped: return "looped";
    case CotState::kTestConnecting: return "test-connecting";
    case CotState::kToneRequested: return "tone-requested";
    case CotState::kDeleting: return "deleting";
  }
  return "?";
}

std::string_view to_string(CotEvent e) {
  switch (e) {
    case CotEvent::kConnectLoop: return "connect-loop";
    case CotEvent::kDisconnectLoop: return "disconnect-loop";
    case CotEvent::kStartTest: return "start-test";
    case CotEvent::kCreated: return "created";
    case CotEvent::kCreateFailed: return "create-failed";
    case CotEvent::kPassed: return "passed";
    case CotEvent::kFailed: return "failed";
    case CotEvent::kT24: return "t24";
    case CotEvent::kDeleted: return "deleted";
  }
  return "?";
}

namespace {

using S = CotState;
using E = CotEvent;
using A = ContinuityChecker::Action;

// (state, event) -> (next state, action). Pairs not listed are refused (counted, logged).
constexpr auto kTable = fsm::make_table<kCotStates, kCotEvents, ContinuityChecker::Row>({
    {S::kIdle, E::kConnectLoop, S::kLoopConnecting, A::kCrcxLoop},
    {S::kIdle, E::kStartTest, S::kTestConnecting, A::kCrcxTest},
    {S::kLoopConnecting, E::kCreated, S::kLooped, A::kLoopReady},
    {S::kLoopConnecting, E::kCreateFailed, S::kIdle, A::kForget},
    {S::kLoopConnecting, E::kDisconnectLoop, fsm::stay, A::kMarkDisconnect},
    {S::kLooped, E::kDisconnectLoop, S::kDeleting, A::kDlcx},
    {S::kTestConnecting, E::kCreated, S::kToneRequested, A::kRqnt},
    {S::kTestConnecting, E::kCreateFailed, S::kIdle, A::kReportFailForget},
    // The NTFY may overtake the RQNT's own response: accept the outcome in either state.
    {S::kToneRequested, E::kPassed, S::kDeleting, A::kReportPassDlcx},
    {S::kToneRequested, E::kFailed, S::kDeleting, A::kReportFailDlcx},
    {S::kToneRequested, E::kT24, S::kDeleting, A::kReportFailDlcx},
    {S::kDeleting, E::kDeleted, S::kIdle, A::kForget},
});

std::string hex_id(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

ContinuityChecker::ContinuityChecker(MgcpClient& client, TimerService& timers, Logger& log, Counters& counters,
                                     ContinuityConfig cfg)
    : client_(client),
      timers_(timers),
      log_(log),
      cfg_(cfg),
      meter_(kTable, log, counters,
             {.counters = "mgcp.cot",
              .subsystem = Subsystem::kMgcp,
              .refused_level = LogLevel::kDebug,
              .transition_log = "cot.transition",
              .refused_log = "cot.ignored",
              .label_key = "endpoint"}),
      loops_(counters.get("mgcp.cot.loops")),
      passed_(counters.get("mgcp.cot.passed")),
      failed_(counters.get("mgcp.cot.failed")),
      busy_(counters.get("mgcp.cot.busy")) {}

ContinuityChecker::~ContinuityChecker() {
  for (auto& [ep, c] : circuits_)
    if (c.t24 != 0) timers_.cancel(c.t24);
}

CotState ContinuityChecker::state(std::string_view endpoint) const {
  auto it = circuits_.find(endpoint);
  return it == circuits_.end() ? CotState::kIdle : it->second.m.state();
}

ContinuityChecker::Circuit* ContinuityChecker::find(const std::string& endpoint, std::uint64_t generation) {
  auto it = circuits_.find(endpoint);
  if (it == circuits_.end() || it->second.generation != generation) return nullptr;
  return &it->second;
}

void ContinuityChecker::connect_loop(const std::string& endpoint) { fire(endpoint, CotEvent::kConnectLoop); }

void ContinuityChecker::disconnect_loop(const std::string& endpoint) { fire(endpoint, CotEvent::kDisconnectLoop); }

void ContinuityChecker::start_test(const std::string& endpoint, Done done) {
  if (state(endpoint) != CotState::kIdle) {
    // The endpoint is still busy with an earlier check: this one cannot run.
    busy_.inc();
    log_.warn(Subsystem::kMgcp, "cot.busy", {{"endpoint", endpoint}, {"state", to_string(state(endpoint))}});
    timers_.start(Clock::duration::zero(), [done = std::move(done)] { done(false); });
    return;
  }
  Circuit& c = add(endpoint);
  c.outgoing = true;
  c.done = std::move(done);
  fire(endpoint, CotEvent::kStartTest);
}

bool ContinuityChecker::on_notify(const mgcp::Command& ntfy) {
  auto it = circuits_.find(ntfy.endpoint);
  if (it == circuits_.end() || !it->second.outgoing) return false;
  const auto* x = ntfy.param(mgcp::param::kRequestIdentifier);
  const auto* o = ntfy.param(mgcp::param::kObservedEvents);
  if (x == nullptr || o == nullptr || !mgcp::iequals(*x, it->second.request_id)) return false;
  auto contains = [&](std::string_view ev) {
    const std::string_view s = *o;
    for (std::size_t i = 0; i + ev.size() <= s.size(); ++i)
      if (mgcp::iequals(s.substr(i, ev.size()), ev)) return true;
    return false;
  };
  // RFC 3660 T package: oc = operation complete (tone returned), of = operation failure.
  if (contains("T/of"))
    fire(ntfy.endpoint, CotEvent::kFailed);
  else if (contains("T/oc"))
    fire(ntfy.endpoint, CotEvent::kPassed);
  else
    return false;
  return true;
}

ContinuityChecker::Circuit& ContinuityChecker::add(const std::string& endpoint) {
  auto it = circuits_.try_emplace(endpoint, meter_).first;
  it->second.m.set_label(fsm::Label{it->first});
  it->second.generation = next_generation_++;
  return it->second;
}

void ContinuityChecker::fire(const std::string& endpoint, CotEvent ev) {
  auto it = circuits_.find(endpoint);
  if (it == circuits_.end()) {
    if (ev != E::kConnectLoop) {
      // An idle endpoint has no entry: its machine is idle and refuses the event.
      fsm::Machine<Row>(meter_, S::kIdle, fsm::Label{endpoint}).step(ev);
      return;
    }
    add(endpoint);
    it = circuits_.find(endpoint);
  }
  Circuit& c = it->second;
  const Row* row = c.m.step(ev);
  if (row == nullptr) return;
  switch (row->action) {
    case A::kCrcxLoop: send_crcx(endpoint, c, mgcp::ConnectionMode::kLoopback); break;
    case A::kCrcxTest: send_crcx(endpoint, c, mgcp::ConnectionMode::kContinuityTest); break;
    case A::kLoopReady:
      loops_.inc();
      if (c.disconnect_pending) fire(endpoint, E::kDisconnectLoop);
      break;
    case A::kMarkDisconnect: c.disconnect_pending = true; break;
    case A::kDlcx: send_dlcx(endpoint, c); break;
    case A::kRqnt: send_rqnt(endpoint, c); break;
    case A::kReportPassDlcx:
      report(c, true);
      send_dlcx(endpoint, c);
      break;
    case A::kReportFailDlcx:
      report(c, false);
      send_dlcx(endpoint, c);
      break;
    case A::kReportFailForget:
      report(c, false);
      circuits_.erase(it);
      break;
    case A::kForget: circuits_.erase(it); break;
  }
}

void ContinuityChecker::report(Circuit& c, bool passed) {
  if (c.t24 != 0) {
    timers_.cancel(c.t24);
    c.t24 = 0;
  }
  (passed ? passed_ : failed_).inc();
  if (!c.done) return;
  // Never call back from inside a request (the ISUP side may start another).
  timers_.start(Clock::duration::zero(), [done = std::move(c.done), passed] { done(passed); });
  c.done = nullptr;
}

void ContinuityChecker::send_crcx(const std::string& endpoint, Circuit& c, mgcp::ConnectionMode mode) {
  c.call_id = "c0" + hex_id(next_id_++);
  CrcxRequest r;
  r.endpoint = endpoint;
  r.call_id = c.call_id;
  r.mode = mode;
  const std::uint64_t gen = c.generation;
  create_connection(client_, r, [this, endpoint, gen](const Result<ConnectionInfo, ConnectionFailure>& res) {
    Circuit* cur = find(endpoint, gen);
    if (cur == nullptr) return;
    if (res.ok()) {
      cur->connection_id = res->connection_id;
      fire(endpoint, CotEvent::kCreated);
    } else {
      log_.warn(
          Subsystem::kMgcp, "cot.crcx_failed",
          {{"endpoint", endpoint}, {"error", to_string(res.error().error)}, {"code", res.error().transaction.code}});
      fire(endpoint, CotEvent::kCreateFailed);
    }
  });
}

void ContinuityChecker::send_rqnt(const std::string& endpoint, Circuit& c) {
  c.request_id = hex_id(next_id_++);
  mgcp::Command q;
  q.verb = mgcp::Verb::kRqnt;
  q.endpoint = endpoint;
  q.set(mgcp::param::kRequestIdentifier, c.request_id);
  q.set(mgcp::param::kRequestedEvents, "T/oc, T/of");
  q.set(mgcp::param::kSignalRequests, "T/co1");
  const std::uint64_t gen = c.generation;
  c.t24 = timers_.start(cfg_.t24, [this, endpoint, gen] {
    if (Circuit* cur = find(endpoint, gen)) {
      cur->t24 = 0;
      fire(endpoint, CotEvent::kT24);
    }
  });
  client_.send(std::move(q), [this, endpoint, gen](const Outcome& o) {
    if (o.ok()) return;  // the outcome comes by NTFY
    Circuit* cur = find(endpoint, gen);
    if (cur == nullptr) return;
    log_.warn(Subsystem::kMgcp, "cot.rqnt_failed",
              {{"endpoint", endpoint}, {"error", to_string(o.error().error)}, {"code", o.error().code}});
    fire(endpoint, CotEvent::kFailed);
  });
}

void ContinuityChecker::send_dlcx(const std::string& endpoint, Circuit& c) {
  const std::uint64_t gen = c.generation;
  client_.send(make_dlcx(endpoint, c.call_id, c.connection_id), [this, endpoint, gen](const Outcome& o) {
    if (!o.ok())
      log_.warn(Subsystem::kMgcp, "cot.dlcx_failed", {{"endpoint", endpoint}, {"error", to_string(o.error().error)}});
    if (find(endpoint, gen) != nullptr) fire(endpoint, CotEvent::kDeleted);
  });
}

}  // namespace isupgw::mediagw
