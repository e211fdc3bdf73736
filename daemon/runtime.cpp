#include "daemon/runtime.h"

#include <cstdlib>

#include "config/sip_peer.h"
#include "daemon/http_api.h"
#include "q931/pri_span.h"

#include <csignal>
#include <span>
#include <string>
#include <string_view>

#include <cstdio>

namespace isupgw::daemon {

namespace asio = boost::asio;

void apply_logging(const config::Logging& logging, Logger& log) {
  auto to_level = [](config::LogLevel l) {
    // config::LogLevel is LogLevel + 1 (0 = unspecified), see config.proto.
    return l == config::LOG_LEVEL_UNSPECIFIED ? LogLevel::kInfo : static_cast<LogLevel>(static_cast<int>(l) - 1);
  };
  log.set_all_levels(to_level(logging.level()));
  for (const auto& [name, level] : logging.subsystems())
    if (auto s = subsystem_from_string(name)) log.set_level(*s, to_level(level));
  log.set_format(logging.format() == config::LOG_FORMAT_JSON ? LogFormat::kJson : LogFormat::kText);
}

Runtime::Runtime(config::LoadedConfig config, std::string config_path, Logger& log, ExchangeSimulatorFactory sims)
    : config_(std::move(config)),
      started_(config_),
      config_path_(std::move(config_path)),
      log_(log),
      make_sim_(std::move(sims)),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      stop_timer_(io_),
      drain_timer_(io_),
      overload_timer_(io_) {}

Runtime::~Runtime() = default;

int Runtime::run() {
  apply_logging(config_.config.logging(), log_);
  log_.notice(Subsystem::kCore, "starting",
              {{"node", config_.config.node().name()}, {"config", config_.source}, {"version", ISUPGW_VERSION}});
  const auto& ss7 = config_.settings.ss7;
  for (const auto& x : ss7.simulated_exchanges) {
    auto sim = make_sim_ ? make_sim_(io_, x, log_, counters_)
                         : Result<std::unique_ptr<ExchangeSimulator>, std::string>(
                               Err("simulated exchange '" + x.name + "': no simulator in this program"));
    if (!sim) {
      log_.error(Subsystem::kIsup, "simulated_exchange_failed", {{"error", sim.error()}});
      return 1;
    }
    sims_.push_back(std::move(*sim));
  }
  if (config_.settings.trace) {
    auto t = TraceOutput::start(io_, *config_.settings.trace, ss7.format == sigtran::PointCodeFormat::kAnsi888, log_,
                                counters_);
    if (!t) {
      log_.error(Subsystem::kCore, "trace_start_failed", {{"error", t.error()}});
      return 1;
    }
    trace_ = std::move(*t);
  }
  Ss7Stack::TransportWrap wrap;
  if (trace_)
    wrap = [t = trace_.get()](std::unique_ptr<sigtran::Transport> inner, const sigtran::TransportSpec& spec,
                              std::uint16_t port) { return t->wrap(std::move(inner), spec, port); };
  std::map<std::string, isup::GroupId, std::less<>> groups;
  if (!ss7.m3ua_links.empty() || !ss7.trunk_groups.empty()) {
    auto stack = Ss7Stack::create(io_, ss7, log_, counters_, std::move(wrap));
    if (!stack) {
      log_.error(Subsystem::kM3ua, "ss7_start_failed", {{"error", stack.error()}});
      return 1;
    }
    ss7_ = std::move(*stack);
    groups = ss7_->groups();
  }
  if (!config_.settings.media.gateways.empty()) {
    auto media = MediaStack::create(io_, config_.settings.media, clock_, log_, counters_);
    if (media && trace_)
      for (const auto& mg : (*media)->gateways())
        if (!mg->h248_client) trace_->tap_mgcp(*mg->transport, mg->udp);  // H.248 is not traced yet
    if (media) {
      if (auto started = (*media)->start(); !started) media = Err(started.error());
    }
    if (!media) {
      log_.error(Subsystem::kMgcp, "media_start_failed", {{"error", media.error()}});
      return 1;
    }
    media_ = std::move(*media);
    if (ss7_) media_->bind(ss7_->isup());
    for (const auto& span : config_.settings.pri_spans)  // issue 21: B channels on the span's MG endpoints
      if (!span.media_gateway.empty() && span.endpoints)
        media_->bind_span(span.name, span.media_gateway, *span.endpoints);
  }
  if (!config_.settings.pri_spans.empty()) {
    auto pri = PriStack::create(io_, config_.settings.pri_spans, log_, counters_);
    if (!pri) {
      log_.error(Subsystem::kCall, "pri_start_failed", {{"error", pri.error()}});
      return 1;
    }
    pri_ = std::move(*pri);
  }
  engine_ = std::make_unique<engine::CallEngine>(
      engine::make_engine_config(config_.config, config_.settings, std::move(groups)), log_, counters_);
  engine_->set_clock(clock_);
  if (trace_) engine_->set_trace(&trace_->capture());
  if (config_.settings.cdr) {
    auto out = CdrOutput::start(io_, *config_.settings.cdr, log_, counters_);
    if (!out) {
      log_.error(Subsystem::kCore, "cdr_start_failed", {{"error", out.error()}});
      return 1;
    }
    cdr_ = std::move(*out);
  }
  if (config_.settings.radius) {
    auto acct = RadiusAccounting::start(io_, *config_.settings.radius, log_, counters_);
    if (!acct) {
      log_.error(Subsystem::kCore, "radius_start_failed", {{"error", acct.error()}});
      return 1;
    }
    radius_ = std::move(*acct);
    engine_->set_answer_sink([this](const cdr::CdrRecord& r) { radius_->answered(r); });
  }
  if (cdr_ || radius_) {
    engine_->set_cdr_sink([this](cdr::CdrRecord&& r) {
      if (radius_) radius_->ended(r);
      if (cdr_) cdr_->write(r);
    });
  }
  if (media_) engine_->attach_media(media_.get());
  if (!start_sip()) return 1;
  if (!start_vty()) return 1;
  engine_->attach(ua_.get(), ss7_ ? &ss7_->isup() : nullptr,
                  ss7_   ? static_cast<TimerService*>(&ss7_->timers())
                  : pri_ ? static_cast<TimerService*>(&pri_->timers())
                         : nullptr);
  if (pri_ && config_.config.routes_size() > 0) {  // PRI calls (issue 21): the engine carries them
    for (q931::Span* span : pri_->spans())
      for (const auto& s : config_.settings.pri_spans)
        if (s.name == span->config().name) engine_->add_pri_span(span, s.trust_calling_number);
    pri_->set_user(engine_.get());
  }
  // Without routes an ss7-only daemon keeps refusing incoming calls (cause 41).
  if (ss7_ && config_.config.routes_size() > 0) ss7_->set_call_user(engine_.get());
  if (auto api = start_management(io_, config_.settings.management, model_, log_, counters_); !api) {
    log_.error(Subsystem::kCore, "management_listen_failed", {{"error", api.error()}});
    return 1;
  } else {
    http_ = std::move(*api);
  }
  if (http_ && trace_) trace_->register_routes(http_->router());
  for (auto& sim : sims_) sim->start();
  if (ss7_) ss7_->start();
  if (pri_) pri_->start();
  wait_for_signal();
  if (ua_) {
    overload_drops_ = ua_->rx_queue().drops;
    overload_due_ = std::chrono::steady_clock::now();
    sample_overload();
  }
  log_.notice(Subsystem::kCore, "ready", {{"sip_listeners", config_.config.sip().listeners_size()}});
  if (config_path_.empty()) print_demo_usage();
  // From here on lines are written in batches: one write(2) after the handlers
  // that were ready have run (warnings and errors at once).
  log_.set_flush_scheduler([this](std::function<void()> task) { boost::asio::post(io_, std::move(task)); });
  io_.run();
  if (engine_) engine_->flush_cdrs();  // records whose RLC the shutdown did not wait for
  vty_.reset();                        // its thread asks the loop no more
  if (trace_) trace_->flush();         // what the last handlers captured
  log_.set_flush_scheduler({});        // writes what is left; io_ no longer runs tasks
  log_circuits();
  for (const auto& [name, value] : counters_.snapshot())
    log_.info(Subsystem::kCore, "counter", {{"name", name}, {"value", value}});
  log_.notice(Subsystem::kCore, "stopped");
  return 0;
}

sip::ListenerConfig Runtime::listener_config(const config::SipListener& lc) const {
  sip::ListenerConfig c;
  c.transport = config::sip_transport(lc.transport());
  c.address = lc.address();
  // RFC 3261 19.1.2: 5061 is SIP over TLS's default port.
  c.port = static_cast<std::uint16_t>(!lc.has_port() && c.transport == sip::Transport::kTls ? 5061 : lc.port());
  c.max_tcp_connections = config_.config.sip().max_tcp_connections();
  c.udp_receive_buffer = lc.udp_receive_buffer();
  return c;
}

bool Runtime::start_sip() {
  std::vector<sip::ListenerConfig> listeners;
  for (const auto& lc : config_.config.sip().listeners()) listeners.push_back(listener_config(lc));
  sip::UserAgentOptions opt;
  opt.user_agent =
      config_.config.sip().has_user_agent() ? config_.config.sip().user_agent() : config_.config.node().name();
  for (const auto& t : config_.config.sip().trunks())
    if (t.topology_hiding()) {
      opt.hidden_hosts.push_back(t.address());
      opt.hidden_trunks.push_back(t.name());
    }
  std::uint32_t ping_ms = 0, ping_timeout_ms = 0;
  for (const auto& t : config_.config.sip().trunks()) {
    if (t.options_interval_ms() == 0) continue;
    opt.ping_targets.push_back(config::trunk_peer(t));
    ping_ms = ping_ms == 0 ? t.options_interval_ms() : std::min(ping_ms, t.options_interval_ms());
    if (t.options_timeout_ms() != 0)
      ping_timeout_ms =
          ping_timeout_ms == 0 ? t.options_timeout_ms() : std::min(ping_timeout_ms, t.options_timeout_ms());
  }
  if (ping_ms != 0) opt.ping_interval = std::chrono::milliseconds(ping_ms);
  opt.ping_timeout = std::chrono::milliseconds(ping_timeout_ms);  // 0: half the interval (issue 18)
  // TLS (issue 18): sip.tls for the listeners, each TLS trunk's own context by its address.
  // SSLKEYLOGFILE: session secrets for tshark (tests, troubleshooting), said loudly.
  const char* keylog = std::getenv("SSLKEYLOGFILE");
  opt.tls = config_.settings.sip_tls;
  if (keylog != nullptr && *keylog != '\0') {
    opt.tls.keylog_file = keylog;
    log_.warn(Subsystem::kSip, "tls_keylog",
              {{"file", keylog}, {"why", "SSLKEYLOGFILE is set: TLS secrets are written"}});
  }
  // Digest (issue 18): credentials we answer a trunk's challenges with, and the trunks we challenge.
  for (std::size_t i = 0; i < config_.settings.sip_trunks.size(); ++i) {
    const auto& ts = config_.settings.sip_trunks[i];
    if (!ts.auth) continue;
    const auto& a = *ts.auth;
    if (a.file_open_to_others)
      log_.warn(Subsystem::kSip, "credentials_file_readable",
                {{"trunk", ts.name}, {"file", a.file}, {"why", "group or others may read it (chmod 600)"}});
    opt.digest_client.push_back({config_.config.sip().trunks(static_cast<int>(i)).address(), {a.username, a.password}});
    if (a.challenge) opt.digest_server.push_back({ts.allowed_sources, {a.username, a.password}, a.realm, a.algorithms});
  }
  // Outbound registration (issue 18): one per trunk with a register section.
  for (std::size_t i = 0; i < config_.settings.sip_trunks.size(); ++i) {
    const auto& t = config_.config.sip().trunks(static_cast<int>(i));
    if (!t.has_register_()) continue;
    const auto& ts = config_.settings.sip_trunks[i];
    sip::RegistrationTarget r;
    r.trunk = t.name();
    r.peer = config::trunk_peer(t);
    const std::string domain = t.domain().empty() ? t.address() : t.domain();
    const std::string scheme = r.peer.transport == sip::Transport::kTls ? "sips:" : "sip:";
    r.aor = scheme + (ts.auth ? ts.auth->username : std::string("isupgw")) + "@" + domain;
    r.registrar = scheme + domain;
    if (t.register_().expires_s() != 0) r.expires = t.register_().expires_s();
    if (t.register_().retry_after_s() != 0) r.backoff = std::chrono::seconds(t.register_().retry_after_s());
    opt.registrations.push_back(std::move(r));
  }
  if (config_.config.sip().nonce_lifetime_s() != 0)
    opt.nonce_lifetime = std::chrono::seconds(config_.config.sip().nonce_lifetime_s());
  for (std::size_t i = 0; i < config_.settings.sip_trunks.size(); ++i) {
    const auto& ts = config_.settings.sip_trunks[i];
    if (!ts.tls) continue;
    sip::TrunkTls tt{config_.config.sip().trunks(static_cast<int>(i)).address(), *ts.tls};
    tt.tls.keylog_file = opt.tls.keylog_file;
    opt.trunk_tls.push_back(std::move(tt));
  }
  // RFC 3263 (issue 18): trunks whose address is a host name.
  auto dns = SipDns::create(io_, config_, clock_, log_, counters_);
  if (!dns) {
    log_.error(Subsystem::kSip, "dns_failed", {{"error", dns.error()}});
    return false;
  }
  dns_ = std::move(*dns);
  if (dns_) {
    engine_->set_trunk_targets(&dns_->resolver());
    engine_->set_enum_lookup(
        [d = dns_.get()](const std::string& e164, auto done) { d->enum_lookup(e164, std::move(done)); });
    opt.trunk_targets = &dns_->resolver();
    opt.target_failed = [r = &dns_->resolver()](const sip::Peer& p, std::string_view why) { r->failed(p, why); };
    for (auto& r : opt.registrations) r.resolve = dns_->resolver().has(r.trunk);
  }
  sip_guard_ = std::make_unique<sip::SourceGuard>(config_.settings.sip_guard, clock_, log_, counters_);
  opt.source_guard = sip_guard_.get();
  if (trace_) {
    opt.tx_tap = trace_->sip_tap(true);
    opt.rx_tap = trace_->sip_tap(false);
  }
  ua_ = std::make_unique<sip::UserAgent>(io_, listeners, *engine_, clock_, log_, counters_, opt);
  if (auto ec = ua_->start()) {
    // Name the listener that could not bind (the stack reports the first error only).
    for (const auto& c : listeners) {
      boost::system::error_code bec;
      const auto addr = asio::ip::make_address(c.address, bec);
      if (bec) continue;
      if (c.transport == sip::Transport::kUdp) {
        asio::ip::udp::socket probe(io_);
        probe.open(addr.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), bec);
        if (!bec) probe.bind({addr, c.port}, bec);
      } else {
        asio::ip::tcp::acceptor probe(io_);
        probe.open(addr.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6(), bec);
        if (!bec) probe.bind({addr, c.port}, bec);
      }
      if (bec && c.port != 0) {
        log_.error(Subsystem::kSip, "listen_failed",
                   {{"transport", sip::to_string(c.transport)},
                    {"address", c.address},
                    {"port", c.port},
                    {"error", bec.message()}});
        return false;
      }
    }
    log_.error(Subsystem::kSip, "listen_failed", {{"error", ec.message()}});
    return false;
  }
  if (trace_)
    for (const auto& c : listeners)
      trace_->set_sip_local(c.transport, c.address, c.port != 0 ? c.port : ua_->port(c.transport));
  for (const auto& c : listeners)
    log_.notice(Subsystem::kSip, "listening",
                {{"transport", sip::to_string(c.transport)},
                 {"address", c.address},
                 {"port", c.port != 0 ? c.port : ua_->port(c.transport)}});
  if (dns_) dns_->resolver().start();
  return true;
}

