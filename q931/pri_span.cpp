#include "q931/pri_span.h"

#include <algorithm>

#include "q931/codec.h"

namespace isupgw::q931 {

namespace {

constexpr Span::CallId kTheirs = 0x8000;  // the peer allocated the call reference value

// Q.931 4.5.12 location of the causes we send: public network serving the local user from the network side,
// user from the user side.
std::uint8_t location_for(Side s) { return s == Side::kNetwork ? 2 : 0; }

Message with_cause(std::uint8_t type, std::uint8_t cause, Side side) {
  Message m;
  m.type = type;
  m.causes.push_back(Cause{0, location_for(side), std::nullopt, cause, {}});
  return m;
}

}  // namespace

std::string_view to_string(ChannelState s) {
  switch (s) {
    case ChannelState::kIdle: return "idle";
    case ChannelState::kBusy: return "busy";
    case ChannelState::kRestarting: return "restarting";
  }
  return "?";
}

Span::Span(SpanConfig cfg, TimerService& timers, Logger& log, Counters& counters, Hooks hooks)
    : cfg_(std::move(cfg)),
      timers_(timers),
      log_(log),
      counters_(counters),
      hooks_(std::move(hooks)),
      call_meter_(Call::make_meter(cfg_.side, log, counters)),
      restart_meter_(RestartFsm::make_meter(log, counters)) {
  for (auto ch : cfg_.channels) channels_[ch] = ChannelState::kIdle;
  RestartFsm::Hooks rh;
  rh.send = [this](Message m) { send(m); };
  rh.clear = [this](const RestartScope& s) { return clear(s); };
  rh.done = [this](const RestartScope& s, bool ok) {
    // Ours acknowledged (ok) or unanswered after T316 twice; the peer's not completed in T317 (not ok).
    const bool ours = restart_ours_;
    restart_ours_ = false;
    if (!ok) {
      counters_.get("pri.restart_failed").inc();
      log_.warn(Subsystem::kCall, "pri_restart_failed", {{"span", cfg_.name}, {"ours", ours ? "yes" : "no"}});
      for (auto& [ch, st] : channels_)  // maintenance's business from here; the channels go back to hunting
        if (st == ChannelState::kRestarting && in_scope(s, ch)) st = ChannelState::kIdle;
    } else {
      counters_.get("pri.restart_acknowledged").inc();
      log_.info(Subsystem::kCall, "pri_restart_acknowledged",
                {{"span", cfg_.name}, {"class", static_cast<int>(s.restart_class)}});
    }
    if (hooks_.restarted) hooks_.restarted(s, ok, ours);
  };
  restart_ = std::make_unique<RestartFsm>(cfg_.side, restart_meter_, timers_, cfg_.restart, std::move(rh));
}

Span::~Span() {
  if (sweep_timer_ != 0) timers_.cancel(sweep_timer_);
}

void Span::send(const Message& m) {
  auto b = encode(m);
  if (!b) {
    counters_.get("pri.encode_failed").inc();
    log_.error(Subsystem::kCall, "pri_encode_failed", {{"span", cfg_.name}, {"error", b.error().to_string()}});
    return;
  }
  counters_.get("pri.tx").inc();
  if (hooks_.send) hooks_.send(std::move(*b));
}

void Span::link_up() {
  up_ = true;
  log_.info(Subsystem::kCall, "pri_link_up", {{"span", cfg_.name}});
  if (cfg_.restart_on_link_up) restart(RestartScope{restart_class::kAllInterfaces, {}});
}

void Span::link_down() {
  if (!up_) return;
  up_ = false;
  log_.warn(Subsystem::kCall, "pri_link_down", {{"span", cfg_.name}, {"calls", calls_.size()}});
  std::vector<CallId> ids;
  for (const auto& [id, e] : calls_) ids.push_back(id);
  for (auto id : ids) call_gone(id, 41);  // temporary failure
  for (auto& [ch, st] : channels_) st = ChannelState::kIdle;
}

Span::Entry* Span::find(CallId id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second;
}

Span::Entry& Span::create(CallId id, CallReference ref) {
  Call::Hooks h;
  h.send = [this](Message m) { send(m); };
  h.indication = [this, id](const Message& m) {
    if (m.type == msg::kSetup) return;  // handled by on_setup() once the Call is in its state
    if (hooks_.indication) hooks_.indication(id, m);
  };
  h.released = [this, id](std::uint8_t cause, bool needs_restart) {
    if (needs_restart) {  // 5.3.4.3 / 5.3.5: T308 twice: the channel is restarted before it is used again
      if (auto* e = find(id); e != nullptr && e->channel != 0) {
        const std::uint8_t ch = e->channel;
        e->channel = 0;
        channels_[ch] = ChannelState::kRestarting;
        timers_.start(Clock::duration::zero(),
                      [this, ch] { restart(RestartScope{restart_class::kIndicatedChannels, {ch}}); });
      }
    }
    gone_.push_back(id);
    if (sweep_timer_ == 0) sweep_timer_ = timers_.start(Clock::duration::zero(), [this] { sweep(); });
    if (auto* e = find(id); e != nullptr && e->channel != 0) {
      release_channel(e->channel);
      e->channel = 0;
    }
    counters_.get("pri.call_released").inc();
    if (hooks_.released) hooks_.released(id, cause);
  };
  h.digits_timeout = [this, id] {
    // Overlap receiving without an owner that collects digits: the number is incomplete (5.2.4, cause 28).
    timers_.start(Clock::duration::zero(), [this, id] {
      request(id, CcEvent::kDisconnectReq, with_cause(msg::kDisconnect, 28, cfg_.side));
    });
  };
  auto [it, inserted] = calls_.emplace(id, Entry{});
  it->second.call = std::make_unique<Call>(cfg_.side, ref, call_meter_, timers_, cfg_.timers, std::move(h));
  return it->second;
}

void Span::sweep() {
  sweep_timer_ = 0;
  auto gone = std::move(gone_);
  gone_.clear();
  for (auto id : gone) {
    auto it = calls_.find(id);
    if (it != calls_.end() && it->second.call->state() == CcState::k0Null) calls_.erase(it);
  }
}

void Span::call_gone(CallId id, std::uint8_t cause) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  if (it->second.channel != 0) release_channel(it->second.channel);
  calls_.erase(it);
  counters_.get("pri.call_cleared_locally").inc();
  if (hooks_.released) hooks_.released(id, cause);
}

