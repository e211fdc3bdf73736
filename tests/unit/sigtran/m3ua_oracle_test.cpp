// Every M3UA message we encode, dissected by tshark in ONE run: same class, type
// and parameter values, nothing malformed.
#include <gtest/gtest.h>

#include <cstdio>

#include "sigtran/m3ua_codec.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/sigtran/m3ua_samples.h"

namespace isupgw::sigtran::m3ua {
namespace {

std::string dec(std::uint64_t v) { return std::to_string(v); }

// tshark's raw value of byte fields, lower-case hex without separators.
std::vector<std::string> raw(const tshark::Dissection& d, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : d.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}

// Expected "field -> values" for one message, in order of appearance.
using Expect = std::vector<std::pair<std::string, std::vector<std::string>>>;

void add(Expect& e, const std::string& name, std::string v) {
  for (auto& [n, vs] : e)
    if (n == name) {
      vs.push_back(std::move(v));
      return;
    }
  e.push_back({name, {std::move(v)}});
}

std::string hexstr(const std::vector<std::uint8_t>& b) {
  std::string s;
  char buf[3];
  for (auto c : b) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    s += buf;
  }
  return s;
}

Expect expected_fields(const Message& m) {
  Expect e;
  add(e, "m3ua.message_class", dec(class_of(m.type)));
  add(e, "m3ua.message_type", dec(type_of(m.type)));
  if (m.error_code) add(e, "m3ua.error_code", dec(*m.error_code));
  if (m.status) {
    add(e, "m3ua.status_type", dec(m.status->type));
    add(e, "m3ua.status_info", dec(m.status->info));
  }
  if (m.asp_identifier) add(e, "m3ua.asp_identifier", dec(*m.asp_identifier));
  if (m.network_appearance) add(e, "m3ua.network_appearance", dec(*m.network_appearance));
  if (m.routing_context)
    for (auto rc : *m.routing_context) add(e, "m3ua.routing_context", dec(rc));
  if (m.affected_point_code)
    for (auto pc : *m.affected_point_code) {
      add(e, "m3ua.affected_point_code_mask", dec(pc.mask));
      add(e, "m3ua.affected_point_code_pc", dec(pc.pc));
    }
  if (m.info_string) add(e, "m3ua.info_string", *m.info_string);
  if (m.traffic_mode_type) add(e, "m3ua.traffic_mode_type", dec(*m.traffic_mode_type));
  if (m.correlation_id) add(e, "m3ua.correlation_identifier", dec(*m.correlation_id));
  if (m.user_cause) {
    add(e, "m3ua.unavailability_cause", dec(m.user_cause->cause));
    add(e, "m3ua.user_identity", dec(m.user_cause->user));
  }
  if (m.congestion_level) add(e, "m3ua.congestion_level", dec(*m.congestion_level));
  if (m.concerned_destination) add(e, "m3ua.concerned_dpc", dec(*m.concerned_destination));
  if (m.protocol_data) {
    const auto& pd = *m.protocol_data;
    add(e, "m3ua.protocol_data_opc", dec(pd.opc));
    add(e, "m3ua.protocol_data_dpc", dec(pd.dpc));
    add(e, "m3ua.protocol_data_si", dec(pd.si));
    add(e, "m3ua.protocol_data_ni", dec(pd.ni));
    add(e, "m3ua.protocol_data_mp", dec(pd.mp));
    add(e, "m3ua.protocol_data_sls", dec(pd.sls));
  }
  for (const auto& rk : m.routing_keys) {
    add(e, "m3ua.local_rk_identifier", dec(rk.local_rk_identifier));
    if (rk.routing_context)
      for (auto rc : *rk.routing_context) add(e, "m3ua.routing_context", dec(rc));
    if (rk.traffic_mode_type) add(e, "m3ua.traffic_mode_type", dec(*rk.traffic_mode_type));
    if (rk.network_appearance) add(e, "m3ua.network_appearance", dec(*rk.network_appearance));
    for (const auto& d : rk.destinations) {
      add(e, "m3ua.dpc_mask", dec(d.dpc.mask));
      add(e, "m3ua.dpc_pc", dec(d.dpc.pc));
      if (d.service_indicators)
        for (auto si : *d.service_indicators) add(e, "m3ua.si", dec(si));
      if (d.opc_list)
        for (auto pc : *d.opc_list) add(e, "m3ua.opc_list_pc", dec(pc.pc));
      if (d.circuit_range)
        for (auto r : *d.circuit_range) {
          add(e, "m3ua.cic_range_pc", dec(r.opc.pc));
          add(e, "m3ua.cic_range_lower", dec(r.lower_cic));
          add(e, "m3ua.cic_range_upper", dec(r.upper_cic));
        }
    }
  }
  for (const auto& r : m.registration_results) {
    // Wireshark dissects the nested parameters with their own field names.
    add(e, "m3ua.local_rk_identifier", dec(r.local_rk_identifier));
    add(e, "m3ua.registration_status", dec(r.registration_status));
    add(e, "m3ua.routing_context", dec(r.routing_context));
  }
  for (const auto& r : m.deregistration_results) {
    add(e, "m3ua.routing_context", dec(r.routing_context));
    add(e, "m3ua.deregistration_status", dec(r.deregistration_status));
  }
  return e;
}

TEST(M3uaOracle, EveryEncodedMessageDecodesInTshark) {
  if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed (scripts/setup installs them)";
  auto samples = testing::all_samples();
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& s : samples) {
    auto b = encode(s);
    ASSERT_TRUE(b.ok()) << to_string(s.type) << ": " << b.error().to_string();
    payloads.push_back(*b);
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kM3ua);
  ASSERT_EQ(ds.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& m = samples[i];
    const auto& d = ds[i];
    SCOPED_TRACE(std::string(to_string(m.type)) + " #" + std::to_string(i));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
    EXPECT_TRUE(d.expert.empty()) << d.problems();
    for (const auto& [name, values] : expected_fields(m)) EXPECT_EQ(d.all(name), values) << name << "\n" << d.dump();
    if (m.heartbeat_data) {
      EXPECT_EQ(raw(d, "m3ua.heartbeat_data"), std::vector{hexstr(*m.heartbeat_data)});
    }
    if (m.diagnostic_information) {
      EXPECT_EQ(raw(d, "m3ua.diagnostic_information"), std::vector{hexstr(*m.diagnostic_information)});
    }
    if (m.protocol_data && m.protocol_data->si == 5) {
      EXPECT_EQ(d.first("isup.cic"), "1");
    }
  }
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
