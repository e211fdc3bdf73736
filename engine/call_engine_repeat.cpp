// Q.764 2.10.1.4 / 2.8.2.1 / 2.1.8 / 2.12: ISUP repeats an outgoing call on another circuit (dual seizure,
// blocking before a backward message, continuity failure, UCIC). The call keeps its ISUP call id; its media
// moves with it: the connection opened on the first circuit's endpoint is closed and one is opened on the new
// circuit's (else the speech path would be set up on a circuit the call no longer uses).
#include "engine/call_engine.h"

namespace isupgw::engine {

void CallEngine::on_repeat_attempt(isup::CallId id, isup::GroupId group, std::uint16_t cic) {
  Entry guard(*this);
  auto it = by_cid_.find(id);
  if (it == by_cid_.end()) return;
  Call& c = *it->second;
  trace_circuit(c, id);
  if (c.media_b != 0 && media_ && !c.a.sip) {  // a TDM-TDM call: leg B's connection moves, joined to A's again
    counters_.get("call.media_moved_on_repeat").inc();
    log_.info(Subsystem::kCall, "media_moved", {{"call", c.id}, {"group", group}, {"cic", cic}});
    media_->close(c.media_b);
    by_media_.erase(c.media_b);
    c.media_b = 0;
    open_transit_media(c, [&](CallMedia::Ready ready) {
      return media_->open(group, cic, c.sdp, MediaMode::kSendOnly, std::move(ready));
    });
    return;
  }
  if (c.media == 0 || !media_ || !c.a.sip) return;
  counters_.get("call.media_moved_on_repeat").inc();
  log_.info(Subsystem::kCall, "media_moved", {{"call", c.id}, {"group", group}, {"cic", cic}});
  media_->close(c.media);
  by_media_.erase(c.media);
  c.media = 0;
  c.media_pending = false;
  open_media(c, group, cic, c.offer, MediaMode::kSendOnly);
}

}  // namespace isupgw::engine
