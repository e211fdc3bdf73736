// One trace per call (issue 17): message keys (hex in, fields out), the correlator's tagging across
// batches, pcapng framing judged by tshark, HEPv3 chunks, the per-call store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/hex.h"
#include "trace/call_store.h"
#include "trace/correlator.h"
#include "trace/hep.h"
#include "trace/keys.h"
#include "trace/pcap.h"
#include "trace/pcap_writer.h"

namespace isupgw::trace {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }

// M3UA DATA (RFC 4666 3.3.1), Protocol Data OPC/DPC, SI 5, then ISUP `isup` (from its CIC).
std::vector<std::uint8_t> m3ua_data(std::uint32_t opc, std::uint32_t dpc, std::string_view isup) {
  auto payload = hex(isup);
  std::vector<std::uint8_t> pd = {0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0, 0};
  for (int i = 0; i < 4; ++i) {
    pd[i] = static_cast<std::uint8_t>(opc >> (24 - 8 * i));
    pd[4 + i] = static_cast<std::uint8_t>(dpc >> (24 - 8 * i));
  }
  pd.insert(pd.end(), payload.begin(), payload.end());
  std::vector<std::uint8_t> param = {0x02, 0x10, 0, static_cast<std::uint8_t>(4 + pd.size())};
  param.insert(param.end(), pd.begin(), pd.end());
  while (param.size() % 4) param.push_back(0);
  std::vector<std::uint8_t> m = {1, 0, 1, 1, 0, 0, 0, static_cast<std::uint8_t>(8 + param.size())};
  m.insert(m.end(), param.begin(), param.end());
  return m;
}

// Q.763: IAM on CIC 1 to "12345678"; ACM, REL cause 16, RLC, RSC on CIC 1.
constexpr std::string_view kIamHex = "0100 01 00 2001 0a 00 02 00 06 0390 2143 6587";
constexpr std::string_view kAcmHex = "0100 06 1604 00";
constexpr std::string_view kRelHex = "0100 0c 02 00 02 8090";
constexpr std::string_view kRlcHex = "0100 10 00";
constexpr std::string_view kRscHex = "0100 12";

std::string sip_invite(std::string_view call_id) {
  return "INVITE sip:12345678@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\n"
         "From: <sip:1@192.0.2.9>;tag=a\r\nTo: <sip:12345678@192.0.2.1>\r\ni: " +
         std::string(call_id) + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}
std::string sip_response(int status, std::string_view call_id, std::string_view method = "INVITE") {
  return "SIP/2.0 " + std::to_string(status) +
         " X\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\nFrom: <sip:1@192.0.2.9>;tag=a\r\n"
         "To: <sip:12345678@192.0.2.1>;tag=b\r\nCall-ID: " +
         std::string(call_id) + "\r\nCSeq: 1 " + std::string(method) + "\r\nContent-Length: 0\r\n\r\n";
}

TEST(TraceKeys, SipRequestWithCompactCallId) {
  const std::string m = sip_invite("abc@host");
  auto k = sip_keys(m);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->call_id, "abc@host");
  EXPECT_EQ(k->method, "INVITE");
  EXPECT_EQ(k->status, 0);
}

TEST(TraceKeys, SipResponseTakesTheCSeqMethod) {
  const std::string m = sip_response(180, "x1", "INVITE");
  auto k = sip_keys(m);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->status, 180);
  EXPECT_EQ(k->method, "INVITE");
  EXPECT_EQ(k->call_id, "x1");
  EXPECT_FALSE(sip_keys("garbage"));
  EXPECT_FALSE(sip_keys("SIP/2.0 99 X\r\nCall-ID: a\r\n\r\n"));
}

TEST(TraceKeys, M3uaDataCarryingIam) {
  auto m = m3ua_data(1, 2, kIamHex);
  auto k = m3ua_isup(m);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->opc, 1u);
  EXPECT_EQ(k->dpc, 2u);
  EXPECT_EQ(k->cic, 1);
  EXPECT_EQ(k->type, kIam);
  // ASPUP (class 3): no ISUP.
  EXPECT_FALSE(m3ua_isup(hex("01 00 03 01 00000008")));
}

