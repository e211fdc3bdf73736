// Ss7Stack's SS7 link sets (issue 9): M2PA links under MTP3 built from ss7.linksets,
// each link over kernel SCTP (PPID 5, link status on stream 0, user data on stream 1)
// or TCP (tests). Kept apart from ss7_stack.cpp so the M3UA side stays as it was.
#include "daemon/ss7_stack.h"
#include "sigtran/transport_factory.h"

namespace isupgw::daemon {

std::optional<std::string> Ss7Stack::add_linksets(const config::Ss7Settings& cfg) {
  for (const auto& c : cfg.linksets) {
    const auto& lc = c.config;
    using std::chrono::milliseconds;
    auto ms = [](Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); };
    log_.notice(Subsystem::kM3ua, "mtp3_linkset",
                {{"linkset", lc.name},
                 {"links", c.links.size()},
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
    for (const auto& l : c.links) {
      const std::string what = "link set '" + lc.name + "' SLC " + std::to_string(l.link.slc);
      auto t = open(l.transport);
      if (!t) return what + ": " + t.error();
      if (l.transport.server && l.transport.kind == sigtran::TransportSpec::Kind::kTcp)
        log_.notice(Subsystem::kM3ua, "listening",
                    {{"linkset", lc.name}, {"slc", l.link.slc}, {"transport", "tcp"}, {"port", t->local_port}});
      if (!ls->add_link(l.link, *t->transport)) return what + ": duplicate SLC or more than 16 links";
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
