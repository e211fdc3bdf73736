#include "tools/sim_exchange.h"

#include "config/ss7_config.h"

namespace isupgw::tools {

namespace asio = boost::asio;

SimExchange::SimExchange(asio::io_context& io) : timers_(io) {}

SimExchange::~SimExchange() = default;

Result<std::unique_ptr<SimExchange>, std::string> SimExchange::create(asio::io_context& io,
                                                                      const config::SimulatedExchange& cfg,
                                                                      sigtran::PointCodeFormat fmt, Logger& log,
                                                                      Counters& counters) {
  std::unique_ptr<SimExchange> x(new SimExchange(io));
  sigtran::TcpConfig tc;
  tc.server = true;
  tc.address = cfg.listen().address();
  tc.port = static_cast<std::uint16_t>(cfg.listen().port());
  x->transport_ = std::make_unique<sigtran::TcpTransport>(io, tc, log, counters);
  if (auto ec = x->transport_->listen())
    return Err("simulated exchange '" + cfg.name() + "': cannot listen on " + tc.address + ":" +
               std::to_string(tc.port) + ": " + ec.message());
  x->mtp3_ = std::make_unique<sigtran::m3ua::Mtp3>(x->timers_, log, counters);
  sigtran::m3ua::LinkConfig lc;
  lc.name = cfg.name();
  lc.role = sigtran::m3ua::Role::kIpspServer;
  lc.routing_contexts = {cfg.routing_context() == 0 ? 1u : cfg.routing_context()};
  lc.traffic_mode = sigtran::m3ua::TrafficMode::kOverride;
  x->mtp3_->add_link(std::move(lc), *x->transport_);
  const auto opc = sigtran::parse_point_code(cfg.opc(), fmt)->value;  // validated by the loader
  const auto dpc = sigtran::parse_point_code(cfg.dpc(), fmt)->value;
  x->mtp3_->add_route(dpc, sigtran::m3ua::Route{{0}, sigtran::m3ua::TrafficMode::kOverride});
  x->mtp3_->set_user(isup::kServiceIndicatorIsup, x.get());

  x->user_ = std::make_unique<isup::peer::AutoAnswerUser>(
      true, &x->timers_, std::chrono::milliseconds(cfg.ring_ms() ? cfg.ring_ms() : 1000));
  isup::IsupRecoveryConfig rec;
  rec.reset_on_start = false;  // the gateway resets the circuits when the route comes up
  x->cc_ = std::make_unique<isup::IsupCallControl>(*x, *x->user_, x->timers_, log, counters, rec);
  x->user_->set_call_control(x->cc_.get());
  isup::TrunkGroupConfig tg;
  tg.name = cfg.name();
  tg.opc = opc;
  tg.dpc = dpc;
  for (const auto& r : cfg.cics()) {
    auto span = config::parse_cic_range(r, 4095);
    tg.cics.emplace_back(span->first, span->last);
  }
  if (auto g = x->cc_->add_group(std::move(tg)); !g)
    return Err("simulated exchange '" + cfg.name() + "': " + std::string(isup::to_string(g.error())));
  log.notice(Subsystem::kIsup, "simulated_exchange",
             {{"name", cfg.name()},
              {"address", tc.address},
              {"port", x->transport_->local_port()},
              {"opc", cfg.opc()},
              {"ring_ms", cfg.ring_ms()}});
  return x;
}

void SimExchange::start() { mtp3_->start(); }

void SimExchange::stop() { mtp3_->stop(); }

void SimExchange::transfer(const MtpLabel& l, std::span<const std::uint8_t> data) { mtp3_->transfer(l, data); }

void SimExchange::on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) {
  cc_->on_transfer(l, data);
}

}  // namespace isupgw::tools
