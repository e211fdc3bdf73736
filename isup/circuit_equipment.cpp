// Circuits equipped and withdrawn while the gateway runs (reload, issue 16).
// A new CIC is reset before it carries traffic (Q.764 2.10.3: the circuit
// state is unknown to both ends); a withdrawn one is drained -- no new
// outgoing call, an established call runs to its end -- and then blocked for
// maintenance towards the peer (Q.764 2.8.2), so the peer stops seizing it.
#include <algorithm>

#include "isup/isup_cc.h"

namespace isupgw::isup {

namespace {

// Runs of consecutive CICs (ascending input), at most 32 circuits each.
std::vector<std::pair<std::uint16_t, std::uint8_t>> runs(const std::vector<std::uint16_t>& cics) {
  std::vector<std::pair<std::uint16_t, std::uint8_t>> out;
  for (std::size_t i = 0; i < cics.size();) {
    std::size_t j = i;
    while (j + 1 < cics.size() && cics[j + 1] == cics[j] + 1 && j + 1 - i < 32) ++j;
    out.emplace_back(cics[i], static_cast<std::uint8_t>(j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

void IsupCallControl::block_runs(TrunkGroup& g, const std::vector<std::uint16_t>& cics, bool block) {
  for (const auto& [first, range] : runs(cics)) {
    if (range > 0) {
      auto r = block ? group_block(g.id(), first, range, false) : group_unblock(g.id(), first, range, false);
      if (r) continue;  // else (a group procedure already runs there) circuit by circuit
    }
    for (unsigned i = 0; i <= range; ++i)
      if (Circuit* c = g.find(static_cast<std::uint16_t>(first + i)))
        (void)c->blocking().handle(block ? BlockingEvent::kBlockReq : BlockingEvent::kUnblockReq);
  }
}

Result<std::size_t, CcError> IsupCallControl::equip(GroupId group, std::span<const std::uint16_t> cics) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  std::vector<std::uint16_t> fresh, back;
  for (std::uint16_t cic : cics) {
    if (Circuit* c = g->find(cic)) {
      if (!c->withdrawn) continue;
      c->withdrawn = false;
      c->touched();
      // Blocked (or being blocked) by its withdrawal: unblock; still draining: nothing was sent.
      if (c->blocking().state() != BlockingState::kUnblocked) back.push_back(cic);
    } else if (g->add(cic, *this) != nullptr) {
      fresh.push_back(cic);
    }
  }
  std::sort(fresh.begin(), fresh.end());
  std::sort(back.begin(), back.end());
  block_runs(*g, back, false);
  for (const auto& [first, range] : runs(fresh)) {
    if (range == 0) {
      (void)reset_circuit(group, first);  // RSC: GRS range 0 is reserved (Q.763 3.43)
      continue;
    }
    for (unsigned i = 0; i <= range; ++i)
      g->find(static_cast<std::uint16_t>(first + i))->group_reset_pending = true;  // not hunted until GRA
    queue_grs(*g, first, range);
  }
  pump_grs();
  const std::size_t n = fresh.size() + back.size();
  counters_.get("isup.circuit.equipped").inc(n);
  log_.notice(Subsystem::kIsup, "circuits_equipped",
              {{"group", g->config().name}, {"new", fresh.size()}, {"unblocked", back.size()}});
  return n;
}

Result<std::size_t, CcError> IsupCallControl::withdraw(GroupId group, std::span<const std::uint16_t> cics) {
  TrunkGroup* g = find_group(group);
  if (g == nullptr) return Err(CcError::kUnknownGroup);
  std::vector<std::uint16_t> idle;  // no call: blocked at once
  std::size_t draining = 0;
  for (std::uint16_t cic : cics) {
    Circuit* c = g->find(cic);
    if (c == nullptr || c->withdrawn) continue;
    c->withdrawn = true;
    if (c->blocking().state() != BlockingState::kUnblocked) continue;  // already blocked by us
    if (c->call().call_id() == 0)
      idle.push_back(cic);  // no call on it (idle, or only its release left to finish): blocked now
    else
      ++draining;  // blocked when its call ends (call_detached)
  }
  std::sort(idle.begin(), idle.end());
  block_runs(*g, idle, true);
  counters_.get("isup.circuit.withdrawn").inc(idle.size() + draining);
  log_.notice(Subsystem::kIsup, "circuits_withdrawn",
              {{"group", g->config().name}, {"blocked_now", idle.size()}, {"draining", draining}});
  return idle.size() + draining;
}

std::size_t IsupCallControl::withdrawing(GroupId group) const {
  const TrunkGroup* g = this->group(group);
  if (g == nullptr) return 0;
  std::size_t n = 0;
  for (const auto& c : g->circuits()) n += c->withdrawn && c->blocking().state() != BlockingState::kBlocked;
  return n;
}

}  // namespace isupgw::isup