TEST(TraceKeys, M2paUserDataItuLabel) {
  // Common header, BSN, FSN, priority 0, SIO 0x85 (national, ISUP), label DPC 2 OPC 1 SLS 0, RLC CIC 5.
  // ITU label (Q.704 2.2): DPC bits 0-13, OPC 14-27: 0x00004002 little-endian.
  auto m = hex("01 00 0b 01 0000001a 00ffffff 00000000 00 85 02400000 0500 10 00");
  auto k = m2pa_isup(m, false);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->dpc, 2u);
  EXPECT_EQ(k->opc, 1u);
  EXPECT_EQ(k->cic, 5);
  EXPECT_EQ(k->type, kRlc);
}

TEST(TraceKeys, MgcpCommandAndResponse) {
  auto c = mgcp_keys("CRCX 1201 ds/e1-1/1@mg MGCP 1.0\r\nC: 0000010000020001\r\nL: p:20\r\nM: sendrecv\r\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->verb, "CRCX");
  EXPECT_EQ(c->transaction, "1201");
  EXPECT_EQ(c->endpoint, "ds/e1-1/1@mg");
  EXPECT_EQ(c->call_id, "0000010000020001");
  auto r = mgcp_keys("200 1201 OK\r\nI: 1\r\n\r\nv=0\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 200);
  EXPECT_EQ(r->transaction, "1201");
  EXPECT_TRUE(r->verb.empty());
}

class Scenario {
 public:
  Address a = Address::parse("192.0.2.9", 5060), gw = Address::parse("192.0.2.1", 5060);
  Address stp = Address::parse("192.0.2.20", 2905), gws = Address::parse("192.0.2.1", 2905);
  Address mg = Address::parse("192.0.2.30", 2427), gwm = Address::parse("192.0.2.1", 2727);
  Capture cap;
  Correlator cor;
  Batch batch;

  void sip(bool out, const std::string& text) {
    cap.packet(Protocol::kSip, L4::kUdp, out, out ? gw : a, out ? a : gw, text);
  }
  void isup(bool out, std::string_view msg) {
    auto m = out ? m3ua_data(1, 2, msg) : m3ua_data(2, 1, msg);
    cap.packet(Protocol::kM3ua, L4::kTcp, out, out ? gws : stp, out ? stp : gws, m, 1);
  }
  void mgcp(bool out, std::string_view text) {
    cap.packet(Protocol::kMgcp, L4::kUdp, out, out ? gwm : mg, out ? mg : gwm, text);
  }
  std::vector<std::uint64_t> flush() {
    cap.take(batch);
    cor.resolve(batch);
    std::vector<std::uint64_t> calls;
    for (const auto& r : batch.records)
      if (r.kind == Kind::kPacket) calls.push_back(r.call);
    return calls;
  }
};

TEST(TraceCorrelator, SipToIsupCallAcrossBatchesThenAResetIsNoCall) {
  Scenario s;
  s.sip(false, sip_invite("c1"));
  s.sip(true, sip_response(100, "c1"));
  s.cap.bind_sip(7, "c1");  // the engine's on_invite
  s.isup(true, kIamHex);
  s.cap.bind_circuit(7, 1, 2, 1);  // after isup setup() returned
  s.mgcp(true, "CRCX 1201 ds/e1-1/1@mg MGCP 1.0\r\nC: 0000010000020001\r\nM: sendonly\r\n");
  s.cap.bind_last_crcx(7);
  EXPECT_EQ(s.flush(), (std::vector<std::uint64_t>{7, 7, 7, 7}));
  s.mgcp(false, "200 1201 OK\r\nI: 9\r\n");
  s.isup(false, kAcmHex);
  s.sip(true, sip_response(180, "c1"));
  s.isup(false, kRelHex);
  s.mgcp(true, "DLCX 1202 ds/e1-1/1@mg MGCP 1.0\r\nC: 0000010000020001\r\nI: 9\r\n");
  s.cap.end(7);
  s.isup(true, kRlcHex);  // after the engine's end: still the call's
  s.mgcp(false, "250 1202 OK\r\n");
  s.isup(false, kRscHex);  // a reset of the idle circuit: no call
  EXPECT_EQ(s.flush(), (std::vector<std::uint64_t>{7, 7, 7, 7, 7, 7, 7, 0}));
  // The next call on the same circuit: its IAM (received) is taken by its binding.
  s.isup(false, kIamHex);
  s.cap.bind_circuit(8, 1, 2, 1);
  s.isup(true, kAcmHex);
  EXPECT_EQ(s.flush(), (std::vector<std::uint64_t>{8, 8}));
}

TEST(TraceCorrelator, OutgoingInviteIsTheCallsThatBindsRightAfter) {
  Scenario s;
  s.sip(true, sip_invite("out-1"));
  s.cap.bind_last_invite(9);
  s.sip(false, sip_response(100, "out-1"));
  s.sip(false, sip_response(200, "out-1"));
  s.sip(false, sip_invite("other"));  // nobody's
  EXPECT_EQ(s.flush(), (std::vector<std::uint64_t>{9, 9, 9, 0}));
}

TEST(TraceCorrelator, FirstBindingOfACallIdWins) {
  Scenario s;
  s.sip(false, sip_invite("ov"));
  s.cap.bind_sip(3, "ov");
  s.sip(false, sip_invite("ov"));  // RFC 3578 overlap INVITE: a fresh call the engine drops
  s.cap.bind_sip(4, "ov");
  EXPECT_EQ(s.flush(), (std::vector<std::uint64_t>{3, 3}));
}

TEST(TraceCorrelator, StateOfEndedCallsIsForgottenAfter64T1) {
  Scenario s;
  // Resolves the captured batch as if it had been captured `shift_s` later (the capture stamps wall time).
  auto flush_at = [&s](std::int64_t shift_s) {
    s.cap.take(s.batch);
    for (auto& r : s.batch.records) r.time_us += shift_s * 1'000'000;
    s.cor.resolve(s.batch);
  };
  for (int i = 1; i <= 1000; ++i) {
    const std::string call_id = "leak-" + std::to_string(i);
    char mgcp_id[17];
    std::snprintf(mgcp_id, sizeof mgcp_id, "%016x", i);
    s.sip(false, sip_invite(call_id));
    s.cap.bind_sip(static_cast<std::uint64_t>(i), call_id);
    s.mgcp(true, "CRCX " + std::to_string(1000 + i) + " ds/e1-1/1@mg MGCP 1.0\r\nC: " + mgcp_id + "\r\n");
    s.cap.bind_last_crcx(static_cast<std::uint64_t>(i));
    s.cap.end(static_cast<std::uint64_t>(i));
  }
  flush_at(0);
  EXPECT_EQ(s.cor.sip_call_ids(), 1000u);
  EXPECT_EQ(s.cor.mgcp_call_ids(), 1000u);
  s.sip(false, sip_invite("later"));  // 33 s on: past 64*T1 (RFC 3261 17.1.1.2) after every end
  flush_at(33);
  EXPECT_EQ(s.cor.sip_call_ids(), 0u);
  EXPECT_EQ(s.cor.mgcp_call_ids(), 0u);
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

TEST(TracePcap, TsharkDecodesEveryFrameAndTheCallComment) {
  if (run("command -v tshark").empty()) GTEST_FAIL() << "tshark not installed (scripts/setup.sh installs it)";
  Scenario s;
  s.sip(false, sip_invite("c1"));
  s.cap.bind_sip(7, "c1");
  s.isup(true, kIamHex);
  s.cap.bind_circuit(7, 1, 2, 1);
  s.mgcp(true, "CRCX 1201 ds/e1-1/1@mg MGCP 1.0\r\nC: 0000010000020001\r\nM: sendonly\r\n");
  s.cap.bind_last_crcx(7);
  auto tcp_sip = sip_response(180, "c1");
  s.cap.packet(Protocol::kSip, L4::kTcp, true, s.gw, s.a, tcp_sip);
  s.cap.packet(Protocol::kSip, L4::kTcp, true, s.gw, s.a, tcp_sip);
  s.cap.packet(Protocol::kM2pa, L4::kSctp, false, Address::parse("2001:db8::1", 3565),
               Address::parse("2001:db8::2", 3565),
               hex("01 00 0b 01 0000001a 00ffffff 00000000 00 85 02400000 0500 10 00"), 1);
  s.flush();
  const auto dir = std::filesystem::temp_directory_path() / ("trace_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto w = RollingPcap::open(PcapOptions{dir.string(), "t", 1 << 20, 3600});
  ASSERT_TRUE(w) << w.error();
  ASSERT_TRUE(w->write(s.batch));
  auto out = run("tshark -r " + w->path() +
                 " -T fields -E separator=, -e frame.protocols -e frame.comment -e _ws.malformed 2>/dev/null");
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < out.size();) {
    auto nl = out.find('\n', at);
    lines.push_back(out.substr(at, nl - at));
    at = nl == std::string::npos ? out.size() : nl + 1;
  }
  ASSERT_EQ(lines.size(), 6u) << out;
  EXPECT_EQ(lines[0], "raw:ip:udp:sip,call=7,") << out;
  EXPECT_EQ(lines[1], "raw:ip:sctp:m3ua:isup,call=7,") << out;
  EXPECT_EQ(lines[2], "raw:ip:udp:mgcp,call=7,") << out;
  EXPECT_EQ(lines[3], "raw:ip:tcp:sip,call=7,") << out;
  EXPECT_EQ(lines[4], "raw:ip:tcp:sip,call=7,") << out;
  EXPECT_EQ(lines[5], "raw:ipv6:sctp:m2pa:mtp3:isup,,") << out;
  std::filesystem::remove_all(dir);
}

TEST(TracePcap, RotatesBySize) {
  Scenario s;
  const auto dir = std::filesystem::temp_directory_path() / ("trace_rot_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto w = RollingPcap::open(PcapOptions{dir.string(), "t", 2000, 3600});
  ASSERT_TRUE(w) << w.error();
  const std::string first = w->path();
  for (int i = 0; i < 8; ++i) {
    s.sip(false, sip_invite("r" + std::to_string(i)));
    s.flush();
    ASSERT_TRUE(w->write(s.batch));
  }
  EXPECT_NE(w->path(), first);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_LE(std::filesystem::file_size(e.path()), 2000u);
  }
  EXPECT_GE(files, 2u);
  std::filesystem::remove_all(dir);
}

// The writer thread writes exactly the bytes the loop would have written itself, batch after batch, and
// hands the batch back empty at once.
TEST(TracePcap, WriterThreadWritesTheSameFileAsTheLoop) {
  Scenario s;
  const auto base = std::filesystem::temp_directory_path() / ("trace_thr_" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  auto direct = RollingPcap::open(PcapOptions{(base / "direct").string(), "t", 1 << 20, 3600});
  auto threaded = RollingPcap::open(PcapOptions{(base / "thread").string(), "t", 1 << 20, 3600});
  ASSERT_TRUE(direct) << direct.error();
  ASSERT_TRUE(threaded) << threaded.error();
  const std::string direct_path = direct->path(), thread_path = threaded->path();
  {
    PcapWriter w(std::move(*threaded));
    for (int i = 0; i < 50; ++i) {
      s.sip(false, sip_invite("w" + std::to_string(i)));
      s.isup(true, kIamHex);
      s.flush();
      ASSERT_TRUE(direct->write(s.batch));
      w.submit(s.batch);
      EXPECT_TRUE(s.batch.records.empty() && s.batch.bytes.empty());
    }
    w.tick(0);  // a rotation check in between: the file is not an hour old
  }             // writes what is queued, then stops
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto want = slurp(direct_path);
  EXPECT_GT(want.size(), 50u * 200);
  EXPECT_EQ(slurp(thread_path), want);
  std::filesystem::remove_all(base);
}

TEST(TracePcap, RingKeepsAtMostMaxFilesAndTheNewest) {
  Scenario s;
  const auto dir = std::filesystem::temp_directory_path() / ("trace_ring_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto touch = [&](const std::string& name) { std::ofstream(dir / name) << "x"; };
  touch("t-20261206T140000-1.pcapng");
  touch("t-20261206T140000.pcapng");
  touch("t-20261206T135959.pcapng");
  touch("t-notastamp.pcapng");        // not of the ring: never deleted
  touch("u-20261206T135959.pcapng");  // another base name
  const auto ring = ring_files(dir.string(), "t");
  ASSERT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring[0], (dir / "t-20261206T135959.pcapng").string());  // oldest first, by stamp, then -N
  EXPECT_EQ(ring[1], (dir / "t-20261206T140000.pcapng").string());
  EXPECT_EQ(ring[2], (dir / "t-20261206T140000-1.pcapng").string());
  auto w = RollingPcap::open(PcapOptions{dir.string(), "t", 2000, 3600, 3});
  ASSERT_TRUE(w) << w.error();
  for (int i = 0; i < 20; ++i) {
    s.sip(false, sip_invite("q" + std::to_string(i)));
    s.flush();
    ASSERT_TRUE(w->write(s.batch));
  }
  const auto left = ring_files(dir.string(), "t");
  EXPECT_EQ(left.size(), 3u);
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back(), w->path());  // the file being written is the newest and stays
  EXPECT_TRUE(std::filesystem::exists(dir / "t-notastamp.pcapng"));
  EXPECT_TRUE(std::filesystem::exists(dir / "u-20261206T135959.pcapng"));
  EXPECT_FALSE(std::filesystem::exists(dir / "t-20261206T135959.pcapng"));
  std::filesystem::remove_all(dir);
}

TEST(TraceHep, ChunksCarryAddressesPayloadAndCorrelationId) {
  Record r;
  r.time_us = 1'700'000'000'123'456;
  r.call = 42;
  r.src = Address::parse("192.0.2.9", 5060);
  r.dst = Address::parse("192.0.2.1", 5062);
  const std::string sip = sip_invite("h1");
  std::vector<std::uint8_t> out;
  encode_hep3(out, r, {reinterpret_cast<const std::uint8_t*>(sip.data()), sip.size()}, 2001);
  ASSERT_GT(out.size(), 6u);
  EXPECT_EQ(std::string(out.begin(), out.begin() + 4), "HEP3");
  EXPECT_EQ((out[4] << 8) | out[5], static_cast<int>(out.size()));
  std::map<int, std::vector<std::uint8_t>> chunks;
  for (std::size_t at = 6; at + 6 <= out.size();) {
    const int type = (out[at + 2] << 8) | out[at + 3];
    const std::size_t len = static_cast<std::size_t>((out[at + 4] << 8) | out[at + 5]);
    ASSERT_GE(len, 6u);
    chunks[type].assign(out.begin() + static_cast<long>(at) + 6, out.begin() + static_cast<long>(at + len));
    at += len;
  }
  EXPECT_EQ(chunks[1], (std::vector<std::uint8_t>{2}));
  EXPECT_EQ(chunks[3], (std::vector<std::uint8_t>{192, 0, 2, 9}));
  EXPECT_EQ(chunks[8], (std::vector<std::uint8_t>{0x13, 0xc6}));
  EXPECT_EQ(chunks[10], (std::vector<std::uint8_t>{0x00, 0x01, 0xe2, 0x40}));
  EXPECT_EQ(chunks[11], (std::vector<std::uint8_t>{1}));
  EXPECT_EQ(std::string(chunks[15].begin(), chunks[15].end()), sip);
  EXPECT_EQ(std::string(chunks[17].begin(), chunks[17].end()), "42");
}

TEST(TraceCallStore, KeepsTheLatestCallsAndTheirPcap) {
  Scenario s;
  CallStore store(2, 10);
  for (std::uint64_t call = 1; call <= 3; ++call) {
    const std::string id = "k" + std::to_string(call);
    s.sip(false, sip_invite(id));
    s.cap.bind_sip(call, id);
    s.sip(true, sip_response(100, id));
  }
  s.flush();
  store.add(s.batch);
  EXPECT_EQ(store.call(1), nullptr);
  ASSERT_NE(store.call(3), nullptr);
  EXPECT_EQ(store.call(3)->size(), 2u);
  EXPECT_TRUE(store.pcap(1).empty());
  EXPECT_GT(store.pcap(2).size(), 100u);
}

}  // namespace
}  // namespace isupgw::trace
