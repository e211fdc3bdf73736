// The management model's actions (model.h): each one calls the stack's own
// procedure; what goes on the wire is the stack's (Q.764 2.8, 2.10.3, 2.10.4).
#include "mgmt/model.h"

#include <algorithm>
#include <memory>

namespace isupgw::mgmt {

namespace {

Error cc_error(isup::CcError e, const std::string& what) {
  Error::Code code = Error::Code::kConflict;
  switch (e) {
    case isup::CcError::kUnknownGroup:
    case isup::CcError::kUnknownCall:
    case isup::CcError::kUnknownCircuit: code = Error::Code::kNotFound; break;
    case isup::CcError::kBadRange:
    case isup::CcError::kNotForwardable: code = Error::Code::kInvalid; break;
    case isup::CcError::kDestinationUnavailable:
    case isup::CcError::kCongestion:
    case isup::CcError::kNoCircuit: code = Error::Code::kUnavailable; break;
    case isup::CcError::kWrongState:
    case isup::CcError::kBusy: code = Error::Code::kConflict; break;
  }
  return Error{code, what + ": " + std::string(isup::to_string(e))};
}

// Runs of consecutive CICs of the group within the range, at most `max` long
// (a group message covers at most 32 circuits, Q.763 3.43).
struct Run {
  std::uint16_t first;
  std::uint16_t count;
};

Outcome<std::vector<Run>> runs(const isup::TrunkGroup& g, const CircuitRange& r, std::size_t max) {
  const std::uint16_t lo = r.first.value_or(0);
  const std::uint16_t hi = r.last.value_or(r.first.value_or(0xffff));
  if (r.first && r.last && *r.first > *r.last)
    return Err(
        Error{Error::Code::kInvalid, "CIC range " + std::to_string(lo) + "-" + std::to_string(hi) + " runs backwards"});
  std::vector<Run> out;
  for (const auto& c : g.circuits()) {
    const auto cic = c->cic();
    if (cic < lo || cic > hi) continue;
    if (!out.empty() && out.back().first + out.back().count == cic && out.back().count < max)
      ++out.back().count;
    else
      out.push_back(Run{cic, 1});
  }
  if (out.empty()) {
    const std::string which =
        r.first ? (lo == hi ? "CIC " + std::to_string(lo) : "CICs " + std::to_string(lo) + "-" + std::to_string(hi))
                : "any circuit";
    return Err(Error{Error::Code::kNotFound, "trunk group '" + r.group + "' has no " + which});
  }
  return out;
}

std::string message_text(std::string_view name, const Run& run) {
  std::string s(name);
  s += " cic=" + std::to_string(run.first);
  if (run.count > 1) s += " range=" + std::to_string(run.count - 1);
  return s;
}

}  // namespace

// One CIC -> `single` (BLO/UBL/RSC); a run of several -> `group` (CGB/CGU/GRS).
template <class Single, class Group>
static Outcome<ActionReport> per_run(Stacks& s, const CircuitRange& r, std::string_view single_name,
                                     std::string_view group_name, Single single, Group group) {
  auto* isup = s.isup();
  if (isup == nullptr) return Err(Error{Error::Code::kUnavailable, "no SS7 in this configuration"});
  const auto& groups = s.trunk_groups();
  auto it = groups.find(r.group);
  const isup::TrunkGroup* g = it == groups.end() ? nullptr : isup->group(it->second);
  if (g == nullptr) return Err(Error{Error::Code::kNotFound, "no trunk group named '" + r.group + "'"});
  auto rs = runs(*g, r, 32);
  if (!rs) return Err(rs.error());
  ActionReport report;
  for (const auto& run : *rs) {
    const bool one = run.count == 1;
    auto done = one ? single(*isup, it->second, run.first)
                    : group(*isup, it->second, run.first, static_cast<std::uint8_t>(run.count - 1));
    const std::string text = message_text(one ? single_name : group_name, run);
    if (!done) {
      Error e = cc_error(done.error(), text);
      if (!report.sent.empty()) e.message += " (already sent: " + std::to_string(report.sent.size()) + " messages)";
      return Err(e);
    }
    report.sent.push_back(text);
  }
  return report;
}

Outcome<ActionReport> Model::block(const CircuitRange& r) {
  return per_run(
      s_, r, "BLO", "CGB",
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t cic) { return cc.block(g, cic); },
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t first, std::uint8_t range) {
        return cc.group_block(g, first, range, false);
      });
}

