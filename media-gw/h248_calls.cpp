#include "media-gw/h248_calls.h"

namespace isupgw::mediagw {

using h248::Action;
using h248::Command;
using h248::CommandType;
using h248::ContextId;

bool termination_matches(std::string_view pattern, std::string_view name) {
  if (h248::is_root(pattern) || pattern == "*") return true;
  while (true) {
    auto ps = pattern.find('/');
    auto ns = name.find('/');
    std::string_view p = pattern.substr(0, ps), n = name.substr(0, ns);
    if (p == "*" && ps == std::string_view::npos) return true;  // a final "*" covers the rest
    if (p != "*" && p != n) return false;
    if (ps == std::string_view::npos || ns == std::string_view::npos) return ps == ns;
    pattern.remove_prefix(ps + 1);
    name.remove_prefix(ns + 1);
  }
}

std::string sdp_with_crlf(std::string_view sdp) {
  std::string out;
  out.reserve(sdp.size() + 16);
  while (!sdp.empty()) {
    auto nl = sdp.find('\n');
    std::string_view line = sdp.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      out += line;
      out += "\r\n";
    }
    if (nl == std::string_view::npos) break;
    sdp.remove_prefix(nl + 1);
  }
  return out;
}

namespace {
h248::MediaDescriptor media(h248::StreamMode mode, std::string local, const std::string& remote) {
  h248::MediaDescriptor m;
  m.stream.mode = mode;
  if (!local.empty()) m.stream.local = std::move(local);
  // The octet string ends at the first unescaped "}" (B.2): SDP has none, but be safe.
  if (!remote.empty() && remote.find('}') == std::string::npos) m.stream.remote = sdp_with_crlf(remote);
  return m;
}
Command command(CommandType t, std::string term) {
  Command c;
  c.type = t;
  c.termination_id = std::move(term);
  return c;
}
}  // namespace

H248Calls::H248Calls(std::string mg_name, H248Client& client, Logger& log, Counters& counters)
    : name_(std::move(mg_name)),
      client_(client),
      log_(log),
      counters_(counters),
      opened_(counters.get("h248.contexts.open")),
      closed_(counters.get("h248.contexts.close")) {}

H248Calls::~H248Calls() { *alive_ = false; }

bool H248Calls::usable() const {
  const HealthState s = client_.health().state();
  return s == HealthState::kUp || s == HealthState::kUnknown;
}

const H248Calls::Info* H248Calls::info(MediaId id) const {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second.info;
}

MediaId H248Calls::open(std::string tdm, h248::StreamMode mode, std::string remote_sdp, Created done) {
  const MediaId id = next_id_++;
  Call c;
  c.info.tdm = tdm;
  calls_.emplace(id, std::move(c));
  opened_.inc();
  auto rtp = command(CommandType::kAdd, "$");
  rtp.media = media(mode, std::string(kH248LocalRequest), remote_sdp);
  std::weak_ptr<bool> alive = alive_;
  client_.send({Action{ContextId::choose(), {command(CommandType::kAdd, std::move(tdm)), std::move(rtp)}}},
               [this, alive, id, done = std::move(done)](const H248Outcome& o) {
                 if (alive.expired()) return;
                 auto it = calls_.find(id);
                 if (it == calls_.end()) return;
                 Call& call = it->second;
                 call.answered = true;
                 // The reply: Context = n { Add = tdm, Add = rtp/.. { Media { Local { SDP } } } }
                 std::optional<h248::ErrorDescriptor> err;
                 if (o.ok()) err = reply_error(*o);
                 const h248::ActionReply* ar = o.ok() && !o->actions.empty() ? &o->actions[0] : nullptr;
                 const bool good = o.ok() && !err && ar != nullptr && ar->context.kind == ContextId::Kind::kId &&
                                   ar->replies.size() == 2;
                 if (ar != nullptr && ar->context.kind == ContextId::Kind::kId) call.info.context = ar->context.id;
                 if (good) {
                   const auto& r = ar->replies[1];
                   call.info.rtp = r.termination_id;
                   if (r.media) {
                     if (r.media->stream.local) {
                       call.info.sdp = sdp_with_crlf(*r.media->stream.local);
                     } else if (!r.media->streams.empty() && r.media->streams[0].second.local) {
                       call.info.sdp = sdp_with_crlf(*r.media->streams[0].second.local);
                     }
                   }
                 }
                 if (!good || call.info.sdp.empty()) {
                   counters_.get("h248.contexts.open_failed").inc();
                   log_.warn(Subsystem::kMgcp, "h248.context.open_failed",
                             {{"mg", name_},
                              {"termination", call.info.tdm},
                              {"error", o.ok() ? "reply" : to_string(o.error().error)},
                              {"code", err ? err->code : (o.ok() ? 0 : o.error().code)}});
                   // Whatever the MG made is subtracted; the call goes on without it.
                   if (call.info.context) send_subtract(call);
                   const bool wanted = !call.close_pending;
                   calls_.erase(it);
                   if (wanted && done) done(std::nullopt);
                   return;
                 }
                 if (call.close_pending) {
                   send_subtract(call);
                   calls_.erase(it);
                   return;
                 }
                 if (call.modify_pending) {
                   auto [mode2, sdp2] = std::move(*call.modify_pending);
                   call.modify_pending.reset();
                   send_modify(call, mode2, sdp2);
                 }
                 const std::string sdp = call.info.sdp;
                 if (done) done(sdp);
               });
  return id;
}

