// The call engine's call detail record (issue 17): built once per call, at its end (finish()), from
// what the call already holds; the call path itself only stamps two times (first progress, answer).
#include "engine/call_engine.h"

namespace isupgw::engine {

namespace {

// The engine's times are on its (steady, injectable) clock; a CDR's are wall-clock milliseconds.
struct WallFromSteady {
  Clock::time_point steady_now;
  std::chrono::system_clock::time_point wall_now;
  cdr::EpochMs operator()(Clock::time_point t) const {
    if (t == Clock::time_point{}) return 0;
    auto wall = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_now - t);
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  }
};

}  // namespace

cdr::CdrRecord CallEngine::cdr_of(const Call& c) const {
  const WallFromSteady wall{clock_->now(), std::chrono::system_clock::now()};
  cdr::CdrRecord r;
  r.call_id = std::to_string(c.id);
  r.direction = c.a.sip ? "sip-to-isup" : "isup-to-sip";
  if (c.a.sip) r.sip_call_id = c.a_call_id;
  if (c.a.sip) r.sip_from_tag = c.a_from_tag;
  // The ISUP leg's circuit, while ISUP call control still knows the call.
  const Leg& isup_leg = c.a.sip ? c.b : c.a;
  if (isup_ != nullptr && isup_leg.cid != 0) {
    if (const auto* circuit = isup_->circuit_of(isup_leg.cid)) {
      r.cic = circuit->cic();
      r.opc = circuit->group().config().opc;
      r.dpc = circuit->group().config().dpc;
    }
  }
  r.called_in = c.called;
  r.ingress_trunk = summary_of(c.a).trunk;
  r.egress_trunk = summary_of(c.b).trunk;
  if (c.route != nullptr) {
    r.route = c.route->prefix;
    // A leg released before the end no longer names its trunk: the route target tried last does.
    if (r.egress_trunk.empty() && c.target < c.route->targets.size()) r.egress_trunk = c.route->targets[c.target].name;
  }
  r.setup = wall(c.started);
  r.progress = wall(c.progressed);
  r.answer = wall(c.answered_at);
  r.release = wall(clock_->now());
  if (c.cause != 0) r.cause = static_cast<std::uint8_t>(c.cause);
  return r;
}

}  // namespace isupgw::engine
