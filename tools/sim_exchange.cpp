#include "tools/sim_exchange.h"

#include "sigtran/transport_factory.h"

namespace isupgw::tools {

namespace asio = boost::asio;

SimExchange::SimExchange(asio::io_context& io) : timers_(io) {}

SimExchange::~SimExchange() = default;

Result<std::unique_ptr<SimExchange>, std::string> SimExchange::create(asio::io_context& io,
                                                                      const config::SimulatedExchangeSettings& cfg,
                                                                      Logger& log, Counters& counters) {
  std::unique_ptr<SimExchange> x(new SimExchange(io));
  auto t = sigtran::open_transport(io, cfg.listen, x->clock_, log, counters);
  if (!t) return Err("simulated exchange '" + cfg.name + "': " + t.error());
  x->transport_ = std::move(t->transport);
  x->port_ = t->local_port;
  x->mtp3_ = std::make_unique<sigtran::m3ua::Mtp3>(x->timers_, log, counters);
  sigtran::m3ua::LinkConfig lc;
  lc.name = cfg.name;
  lc.role = sigtran::m3ua::Role::kIpspServer;
  lc.routing_contexts = {cfg.routing_context};
  lc.traffic_mode = sigtran::m3ua::TrafficMode::kOverride;
  x->mtp3_->add_link(std::move(lc), *x->transport_);
  x->mtp3_->add_route(cfg.dpc, sigtran::m3ua::Route{{0}, sigtran::m3ua::TrafficMode::kOverride});
  x->mtp3_->set_user(isup::kServiceIndicatorIsup, x.get());

  x->user_ = std::make_unique<isup::peer::AutoAnswerUser>(true, &x->timers_, cfg.ring);
  isup::IsupRecoveryConfig rec;
  rec.reset_on_start = false;  // the gateway resets the circuits when the route comes up
  x->cc_ = std::make_unique<isup::IsupCallControl>(*x, *x->user_, x->timers_, log, counters, rec);
  x->user_->set_call_control(x->cc_.get());
  isup::TrunkGroupConfig tg;
  tg.name = cfg.name;
  tg.opc = cfg.opc;
  tg.dpc = cfg.dpc;
  tg.cics = cfg.cics;
  if (auto g = x->cc_->add_group(std::move(tg)); !g)
    return Err("simulated exchange '" + cfg.name + "': " + std::string(isup::to_string(g.error())));
  log.notice(Subsystem::kIsup, "simulated_exchange",
             {{"name", cfg.name},
              {"address", cfg.listen.address},
              {"port", x->port_},
              {"opc", sigtran::format_point_code({cfg.opc}, cfg.format)},
              {"ring_ms", cfg.ring.count()}});
  return x;
}

void SimExchange::start() { mtp3_->start(); }

void SimExchange::stop() { mtp3_->stop(); }

void SimExchange::transfer(const MtpLabel& l, std::span<const std::uint8_t> data) { mtp3_->transfer(l, data); }

void SimExchange::on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) { cc_->on_transfer(l, data); }

}  // namespace isupgw::tools
