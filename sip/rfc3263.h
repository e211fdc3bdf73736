// RFC 3263 4 (locating a SIP server) for trunks whose peer is a host name:
// NAPTR (4.1: the SIP+D2U / SIP+D2T / SIPS+D2T records of the trunk's
// transport, by order then preference), then SRV (4.2; RFC 2782 priority, and
// weight as a random order within one priority), then A/AAAA of each SRV
// target; no usable NAPTR: SRV _sip._udp / _sip._tcp / _sips._tcp of the host;
// no SRV: A/AAAA of the host with the transport's default port; a port in the
// configuration: A/AAAA only (4.2). The list is kept for the shortest TTL of
// the records it came from, then resolved again; a failed resolution keeps the
// last list and retries. 4.3: a target that failed (503, timeout, refused) is
// put behind the others for `avoid`.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "sip/dns_client.h"
#include "sip/session_api.h"

namespace isupgw::sip {

// A trunk's ordered targets, as the engine (INVITE) and registration ask for them.
class TrunkTargets {
 public:
  virtual ~TrunkTargets() = default;
  // RFC 3263 4.4 order, targets avoided after a failure last; empty when nothing is known (yet).
  virtual std::vector<Peer> targets(std::string_view trunk) const = 0;
  // RFC 3263 4.3: `peer` failed a request; tried after the others for a while.
  virtual void failed(const Peer& peer, std::string_view why) = 0;
};

struct DnsTrunk {
  std::string name;
  std::string host;        // a domain name (never an IP literal)
  std::uint16_t port = 0;  // 0: NAPTR/SRV; otherwise A/AAAA only (4.2)
  Transport transport = Transport::kUdp;
};

struct Rfc3263Options {
  Clock::duration avoid = std::chrono::seconds(30);   // a failed target's time at the back
  Clock::duration min_ttl = std::chrono::seconds(1);  // floor of the re-resolution interval
  Clock::duration retry = std::chrono::seconds(5);    // after a failed resolution
};

// The SRV name of 4.1/4.2 for a transport without NAPTR: _sip._udp.host, _sip._tcp.host, _sips._tcp.host.
std::string srv_name(std::string_view host, Transport t);
// The NAPTR service field for a transport (RFC 3263 4.1, RFC 3261 table): SIP+D2U, SIP+D2T, SIPS+D2T.
std::string_view naptr_service(Transport t);
// RFC 2782: records of one priority in weighted random order (weight 0 first in the running sum); `pick`
// returns a number in [0, total]. SRV records of lower priority value first.
std::vector<dns::Record> order_srv(std::vector<dns::Record> srv,
                                   const std::function<std::uint32_t(std::uint32_t)>& pick);

class Rfc3263Resolver final : public TrunkTargets {
 public:
  Rfc3263Resolver(dns::Client& dns, TimerService& timers, Clock& clock, Logger& log, Counters& counters,
                  Rfc3263Options opt, std::vector<DnsTrunk> trunks);
  ~Rfc3263Resolver() override;
  Rfc3263Resolver(const Rfc3263Resolver&) = delete;
  Rfc3263Resolver& operator=(const Rfc3263Resolver&) = delete;

  // Resolves every trunk now, then each again when its TTL runs out.
  void start();
  bool has(std::string_view trunk) const;

  std::vector<Peer> targets(std::string_view trunk) const override;
  void failed(const Peer& peer, std::string_view why) override;

 private:
  struct Entry;
  struct Job;
  void resolve(Entry& e);
  void finish(Entry& e, std::uint64_t gen, std::vector<Peer> peers, std::uint32_t ttl, std::string error);
  void addresses(Entry& e, std::uint64_t gen, std::shared_ptr<Job> job);

  dns::Client& dns_;
  TimerService& timers_;
  Clock& clock_;
  Logger& log_;
  Counters& counters_;
  Rfc3263Options opt_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
  std::map<std::pair<std::string, std::uint16_t>, Clock::time_point> avoided_;
  std::mt19937 rng_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace isupgw::sip