void Span::release_channel(std::uint8_t ch) {
  auto it = channels_.find(ch);
  if (it != channels_.end() && it->second == ChannelState::kBusy) it->second = ChannelState::kIdle;
}

void Span::receive(std::span<const std::uint8_t> octets) {
  counters_.get("pri.rx").inc();
  auto d = decode(octets);
  if (!d) {  // 5.8.1-5.8.4: header errors are ignored
    counters_.get("pri.rx_undecodable").inc();
    log_.notice(Subsystem::kCall, "pri_rx_undecodable", {{"span", cfg_.name}, {"error", d.error().to_string()}});
    return;
  }
  const Message& m = *d;
  if (m.call_ref.length == 0) return;  // the dummy call reference: supplementary services, not served
  if (m.call_ref.value == 0) {         // the global call reference (5.5)
    if (!restart_->receive(m)) {
      counters_.get("pri.restart_unexpected").inc();
      log_.notice(Subsystem::kCall, "pri_restart_unexpected",
                  {{"span", cfg_.name}, {"message", message_name(m.type)}, {"state", to_string(restart_->state())}});
    }
    return;
  }
  // The flag is set by the side that did not allocate the value (4.3): set on what we receive = ours.
  const CallId id = m.call_ref.value | (m.call_ref.flag ? 0 : kTheirs);
  const Sender from = cfg_.side == Side::kNetwork ? Sender::kUser : Sender::kNetwork;
  Entry* e = find(id);
  if (e != nullptr && e->call->state() == CcState::k0Null) {
    // Released, not yet swept: the reference is free again (4.3), e.g. for the peer's next SETUP.
    calls_.erase(id);
    e = nullptr;
  }
  if (e == nullptr) {
    if (m.type == msg::kSetup && !m.call_ref.flag) {
      const auto v = check_ies(m, from);
      if (v.action == IeVerdict::kReject) {  // 5.8.6.1 / 5.8.6.2: RELEASE COMPLETE 96 / 100
        counters_.get("pri.setup_rejected_ie").inc();
        if (auto a = answer_ie_errors(m, v, 0, location_for(cfg_.side))) send(*a);
        return;
      }
      Entry& n = create(id, CallReference{m.call_ref.length, true, m.call_ref.value});
      n.call->receive(m);
      on_setup(id, m);
      return;
    }
    on_unknown_reference(m);
    return;
  }
  const auto v = check_ies(m, from);
  const std::uint8_t state = e->call->state_number();
  if (v.action == IeVerdict::kReject) {
    if (auto a = answer_ie_errors(m, v, state, location_for(cfg_.side))) send(*a);
    return;
  }
  if (!e->call->receive(m)) {
    // 5.8.4: a message the state does not accept: STATUS, cause 101, our state.
    counters_.get("pri.rx_unexpected").inc();
    Message st = with_cause(msg::kStatus, 101, cfg_.side);
    st.call_ref = CallReference{m.call_ref.length, !m.call_ref.flag, m.call_ref.value};
    st.call_state = CallState{0, state};
    send(st);
    return;
  }
  if (v.action == IeVerdict::kProcessAndStatus) {
    if (auto a = answer_ie_errors(m, v, e->call->state_number(), location_for(cfg_.side))) send(*a);
  }
}