void H248Calls::send_modify(const Call& c, h248::StreamMode mode, const std::string& remote_sdp) {
  auto mf = command(CommandType::kModify, c.info.rtp);
  mf.media = media(mode, {}, remote_sdp);
  std::weak_ptr<bool> alive = alive_;
  const std::string rtp = c.info.rtp;
  client_.send({Action{ContextId::of(*c.info.context), {std::move(mf)}}}, [this, alive, rtp](const H248Outcome& o) {
    if (alive.expired()) return;
    std::optional<h248::ErrorDescriptor> err;
    if (o.ok()) err = reply_error(*o);
    if (o.ok() && !err) return;
    counters_.get("h248.contexts.modify_failed").inc();
    log_.warn(Subsystem::kMgcp, "h248.context.modify_failed",
              {{"mg", name_}, {"termination", rtp}, {"code", err ? err->code : o.error().code}});
  });
}

void H248Calls::modify(MediaId id, h248::StreamMode mode, std::string remote_sdp) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.close_pending) return;
  if (!it->second.answered) {
    it->second.modify_pending = std::make_pair(mode, std::move(remote_sdp));
    return;
  }
  send_modify(it->second, mode, remote_sdp);
}

void H248Calls::send_subtract(const Call& c) {
  std::vector<Command> cmds;
  cmds.push_back(command(CommandType::kSubtract, c.info.tdm));
  if (!c.info.rtp.empty()) cmds.push_back(command(CommandType::kSubtract, c.info.rtp));
  std::weak_ptr<bool> alive = alive_;
  const std::string tdm = c.info.tdm;
  client_.send({Action{ContextId::of(*c.info.context), std::move(cmds)}}, [this, alive, tdm](const H248Outcome& o) {
    if (alive.expired()) return;
    std::optional<h248::ErrorDescriptor> err;
    if (o.ok()) err = reply_error(*o);
    if (o.ok() && !err) return;
    // After an MG restart the context is gone either way.
    counters_.get("h248.contexts.subtract_failed").inc();
    log_.warn(Subsystem::kMgcp, "h248.context.subtract_failed",
              {{"mg", name_}, {"termination", tdm}, {"code", err ? err->code : o.error().code}});
  });
}

void H248Calls::close(MediaId id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || it->second.close_pending) return;
  closed_.inc();
  if (!it->second.answered) {
    it->second.close_pending = true;
    return;
  }
  send_subtract(it->second);
  calls_.erase(it);
}

void H248Calls::lose(const std::vector<MediaId>& ids, int cause, std::string_view why) {
  for (MediaId id : ids) {
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second.close_pending) continue;
    log_.notice(Subsystem::kMgcp, "h248.context.lost",
                {{"mg", name_}, {"termination", it->second.info.tdm}, {"why", why}, {"cause", cause}});
    counters_.get("h248.contexts.lost").inc();
    if (it->second.answered) {
      calls_.erase(it);
    } else {
      it->second.close_pending = true;  // subtract what the Add may still create
    }
    if (lost_) lost_(id, cause);
  }
}

void H248Calls::handle_service_change(const ServiceChangeNotice& n) {
  // 7.2.8.1.1: Forced -> the terminations were taken out abruptly, their contexts are gone;
  // Restart -> they restart (ROOT: the MG restarted, nothing of its state survived).
  // Graceful and Disconnected keep established calls.
  if (n.method != h248::ServiceChangeMethod::kForced && n.method != h248::ServiceChangeMethod::kRestart) return;
  std::vector<MediaId> doomed;
  for (const auto& [id, c] : calls_)
    if (termination_matches(n.termination_id, c.info.tdm) ||
        (!c.info.rtp.empty() && termination_matches(n.termination_id, c.info.rtp)))
      doomed.push_back(id);
  lose(doomed, kCauseMgRestart,
       n.method == h248::ServiceChangeMethod::kForced ? "service-change-forced" : "service-change-restart");
}

void H248Calls::handle_health(HealthState /*from*/, HealthState to) {
  if (to != HealthState::kDown) return;
  std::vector<MediaId> all;
  for (const auto& [id, c] : calls_) all.push_back(id);
  lose(all, kCauseMgUnreachable, "mg-down");
}

}  // namespace isupgw::mediagw