void Runtime::print_demo_usage() const {
  if (sims_.empty() || config_.config.sip().listeners_size() == 0) return;
  const auto& l = config_.config.sip().listeners(0);
  const std::string target = l.address() + ":" + std::to_string(l.port());
  std::printf(
      "isupgw demo: SIP on %s -> ISUP (M3UA/TCP) -> a simulated exchange that rings %u ms, then answers.\n"
      "Place a call with SIPp:\n"
      "  sipp -sn uac -s 4930123456 -m 1 -p 5070 %s\n"
      "Called number 99CCC is released with Q.850 cause CCC after ringing, e.g. busy (486):\n"
      "  sipp -sn uac -s 99017 -m 1 -p 5070 %s\n",
      target.c_str(), config_.config.ss7().simulated_exchanges(0).ring_ms(), target.c_str(), target.c_str());
  std::fflush(stdout);
}

std::size_t Runtime::busy_circuits() const {
  std::size_t busy = 0;
  for (const auto& [name, id] : ss7_->groups())
    if (const auto* g = ss7_->isup().group(id))
      for (const auto& c : g->circuits()) busy += !c->call().idle();
  return busy;
}

// At stop: every circuit should be idle (no call left hanging on a CIC).
void Runtime::log_circuits() const {
  if (!ss7_) return;
  for (const auto& [name, id] : ss7_->groups()) {
    const auto* g = ss7_->isup().group(id);
    if (g == nullptr) continue;
    std::size_t busy = 0;
    for (const auto& c : g->circuits()) busy += !c->call().idle();
    log_.notice(Subsystem::kIsup, "circuits", {{"trunk_group", name}, {"total", g->circuits().size()}, {"busy", busy}});
  }
}

