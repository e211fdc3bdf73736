// DNS answers (RFC 1035 4.1, RFC 2782, RFC 3403) and RFC 3263 target order. The
// hex is what Debian's dnsmasq 2.90 answered for the records of
// integration.sip_dns (--naptr-record=trunk.test,10,10,S,SIP+D2T,,_sip._tcp.trunk.test,
// --srv-host=_sip._tcp.trunk.test,uas1.test,5071,10,0 and uas2.test,5072,20,0, --local-ttl=2).
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "base/hex.h"
#include "base/timer_service.h"
#include "sip/rfc3263.h"

namespace isupgw::sip {
namespace {

using dns::RrType;

// The answers below are whole, valid hex: a typo fails the test at once.
Bytes bytes(std::string_view hex) { return from_hex(hex).value(); }

TEST(DnsAnswer, NaptrFromDnsmasq) {
  auto a = dns::parse_answer(
      bytes("04d285800001000100000000057472756e6b04746573740000230001c00c00230001000000020025000a000a0153075349502b4432"
            "5400045f736970045f746370057472756e6b047465737400"));
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->rcode, 0);
  ASSERT_EQ(a->records.size(), 1u);
  const auto& r = a->records[0];
  EXPECT_EQ(r.type, RrType::kNaptr);
  EXPECT_EQ(r.name, "trunk.test");
  EXPECT_EQ(r.ttl, 2u);
  EXPECT_EQ(r.order, 10);
  EXPECT_EQ(r.preference, 10);
  EXPECT_EQ(r.flags, "S");
  EXPECT_EQ(r.services, "SIP+D2T");
  EXPECT_EQ(r.regexp, "");
  EXPECT_EQ(r.target, "_sip._tcp.trunk.test");
}

TEST(DnsAnswer, SrvWithCompressedNamesFromDnsmasq) {
  auto a = dns::parse_answer(bytes(
      "04d285800001000200000003045f736970045f746370057472756e6b04746573740000210001c00c002100010000000200110014000013"
      "d00475617332047465737400c00c00210001000000020011000a000013cf0475617331047465737400c055000100010000000200047f00"
      "0001c038001c000100000002001000000000000000000000000000000001c038000100010000000200047f000001"));
  ASSERT_TRUE(a) << a.error();
  ASSERT_EQ(a->records.size(), 2u);  // the additional section (A/AAAA of the targets) is not read
  EXPECT_EQ(a->records[0].type, RrType::kSrv);
  EXPECT_EQ(a->records[0].priority, 20);
  EXPECT_EQ(a->records[0].weight, 0);
  EXPECT_EQ(a->records[0].port, 5072);
  EXPECT_EQ(a->records[0].target, "uas2.test");
  EXPECT_EQ(a->records[1].priority, 10);
  EXPECT_EQ(a->records[1].port, 5071);
  EXPECT_EQ(a->records[1].target, "uas1.test");
  EXPECT_EQ(a->records[1].name, "_sip._tcp.trunk.test");
}

TEST(DnsAnswer, AaaaFromDnsmasq) {
  auto a =
      dns::parse_answer(bytes("04d2858000010001000000000475617332047465737400001c0001c00c001c00010000000200100000000000"
                              "0000000000000000000001"));
  ASSERT_TRUE(a) << a.error();
  ASSERT_EQ(a->records.size(), 1u);
  EXPECT_EQ(a->records[0].type, RrType::kAaaa);
  EXPECT_EQ(a->records[0].address, "::1");
}

TEST(DnsAnswer, MalformedIsAnErrorNeverAPartialRead) {
  // A name pointer to itself (RFC 1035 4.1.4 pointers go to a prior occurrence).
  EXPECT_FALSE(dns::parse_answer(bytes("04d2858000010000000000000c0c00010001")));
  // Answer count 1, nothing after the question.
  EXPECT_FALSE(dns::parse_answer(bytes("04d28580000100010000000000000100 01")));
  // RDATA length beyond the message.
  EXPECT_FALSE(dns::parse_answer(bytes("04d28580000000010000000000000100010000000200087f000001")));
  // A record of 3 octets.
  EXPECT_FALSE(dns::parse_answer(bytes("04d28580000000010000000000000100010000000200037f0000")));
  // A query, not a response (QR=0).
  EXPECT_FALSE(dns::parse_answer(bytes("04d201000000000000000000")));
  EXPECT_FALSE(dns::parse_answer(bytes("04d2")));
  // Negative TTL (RFC 2181 8): zero.
  auto a = dns::parse_answer(bytes("04d28580000000010000000000000100018000000000047f000001"));
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->records.at(0).ttl, 0u);
  EXPECT_EQ(a->records.at(0).address, "127.0.0.1");
}

dns::Record srv(std::uint16_t prio, std::uint16_t weight, std::string target) {
  dns::Record r;
  r.type = RrType::kSrv;
  r.priority = prio;
  r.weight = weight;
  r.target = std::move(target);
  return r;
}