Outcome<ActionReport> Model::unblock(const CircuitRange& r) {
  return per_run(
      s_, r, "UBL", "CGU",
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t cic) { return cc.unblock(g, cic); },
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t first, std::uint8_t range) {
        return cc.group_unblock(g, first, range, false);
      });
}

Outcome<ActionReport> Model::reset(const CircuitRange& r) {
  return per_run(
      s_, r, "RSC", "GRS",
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t cic) { return cc.reset_circuit(g, cic); },
      [](isup::IsupCallControl& cc, isup::GroupId g, std::uint16_t first, std::uint8_t range) {
        return cc.group_reset(g, first, range);
      });
}

namespace {

// Q.763 3.14 circuit state indicator.
QueryRow decode_state(std::uint16_t cic, std::uint8_t v) {
  static constexpr std::string_view kBlocking[] = {"unblocked", "locally_blocked", "remotely_blocked", "both_blocked"};
  QueryRow row;
  row.cic = cic;
  row.indicator = v;
  const unsigned ba = v & 0x03, dc = (v >> 2) & 0x03, fe = (v >> 4) & 0x03;
  if (dc == 0) {
    row.call = ba == 3 ? "unequipped" : ba == 0 ? "transient" : "spare";
    row.maintenance = "unblocked";
  } else {
    row.call = dc == 1 ? "incoming_busy" : dc == 2 ? "outgoing_busy" : "idle";
    row.maintenance = kBlocking[ba];
  }
  row.hardware = kBlocking[fe];
  return row;
}

}  // namespace

void Model::query(const CircuitRange& r, std::function<void(Outcome<QueryTable>)> done) {
  auto* isup = s_.isup();
  if (isup == nullptr) return done(Err(Error{Error::Code::kUnavailable, "no SS7 in this configuration"}));
  auto id = group_id(r.group);
  const isup::TrunkGroup* g = id ? isup->group(*id) : nullptr;
  if (g == nullptr) return done(Err(Error{Error::Code::kNotFound, "no trunk group named '" + r.group + "'"}));
  if (g->circuits().empty()) return done(Err(Error{Error::Code::kNotFound, "trunk group has no circuits"}));
  const std::uint16_t first = r.first.value_or(g->circuits().front()->cic());
  std::uint16_t last = r.last.value_or(r.first ? first : g->circuits().back()->cic());
  if (!r.last && !r.first) last = std::min<std::uint16_t>(last, static_cast<std::uint16_t>(first + 31));
  if (last < first) return done(Err(Error{Error::Code::kInvalid, "CIC range runs backwards"}));
  if (last - first > 31)
    return done(Err(Error{Error::Code::kInvalid, "a circuit query covers at most 32 CICs (Q.763 3.43)"}));
  if (g->find(first) == nullptr)
    return done(
        Err(Error{Error::Code::kNotFound, "trunk group '" + r.group + "' has no CIC " + std::to_string(first)}));
  const std::string group = r.group;
  // The group's circuits as we see them, to flag a disagreement with the peer.
  std::vector<std::pair<std::uint16_t, bool>> ours;
  for (std::uint16_t cic = first; cic <= last; ++cic)
    if (const isup::Circuit* c = g->find(cic)) ours.emplace_back(cic, !c->call().idle());
  auto shared = std::make_shared<std::function<void(Outcome<QueryTable>)>>(std::move(done));
  auto sent = isup->query(*id, first, static_cast<std::uint8_t>(last - first),
                          [shared, group, first, ours](std::optional<std::vector<std::uint8_t>> states) {
                            if (!states)
                              return (*shared)(Err(Error{Error::Code::kTimeout, "no CQR before T28 (Q.764 2.10.4)"}));
                            QueryTable t;
                            t.group = group;
                            t.first = first;
                            for (std::size_t i = 0; i < states->size(); ++i) {
                              const auto cic = static_cast<std::uint16_t>(first + i);
                              QueryRow row = decode_state(cic, (*states)[i]);
                              for (const auto& [c, busy] : ours)
                                if (c == cic) {
                                  const bool peer_busy = row.call == "incoming_busy" || row.call == "outgoing_busy";
                                  const bool peer_idle = row.call == "idle";
                                  row.hung = (peer_busy && !busy) || (peer_idle && busy);
                                }
                              t.rows.push_back(row);
                            }
                            (*shared)(std::move(t));
                          });
  if (!sent) (*shared)(Err(cc_error(sent.error(), "CQM cic=" + std::to_string(first))));
}