void Runtime::wait_for_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      reload();
    } else if (stopping_) {
      log_.warn(Subsystem::kCore, "second_stop_signal", {{"signal", signo}, {"action", "stopping now"}});
      io_.stop();
      return;
    } else {
      request_stop(signo == SIGINT ? "SIGINT" : "SIGTERM");
    }
    wait_for_signal();
  });
}

void Runtime::request_stop(const std::string& reason) {
  if (stopping_) return;
  stopping_ = true;
  const auto grace = std::chrono::milliseconds(config_.config.runtime().shutdown_grace_ms());
  log_.notice(Subsystem::kCore, "stopping", {{"reason", reason}, {"grace_ms", grace.count()}});
  // Stop taking new work: calls are released (REL cause 16 / BYE / CANCEL / 503),
  // the SIP stack closes its listeners once its queues are out; the timer
  // bounds how long that may take.
  if (engine_) engine_->release_all();
  if (ua_) ua_->stop();
  if (http_) http_->stop();
  stop_timer_.expires_after(grace);
  stop_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    log_.warn(Subsystem::kCore, "shutdown_grace_expired", {{"action", "forcing stop"}});
    io_.stop();
  });
  asio::post(io_, [this] { stop_if_drained(); });
}

void Runtime::stop_if_drained() {
  // Calls were released in request_stop(): ISUP circuits drain when the far
  // end's RLC arrives, then every association says ASPDN and closes. The SIP
  // stack drains on its own (listeners close once its queues are out and its
  // un-REGISTERs are answered); we wait for the un-REGISTERs.
  if (!stopping_) return;
  if (ss7_) {
    if (!ss7_stop_requested_ && busy_circuits() > 0) {
      drain_timer_.expires_after(std::chrono::milliseconds(20));
      drain_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) stop_if_drained();
      });
      return;
    }
    if (!ss7_stop_requested_) {
      ss7_stop_requested_ = true;
      ss7_->stop();
    }
    if (!ss7_->stopped()) {
      drain_timer_.expires_after(std::chrono::milliseconds(20));
      drain_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) stop_if_drained();
      });
      return;
    }
  }
  // RFC 3261 10.2.2: the registrar is told our bindings are gone before we
  // go (an un-REGISTER per registered trunk, its challenge answered).
  if (ua_ && ua_->unregistering()) {
    drain_timer_.expires_after(std::chrono::milliseconds(20));
    drain_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) stop_if_drained();
    });
    return;
  }
  if (pri_) pri_->stop();
  if (media_) media_->stop();
  for (auto& sim : sims_) sim->stop();
  log_.info(Subsystem::kCore, "drained");
  io_.stop();
}

