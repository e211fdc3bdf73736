#include "daemon/media_stack.h"

#include <algorithm>
#include <cstdio>

#include "media-gw/mgcp_media_options.h"

namespace isupgw::daemon {

namespace {

mediagw::mgcp::ConnectionMode mgcp_mode(engine::MediaMode m) {
  switch (m) {
    case engine::MediaMode::kSendOnly: return mediagw::mgcp::ConnectionMode::kSendOnly;
    case engine::MediaMode::kRecvOnly: return mediagw::mgcp::ConnectionMode::kRecvOnly;
    case engine::MediaMode::kSendRecv: return mediagw::mgcp::ConnectionMode::kSendRecv;
    case engine::MediaMode::kInactive: return mediagw::mgcp::ConnectionMode::kInactive;
  }
  return mediagw::mgcp::ConnectionMode::kSendRecv;
}

mediagw::h248::StreamMode h248_mode(engine::MediaMode m) {
  switch (m) {
    case engine::MediaMode::kSendOnly: return mediagw::h248::StreamMode::kSendOnly;
    case engine::MediaMode::kRecvOnly: return mediagw::h248::StreamMode::kRecvOnly;
    case engine::MediaMode::kSendRecv: return mediagw::h248::StreamMode::kSendRecv;
    case engine::MediaMode::kInactive: return mediagw::h248::StreamMode::kInactive;
  }
  return mediagw::h248::StreamMode::kSendRecv;
}

}  // namespace

MediaStack::MediaStack(boost::asio::io_context& io, Logger& log, Counters& counters)
    : log_(log), counters_(counters), timers_(io) {}

MediaStack::~MediaStack() { stop(); }

Result<std::unique_ptr<MediaStack>, std::string> MediaStack::create(boost::asio::io_context& io,
                                                                    const config::MediaSettings& cfg, Clock& clock,
                                                                    Logger& log, Counters& counters) {
  std::unique_ptr<MediaStack> s(new MediaStack(io, log, counters));
  for (const auto& c : cfg.gateways) {
    auto mg = std::make_unique<Mg>();
    mg->name = c.client.mg_name;
    mg->udp = c.udp;
    mg->transport = std::make_unique<mediagw::MgcpUdpTransport>(io, log, counters);
    if (c.h248) {
      s->add_h248(*mg, c.h248_client, clock);
      s->mgs_.push_back(std::move(mg));
      continue;
    }
    mg->client = std::make_unique<mediagw::MgcpClient>(c.client, *mg->transport, s->timers_, clock, log, counters);
    mg->connections = std::make_unique<mediagw::MgConnections>(mg->name, *mg->client, log, counters);
    mg->continuity = std::make_unique<mediagw::ContinuityChecker>(*mg->client, s->timers_, log, counters);
    Mg* raw = mg.get();
    mg->client->on_notify([raw](const mediagw::mgcp::Command& n) { raw->continuity->on_notify(n); });
    mg->client->on_restart([raw](const mediagw::RestartNotice& n) { raw->connections->handle_restart(n); });
    MediaStack* self = s.get();
    mg->connections->on_lost([self, raw](mediagw::MediaId media, int cause) { self->lose(raw, media, cause); });
    mg->client->health().set_listener([raw](mediagw::HealthState from, mediagw::HealthState to, mediagw::HealthEvent) {
      raw->connections->handle_health(from, to);
    });
    s->mgs_.push_back(std::move(mg));
  }
  for (const auto& g : cfg.groups) {
    Binding b;
    b.mg = s->find(g.media_gateway);
    b.tdm = g.tdm;
    b.rtp_endpoint = g.rtp_endpoint;
    b.pc_low = g.pc_low;
    b.pc_high = g.pc_high;
    s->by_name_.emplace(g.trunk_group, std::move(b));
  }
  return s;
}

void MediaStack::lose(const Mg* mg, mediagw::MediaId media, int cause) {
  for (auto it = calls_.begin(); it != calls_.end(); ++it)
    if (it->second.mg == mg && it->second.media == media) {
      const Id id = it->first;
      calls_.erase(it);
      if (lost_) lost_(id, cause);
      return;
    }
}

void MediaStack::add_h248(Mg& mg, const mediagw::H248Config& cfg, Clock& clock) {
  mg.h248_client = std::make_unique<mediagw::H248Client>(cfg, *mg.transport, timers_, clock, log_, counters_);
  mg.h248_calls = std::make_unique<mediagw::H248Calls>(mg.name, *mg.h248_client, log_, counters_);
  mg.h248_continuity = std::make_unique<mediagw::H248Continuity>(*mg.h248_client, timers_, log_, counters_);
  Mg* raw = &mg;
  mg.h248_client->on_notify([raw](const mediagw::h248::Command& n, const mediagw::h248::ContextId& ctx) {
    raw->h248_continuity->on_notify(n, ctx);
  });
  mg.h248_continuity->on_idle([this, raw](const std::string& termination) {
    std::vector<Id> waiting;
    for (const auto& [id, cc] : calls_)
      if (cc.mg == raw && cc.deferred && cc.deferred->termination == termination) waiting.push_back(id);
    for (Id id : waiting) start_h248(id);
  });
  mg.h248_client->on_service_change(
      [raw](const mediagw::ServiceChangeNotice& n) { raw->h248_calls->handle_service_change(n); });
  mg.h248_calls->on_lost([this, raw](mediagw::MediaId media, int cause) { lose(raw, media, cause); });
  mg.h248_client->health().set_listener([raw](mediagw::HealthState from, mediagw::HealthState to,
                                              mediagw::HealthEvent) { raw->h248_calls->handle_health(from, to); });
}

Result<bool, std::string> MediaStack::start() {
  for (auto& mg : mgs_) {
    Mg* raw = mg.get();
    auto receiver = [raw](std::span<const std::uint8_t> d) {
      if (raw->h248_client) {
        raw->h248_client->receive(d);
      } else {
        raw->client->receive(d);
      }
    };
    if (auto ec = mg->transport->open(mg->udp, receiver))
      return Err("media gateway '" + mg->name + "': cannot bind " + mg->udp.local_address + ":" +
                 std::to_string(mg->udp.local_port) + ": " + ec.message());
    if (mg->h248_client) {
      // Our mId (7.2.8, B.2): the address and port the MG answers to (local.address is required, config/).
      mg->h248_client->set_mid("[" + mg->udp.local_address + "]:" + std::to_string(mg->transport->local_port()));
      log_.notice(Subsystem::kMgcp, "h248_ready",
                  {{"mg", mg->name},
                   {"local_port", mg->transport->local_port()},
                   {"mg_address", mg->udp.mg_address},
                   {"mg_port", mg->udp.mg_port}});
      mg->h248_client->start_keepalive();
      continue;
    }
    log_.notice(Subsystem::kMgcp, "mgcp_ready",
                {{"mg", mg->name},
                 {"local_port", mg->transport->local_port()},
                 {"mg_address", mg->udp.mg_address},
                 {"mg_port", mg->udp.mg_port}});
    mg->client->start_keepalive();
  }
  return true;
}

void MediaStack::stop() {
  // Calls are over (or the engine is gone): cancelled transactions below must
  // not report back to it.
  calls_.clear();
  lost_ = nullptr;
  for (auto& mg : mgs_) {
    if (mg->h248_client) {
      mg->h248_client->cancel_all();
      mg->transport->close();
      continue;
    }
    if (!mg->client) continue;
    mg->client->stop_keepalive();
    mg->client->cancel_all();
    mg->transport->close();
  }
}

MediaStack::Mg* MediaStack::find(std::string_view mg_name) {
  for (auto& mg : mgs_)
    if (mg->name == mg_name) return mg.get();
  return nullptr;
}

void MediaStack::bind(isup::IsupCallControl& isup) {
  isup_ = &isup;
  // Group ids are dense from 0 (IsupCallControl::add_group).
  for (isup::GroupId id = 0; const isup::TrunkGroup* g = isup.group(id); ++id)
    if (auto it = by_name_.find(g->config().name); it != by_name_.end()) by_group_[id] = &it->second;
  isup.set_continuity(this);
}

void MediaStack::bind_span(const std::string& span, const std::string& mg_name,
                           const mediagw::EndpointPattern& endpoints) {
  Binding b;
  b.mg = find(mg_name);
  b.tdm = endpoints;
  by_span_[span] = std::move(b);
}

std::optional<MediaStack::CircuitMedia> MediaStack::circuit_media(const Binding& b, std::uint16_t cic) {
  if (b.mg == nullptr) return std::nullopt;
  if (b.tdm) {
    auto ep = b.tdm->endpoint_for_cic(cic);
    if (!ep) return std::nullopt;
    if (!b.tdm->by_cic()) return CircuitMedia{b.mg, *ep, true, {}};
    // RFC 3435 3.2.2.2: a hexadecimal string of up to 32 characters.
    char call_id[24];
    std::snprintf(call_id, sizeof call_id, "%06X%06X%04X", static_cast<unsigned>(b.pc_low),
                  static_cast<unsigned>(b.pc_high), static_cast<unsigned>(cic));
    return CircuitMedia{b.mg, *ep, false, call_id};
  }
  return CircuitMedia{b.mg, b.rtp_endpoint, false, {}};
}

std::optional<MediaStack::CircuitMedia> MediaStack::media_for(isup::GroupId group, std::uint16_t cic) {
  auto it = by_group_.find(group);
  if (it == by_group_.end()) return std::nullopt;
  return circuit_media(*it->second, cic);
}

// A B channel is the pattern's "CIC" N (config/pri_config.cpp: first CIC 1, one E1 span).
std::optional<MediaStack::CircuitMedia> MediaStack::media_for_channel(std::string_view span, std::uint8_t channel) {
  auto it = by_span_.find(span);
  if (it == by_span_.end()) return std::nullopt;
  return circuit_media(it->second, channel);
}

std::optional<engine::CallMedia::Id> MediaStack::open(isup::GroupId group, std::uint16_t cic,
                                                      const std::string& remote_sdp, engine::MediaMode mode,
                                                      Ready ready) {
  return open_on(media_for(group, cic), remote_sdp, mode, std::move(ready));
}

std::optional<engine::CallMedia::Id> MediaStack::open_channel(std::string_view span, std::uint8_t channel,
                                                              const std::string& remote_sdp, engine::MediaMode mode,
                                                              Ready ready) {
  return open_on(media_for_channel(span, channel), remote_sdp, mode, std::move(ready));
}

std::optional<engine::CallMedia::Id> MediaStack::open_on(const std::optional<CircuitMedia>& m,
                                                         const std::string& remote_sdp, engine::MediaMode mode,
                                                         Ready ready) {
  if (!m) return std::nullopt;
  const Id id = next_call_++;
  CallConnection& cc = calls_[id];
  cc.mg = m->mg;
  if (m->mg->h248_calls) return open_h248(id, *m, remote_sdp, mode, std::move(ready));
  if (!m->mg->connections->usable()) {
    // An MG that is down or leaving service takes no new calls (RFC 3435 2.3.12).
    counters_.get("mgcp.calls.mg_unusable").inc();
    fail_later(id, std::move(ready));
    return id;
  }
  // A client that refuses the CRCX at once (its pending-transaction limit) answers inside create(): that failure
  // is reported from the zero timer, after the engine holds the id, and no reference into calls_ is held across
  // the call (the failure erases the entry).
  auto opening = std::make_shared<bool>(true);
  const auto media = m->mg->connections->create(
      m->endpoint, mgcp_mode(mode), remote_sdp,
      [this, id, opening,
       ready = std::move(ready)](const Result<mediagw::ConnectionInfo, mediagw::ConnectionFailure>& r) mutable {
        if (*opening && !r.ok()) return fail_later(id, std::move(ready));
        auto it = calls_.find(id);
        if (it == calls_.end()) return;
        if (!r.ok()) {
          calls_.erase(it);
          return ready(std::nullopt);
        }
        it->second.created = true;
        if (auto u = std::move(it->second.update)) {
          it->second.update.reset();
          it->second.mg->connections->modify(it->second.media, mgcp_mode(u->second), u->first);
        }
        ready(r->sdp);
      },
      m->call_id);
  *opening = false;
  if (auto it = calls_.find(id); it != calls_.end()) it->second.media = media;
  return id;
}

void MediaStack::fail_later(Id id, Ready ready) {
  timers_.start(Clock::duration::zero(), [this, id, ready = std::move(ready)] {
    if (calls_.erase(id) != 0) ready(std::nullopt);
  });
}

std::optional<engine::CallMedia::Id> MediaStack::open_h248(Id id, const CircuitMedia& m, const std::string& remote_sdp,
                                                           engine::MediaMode mode, Ready ready) {
  if (!m.mg->h248_calls->usable()) {
    counters_.get("h248.calls.mg_unusable").inc();
    fail_later(id, std::move(ready));
    return id;
  }
  // H248Calls keeps an update asked for while the Add is in flight; `created` stays true here. A refusal inside
  // open() (the client's pending limit) is reported from the zero timer, as for MGCP above.
  calls_[id].created = true;
  if (m.tdm && m.mg->h248_continuity->state(m.endpoint) != mediagw::CotState::kIdle) {
    // The check's context still holds the termination (our outgoing test runs beside the IAM; an incoming
    // loop's Subtract may be in flight): the call's Add follows once it is gone.
    counters_.get("h248.calls.deferred_for_cot").inc();
    calls_[id].deferred = CallConnection::Deferred{m.endpoint, remote_sdp, mode, std::move(ready)};
    return id;
  }
  auto opening = std::make_shared<bool>(true);
  const auto media = m.mg->h248_calls->open(m.endpoint, h248_mode(mode), remote_sdp,
                                            [this, id, opening, ready = std::move(ready)](const auto& sdp) mutable {
                                              if (*opening && !sdp) return fail_later(id, std::move(ready));
                                              auto it = calls_.find(id);
                                              if (it == calls_.end()) return;
                                              if (!sdp) calls_.erase(it);
                                              ready(sdp);
                                            });
  *opening = false;
  if (auto it = calls_.find(id); it != calls_.end()) it->second.media = media;
  return id;
}

void MediaStack::start_h248(Id id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || !it->second.deferred) return;
  CallConnection::Deferred d = std::move(*it->second.deferred);
  it->second.deferred.reset();
  Mg* mg = it->second.mg;
  if (!mg->h248_calls->usable()) {
    counters_.get("h248.calls.mg_unusable").inc();
    return fail_later(id, std::move(d.ready));
  }
  // Runs from the checker's callback: a refusal inside open() is reported from the zero timer, never from here.
  auto opening = std::make_shared<bool>(true);
  const auto media = mg->h248_calls->open(d.termination, h248_mode(d.mode), d.remote_sdp,
                                          [this, id, opening, ready = std::move(d.ready)](const auto& sdp) mutable {
                                            if (*opening && !sdp) return fail_later(id, std::move(ready));
                                            auto it2 = calls_.find(id);
                                            if (it2 == calls_.end()) return;
                                            if (!sdp) calls_.erase(it2);
                                            ready(sdp);
                                          });
  *opening = false;
  if (auto it2 = calls_.find(id); it2 != calls_.end()) it2->second.media = media;
}

