// Session timers (RFC 4028 10): the refresher refreshes at half the interval,
// the other side ends the session when no refresh came.
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

void UserAgent::start_session_timer(Session& s, std::uint32_t interval, bool we_refresh) {
  if (s.se_timer) timers_->cancel(s.se_timer), s.se_timer = 0;
  s.se_interval = interval;
  s.we_refresh = we_refresh;
  if (!interval) return;
  const SessionId id = s.id;
  const auto secs = std::chrono::seconds(interval);
  // The refresher refreshes at half the interval; the other side gives up
  // at the interval minus min(32 s, interval/3) (10).
  const Clock::duration after =
      we_refresh ? Clock::duration(secs) / 2
                 : Clock::duration(secs - std::min<std::chrono::seconds>(std::chrono::seconds(32), secs / 3));
  if (we_refresh)
    s.se_timer = timers_->start(after, [this, id] { send_refresh(id); });
  else
    s.se_timer = timers_->start(after, [this, id] { session_timer_fired(id); });
}

// RFC 4028 7.4 / 9: UPDATE when the peer allows it (no offer needed), else a
// re-INVITE whose offer is the SDP last sent, unchanged (RFC 3264 8). While
// another request is pending the refresh waits a little.
void UserAgent::send_refresh(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->se_timer = 0;
  const InviteRow* row = s->fsm.step(s->peer_update ? InviteEvent::kRefreshByUpdate : InviteEvent::kRefreshByReinvite);
  if (!row) return;
  if (row->action == InviteAction::kRefreshLater) {
    s->se_timer = timers_->start(options_.timers.t1 * 4, [this, id] { send_refresh(id); });
    return;
  }
  s->glare_retries = 0;
  s->refresh_headers = {{"Session-Expires", std::to_string(s->se_interval) + ";refresher=uac"},
                        {"Min-SE", std::to_string(options_.min_se)}};
  if (s->peer_update) {
    s->refresh_method = "UPDATE";
    s->refresh_offer = {};
  } else {
    s->refresh_method = "INVITE";
    s->refresh_offer = s->sent_sdp.empty() ? s->local_body : Body{"application/sdp", s->sent_sdp};
  }
  send_refresh_request(*s);
}

void UserAgent::session_timer_fired(SessionId id) {
  Session* s = find(id);
  if (!s) return;
  s->se_timer = 0;
  log_.info(Subsystem::kSip, "session_expired", {{"session", id}, {"interval", s->se_interval}});
  if (s->fsm.step(InviteEvent::kSessionExpired))
    end_with_bye(*s, {{"Reason", "SIP;cause=408;text=\"Session Timer Expired\""}}, EndReason::kSessionExpired);
}

}  // namespace isupgw::sip