// Every overload sample period: the SIP UDP sockets' receive queues (SO_MEMINFO) and drops, and how late this
// timer ran (the loop's lag), go to the engine's overload control (engine/overload.h says why these).
void Runtime::sample_overload() {
  const auto now = std::chrono::steady_clock::now();
  if (engine_ && ua_ && overload_due_.time_since_epoch().count() != 0) {
    const sip::RxQueue q = ua_->rx_queue();
    engine::LoadSample s;
    s.rx_backlog = q.capacity != 0 ? static_cast<double>(q.queued) / static_cast<double>(q.capacity) : 0.0;
    s.rx_drops = q.drops >= overload_drops_ ? q.drops - overload_drops_ : 0;  // a reload's new socket restarts at 0
    overload_drops_ = q.drops;
    s.loop_lag = now > overload_due_ ? now - overload_due_ : Clock::duration::zero();
    engine_->overload_sample(s);
  }
  if (stopping_ || !engine_) return;
  const auto period = engine_->overload().config().sample;
  overload_due_ = now + period;
  overload_timer_.expires_at(overload_due_);
  overload_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sample_overload();
  });
}

sigtran::PointCodeFormat Runtime::point_code_format() const { return config_.settings.ss7.format; }

const std::map<std::string, isup::GroupId, std::less<>>& Runtime::trunk_groups() {
  return ss7_ ? ss7_->groups() : no_groups_;
}

std::span<const std::unique_ptr<sigtran::mtp3::LinkSet>> Runtime::linksets() {
  if (!ss7_) return {};
  return ss7_->linksets();
}

std::vector<mgmt::MediaGatewayRef> Runtime::media_gateways() {
  std::vector<mgmt::MediaGatewayRef> out;
  if (!media_) return out;
  for (const auto& mg : media_->gateways())
    out.push_back(mgmt::MediaGatewayRef{mg->name, mg->udp.mg_address, mg->udp.mg_port, mg->client.get(),
                                        mg->connections.get(), &mg->health(),
                                        mg->h248_calls ? mg->h248_calls->active() : 0});
  return out;
}

std::vector<mgmt::PriSpanView> Runtime::pri_spans() {
  std::vector<mgmt::PriSpanView> out;
  if (!pri_) return out;
  for (auto& v : pri_->view())
    out.push_back(mgmt::PriSpanView{v.name, v.asp_state, v.data_link, v.restart, v.channels, v.calls, v.busy});
  return out;
}

}  // namespace isupgw::daemon
