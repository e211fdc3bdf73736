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

enum class Action : std::uint8_t {
  kCrcxLoop,
  kCrcxTest,
  kLoopReady,       // honour a disconnect requested while connecting
  kMarkDisconnect,  // remember to delete the loop once it exists
  kDlcx,
  kRqnt,  // request the check tone and its outcome, start T24
  kReportPassDlcx,
  kReportFailDlcx,
  kReportFailForget,  // nothing was created: report and forget
  kForget,
};

struct Row {
  CotState from;
  CotEvent event;
  CotState to;
  Action action;
};

// (state, event) -> (next state, action). Pairs not listed are ignored and logged.
constexpr std::array kTable{
    Row{CotState::kIdle, CotEvent::kConnectLoop, CotState::kLoopConnecting, Action::kCrcxLoop},
    Row{CotState::kIdle, CotEvent::kStartTest, CotState::kTestConnecting, Action::kCrcxTest},
    Row{CotState::kLoopConnecting, CotEvent::kCreated, CotState::kLooped, Action::kLoopReady},
    Row{CotState::kLoopConnecting, CotEvent::kCreateFailed, CotState::kIdle, Action::kForget},
    Row{CotState::kLoopConnecting, CotEvent::kDisconnectLoop, CotState::kLoopConnecting, Action::kMarkDisconnect},
    Row{CotState::kLooped, CotEvent::kDisconnectLoop, CotState::kDeleting, Action::kDlcx},
    Row{CotState::kTestConnecting, CotEvent::kCreated, CotState::kToneRequested, Action::kRqnt},
    Row{CotState::kTestConnecting, CotEvent::kCreateFailed, CotState::kIdle, Action::kReportFailForget},
    // The NTFY may overtake the RQNT's own response: accept the outcome in either state.
    Row{CotState::kToneRequested, CotEvent::kPassed, CotState::kDeleting, Action::kReportPassDlcx},
    Row{CotState::kToneRequested, CotEvent::kFailed, CotState::kDeleting, Action::kReportFailDlcx},
    Row{CotState::kToneRequested, CotEvent::kT24, CotState::kDeleting, Action::kReportFailDlcx},
    Row{CotState::kDeleting, CotEvent::kDeleted, CotState::kIdle, Action::kForget},
};

const Row* lookup(CotState s, CotEvent e) {
  for (const Row& r : kTable)
    if (r.from == s && r.event == e) return &r;
  return nullptr;
}

std::string hex_id(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

ContinuityChecker::ContinuityChecker(MgcpClient& client, TimerService& timers, Logger& log, Counters& counters,
                                     ContinuityConfig cfg)
    : client_(client), timers_(timers), log_(log), counters_(counters), cfg_(cfg) {}

ContinuityChecker::~ContinuityChecker() {
  for (auto& [ep, c] : circuits_)
    if (c.t24 != 0) timers_.cancel(c.t24);
}

CotState ContinuityChecker::state(std::string_view endpoint) const {
  auto it = circuits_.find(endpoint);
  return it == circuits_.end() ? CotState::kIdle : it->second.state;
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
    counters_.get("mgcp.cot.busy").inc();
    log_.warn(Subsystem::kMgcp, "cot.busy", {{"endpoint", endpoint}, {"state", to_string(state(endpoint))}});
    timers_.start(Clock::duration::zero(), [done = std::move(done)] { done(false); });
    return;
  }
  Circuit& c = circuits_[endpoint];
  c.generation = next_generation_++;
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

void ContinuityChecker::set_state(const std::string& endpoint, Circuit& c, CotState to, CotEvent ev) {
  log_.debug(Subsystem::kMgcp, "cot.transition",
             {{"endpoint", endpoint}, {"from", to_string(c.state)}, {"event", to_string(ev)}, {"to", to_string(to)}});
  c.state = to;
}

void ContinuityChecker::fire(const std::string& endpoint, CotEvent ev) {
  auto it = circuits_.find(endpoint);
  if (it == circuits_.end()) {
    if (ev != CotEvent::kConnectLoop) {
      log_.debug(Subsystem::kMgcp, "cot.ignored",
                 {{"endpoint", endpoint}, {"state", "idle"}, {"event", to_string(ev)}});
      return;
    }
    it = circuits_.emplace(endpoint, Circuit{}).first;
    it->second.generation = next_generation_++;
  }
  Circuit& c = it->second;
  const Row* row = lookup(c.state, ev);
  if (row == nullptr) {
    log_.debug(Subsystem::kMgcp, "cot.ignored",
               {{"endpoint", endpoint}, {"state", to_string(c.state)}, {"event", to_string(ev)}});
    return;
  }
  set_state(endpoint, c, row->to, ev);
  switch (row->action) {
    case Action::kCrcxLoop: send_crcx(endpoint, c, mgcp::ConnectionMode::kLoopback); break;
    case Action::kCrcxTest: send_crcx(endpoint, c, mgcp::ConnectionMode::kContinuityTest); break;
    case Action::kLoopReady:
      counters_.get("mgcp.cot.loops").inc();
      if (c.disconnect_pending) fire(endpoint, CotEvent::kDisconnectLoop);
      break;
    case Action::kMarkDisconnect: c.disconnect_pending = true; break;
    case Action::kDlcx: send_dlcx(endpoint, c); break;
    case Action::kRqnt: send_rqnt(endpoint, c); break;
    case Action::kReportPassDlcx:
      report(c, true);
      send_dlcx(endpoint, c);
      break;
    case Action::kReportFailDlcx:
      report(c, false);
      send_dlcx(endpoint, c);
      break;
    case Action::kReportFailForget:
      report(c, false);
      circuits_.erase(it);
      break;
    case Action::kForget: circuits_.erase(it); break;
  }
}

void ContinuityChecker::report(Circuit& c, bool passed) {
  if (c.t24 != 0) {
    timers_.cancel(c.t24);
    c.t24 = 0;
  }
  counters_.get(passed ? "mgcp.cot.passed" : "mgcp.cot.failed").inc();
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
