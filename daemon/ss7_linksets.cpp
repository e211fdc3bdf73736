// Ss7Stack's SS7 link sets (issue 9): M2PA links under MTP3 built from ss7.linksets,
// each link over kernel SCTP (PPID 5, link status on stream 0, user data on stream 1)
// or TCP (tests). Kept apart from ss7_stack.cpp so the M3UA side stays as it was.
#include "config/ss7_config.h"
#include "daemon/ss7_stack.h"
#include "sigtran/sctp_transport.h"
#include "sigtran/tcp_transport.h"

namespace isupgw::daemon {

std::optional<std::string> Ss7Stack::add_linksets(const config::Ss7& cfg, sigtran::PointCodeFormat fmt) {
  for (const auto& c : cfg.linksets()) {
    sigtran::mtp3::LinkSetConfig lc;
    lc.name = c.name();
    lc.variant =
        fmt == sigtran::PointCodeFormat::kAnsi888 ? sigtran::mtp3::Variant::kAnsi : sigtran::mtp3::Variant::kItu;
    lc.pc_format = fmt;
    lc.local_pc = sigtran::parse_point_code(c.local_pc(), fmt)->value;  // validated by the loader
    lc.adjacent_pc = sigtran::parse_point_code(c.adjacent_pc(), fmt)->value;
    lc.ni = config::network_indicator(c.network_indicator());
    for (const auto& d : c.destinations()) lc.destinations.push_back(sigtran::parse_point_code(d, fmt)->value);
    using std::chrono::milliseconds;  // ranges checked by the loader
    if (c.t1_changeover_ms() != 0) lc.t1_changeover = milliseconds(c.t1_changeover_ms());
    if (c.t2_changeover_ms() != 0) lc.t2_changeover = milliseconds(c.t2_changeover_ms());
    if (c.t4_changeback_ms() != 0) lc.t4_changeback = milliseconds(c.t4_changeback_ms());
    if (c.slt_t1_ms() != 0) lc.t1_slt = milliseconds(c.slt_t1_ms());
    if (c.slt_t2_ms() != 0) lc.t2_slt = milliseconds(c.slt_t2_ms());
    if (c.t19_ms() != 0) lc.restart.t19 = milliseconds(c.t19_ms());
    if (c.t20_ms() != 0) lc.restart.t20 = milliseconds(c.t20_ms());
    if (c.t21_ms() != 0) lc.restart.t21 = milliseconds(c.t21_ms());
    lc.own_restart = c.mtp_restart() != config::MTP_RESTART_ADJACENT;
    auto ms = [](Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); };
    log_.notice(Subsystem::kM3ua, "mtp3_linkset",
                {{"linkset", lc.name},
                 {"links", c.links_size()},
                 {"t1_changeover_ms", ms(lc.t1_changeover)},
                 {"t2_changeover_ms", ms(lc.t2_changeover)},
                 {"t4_changeback_ms", ms(lc.t4_changeback)},
                 {"slt_t1_ms", ms(lc.t1_slt)},
                 {"slt_t2_ms", ms(lc.t2_slt)},
                 {"t19_ms", ms(lc.restart.t19)},
                 {"t20_ms", ms(lc.restart.t20)},
                 {"t21_ms", ms(lc.restart.t21)},
                 {"mtp_restart", lc.own_restart ? "own" : "adjacent"}});
    auto ls = std::make_unique<sigtran::mtp3::LinkSet>(lc, timers_, log_, counters_);
    for (const auto& l : c.links()) {
      const bool client = !l.remote().address().empty();
      const auto& ep = client ? l.remote() : l.local();
      const std::string what = "link set '" + c.name() + "' SLC " + std::to_string(l.slc());
      std::unique_ptr<sigtran::Transport> t;
      if (l.transport() == config::SIGTRAN_TRANSPORT_TCP) {
        sigtran::TcpConfig tc;
        tc.server = !client;
        tc.address = ep.address();
        tc.port = static_cast<std::uint16_t>(ep.port());
        auto tcp = std::make_unique<sigtran::TcpTransport>(io_, tc, log_, counters_);
        if (!client) {
          if (auto ec = tcp->listen())
            return what + ": cannot listen on " + tc.address + ":" + std::to_string(tc.port) + ": " + ec.message();
          log_.notice(Subsystem::kM3ua, "listening",
                      {{"linkset", c.name()}, {"slc", l.slc()}, {"transport", "tcp"}, {"port", tcp->local_port()}});
        }
        t = std::move(tcp);
      } else {
        sigtran::SctpConfig sc;
        sc.server = !client;
        sc.address = ep.address();
        sc.port = static_cast<std::uint16_t>(ep.port() != 0 ? ep.port() : sigtran::m2pa::kPort);
        sc.ppid = sigtran::m2pa::kPpid;
        sc.out_streams = sc.in_streams = 2;  // RFC 4165 1.3.3: link status 0, user data 1
        if (client) {
          sc.local_address = l.local().address();
          sc.local_port = static_cast<std::uint16_t>(l.local().port());
        }
        auto sctp = std::make_unique<sigtran::SctpTransport>(io_, sc, log_, counters_);
        if (!client) {
          if (auto ec = sctp->listen())
            return what + ": cannot listen on SCTP " + sc.address + ":" + std::to_string(sc.port) + ": " + ec.message();
        }
        t = std::move(sctp);
      }
      sigtran::m2pa::LinkConfig mc;
      mc.name = c.name() + "/" + std::to_string(l.slc());
      mc.slc = static_cast<std::uint8_t>(l.slc());
      if (c.proving_ms() != 0) mc.timers.t4n = std::chrono::milliseconds(c.proving_ms());
      if (!ls->add_link(std::move(mc), *t)) return what + ": duplicate SLC or more than 16 links";
      transports_.push_back(std::move(t));
    }
    ls->set_user(isup::kServiceIndicatorIsup, this);
    linksets_.push_back(std::move(ls));
  }
  return std::nullopt;
}

sigtran::mtp3::LinkSet* Ss7Stack::linkset_for(std::uint32_t dpc) const {
  for (const auto& ls : linksets_)
    if (ls->serves(dpc)) return ls.get();
  return nullptr;
}

bool Ss7Stack::available(std::uint32_t dpc) const {
  if (auto* ls = linkset_for(dpc)) return ls->available(dpc);
  return mtp3_->available(dpc);
}

}  // namespace isupgw::daemon
