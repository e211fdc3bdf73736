// The daemon's SS7 side, built from the ss7 configuration section: M3UA
// associations (TCP or kernel SCTP) under one MTP3 service, and ISUP call
// control with its trunk groups on top. Adapts sigtran's MTP3 service to the
// isup::MtpPort / isup::MtpUser interfaces (isup/ does not know sigtran/).
//
// Call events go straight from ISUP call control to the call engine
// (set_call_user); without one (an ss7-only configuration) this stack is the
// user and refuses incoming calls with cause 41 (temporary failure), counted,
// so the circuits go straight back to idle.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "isup/isup_cc.h"
#include "isup/screening.h"
#include "sigtran/mtp3.h"
#include "sigtran/mtp3_linkset.h"
#include "sigtran/peer_guard.h"
#include "sigtran/transport.h"

namespace isupgw::daemon {

class Ss7Stack final : public isup::MtpPort, public sigtran::MtpUser, public isup::CallControlUser {
 public:
  // Builds everything; nothing is started. Errors name the configuration item.
  // `wrap` (optional) gets every transport opened, and the one it returns is used (the trace, issue 17).
  using TransportWrap = std::function<std::unique_ptr<sigtran::Transport>(
      std::unique_ptr<sigtran::Transport>, const sigtran::TransportSpec&, std::uint16_t local_port)>;
  static Result<std::unique_ptr<Ss7Stack>, std::string> create(boost::asio::io_context& io,
                                                               const config::Ss7Settings& cfg, Logger& log,
                                                               Counters& counters, TransportWrap wrap = {});
  ~Ss7Stack() override;

  // Listens/connects every association; ISUP resets
  // circuits (paced GRS) as each destination becomes available.
  void start();
  // ASPDN on every association.
  void stop();
  // True once every association is down (after stop()).
  bool stopped() const;

  isup::IsupCallControl& isup() { return *isup_; }
  // Reload (issue 16): CICs added to a trunk group (screening lets them in,
  // ISUP resets them) and CICs removed (ISUP drains, then blocks them; screening
  // keeps admitting them: the exchange still answers for them).
  Result<std::size_t, isup::CcError> equip(isup::GroupId group, std::span<const std::uint16_t> cics);
  // SIGTRAN's and ISUP's timers, Asio timers armed at their deadlines.
  TimerService& timers() { return timers_; }
  // Trunk group name -> id, for routing.
  const std::map<std::string, isup::GroupId, std::less<>>& groups() const { return groups_; }
  // Where call events go: the call engine, made ISUP call control's user itself
  // so that nothing between them can drop what an event carries (issue 15: an
  // adapter here once lost the REL's cause location); nullptr = this stack,
  // which refuses incoming calls.
  void set_call_user(isup::CallControlUser* user) {
    if (user != nullptr)
      isup_->set_user(*user);
    else
      isup_->set_user(*this);
  }
  sigtran::m3ua::Mtp3& mtp3() { return *mtp3_; }
  // SS7 link sets (M2PA under MTP3); the route per DPC is a link set serving it, else M3UA.
  std::vector<std::unique_ptr<sigtran::mtp3::LinkSet>>& linksets() { return linksets_; }

  // isup::MtpPort
  void transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override;
  // sigtran::MtpUser (CallControlUser has on_resume/on_suspend for calls: keep both visible)
  using isup::CallControlUser::on_resume;
  void on_transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override;
  void on_pause(std::uint32_t dpc) override;
  void on_resume(std::uint32_t dpc) override;
  void on_status(std::uint32_t dpc, const sigtran::MtpStatus& status) override;
  // isup::CallControlUser while there is no call engine: incoming calls are
  // refused (cause 41); no call of ours exists for the other events.
  void on_setup(isup::CallId call, const isup::IncomingSetup& setup) override;
  void on_progress(isup::CallId, const isup::BackwardIndication&) override {}
  void on_answer(isup::CallId, const isup::Message&) override {}
  void on_release(isup::CallId, const isup::ReleaseIndication&) override {}

 private:
  Ss7Stack(boost::asio::io_context& io, Logger& log, Counters& counters);
  TransportWrap wrap_;
  std::optional<std::string> add_linksets(const config::Ss7Settings& cfg);  // ss7_linksets.cpp
  // Opens one association's transport and keeps it (and its PeerGuard, issue 23).
  struct Opened {
    sigtran::Transport* transport = nullptr;
    std::uint16_t local_port = 0;
  };
  Result<Opened, std::string> open(const sigtran::TransportSpec& spec);
  sigtran::mtp3::LinkSet* linkset_for(std::uint32_t dpc) const;
  bool available(std::uint32_t dpc) const;

  boost::asio::io_context& io_;
  Logger& log_;
  Counters& counters_;
  AsioTimerService timers_;  // M3UA, M2PA, MTP3 and ISUP timers, armed at their deadlines
  SteadyClock clock_;
  std::vector<std::unique_ptr<sigtran::PeerGuard>> guards_;  // declared before transports_: they refer to them
  std::vector<std::unique_ptr<sigtran::Transport>> transports_;
  std::unique_ptr<sigtran::m3ua::Mtp3> mtp3_;
  std::vector<std::unique_ptr<sigtran::mtp3::LinkSet>> linksets_;  // declared after transports_: links refer to them
  std::unique_ptr<isup::IsupCallControl> isup_;
  std::unique_ptr<isup::Screening> screening_;  // judges every MSU before isup_ (issue 23)
  std::set<std::uint32_t> trunk_group_dpcs_;
  std::map<std::string, isup::GroupId, std::less<>> groups_;
};

}  // namespace isupgw::daemon