void MediaStack::update(Id id, const std::string& remote_sdp, engine::MediaMode mode) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  if (it->second.deferred) {
    // Not sent yet: the Add will carry it (a later update wins, keeping a known remote SDP).
    if (!remote_sdp.empty()) it->second.deferred->remote_sdp = remote_sdp;
    it->second.deferred->mode = mode;
    return;
  }
  if (it->second.mg->h248_calls) {
    it->second.mg->h248_calls->modify(it->second.media, h248_mode(mode), remote_sdp);
    return;
  }
  if (!it->second.created) {
    // Applied once the MG has answered the CRCX; a later update wins, keeping a known remote SDP.
    std::string sdp = remote_sdp.empty() && it->second.update ? it->second.update->first : remote_sdp;
    it->second.update = std::make_pair(std::move(sdp), mode);
    return;
  }
  it->second.mg->connections->modify(it->second.media, mgcp_mode(mode), remote_sdp);
}

// RFC 3660 DTMF package: the digit is played on the circuit's endpoint (RQNT S: D/x).
bool MediaStack::play_digit(Id id, char digit) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.mg->h248_calls || !it->second.created) return false;
  auto signal = mediagw::dtmf_signal(digit);
  return signal && it->second.mg->connections->signal(it->second.media, std::move(*signal));
}

