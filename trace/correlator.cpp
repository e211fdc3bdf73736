#include "trace/correlator.h"

#include "trace/keys.h"

namespace isupgw::trace {

namespace {
constexpr std::int64_t kSipKeep = 32'000'000;  // 64*T1 (RFC 3261 17.1.1.2), microseconds
constexpr std::size_t kTransactions = 65536;
}  // namespace

void Correlator::tag(Batch& b, std::size_t index, std::uint64_t call) {
  Record& r = b.records[index];
  r.call = call;
  if (r.protocol != Protocol::kMgcp) return;
  // A command's transaction id brings its response to the same call (RFC 3435 3.2.1.2).
  if (auto k = mgcp_keys(b.text(r)); k && !k->verb.empty()) {
    auto [it, fresh] = transactions_.insert_or_assign(std::string(k->transaction), call);
    if (fresh) {
      transaction_order_.push_back(it->first);
      if (transaction_order_.size() > kTransactions) {
        transactions_.erase(transaction_order_.front());
        transaction_order_.pop_front();
      }
    }
  }
}

void Correlator::expire(std::int64_t now_us) {
  while (!sip_expiry_.empty() && sip_expiry_.front().first <= now_us) {
    sip_.erase(sip_expiry_.front().second);
    sip_expiry_.pop_front();
  }
  while (!mgcp_expiry_.empty() && std::get<0>(mgcp_expiry_.front()) <= now_us) {
    const auto& [when, id, call] = mgcp_expiry_.front();
    // Only if no later call took the same CallId meanwhile.
    if (auto o = mgcp_.find(id); o != mgcp_.end() && o->second.call == call && o->second.ended) mgcp_.erase(o);
    mgcp_expiry_.pop_front();
  }
}

void Correlator::resolve(Batch& b) {
  // Within the batch: SIP packets no binding owned yet, by Call-ID; the last IAM per circuit; the last
  // INVITE and CRCX sent.
  std::unordered_map<std::string_view, std::vector<std::size_t>> unowned_sip;
  std::map<Circuit, std::size_t> last_iam;
  std::size_t last_invite = SIZE_MAX, last_crcx = SIZE_MAX;
  for (std::size_t i = 0; i < b.records.size(); ++i) {
    Record& r = b.records[i];
    switch (r.kind) {
      case Kind::kPacket: {
        r.call = 0;
        if (r.protocol == Protocol::kSip) {
          auto k = sip_keys(b.text(r));
          if (!k) break;
          if (auto it = sip_.find(k->call_id); it != sip_.end())
            r.call = it->second;
          else
            unowned_sip[k->call_id].push_back(i);
          if (r.outgoing && k->status == 0 && k->method == "INVITE") last_invite = i;
        } else if (r.protocol == Protocol::kMgcp) {
          auto k = mgcp_keys(b.text(r));
          if (!k) break;
          if (k->verb.empty()) {
            if (auto it = transactions_.find(k->transaction); it != transactions_.end()) r.call = it->second;
            break;
          }
          if (r.outgoing && k->verb == "CRCX") last_crcx = i;
          if (k->call_id.empty()) break;
          if (auto it = mgcp_.find(k->call_id); it != mgcp_.end() && (!it->second.ended || k->verb == "DLCX"))
            tag(b, i, it->second.call);
        } else {
          auto k = r.protocol == Protocol::kM3ua ? m3ua_isup(b.data(r)) : m2pa_isup(b.data(r), ansi_);
          if (!k) break;
          const Circuit c = circuit(k->opc, k->dpc, k->cic);
          // An IAM belongs to the binding that follows it, unless the circuit's call is still on (the
          // binding came first); after the end only the release messages are the call's.
          if (k->type == kIam) last_iam[c] = i;
          if (auto it = circuits_.find(c);
              it != circuits_.end() && (!it->second.ended || k->type == kRel || k->type == kRlc))
            r.call = it->second.call;
        }
        break;
      }
      case Kind::kBindSip: {
        std::string id(b.text(r));
        if (!sip_.emplace(id, r.call).second) break;
        calls_[r.call].sip.push_back(id);
        if (auto it = unowned_sip.find(id); it != unowned_sip.end())
          for (auto j : it->second) b.records[j].call = r.call;
        break;
      }
      case Kind::kBindLastInvite: {
        if (last_invite == SIZE_MAX) break;
        auto k = sip_keys(b.text(b.records[last_invite]));
        if (!k) break;
        std::string id(k->call_id);
        if (sip_.emplace(id, r.call).second) calls_[r.call].sip.push_back(id);
        if (auto it = unowned_sip.find(k->call_id); it != unowned_sip.end())
          for (auto j : it->second) b.records[j].call = r.call;
        last_invite = SIZE_MAX;
        break;
      }
      case Kind::kBindCircuit: {
        const Circuit c = circuit(r.opc, r.dpc, r.cic);
        circuits_[c] = Owner{r.call, false};
        calls_[r.call].circuits.push_back(c);
        if (auto it = last_iam.find(c); it != last_iam.end()) {
          b.records[it->second].call = r.call;
          last_iam.erase(it);
        }
        break;
      }
      case Kind::kBindLastCrcx: {
        if (last_crcx == SIZE_MAX) break;
        tag(b, last_crcx, r.call);
        auto k = mgcp_keys(b.text(b.records[last_crcx]));
        if (k && !k->call_id.empty()) {
          std::string id(k->call_id);
          mgcp_[id] = Owner{r.call, false};
          calls_[r.call].mgcp.push_back(id);
        }
        last_crcx = SIZE_MAX;
        break;
      }
      case Kind::kEnd: {
        auto it = calls_.find(r.call);
        if (it == calls_.end()) break;
        for (const auto& c : it->second.circuits)
          if (auto o = circuits_.find(c); o != circuits_.end() && o->second.call == r.call) o->second.ended = true;
        for (auto& m : it->second.mgcp)
          if (auto o = mgcp_.find(m); o != mgcp_.end() && o->second.call == r.call) {
            o->second.ended = true;
            mgcp_expiry_.emplace_back(r.time_us + kSipKeep, std::move(m), r.call);
          }
        for (auto& s : it->second.sip) sip_expiry_.emplace_back(r.time_us + kSipKeep, std::move(s));
        calls_.erase(it);
        break;
      }
    }
  }
  if (!b.records.empty()) expire(b.records.back().time_us);
}

}  // namespace isupgw::trace
