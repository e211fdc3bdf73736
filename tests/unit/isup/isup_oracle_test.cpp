// Wireshark agreement: every ISUP message type and every typed parameter we
// encode, wrapped in M3UA DATA (SI = 5), dissected by tshark in one run per
// variant. tshark's message type, CIC and parameter values must equal ours,
// and nothing may be malformed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/hex.h"
#include "isup/codes.h"
#include "isup/message.h"
#include "isup/number.h"
#include "isup/params.h"
#include "tests/support/tshark_oracle.h"
#include "tests/unit/isup/isup_samples.h"

namespace isupgw::isup {
namespace {

// What we expect tshark to show for one parameter: (field, value) pairs. Numbers
// are compared numerically (tshark shows "0x02", "1", "258"), strings as text.
struct Expect {
  std::string field;
  std::string text;
  long number = 0;
  bool is_text = false;
};
using Expects = std::vector<Expect>;

void add(Expects& e, std::string f, long n) { e.push_back({"isup." + std::move(f), "", n, false}); }
// Strings (digits) and octet strings (tshark shows "1e:02:80").
void add_text(Expects& e, std::string f, std::string t) { e.push_back({std::move(f), std::move(t), 0, true}); }

// tshark shows every signal, ST as 'F', like our digit strings.
std::string shown_digits(const Number& n) { return std::string(n.digits.view()); }

Expects expectations(const Param& p, Variant v, std::uint8_t msg_type) {
  Expects e;
  const auto& in = p.value;
  if (auto kind = number_kind(p.code, v)) {
    auto n = Number::decode(*kind, in);
    EXPECT_TRUE(n.ok());
    if (!n.ok()) return e;
    static const std::map<int, std::string> kDigitsField = {
        {par::kCalledPartyNumber, "isup.called"},
        {par::kCallingPartyNumber, "isup.calling"},
        {par::kRedirectingNumber, "isup.redirecting"},
        {par::kOriginalCalledNumber, "isup.original_called_number"},
        {par::kLocationNumber, "isup.location_number"},
        {par::kConnectedNumber, "isup.connected_number"},
        {par::kRedirectionNumber, "isup.redirection_number"},
        {par::kSubsequentNumber, "isup.subsequent_number"},
    };
    if (v == Variant::kAnsi && p.code == par::kAnsiChargeNumber) {
      add_text(e, "isup.charge_number", shown_digits(*n));
      add(e, "charge_number_nature_of_address_indicator", n->nai);
      return e;
    }
    if (v == Variant::kAnsi && p.code == par::kAnsiJurisdiction) {
      add_text(e, "isup.jurisdiction", shown_digits(*n));
      return e;
    }
    if (p.code == par::kGenericNumber) {
      add_text(e, "isup.generic_number", shown_digits(*n));
      add(e, "number_qualifier_indicator", n->qualifier);
      add(e, "screening_indicator_enhanced", n->screening);
    } else {
      add_text(e, kDigitsField.at(p.code), shown_digits(*n));
    }
    if (*kind == NumberKind::kSubsequent) {
      add(e, "isdn_odd_even_indicator", n->odd());
      return e;
    }
    const bool called_layout = *kind == NumberKind::kCalled;
    add(e, called_layout ? "called_party_nature_of_address_indicator" : "calling_party_nature_of_address_indicator",
        n->nai);
    add(e, "numbering_plan_indicator", n->npi);
    add(e, "isdn_odd_even_indicator", n->odd());
    if (called_layout || p.code == par::kLocationNumber) add(e, "inn_indicator", n->inn_ni);
    if (p.code == par::kCallingPartyNumber || p.code == par::kGenericNumber) add(e, "ni_indicator", n->inn_ni);
    if (*kind == NumberKind::kCalling || *kind == NumberKind::kLocation || *kind == NumberKind::kConnected ||
        *kind == NumberKind::kRedirecting || *kind == NumberKind::kGeneric)
      add(e, "address_presentation_restricted_indicator", n->apri);
    if (*kind == NumberKind::kCalling || *kind == NumberKind::kLocation || *kind == NumberKind::kConnected)
      add(e, "screening_indicator", n->screening);
    return e;
  }
  switch (p.code) {
    case par::kNatureOfConnectionIndicators: {
      auto x = *NatureOfConnectionIndicators::decode(in);
      add(e, "satellite_indicator", x.satellite);
      add(e, "continuity_check_indicator", x.continuity_check);
      add(e, "echo_control_device_indicator", x.echo_control_device);
      break;
    }
    case par::kForwardCallIndicators: {
      auto x = *ForwardCallIndicators::decode(in);
      add(e, "forw_call_natnl_inatnl_call_indicator", x.international);
      add(e, "forw_call_end_to_end_method_indicator", x.end_to_end_method);
      add(e, "forw_call_interworking_indicator", x.interworking);
      add(e, "forw_call_end_to_end_information_indicator", x.end_to_end_information);
      add(e, "forw_call_isdn_user_part_indicator", x.isup_all_the_way);
      add(e, "forw_call_preferences_indicator", x.isup_preference);
      add(e, "forw_call_isdn_access_indicator", x.isdn_access);
      add(e, "forw_call_sccp_method_indicator", x.sccp_method);
      add(e, "forw_call_ported_num_trans_indicator", x.ported_number_translated);  // Q.763 3.23 bit M
      break;
    }
    case par::kCallingPartysCategory: add(e, "calling_partys_category", OctetValue::decode(in)->value); break;
    case par::kTransmissionMediumRequirement:
      add(e, "transmission_medium_requirement", OctetValue::decode(in)->value);
      break;
    case par::kTransmissionMediumRequirementPrime:
      add(e, "transmission_medium_requirement_prime", OctetValue::decode(in)->value);
      break;
    case par::kTransmissionMediumUsed:  // tshark reuses the TMR prime field for it
      add(e, "transmission_medium_requirement_prime", OctetValue::decode(in)->value);
      break;
    case par::kBackwardCallIndicators: {
      auto x = *BackwardCallIndicators::decode(in);
      add(e, "charge_indicator", x.charge);
      add(e, "called_partys_status_indicator", x.called_status);
      add(e, "called_partys_category_indicator", x.called_category);
      add(e, "backw_call_end_to_end_method_indicator", x.end_to_end_method);
      add(e, "backw_call_interworking_indicator", x.interworking);
      add(e, "backw_call_isdn_user_part_indicator", x.isup_all_the_way);
      add(e, "backw_call_holding_indicator", x.holding);
      add(e, "backw_call_isdn_access_indicator", x.isdn_access);
      add(e, "backw_call_echo_control_device_indicator", x.echo_control_device);
      add(e, "backw_call_sccp_method_indicator", x.sccp_method);
      break;
    }
    case par::kOptionalBackwardCallIndicators: {
      auto x = *OptionalBackwardCallIndicators::decode(in);
      add(e, "inband_information_ind", x.inband_information);
      add(e, "call_diversion_may_occur_ind", x.call_diversion_may_occur);
      add(e, "simple_segmentation_ind", x.simple_segmentation);
      add(e, "mlpp_user", x.mlpp_user);
      break;
    }
    case par::kOptionalForwardCallIndicators: {
      auto x = *OptionalForwardCallIndicators::decode(in);
      add(e, "clg_call_ind", x.cug_call);
      add(e, "simple_segmentation_ind", x.simple_segmentation);
      add(e, "connected_line_identity_request_ind", x.connected_line_identity_request);
      break;
    }
    case par::kCauseIndicators: {
      auto x = *CauseIndicators::decode(in);
      add(e, "cause_indicator", x.value);
      if (v == Variant::kAnsi) {  // tshark's ANSI cause dissector has its own location field
        add(e, "cause_location", x.location);
      } else {
        e.push_back({"q931.cause_location", "", x.location, false});
        e.push_back({"q931.coding_standard", "", x.coding_standard, false});
      }
      break;
    }
    case par::kEventInformation: {
      auto x = *EventInformation::decode(in);
      add(e, "event_ind", x.event);
      add(e, "event_presentation_restr_ind", x.presentation_restricted);
      break;
    }
    case par::kRedirectionInformation: {
      auto x = *RedirectionInformation::decode(in);
      add(e, "redirecting_ind", x.redirecting_indicator);
      add(e, "original_redirection_reason", x.original_redirection_reason);
      add(e, "redirection_counter", x.redirection_counter);
      add(e, "redirection_reason", x.redirection_reason);
      break;
    }
    case par::kHopCounter: add(e, "hop_counter", HopCounter::decode(in)->value); break;
    case par::kAccessTransport:
      add_text(e, "isup.access_transport_parameter_field", to_hex(OctetString::decode(in)->data));
      break;
    case par::kUserToUserInformation:
      add_text(e, "isup.user_to_user_info", to_hex(OctetString::decode(in)->data));
      break;
    case par::kCircuitGroupSupervisionMessageType:
      add(e, "cgs_message_type", CircuitGroupSupervisionMessageType::decode(in)->type);
      break;
    case par::kRangeAndStatus: {
      auto x = *RangeAndStatus::decode(in);
      add(e, "range_indicator", x.range + 1);  // tshark shows the number of circuits
      break;
    }
    case par::kInformationRequestIndicators: {
      auto x = *InformationRequestIndicators::decode(in);
      add(e, "calling_party_address_request_indicator", x.calling_party_address);
      add(e, "info_req_holding_indicator", x.holding);
      add(e, "calling_partys_category_request_indicator", x.calling_partys_category);
      add(e, "charge_information_request_indicator", x.charge_information);
      add(e, "malicious_call_ident_request_indicator", x.mcid);
      break;
    }
    case par::kInformationIndicators: {
      auto x = *InformationIndicators::decode(in);
      add(e, "calling_party_address_response_indicator", x.calling_party_address_response);
      add(e, "hold_provided_indicator", x.hold_provided);
      add(e, "calling_partys_category_response_indicator", x.calling_partys_category_response);
      add(e, "charge_information_response_indicator", x.charge_information_response);
      add(e, "solicited_indicator", x.unsolicited);
      break;
    }
    case par::kSuspendResumeIndicators: add(e, "suspend_resume_indicator", FlagOctet::decode(in)->flag); break;
    case par::kContinuityIndicators: add(e, "continuity_indicator", FlagOctet::decode(in)->flag); break;
    case par::kAutomaticCongestionLevel: add(e, "automatic_congestion_level", OctetValue::decode(in)->value); break;
    case par::kPropagationDelayCounter:
      add(e, "propagation_delay_counter", PropagationDelayCounter::decode(in)->value);
      break;
    case par::kClosedUserGroupInterlockCode: {
      auto x = *ClosedUserGroupInterlockCode::decode(in);
      add_text(e, "isup.network_identity", std::string(x.network_identity.view()));
      add(e, "binary_code", x.binary_code);
      break;
    }
    case par::kCallReference: {
      auto x = *CallReference::decode(in);
      add(e, "call_identity", static_cast<long>(x.call_identity));
      if (!x.ansi_point_code) add(e, "signalling_point_code", static_cast<long>(x.point_code));
      break;
    }
    case par::kParameterCompatibilityInformation: {
      auto x = *ParameterCompatibilityInformation::decode(in);
      add(e, "upgraded_parameter", x.entries[0].parameter);
      break;
    }
    case par::kUserServiceInformation: add_text(e, "isup.user_service_information", to_hex(in)); break;
    case par::kUserServiceInformationPrime: add_text(e, "isup.user_service_information_prime", to_hex(in)); break;
    default: break;
  }
  if (v == Variant::kAnsi) {
    switch (p.code) {
      case par::kAnsiOriginatingLineInformation: add(e, "originating_line_info", OctetValue::decode(in)->value); break;
      case par::kAnsiCircuitValidationResponse: add(e, "conn_rsp_ind", OctetValue::decode(in)->value); break;
      case par::kAnsiCircuitGroupCharacteristics: {
        auto x = *CircuitGroupCharacteristics::decode(in);
        add(e, "cg_carrier_ind", x.carrier);
        add(e, "cg_char_ind.doubleSeize", x.double_seizure);
        add(e, "cg_alarm_car_ind", x.alarm_carrier);
        add(e, "cg_alarm_cnt_chk", x.continuity_check);
        break;
      }
      default: break;
    }
  }
  (void)msg_type;
  return e;
}

// tshark's fields split per parameter: each segment starts at an isup.parameter_type
// field (skipping the end-of-optional-parameters marker).
std::vector<std::vector<const tshark::Field*>> segments(const tshark::Dissection& d) {
  std::vector<std::vector<const tshark::Field*>> out;
  for (const auto& f : d.fields) {
    if (f.name == "isup.parameter_type") {
      if (f.show == "0") {
        out.emplace_back();  // end marker: a segment nobody matches
        out.back().push_back(&f);
        continue;
      }
      out.emplace_back();
    }
    if (!out.empty()) out.back().push_back(&f);
  }
  std::erase_if(out, [](const auto& s) { return s.front()->show == "0"; });
  return out;
}

// The ISUP part of tshark's tree, for failure messages.
std::string isup_dump(const tshark::Dissection& d) {
  std::string out;
  for (const auto& f : d.fields)
    if (f.name.starts_with("isup.") || f.name.starts_with("q931.") || f.name.starts_with("_ws."))
      out += f.name + " = " + f.show + "\n";
  return out;
}

std::string normalize_hex(std::string s) {
  std::erase(s, ':');
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void check_against_tshark(Variant v, const std::vector<std::string>& tshark_options) {
  auto samples = samples::all_messages(v);
  std::vector<std::vector<std::uint8_t>> wire, payloads;
  for (const auto& b : samples) {
    ASSERT_TRUE(b->ok());
    auto enc = encode(b->message(), v);
    ASSERT_TRUE(enc.ok()) << message_acronym(b->message().type, v) << ": " << to_string(enc.error());
    // decode -> encode is byte-identical.
    auto dec = decode(*enc, v);
    ASSERT_TRUE(dec.ok()) << message_acronym(b->message().type, v) << ": " << to_string(dec.error());
    EXPECT_EQ(*dec, b->message());
    EXPECT_EQ(to_hex(*encode(*dec, v)), to_hex(*enc));
    payloads.push_back(tshark::m3ua_data(*enc));
    wire.push_back(std::move(*enc));
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kM3ua, tshark_options);
  ASSERT_EQ(ds.size(), samples.size());
  std::size_t params_checked = 0, fields_checked = 0;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const auto& d = ds[i];
    auto m = *decode(wire[i], v);
    const std::string acr(message_acronym(m.type, v));
    SCOPED_TRACE(acr + " " + to_hex(wire[i]));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems() << "\n" << isup_dump(d);
    // ITU reserved the call modification messages in 1992 (ANSI kept them): tshark warns it does not know them.
    // tshark 4.0 has no dissector for ANSI EXM either.
    const bool reserved = m.type == msg::kCmr || m.type == msg::kCmc || m.type == msg::kCmrj || m.type == msg::kExm;
    if (!reserved) {
      EXPECT_TRUE(d.expert.empty()) << d.problems();
    }
    EXPECT_EQ(d.first("isup.cic"), std::to_string(m.cic));
    EXPECT_EQ(d.first("isup.message_type"), std::to_string(m.type));
    if (m.type == msg::kPam || m.type == msg::kCrg) continue;  // embedded / national format
    std::vector<Param> ours;
    for (const auto& p : m.fixed) ours.push_back(p);
    for (const auto& p : m.variable) ours.push_back(p);
    for (const auto& p : m.optional) ours.push_back(p);
    auto segs = segments(d);
    // tshark dissects the parameters of types it knows; reserved ones (CMR/CMC/CMRJ in
    // ITU, SDN) only get the type and CIC check above.
    if (segs.empty() && !ours.empty()) {
      EXPECT_TRUE(reserved || m.type == msg::kSdn) << "tshark shows no parameters\n" << isup_dump(d);
      continue;
    }
    ASSERT_EQ(segs.size(), ours.size()) << isup_dump(d);
    for (std::size_t k = 0; k < ours.size(); ++k) {
      const auto& seg = segs[k];
      EXPECT_EQ(seg.front()->show, std::to_string(ours[k].code)) << "parameter #" << k;
      ++params_checked;
      for (const auto& ex : expectations(ours[k], v, m.type)) {
        const tshark::Field* f = nullptr;
        for (const auto* s : seg)
          if (s->name == ex.field) {
            f = s;
            break;
          }
        const std::string pname(param_name(ours[k].code, v));
        if (f == nullptr) {
          ADD_FAILURE() << pname << ": tshark has no field " << ex.field << "\n" << isup_dump(d);
          continue;
        }
        ++fields_checked;
        if (ex.is_text) {
          EXPECT_EQ(normalize_hex(f->show), normalize_hex(ex.text)) << pname << " " << ex.field;
        } else {
          EXPECT_EQ(std::strtol(f->show.c_str(), nullptr, 0), ex.number)
              << pname << " " << ex.field << " shows '" << f->show << "'";
        }
      }
    }
  }
  std::printf("%s: %zu messages, %zu parameters, %zu fields agreed with tshark\n", std::string(to_string(v)).c_str(),
              ds.size(), params_checked, fields_checked);
}

class IsupOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed";
  }
};

TEST_F(IsupOracle, EveryItuMessageAndParameter) { check_against_tshark(Variant::kItu, {}); }
TEST_F(IsupOracle, EveryEtsiMessageAndParameter) { check_against_tshark(Variant::kEtsi, {}); }
TEST_F(IsupOracle, EveryAnsiMessageAndParameter) { check_against_tshark(Variant::kAnsi, {"-o", "mtp3.standard:ANSI"}); }

}  // namespace
}  // namespace isupgw::isup
