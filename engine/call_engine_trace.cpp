// One trace per call (issue 17): the engine's side is a binding per key it learns (trace/capture.h);
// the bytes are captured by the transports, and the correlator tags them off the call path.
#include "engine/call_engine.h"

namespace isupgw::engine {

void CallEngine::trace_sip(const Call& c, std::string_view call_id) {
  if (trace_) trace_->bind_sip(c.id, call_id);
}

// The SIP stack sent the INVITE inside invite(): the capture's last INVITE request is this call's.
void CallEngine::trace_invite_sent(const Call& c) {
  if (trace_) trace_->bind_last_invite(c.id);
}

void CallEngine::trace_circuit(const Call& c, isup::CallId id) {
  if (!trace_ || !isup_) return;
  if (const auto* circuit = isup_->circuit_of(id))
    trace_->bind_circuit(c.id, circuit->group().config().opc, circuit->group().config().dpc, circuit->cic());
}

// The media gateway client sent the CRCX inside open().
void CallEngine::trace_media_opened(const Call& c) {
  if (trace_) trace_->bind_last_crcx(c.id);
}

void CallEngine::trace_end(const Call& c) {
  if (trace_) trace_->end(c.id);
}

}  // namespace isupgw::engine
