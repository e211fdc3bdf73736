#include "gateway/runtime.h"

#include <csignal>
#include <span>
#include <string>
#include <string_view>

#include "sip/message.h"
#include "sip/serializer.h"

namespace isupgw::gateway {

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

Runtime::Runtime(LoadedConfig config, std::string config_path, Logger& log)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      log_(log),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      stop_timer_(io_),
      drain_timer_(io_) {}

Runtime::~Runtime() = default;

int Runtime::run() {
  apply_logging(config_.config.logging(), log_);
  log_.notice(Subsystem::kCore, "starting",
              {{"node", config_.config.node().name()}, {"config", config_.source}, {"version", ISUPGW_VERSION}});
  if (!start_listeners()) {
    for (auto& l : listeners_) l->close();
    return 1;
  }
  if (const auto& ss7 = config_.config.ss7(); ss7.m3ua_links_size() > 0 || ss7.trunk_groups_size() > 0) {
    auto stack = Ss7Stack::create(io_, ss7, clock_, log_, counters_);
    if (!stack) {
      log_.error(Subsystem::kM3ua, "ss7_start_failed", {{"error", stack.error()}});
      for (auto& l : listeners_) l->close();
      return 1;
    }
    ss7_ = std::move(*stack);
  }
  if (config_.config.media_gateways_size() > 0) {
    auto media = MediaStack::create(io_, config_.config, clock_, log_, counters_);
    if (media) {
      if (auto started = (*media)->start(); !started) media = Err(started.error());
    }
    if (!media) {
      log_.error(Subsystem::kMgcp, "media_start_failed", {{"error", media.error()}});
      for (auto& l : listeners_) l->close();
      return 1;
    }
    media_ = std::move(*media);
    if (ss7_) media_->bind(ss7_->isup());
  }
  if (ss7_) ss7_->start();
  wait_for_signal();
  log_.notice(Subsystem::kCore, "ready", {{"sip_listeners", listeners_.size()}});
  io_.run();
  for (const auto& [name, value] : counters_.snapshot())
    log_.info(Subsystem::kCore, "counter", {{"name", name}, {"value", value}});
  log_.notice(Subsystem::kCore, "stopped");
  return 0;
}

bool Runtime::start_listeners() {
  for (const auto& lc : config_.config.sip().listeners()) {
    sip::ListenerConfig c;
    c.transport = lc.transport() == config::TRANSPORT_TCP ? sip::Transport::kTcp : sip::Transport::kUdp;
    c.address = lc.address();
    c.port = static_cast<std::uint16_t>(lc.port());
    c.max_tcp_connections = config_.config.sip().max_tcp_connections();
    std::error_code ec;
    auto l = sip::start_listener(
        io_, c, [this](const sip::Received& r) { on_sip_bytes(r); }, log_, counters_, ec);
    if (!l) {
      log_.error(Subsystem::kSip, "listen_failed",
                 {{"transport", sip::to_string(c.transport)},
                  {"address", c.address},
                  {"port", c.port},
                  {"error", ec.message()}});
      return false;
    }
    log_.notice(Subsystem::kSip, "listening",
                {{"transport", sip::to_string(l->transport())},
                 {"address", l->local_address().to_string()},
                 {"port", l->local_port()}});
    listeners_.push_back(std::move(l));
  }
  return true;
}

void Runtime::on_sip_bytes(const sip::Received& r) {
  // The SIP stack (transactions, dialogs) is not wired in yet: count and log
  // what arrives so nothing disappears silently.
  counters_.get("sip.rx.unhandled").inc();
  log_.debug(Subsystem::kSip, "rx_unhandled",
             {{"transport", sip::to_string(r.transport)},
              {"peer", r.peer_address.to_string()},
              {"port", r.peer_port},
              {"bytes", r.bytes.size()}});
  // Datagrams are parsed already (TCP needs per-connection framing first).
  if (r.transport == sip::Transport::kUdp) check_datagram(r);
}

void Runtime::check_datagram(const sip::Received& r) {
  const std::string_view data(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size());
  sip::Message m;
  auto framed = sip::parse_frame(data, m);
  if (!framed) {
    if (framed.error().fault == sip::Fault::kEmpty) {  // CRLF keepalive (RFC 5626 3.5.1 style)
      counters_.get("sip.rx.keepalives").inc();
      return;
    }
    counters_.get("sip.rx.unparseable").inc();
    log_.info(Subsystem::kSip, "rx_unparseable",
              {{"peer", r.peer_address.to_string()},
               {"port", r.peer_port},
               {"fault", sip::describe(framed.error().fault)},
               {"where", framed.error().where},
               {"action", "dropped"}});
    return;
  }
  auto fault = sip::validate(m);
  if (!fault) {
    counters_.get("sip.rx.parsed").inc();
    return;
  }
  // RFC 3261 8.2 / 21.4.1: a request we can answer gets a 400 (505, 513) naming
  // the fault in a Warning (20.43); anything else is dropped.
  counters_.get("sip.rx.bad_message").inc();
  std::string agent;
  if (r.listener) agent = r.listener->local_address().to_string() + ":" + std::to_string(r.listener->local_port());
  const std::string tag = "gw" + std::to_string(counters_.get("sip.rx.bad_message").value());
  auto response = sip::build_error_response(m, *fault, agent, tag);
  const bool sent =
      response && r.listener &&
      r.listener->send_to(r.peer_address, r.peer_port,
                          std::span(reinterpret_cast<const std::uint8_t*>(response->data()), response->size()));
  if (sent) counters_.get("sip.tx.error_responses").inc();
  log_.info(Subsystem::kSip, "rx_bad_message",
            {{"peer", r.peer_address.to_string()},
             {"port", r.peer_port},
             {"fault", sip::describe(fault->fault)},
             {"where", fault->where},
             {"action", sent ? "answered" : "dropped"},
             {"status", sent ? sip::status_for(fault->fault) : 0}});
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
  // Stop taking new work. Once calls exist, they are released here and the
  // io_context runs dry by itself; the timer bounds how long that may take.
  for (auto& l : listeners_) l->close();
  stop_timer_.expires_after(grace);
  stop_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    log_.warn(Subsystem::kCore, "shutdown_grace_expired", {{"action", "forcing stop"}});
    io_.stop();
  });
  asio::post(io_, [this] { stop_if_drained(); });
}