// RFC 5347 (MGCP fax package): MDCX with L: fxr/fx:t38 and the SIP side's T.38 description;
// the MG answers with its m=image. Refused (an error, or no m=image in its answer): MDCX back
// to G.711 pass-through, e:off s:off (RFC 3435 2.3.3), fxr/fx:off (RFC 5347 2.1.3). The
// outcome is reported from the timer service, never from inside this call.
bool MediaStack::start_t38(Id id, const std::string& t38_sdp, FaxDone done) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.mg->h248_calls || !it->second.created) return false;
  const mediagw::MediaId media = it->second.media;
  const std::string codec = mediagw::first_codec(
      it->second.mg->connections->info(media) ? it->second.mg->connections->info(media)->sdp : std::string());
  counters_.get("mgcp.fax.t38_requested").inc();
  it->second.mg->connections->modify(
      media, std::nullopt, t38_sdp,
      [this, id, media, codec, done = std::move(done)](bool ok, const std::string& sdp) mutable {
        std::optional<std::string> result;
        if (ok && mediagw::answers_t38(sdp)) {
          counters_.get("mgcp.fax.t38").inc();
          result = sdp;
        } else if (auto c = calls_.find(id); c != calls_.end() && c->second.media == media) {
          counters_.get("mgcp.fax.passthrough").inc();
          log_.notice(Subsystem::kMgcp, "fax.t38_refused", {{"mg", c->second.mg->name}, {"fallback", "g711"}});
          c->second.mg->connections->modify(media, std::nullopt, {}, {}, mediagw::fax_passthrough_options(codec));
        }
        timers_.start(Clock::duration::zero(), [done = std::move(done), result = std::move(result)] { done(result); });
      },
      std::string(mediagw::kFaxT38Options));
  return true;
}

