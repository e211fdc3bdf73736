// A simulated ISUP exchange inside the daemon (the embedded default's far end,
// demos): isup-peer's exchange logic in answer mode (isup::peer::AutoAnswerUser:
// ACM, ANM after ring_ms, 99CCC released with cause CCC) behind its own
// M3UA/TCP IPSP server, reached by the gateway's configured M3UA link exactly
// like a real switch.
#pragma once

#include <memory>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "isup/isup_cc.h"
#include "sigtran/mtp3.h"
#include "sigtran/point_code.h"
#include "sigtran/transport.h"
#include "tools/isup-peer/scenario_runner.h"

namespace isupgw::tools {

class SimExchange final : public sigtran::MtpUser, public isup::MtpPort {
 public:
  static Result<std::unique_ptr<SimExchange>, std::string> create(boost::asio::io_context& io,
                                                                  const config::SimulatedExchangeSettings& cfg,
                                                                  Logger& log, Counters& counters);
  ~SimExchange() override;
  void start();
  void stop();
  std::uint16_t port() const { return port_; }
  const isup::peer::AutoAnswerUser& user() const { return *user_; }

  // isup::MtpPort
  void transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override;
  // sigtran::MtpUser
  void on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) override;
  void on_pause(std::uint32_t dpc) override { cc_->on_pause(dpc); }
  void on_resume(std::uint32_t dpc) override { cc_->on_resume(dpc); }
  void on_status(std::uint32_t, const sigtran::MtpStatus&) override {}

 private:
  explicit SimExchange(boost::asio::io_context& io);

  AsioTimerService timers_;  // M3UA's and ISUP's timers, armed at their deadlines
  SteadyClock clock_;
  std::unique_ptr<sigtran::Transport> transport_;
  std::uint16_t port_ = 0;
  std::unique_ptr<sigtran::m3ua::Mtp3> mtp3_;
  std::unique_ptr<isup::peer::AutoAnswerUser> user_;
  std::unique_ptr<isup::IsupCallControl> cc_;
};

}  // namespace isupgw::tools