// 5.8.3.2: a message with a call reference not in use.
void Span::on_unknown_reference(const Message& m) {
  counters_.get("pri.rx_unknown_reference").inc();
  Message a;
  a.call_ref = CallReference{m.call_ref.length, !m.call_ref.flag, m.call_ref.value};
  switch (m.type) {
    case msg::kReleaseComplete: return;  // (c) ignored
    case msg::kStatus:                   // (f) a STATUS reporting Null is ignored; else RELEASE COMPLETE
      if (m.call_state && m.call_state->value == 0) return;
      break;
    case msg::kSetup: return;  // a SETUP claiming our reference: not a call we know (ignored)
    default: break;
  }
  Message rc = with_cause(msg::kReleaseComplete, 81, cfg_.side);  // (a, b, e) invalid call reference value
  rc.call_ref = a.call_ref;
  send(rc);
}

std::optional<std::uint8_t> Span::hunt() const {
  for (auto it = channels_.rbegin(); it != channels_.rend(); ++it)
    if (it->second == ChannelState::kIdle) return it->first;
  return std::nullopt;
}

// 5.1.2 (network side receiving SETUP) / 5.2.3 (user side): the channel indicated, exclusive or preferred.
std::optional<std::uint8_t> Span::pick_channel(const Message& setup, std::uint8_t& cause) const {
  const auto& ci = setup.channel_id;
  if (ci && ci->selection == 1 && !ci->slot_map && ci->channels.size() == 1) {
    const std::uint8_t ch = ci->channels[0];
    auto it = channels_.find(ch);
    if (it != channels_.end() && it->second == ChannelState::kIdle) return ch;
    if (ci->exclusive) {
      cause = it == channels_.end() ? 82 : 44;  // 82 non-existent channel, 44 requested channel not available
      return std::nullopt;
    }
  }
  if (auto ch = hunt()) return ch;
  cause = 34;  // no circuit/channel available
  return std::nullopt;
}

void Span::on_setup(CallId id, const Message& setup) {
  Entry* e = find(id);
  if (e == nullptr) return;
  counters_.get("pri.setup_in").inc();
  std::uint8_t cause = 0;
  auto ch = up_ && restart_->state() != RestartState::kRestart ? pick_channel(setup, cause) : std::nullopt;
  if (!up_ || restart_->state() == RestartState::kRestart) cause = 41;
  std::optional<std::uint8_t> refused;
  if (!ch) {
    refused = cause;
  } else {
    e->channel = *ch;
    channels_[*ch] = ChannelState::kBusy;
    refused = hooks_.incoming ? hooks_.incoming(id, setup, *ch) : std::optional<std::uint8_t>(47);
  }
  if (refused) {
    counters_.get("pri.setup_in_refused").inc();
    log_.info(Subsystem::kCall, "pri_setup_refused",
              {{"span", cfg_.name}, {"call_ref", static_cast<int>(id & 0x7fff)}, {"cause", static_cast<int>(*refused)},
               {"channel", ch ? static_cast<int>(*ch) : 0}});
    e->call->request(CcEvent::kRejectReq, with_cause(msg::kReleaseComplete, *refused, cfg_.side));
  }
}

std::uint32_t Span::next_reference() {
  for (int i = 0; i < 0x7fff; ++i) {
    last_ref_ = last_ref_ % 0x7fff + 1;  // 1..32767 (4.3: 15 bits on a PRI)
    if (calls_.count(last_ref_) == 0) return last_ref_;
  }
  return 0;
}