void MediaStack::close(Id id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  if (it->second.mg->h248_calls) {
    if (it->second.media != 0) it->second.mg->h248_calls->close(it->second.media);
  } else if (it->second.media != 0) {
    it->second.mg->connections->release(it->second.media);
  }
  calls_.erase(it);
}

void MediaStack::connect_loop(isup::GroupId group, std::uint16_t cic) {
  auto m = media_for(group, cic);
  if (!m || !m->tdm) {
    // No TDM endpoint to loop: the far exchange's check fails and Q.764 2.1.8 takes over.
    counters_.get("mgcp.cot.no_endpoint").inc();
    log_.warn(Subsystem::kMgcp, "cot.no_endpoint", {{"group", group}, {"cic", cic}});
    return;
  }
  if (m->mg->h248_continuity) return m->mg->h248_continuity->connect_loop(m->endpoint);
  m->mg->continuity->connect_loop(m->endpoint);
}

void MediaStack::disconnect_loop(isup::GroupId group, std::uint16_t cic) {
  auto m = media_for(group, cic);
  if (!m || !m->tdm) return;
  if (m->mg->h248_continuity) return m->mg->h248_continuity->disconnect_loop(m->endpoint);
  if (m->mg->continuity) m->mg->continuity->disconnect_loop(m->endpoint);
}

