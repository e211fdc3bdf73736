// Every M2PA/MTP3 message we encode, dissected by tshark (text2pcap -S 3565,3565,5)
// in one run per MTP3 variant: same values, nothing malformed.
#include <gtest/gtest.h>

#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/sigtran/m2pa_samples.h"

namespace isupgw::sigtran {
namespace {

using Expect = std::vector<std::pair<std::string, std::string>>;

std::string dec(std::uint64_t v) { return std::to_string(v); }
std::string ansi_pc(std::uint32_t pc) { return dec(pc >> 16) + "-" + dec((pc >> 8) & 0xff) + "-" + dec(pc & 0xff); }

Expect expected(const m2pa::Message& m, mtp3::Variant v) {
  Expect e;
  e.push_back({"m2pa.version", "1"});
  e.push_back({"m2pa.class", "11"});
  e.push_back({"m2pa.type", dec(static_cast<unsigned>(m.type))});
  e.push_back({"m2pa.length", dec(m2pa::encode(m).size())});
  e.push_back({"m2pa.bsn", dec(m.bsn)});
  e.push_back({"m2pa.fsn", dec(m.fsn)});
  if (m.type == m2pa::MessageType::kLinkStatus) {
    e.push_back({"m2pa.status", dec(static_cast<unsigned>(m.state))});
    return e;
  }
  if (m.data.empty()) return e;
  auto msu = *mtp3::decode(m.data, v);
  const auto& l = msu.label;
  e.push_back({"mtp3.service_indicator", dec(l.si)});
  e.push_back({"mtp3.network_indicator", dec(l.ni)});
  if (v == mtp3::Variant::kItu) {
    e.push_back({"mtp3.dpc", dec(l.dpc)});
    e.push_back({"mtp3.opc", dec(l.opc)});
  } else {
    e.push_back({"mtp3.ansi_dpc", ansi_pc(l.dpc)});
    e.push_back({"mtp3.ansi_opc", ansi_pc(l.opc)});
  }
  e.push_back({"mtp3.sls", dec(l.sls)});
  if (!msu.mgmt) {
    e.push_back({"isup.cic", "7"});
    return e;
  }
  const auto& g = *msu.mgmt;
  using T = mtp3::MgmtType;
  const bool test = g.type == T::kSltm || g.type == T::kSlta;
  e.push_back({test ? "mtp3mg.test.h0" : "mtp3mg.h0", dec(g.h0)});
  e.push_back({test ? "mtp3mg.test.h1" : "mtp3mg.h1", dec(g.h1)});
  const bool ansi = v == mtp3::Variant::kAnsi;
  switch (g.type) {
    case T::kCoo:
    case T::kCoa:
    case T::kXco:
    case T::kXca:
      if (ansi) e.push_back({"mtp3mg.slc", dec(g.slc)});
      e.push_back({"mtp3mg.fsn", dec(g.fsn)});
      break;
    case T::kCbd:
    case T::kCba:
      if (ansi) e.push_back({"mtp3mg.slc", dec(g.slc)});
      e.push_back({"mtp3mg.cbc", dec(g.cbc)});
      break;
    case T::kEco:
    case T::kEca:
      if (ansi) e.push_back({"mtp3mg.slc", dec(g.slc)});
      break;
    case T::kTfc:
    case T::kTfp:
    case T::kTfr:
    case T::kTfa:
    case T::kRst:
    case T::kRsr:
    case T::kUpu:
      if (ansi)
        e.push_back({"mtp3mg.ansi_apc", ansi_pc(g.destination)});
      else
        e.push_back({"mtp3mg.apc", dec(g.destination)});
      if (g.type == T::kUpu) {
        e.push_back({"mtp3mg.user", dec(g.user)});
        e.push_back({"mtp3mg.cause", dec(g.cause)});
      }
      if (g.type == T::kTfc) e.push_back({"mtp3mg.status", dec(g.status)});
      break;
    case T::kSltm:
    case T::kSlta:
      if (ansi) e.push_back({"mtp3mg.slc", dec(g.slc)});
      e.push_back({"mtp3mg.test.length", dec(g.pattern.size())});
      break;
    default: break;
  }
  return e;
}

// tshark shows hex-based fields as 0x..; compare numerically when both parse.
bool same(const std::string& got, const std::string& want) {
  if (got == want) return true;
  try {
    std::size_t n = 0;
    auto g = std::stoull(got, &n, 0);
    if (n != got.size()) return false;
    return std::to_string(g) == want;
  } catch (...) {
    return false;
  }
}

void check_variant(mtp3::Variant v, const std::vector<std::string>& opts) {
  auto samples = testing::m2pa_samples(v);
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& m : samples) payloads.push_back(m2pa::encode(m));
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kM2pa, opts);
  ASSERT_EQ(ds.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& d = ds[i];
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << "sample " << i << ": " << d.problems() << "\n" << d.dump();
    EXPECT_TRUE(d.expert.empty()) << "sample " << i << ": " << d.problems();
    for (const auto& [name, want] : expected(samples[i], v)) {
      auto got = d.first(name);
      ASSERT_TRUE(got.has_value()) << "sample " << i << ": tshark has no " << name << "\n" << d.dump();
      EXPECT_TRUE(same(*got, want)) << "sample " << i << " " << name << ": tshark " << *got << ", ours " << want;
    }
  }
}

TEST(M2paOracle, EveryEncodedMessageDecodesInTsharkItu) {
  if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed (scripts/setup installs them)";
  check_variant(mtp3::Variant::kItu, {"-o", "mtp3.standard:ITU"});
}

TEST(M2paOracle, EveryEncodedMessageDecodesInTsharkAnsi) {
  if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed (scripts/setup installs them)";
  check_variant(mtp3::Variant::kAnsi, {"-o", "mtp3.standard:ANSI"});
}

}  // namespace
}  // namespace isupgw::sigtran