Result<Span::CallId, std::uint8_t> Span::setup(Message setup) {
  if (!up_) return Err(std::uint8_t{41});
  auto ch = hunt();
  if (!ch) {
    counters_.get("pri.no_channel").inc();
    return Err(std::uint8_t{34});
  }
  const std::uint32_t ref = next_reference();
  if (ref == 0) return Err(std::uint8_t{47});
  ChannelId ci;
  ci.exclusive = true;  // 5.1.2 / 5.2.3.1: the network indicates the channel, exclusive
  ci.channels = {*ch};
  setup.channel_id = ci;
  Entry& e = create(ref, CallReference{2, false, ref});
  e.channel = *ch;
  channels_[*ch] = ChannelState::kBusy;
  counters_.get("pri.setup_out").inc();
  if (!e.call->request(CcEvent::kSetupReq, std::move(setup))) {
    call_gone(ref, 47);
    return Err(std::uint8_t{47});
  }
  return ref;
}

bool Span::request(CallId call, CcEvent e, Message m) {
  Entry* x = find(call);
  if (x == nullptr || x->call->state() == CcState::k0Null) return false;
  // The first answer to an incoming SETUP names its channel, exclusive (5.1.2 / EN 300 403-1 5.1.2).
  const bool first_answer = x->call->state() == CcState::k1CallInitiated || x->call->state() == CcState::k6CallPresent;
  if (first_answer && x->channel != 0 && !m.channel_id &&
      (e == CcEvent::kSetupAckReq || e == CcEvent::kProceedingReq || e == CcEvent::kAlertingReq ||
       e == CcEvent::kConnectReq)) {
    ChannelId ci;
    ci.exclusive = true;
    ci.channels = {x->channel};
    m.channel_id = ci;
  }
  return x->call->request(e, std::move(m));
}

bool Span::restart(RestartScope scope) {
  if (!up_) return false;
  const RestartScope s = scope;
  if (!restart_->restart(std::move(scope))) return false;
  restart_ours_ = true;
  counters_.get("pri.restart_sent").inc();
  for (auto& [ch, st] : channels_)
    if (in_scope(s, ch) && st == ChannelState::kIdle) st = ChannelState::kRestarting;
  return true;
}

bool Span::in_scope(const RestartScope& scope, std::uint8_t channel) const {
  if (scope.restart_class != restart_class::kIndicatedChannels) return true;  // 6, 7: the whole interface
  return std::find(scope.channels.begin(), scope.channels.end(), channel) != scope.channels.end();
}

// 5.5.2 (the peer's RESTART) and 5.5.1 (our RESTART acknowledged): every call on the channels is released
// without signalling and the channels are idle.
bool Span::clear(const RestartScope& scope) {
  std::vector<CallId> ids;
  for (const auto& [id, e] : calls_)
    if (e.channel != 0 && in_scope(scope, e.channel)) ids.push_back(id);
  for (auto id : ids) call_gone(id, 41);
  for (auto& [ch, st] : channels_)
    if (in_scope(scope, ch)) st = ChannelState::kIdle;
  if (restart_->state() == RestartState::kRestart) {
    counters_.get("pri.restart_received").inc();
    log_.info(Subsystem::kCall, "pri_restart_received",
              {{"span", cfg_.name}, {"class", static_cast<int>(scope.restart_class)}, {"calls_cleared", ids.size()}});
    if (hooks_.restarted) hooks_.restarted(scope, true, false);
  }
  return true;
}

std::optional<CcState> Span::call_state(CallId call) const {
  auto it = calls_.find(call);
  if (it == calls_.end()) return std::nullopt;
  return it->second.call->state();
}

std::optional<std::uint8_t> Span::channel_of(CallId call) const {
  auto it = calls_.find(call);
  if (it == calls_.end() || it->second.channel == 0) return std::nullopt;
  return it->second.channel;
}

ChannelState Span::channel_state(std::uint8_t channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? ChannelState::kIdle : it->second;
}

std::vector<std::uint8_t> Span::busy_channels() const {
  std::vector<std::uint8_t> out;
  for (const auto& [ch, st] : channels_)
    if (st != ChannelState::kIdle) out.push_back(ch);
  return out;
}

}  // namespace isupgw::q931
