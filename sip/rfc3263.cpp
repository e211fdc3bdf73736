#include "sip/rfc3263.h"

#include <algorithm>

#include "sip/grammar.h"

namespace isupgw::sip {

using dns::Record;
using dns::RrType;

std::string srv_name(std::string_view host, Transport t) {
  const std::string_view prefix = t == Transport::kTls   ? "_sips._tcp."
                                  : t == Transport::kTcp ? "_sip._tcp."
                                                         : "_sip._udp.";
  return std::string(prefix) + std::string(host);
}

std::string_view naptr_service(Transport t) {
  return t == Transport::kTls ? "SIPS+D2T" : t == Transport::kTcp ? "SIP+D2T" : "SIP+D2U";
}

std::vector<Record> order_srv(std::vector<Record> srv, const std::function<std::uint32_t(std::uint32_t)>& pick) {
  std::stable_sort(srv.begin(), srv.end(), [](const Record& a, const Record& b) { return a.priority < b.priority; });
  std::vector<Record> out;
  std::size_t i = 0;
  while (i < srv.size()) {
    std::size_t j = i;
    while (j < srv.size() && srv[j].priority == srv[i].priority) ++j;
    // RFC 2782: zero weights first, then repeatedly pick by running sum among those left.
    std::vector<Record> group(srv.begin() + static_cast<std::ptrdiff_t>(i),
                              srv.begin() + static_cast<std::ptrdiff_t>(j));
    std::stable_partition(group.begin(), group.end(), [](const Record& r) { return r.weight == 0; });
    while (!group.empty()) {
      std::uint32_t total = 0;
      for (const auto& r : group) total += r.weight;
      const std::uint32_t n = pick(total);
      std::uint32_t sum = 0;
      std::size_t k = 0;
      for (; k < group.size(); ++k) {
        sum += group[k].weight;
        if (sum >= n) break;
      }
      if (k == group.size()) k = group.size() - 1;
      out.push_back(std::move(group[k]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(k));
    }
    i = j;
  }
  return out;
}

struct Rfc3263Resolver::Entry {
  DnsTrunk trunk;
  std::vector<Peer> peers;
  std::uint64_t gen = 0;
  TimerService::Id timer = 0;
};

struct Rfc3263Resolver::Job {
  std::vector<Record> srv;  // ordered; empty with `fallback`: A/AAAA of the host
  std::size_t next = 0;
  std::vector<Peer> peers;
  std::uint32_t ttl = UINT32_MAX;
  bool aaaa = false;  // the current target's A had nothing: its AAAA asked
};

namespace {

std::uint16_t default_port(Transport t) { return t == Transport::kTls ? 5061 : 5060; }

std::string describe(const std::vector<Peer>& peers) {
  std::string s;
  for (const auto& p : peers)
    s += (s.empty() ? "" : ",") + (p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host) + ":" +
         std::to_string(p.port);
  return s;
}

}  // namespace

Rfc3263Resolver::Rfc3263Resolver(dns::Client& dns, TimerService& timers, Clock& clock, Logger& log, Counters& counters,
                                 Rfc3263Options opt, std::vector<DnsTrunk> trunks)
    : dns_(dns),
      timers_(timers),
      clock_(clock),
      log_(log),
      counters_(counters),
      opt_(opt),
      rng_(std::random_device{}()) {
  for (auto& t : trunks) {
    auto e = std::make_unique<Entry>();
    e->trunk = std::move(t);
    entries_.emplace(e->trunk.name, std::move(e));
  }
}

Rfc3263Resolver::~Rfc3263Resolver() {
  *alive_ = false;
  for (auto& [name, e] : entries_)
    if (e->timer != 0) timers_.cancel(e->timer);
}

void Rfc3263Resolver::start() {
  for (auto& [name, e] : entries_) resolve(*e);
}

bool Rfc3263Resolver::has(std::string_view trunk) const { return entries_.find(trunk) != entries_.end(); }

void Rfc3263Resolver::resolve(Entry& e) {
  e.timer = 0;
  const std::uint64_t gen = ++e.gen;
  auto job = std::make_shared<Job>();
  counters_.get("sip.dns.resolutions").inc();
  if (e.trunk.port != 0) {  // 4.2: a port given: A/AAAA of the host
    Record r;
    r.target = e.trunk.host;
    r.port = e.trunk.port;
    job->srv.push_back(r);
    return addresses(e, gen, job);
  }
  const Transport t = e.trunk.transport;
  dns_.query(e.trunk.host, RrType::kNaptr, [this, &e, gen, job, t, a = alive_](Result<dns::Answer, std::string> ans) {
    if (!*a || gen != e.gen) return;
    if (!ans) return finish(e, gen, {}, 0, "NAPTR " + e.trunk.host + ": " + ans.error());
    if (ans->rcode == 3) return finish(e, gen, {}, 0, "NXDOMAIN " + e.trunk.host);
    // 4.1: the records for our transport, terminal ("s": an SRV lookup next), by order then preference.
    std::vector<Record> naptr;
    for (auto& r : ans->records)
      if (r.type == RrType::kNaptr && grammar::iequals(r.flags, "s") &&
          grammar::iequals(r.services, naptr_service(t)) && !r.target.empty())
        naptr.push_back(r);
    std::stable_sort(naptr.begin(), naptr.end(), [](const Record& x, const Record& y) {
      return x.order != y.order ? x.order < y.order : x.preference < y.preference;
    });
    const bool from_naptr = !naptr.empty();
    if (from_naptr) job->ttl = naptr.front().ttl;
    const std::string srv = from_naptr ? naptr.front().target : srv_name(e.trunk.host, t);
    dns_.query(srv, RrType::kSrv, [this, &e, gen, job, t, srv, from_naptr, a](Result<dns::Answer, std::string> s) {
      if (!*a || gen != e.gen) return;
      if (!s) return finish(e, gen, {}, 0, "SRV " + srv + ": " + s.error());
      std::vector<Record> recs;
      for (auto& r : s->records)
        if (r.type == RrType::kSrv && !r.target.empty()) {  // target ".": no service there (RFC 2782)
          job->ttl = std::min(job->ttl, r.ttl);
          recs.push_back(std::move(r));
        }
      if (recs.empty()) {
        if (from_naptr) return finish(e, gen, {}, 0, "no SRV at " + srv + " (named by NAPTR)");
        Record r;  // 4.2: no SRV: A/AAAA of the host, the transport's default port
        r.target = e.trunk.host;
        r.port = default_port(t);
        recs.push_back(r);
      }
      job->srv = order_srv(std::move(recs), [this](std::uint32_t total) {
        return std::uniform_int_distribution<std::uint32_t>(0, total)(rng_);
      });
      addresses(e, gen, job);
    });
  });
}

// A (then AAAA when there is no A) of each SRV target in turn.
void Rfc3263Resolver::addresses(Entry& e, std::uint64_t gen, std::shared_ptr<Job> job) {
  if (job->next >= job->srv.size()) {
    const std::uint32_t ttl = job->ttl;
    std::string error = job->peers.empty() ? "no address for any target" : "";
    return finish(e, gen, std::move(job->peers), ttl, std::move(error));
  }
  const Record& target = job->srv[job->next];
  const std::string host = target.target;
  dns_.query(
      host, job->aaaa ? RrType::kAaaa : RrType::kA,
      [this, &e, gen, job, host, a = alive_](Result<dns::Answer, std::string> ans) {
        if (!*a || gen != e.gen) return;
        bool any = false;
        if (ans) {
          for (const auto& r : ans->records)
            if ((r.type == RrType::kA || r.type == RrType::kAaaa) && !r.address.empty()) {
              job->peers.push_back(Peer{e.trunk.transport, r.address, job->srv[job->next].port});
              job->ttl = std::min(job->ttl, r.ttl);
              any = true;
            }
        } else {
          log_.warn(Subsystem::kSip, "dns_failed", {{"trunk", e.trunk.name}, {"name", host}, {"reason", ans.error()}});
        }
        if (!any && !job->aaaa && ans) {
          job->aaaa = true;
        } else {
          job->aaaa = false;
          ++job->next;
        }
        addresses(e, gen, job);
      });
}

void Rfc3263Resolver::finish(Entry& e, std::uint64_t gen, std::vector<Peer> peers, std::uint32_t ttl,
                             std::string error) {
  if (gen != e.gen) return;
  Clock::duration again = opt_.retry;
  if (peers.empty()) {
    counters_.get("sip.dns.resolve_failed").inc();
    log_.warn(Subsystem::kSip, "dns_resolve_failed",
              {{"trunk", e.trunk.name}, {"host", e.trunk.host}, {"reason", error}, {"kept", describe(e.peers)}});
  } else {
    again = std::max<Clock::duration>(opt_.min_ttl, std::chrono::seconds(ttl));
    const bool changed = describe(peers) != describe(e.peers);
    if (changed)
      log_.info(Subsystem::kSip, "dns_resolved",
                {{"trunk", e.trunk.name}, {"host", e.trunk.host}, {"targets", describe(peers)}, {"ttl", ttl}});
    e.peers = std::move(peers);
  }
  e.timer = timers_.start(again, [this, &e] { resolve(e); });
}

std::vector<Peer> Rfc3263Resolver::targets(std::string_view trunk) const {
  auto it = entries_.find(trunk);
  if (it == entries_.end()) return {};
  std::vector<Peer> out = it->second->peers;
  const auto now = clock_.now();
  std::stable_partition(out.begin(), out.end(), [&](const Peer& p) {
    auto a = avoided_.find({p.host, p.port});
    return a == avoided_.end() || a->second <= now;
  });
  return out;
}

void Rfc3263Resolver::failed(const Peer& peer, std::string_view why) {
  bool ours = false;  // the user agent reports every INVITE target; only resolved ones are avoided
  for (const auto& [name, e] : entries_)
    for (const auto& p : e->peers) ours = ours || (p.host == peer.host && p.port == peer.port);
  if (!ours) return;
  const auto now = clock_.now();
  std::erase_if(avoided_, [&](const auto& a) { return a.second <= now; });
  counters_.get("sip.dns.target_avoided").inc();
  auto& until = avoided_[{peer.host, peer.port}];
  const bool already = until > clock_.now();
  until = clock_.now() + opt_.avoid;
  if (!already)
    log_.notice(Subsystem::kSip, "target_avoided",
                {{"peer", peer.host},
                 {"port", peer.port},
                 {"reason", why},
                 {"for_ms", std::chrono::duration_cast<std::chrono::milliseconds>(opt_.avoid).count()}});
}

}  // namespace isupgw::sip