// RFC 1035 3.1: a name is at most 255 octets on the wire, its root's zero octet included, so at most 253
// characters written out. An A record owned by labels of 63, 63, 63 and N octets.
std::vector<std::uint8_t> a_record_owned_by(std::size_t last_label) {
  std::vector<std::uint8_t> m = bytes("04d285800000000100000000");  // an answer, no question, one record
  for (std::size_t len : {std::size_t{63}, std::size_t{63}, std::size_t{63}, last_label}) {
    m.push_back(static_cast<std::uint8_t>(len));
    m.insert(m.end(), len, 'a');
  }
  const auto rest = bytes(
      "0000010001000000020004"
      "7f000001");
  m.insert(m.end(), rest.begin(), rest.end());
  return m;
}

TEST(DnsAnswer, NamesLongerThan255OctetsAreRefused) {
  auto ok = dns::parse_answer(a_record_owned_by(61));  // 3 x 64 + 62 + 1 = 255 octets
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_EQ(ok->records.size(), 1u);
  EXPECT_EQ(ok->records[0].name.size(), 253u);
  EXPECT_FALSE(dns::parse_answer(a_record_owned_by(62)));  // 256 octets: 254 characters (fuzz_dns found it)
}

TEST(Rfc2782, LowerPriorityFirstWeightsByRunningSum) {
  // pick(total) = 0: the first record with a running sum >= 0, i.e. the zero-weight one first (RFC 2782).
  auto o = order_srv({srv(20, 5, "c"), srv(10, 60, "a"), srv(10, 0, "z"), srv(10, 40, "b")},
                     [](std::uint32_t) { return 0u; });
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].target, "z");
  EXPECT_EQ(o[1].target, "a");
  EXPECT_EQ(o[2].target, "b");
  EXPECT_EQ(o[3].target, "c");
  // pick(total) = total: the last of the priority group.
  o = order_srv({srv(10, 60, "a"), srv(10, 40, "b")}, [](std::uint32_t t) { return t; });
  EXPECT_EQ(o[0].target, "b");
  EXPECT_EQ(o[1].target, "a");
  // 61 of 100: past a's 60, b's running sum 100.
  o = order_srv({srv(10, 60, "a"), srv(10, 40, "b")}, [](std::uint32_t t) { return t == 100 ? 61u : t; });
  EXPECT_EQ(o[0].target, "b");
}

// Answers from a table, delivered when the test says (never inside query()).
class TableDns final : public dns::Client {
 public:
  std::map<std::pair<std::string, RrType>, dns::Answer> zone;
  std::vector<std::string> asked;
  void query(const std::string& name, RrType type, Callback cb) override {
    asked.push_back(name);
    auto it = zone.find({name, type});
    queue.push_back([cb, a = it == zone.end() ? dns::Answer{3, {}} : it->second] { cb(a); });
  }
  void run() {
    while (!queue.empty()) {
      auto f = std::move(queue.front());
      queue.pop_front();
      f();
    }
  }
  std::deque<std::function<void()>> queue;
};

dns::Record naptr(std::uint16_t order, std::uint16_t pref, std::string service, std::string target, std::uint32_t ttl) {
  dns::Record r;
  r.type = RrType::kNaptr;
  r.order = order;
  r.preference = pref;
  r.flags = "s";
  r.services = std::move(service);
  r.target = std::move(target);
  r.ttl = ttl;
  return r;
}
dns::Record srv_at(std::uint16_t prio, std::string target, std::uint16_t port, std::uint32_t ttl) {
  auto r = srv(prio, 0, std::move(target));
  r.port = port;
  r.ttl = ttl;
  return r;
}
dns::Record a(std::string ip, std::uint32_t ttl) {
  dns::Record r;
  r.type = RrType::kA;
  r.address = std::move(ip);
  r.ttl = ttl;
  return r;
}

struct Rfc3263Test : ::testing::Test {
  ManualClock clock;
  ManualTimerService timers{clock};
  Logger log{[](std::string_view) {}};
  Counters counters;
  TableDns dns;
  std::unique_ptr<Rfc3263Resolver> make(DnsTrunk t) {
    Rfc3263Options o;
    o.avoid = std::chrono::seconds(30);
    return std::make_unique<Rfc3263Resolver>(dns, timers, clock, log, counters, o, std::vector<DnsTrunk>{t});
  }
  static std::string list(const std::vector<Peer>& ps) {
    std::string s;
    for (const auto& p : ps) s += (s.empty() ? "" : " ") + p.host + ":" + std::to_string(p.port);
    return s;
  }
};