void MediaStack::start_test(isup::GroupId group, std::uint16_t cic) {
  auto m = media_for(group, cic);
  if (!m || !m->tdm) {
    counters_.get("mgcp.cot.no_endpoint").inc();
    log_.warn(Subsystem::kMgcp, "cot.no_endpoint", {{"group", group}, {"cic", cic}});
    // Reported later, never from inside ISUP's own call.
    timers_.start(Clock::duration::zero(), [this, group, cic] {
      if (isup_) isup_->continuity_result(group, cic, false);
    });
    return;
  }
  auto done = [this, group, cic](bool passed) {
    log_.info(Subsystem::kMgcp, "cot.result", {{"group", group}, {"cic", cic}, {"passed", passed}});
    if (isup_) isup_->continuity_result(group, cic, passed);
  };
  if (m->mg->h248_continuity) return m->mg->h248_continuity->start_test(m->endpoint, std::move(done));
  m->mg->continuity->start_test(m->endpoint, std::move(done));
}

std::optional<engine::MediaDescription> MediaStack::describe(Id id) const {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.mg == nullptr) return std::nullopt;
  engine::MediaDescription d;
  d.mg = it->second.mg->name;
  if (it->second.mg->h248_calls) {
    if (const auto* info = it->second.mg->h248_calls->info(it->second.media)) {
      d.endpoint = info->tdm;
      if (info->context) d.connection_id = "context " + std::to_string(*info->context) + " " + info->rtp;
    }
    return d;
  }
  if (const auto* info = it->second.mg->connections->info(it->second.media)) {
    d.endpoint = info->endpoint;
    d.connection_id = info->connection_id;
  }
  return d;
}

}  // namespace isupgw::daemon