void Model::validate(const CircuitRange& r, std::function<void(Outcome<ValidationReport>)> done) {
  auto* isup = s_.isup();
  if (isup == nullptr) return done(Err(Error{Error::Code::kUnavailable, "no SS7 in this configuration"}));
  auto id = group_id(r.group);
  if (!id || isup->group(*id) == nullptr)
    return done(Err(Error{Error::Code::kNotFound, "no trunk group named '" + r.group + "'"}));
  if (!r.first || (r.last && *r.last != *r.first))
    return done(Err(Error{Error::Code::kInvalid, "a circuit validation test is for one 'cic'"}));
  const std::uint16_t cic = *r.first;
  auto shared = std::make_shared<std::function<void(Outcome<ValidationReport>)>>(std::move(done));
  auto sent = isup->validate(*id, cic, [shared, group = r.group, cic](const isup::IsupCallControl::CircuitValidation& v) {
    if (!v.answered) return (*shared)(Err(Error{Error::Code::kTimeout, "no CVR before T_CVT (T1.113)"}));
    (*shared)(ValidationReport{group, cic, v.success, v.consistent, v.ours, v.theirs});
  });
  if (!sent) (*shared)(Err(cc_error(sent.error(), "CVT cic=" + std::to_string(cic))));
}

Outcome<ActionReport> Model::release_call(std::uint64_t id, int cause) {
  if (cause < 1 || cause > 127) return Err(Error{Error::Code::kInvalid, "cause must be 1..127 (Q.850)"});
  auto* engine = s_.engine();
  if (engine == nullptr) return Err(Error{Error::Code::kUnavailable, "no call engine"});
  if (!engine->release_call(id, cause)) return Err(Error{Error::Code::kNotFound, "no call " + std::to_string(id)});
  return ActionReport{{}, "call " + std::to_string(id) + " released with cause " + std::to_string(cause)};
}

Outcome<ActionReport> Model::set_sip_trunk_service(std::string_view name, bool in_service,
                                                   std::chrono::seconds retry_after) {
  auto* engine = s_.engine();
  if (engine == nullptr) return Err(Error{Error::Code::kUnavailable, "no call engine"});
  if (retry_after.count() < 0 || retry_after.count() > 86400)
    return Err(Error{Error::Code::kInvalid, "retry_after must be 0..86400 seconds"});
  if (!engine->set_sip_trunk_service(name, in_service, retry_after))
    return Err(Error{Error::Code::kNotFound, "no SIP trunk named '" + std::string(name) + "'"});
  return ActionReport{{}, in_service ? "in service" : "out of service: new calls refused, established calls kept"};
}

Outcome<ActionReport> Model::set_trunk_group_service(std::string_view name, bool in_service) {
  auto* engine = s_.engine();
  if (engine == nullptr) return Err(Error{Error::Code::kUnavailable, "no call engine"});
  if (!engine->set_group_service(name, in_service))
    return Err(Error{Error::Code::kNotFound, "no trunk group named '" + std::string(name) + "'"});
  return ActionReport{{}, in_service ? "in service" : "out of service: new calls refused, established calls kept"};
}

void Model::reload(std::function<void(Outcome<ReloadReport>)> done) {
  s_.reload([done = std::move(done)](Result<ReloadReport, std::string> r) {
    if (r) return done(std::move(*r));
    done(Err(Error{Error::Code::kInvalid, r.error()}));
  });
}

}  // namespace isupgw::mgmt
