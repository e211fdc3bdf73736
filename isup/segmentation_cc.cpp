// Simple segmentation in call control (Q.764 2.1.12): an over-length IAM, ACM,
// CPG, ANM or CON leaves as the message plus an SGM sent right after it on the
// same SLS; a received message with the segmentation indicator is held until
// its SGM (then processed whole) or until T34 expires (then processed as it
// came). Any other message for the circuit in the meantime means the segment
// is lost: the held message is processed first, then that one; an SGM nobody
// awaits is discarded.
#include <string>

#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "isup/segmentation.h"

namespace isupgw::isup {

bool IsupCallControl::send_segmented(const TrunkGroup& g, const Message& m, std::span<const std::uint8_t> bytes,
                                     const MtpLabel& label) {
  const auto& cfg = g.config();
  if (bytes.size() <= max_message_length(cfg.variant) || !segmentable(m.type, cfg.variant)) return false;
  auto parts = segment(m, cfg.variant, max_message_length(cfg.variant));
  if (!parts) {
    tx_encode_error_.inc();
    log_.error(Subsystem::kIsup, "tx.encode_error",
               {{"group", cfg.name}, {"cic", m.cic}, {"type", m.type}, {"error", "too long to segment"}});
    return true;
  }
  const auto& mc = message_counters(cfg.variant);
  if (Counter* k = mc.tx[m.type]) k->inc();
  if (Counter* k = mc.tx[msg::kSgm]) k->inc();
  count("isup.tx.segmented");
  log_.info(Subsystem::kIsup, "tx.segmented",
            {{"group", cfg.name},
             {"cic", m.cic},
             {"msg", message_acronym(m.type, cfg.variant)},
             {"octets", bytes.size()},
             {"first", parts->first.size()},
             {"sgm", parts->sgm.size()}});
  mtp_.transfer(label, parts->first);
  mtp_.transfer(label, parts->sgm);
  return true;
}

bool IsupCallControl::on_segment(TrunkGroup& g, Circuit& c, const Message& m, std::span<const std::uint8_t> data) {
  const Variant v = g.config().variant;
  const GroupKey key{g.id(), c.cic()};
  auto it = held_.find(key);
  if (m.type == msg::kSgm) {
    if (Counter* k = message_counters(v).rx[msg::kSgm]) k->inc();
    if (it == held_.end()) {
      count("isup.rx.sgm_unexpected");
      log_.warn(Subsystem::kIsup, "rx.sgm_unexpected", {{"group", g.config().name}, {"cic", c.cic()}});
      return true;
    }
    const std::vector<std::uint8_t> bytes = std::move(it->second.bytes);
    held_.erase(it);  // stops T34
    auto first = decode(bytes, v);
    if (!first) return true;  // cannot happen: it decoded when it came
    auto whole = reassemble(*first, m, v);
    if (!whole) {
      count("isup.rx.reassembly_error");
      deliver(g, c, *first);
      return true;
    }
    auto wm = decode(*whole, v);
    if (!wm) {
      count("isup.rx.reassembly_error");
      deliver(g, c, *first);
      return true;
    }
    count("isup.rx.reassembled");
    log_.info(Subsystem::kIsup, "rx.reassembled",
              {{"group", g.config().name}, {"cic", c.cic()}, {"msg", message_acronym(wm->type, v)},
               {"octets", whole->size()}});
    deliver(g, c, *wm);
    return true;
  }
  if (it != held_.end()) process_held(key);
  if (!segmentable(m.type, v) || !segmentation_indicated(m)) return false;
  HeldSegment& h = held_[key];
  h.bytes.assign(data.begin(), data.end());
  h.t34 = std::make_unique<OneShotTimer>(timers_);
  h.t34->arm(g.config().timers.t34, [this, key] {
    count("isup.t34.expired");
    process_held(key);
  });
  count("isup.rx.segmented");
  return true;
}

void IsupCallControl::process_held(GroupKey key) {
  auto it = held_.find(key);
  if (it == held_.end()) return;
  const std::vector<std::uint8_t> bytes = std::move(it->second.bytes);
  held_.erase(it);
  TrunkGroup* g = find_group(key.first);
  Circuit* c = g ? g->find(key.second) : nullptr;
  if (c == nullptr) return;
  auto m = decode(bytes, g->config().variant);
  if (!m) return;
  log_.warn(Subsystem::kIsup, "rx.segment_lost", {{"group", g->config().name}, {"cic", key.second}});
  deliver(*g, *c, *m);
}

void IsupCallControl::deliver(TrunkGroup& g, Circuit& c, const Message& m) {
  if (!check_parameters(g, c, m)) return;
  dispatch(g, c, m);
}

}  // namespace isupgw::isup