TEST_F(Rfc3263Test, NaptrOfTheTransportThenSrvThenA) {
  // 4.1: the TCP trunk takes SIP+D2T; the lower order wins over a better preference; D2U is another transport.
  dns.zone[{"trunk.test", RrType::kNaptr}] = {
      0,
      {naptr(20, 1, "SIP+D2T", "_sip._tcp.other.test", 300), naptr(10, 50, "SIP+D2T", "_sip._tcp.trunk.test", 60),
       naptr(5, 1, "SIP+D2U", "_sip._udp.trunk.test", 300)}};
  dns.zone[{"_sip._tcp.trunk.test", RrType::kSrv}] = {0,
                                                      {srv_at(20, "b.test", 5072, 30), srv_at(10, "a.test", 5071, 30)}};
  dns.zone[{"a.test", RrType::kA}] = {0, {a("192.0.2.1", 10)}};
  dns.zone[{"b.test", RrType::kA}] = {0, {a("192.0.2.2", 10)}};
  auto r = make({"t", "trunk.test", 0, Transport::kTcp});
  r->start();
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.1:5071 192.0.2.2:5072");
  EXPECT_EQ(r->targets("t").front().transport, Transport::kTcp);
  EXPECT_EQ(dns.asked, (std::vector<std::string>{"trunk.test", "_sip._tcp.trunk.test", "a.test", "b.test"}));
}

TEST_F(Rfc3263Test, NoNaptrSrvOfTheTransportNoSrvTheHostWithTheDefaultPort) {
  dns.zone[{"_sip._udp.trunk.test", RrType::kSrv}] = {0, {srv_at(10, "a.test", 5080, 30)}};
  dns.zone[{"a.test", RrType::kA}] = {0, {a("192.0.2.1", 10)}};
  dns.zone[{"trunk.test", RrType::kNaptr}] = {0, {}};  // NODATA
  auto r = make({"t", "trunk.test", 0, Transport::kUdp});
  r->start();
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.1:5080");
  dns.zone.erase({"_sip._udp.trunk.test", RrType::kSrv});
  dns.zone[{"_sip._udp.trunk.test", RrType::kSrv}] = {0, {}};
  dns.zone[{"trunk.test", RrType::kA}] = {0, {a("192.0.2.9", 10)}};
  timers.advance(std::chrono::seconds(10));  // the shortest TTL
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.9:5060");
}

TEST_F(Rfc3263Test, APortGivenMeansAOnly) {
  dns.zone[{"trunk.test", RrType::kA}] = {0, {a("192.0.2.7", 10)}};
  auto r = make({"t", "trunk.test", 5099, Transport::kUdp});
  r->start();
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.7:5099");
  EXPECT_EQ(dns.asked, (std::vector<std::string>{"trunk.test"}));
}

TEST_F(Rfc3263Test, ChangedRecordsAfterTheTtlAFailedResolutionKeepsTheList) {
  dns.zone[{"trunk.test", RrType::kA}] = {0, {a("192.0.2.7", 20)}};
  auto r = make({"t", "trunk.test", 5060, Transport::kUdp});
  r->start();
  dns.run();
  dns.zone[{"trunk.test", RrType::kA}] = {0, {a("192.0.2.8", 20)}};
  timers.advance(std::chrono::seconds(19));
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.7:5060");  // still within the TTL
  timers.advance(std::chrono::seconds(1));
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.8:5060");
  dns.zone.clear();  // NXDOMAIN: kept, retried
  timers.advance(std::chrono::seconds(20));
  dns.run();
  EXPECT_EQ(list(r->targets("t")), "192.0.2.8:5060");
  EXPECT_EQ(counters.get("sip.dns.resolve_failed").value(), 1u);
}

TEST_F(Rfc3263Test, AFailedTargetGoesLastForTheAvoidTime) {
  dns.zone[{"trunk.test", RrType::kNaptr}] = {0, {}};
  dns.zone[{"_sip._udp.trunk.test", RrType::kSrv}] = {
      0, {srv_at(10, "a.test", 5071, 3600), srv_at(20, "b.test", 5072, 3600)}};
  dns.zone[{"a.test", RrType::kA}] = {0, {a("192.0.2.1", 3600)}};
  dns.zone[{"b.test", RrType::kA}] = {0, {a("192.0.2.2", 3600)}};
  auto r = make({"t", "trunk.test", 0, Transport::kUdp});
  r->start();
  dns.run();
  r->failed(Peer{Transport::kUdp, "192.0.2.1", 5071}, "503");
  r->failed(Peer{Transport::kUdp, "198.51.100.1", 5060}, "timeout");  // not a target: nothing
  EXPECT_EQ(list(r->targets("t")), "192.0.2.2:5072 192.0.2.1:5071");
  EXPECT_EQ(counters.get("sip.dns.target_avoided").value(), 1u);
  timers.advance(std::chrono::seconds(30));
  EXPECT_EQ(list(r->targets("t")), "192.0.2.1:5071 192.0.2.2:5072");
}

}  // namespace
}  // namespace isupgw::sip