void Runtime::stop_if_drained() {
  // No calls exist yet: the SIP side drains by closing its listeners; the SS7
  // side once every association has said ASPDN and closed. The call engine
  // will report its last released call here too.
  if (!stopping_) return;
  if (ss7_) {
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
  if (media_) media_->stop();
  log_.info(Subsystem::kCore, "drained");
  io_.stop();
}

void Runtime::reload() {
  counters_.get("config.reload_requests").inc();
  auto loaded = config_path_.empty() ? load_default_config() : load_config_file(config_path_);
  if (!loaded) {
    counters_.get("config.reload_failures").inc();
    log_.error(Subsystem::kConfig, "reload_rejected",
               {{"error", loaded.error().to_string()}, {"action", "keeping the running configuration"}});
    return;
  }
  // Applied live: logging. Listener changes need a restart (sockets stay bound).
  const bool listeners_changed = loaded->config.sip().SerializeAsString() != config_.config.sip().SerializeAsString();
  apply_logging(loaded->config.logging(), log_);
  config_.config.mutable_logging()->CopyFrom(loaded->config.logging());
  log_.notice(Subsystem::kConfig, "reloaded", {{"source", loaded->source}});
  if (listeners_changed)
    log_.warn(Subsystem::kConfig, "reload_partial", {{"section", "sip"}, {"action", "restart to apply"}});
}

}  // namespace isupgw::gateway
