// Typed ISUP parameters (Q.763 clause 3; ANSI T1.113.3 where noted).
//
// Each type has
//   static Result<T, DecodeError> decode(std::span<const std::uint8_t> contents);
//   void encode(ParamBytes& out) const;
//   template <class V> void visit(V&& v);   // (name, member) pairs, for the CLI's JSON and tests
// Decoding never allocates: variable-length contents stay views into the message.
// Spare / national bits are kept in `spare` members so a decoded value encodes
// back to the same octets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "isup/fixed_vector.h"
#include "isup/message.h"
#include "isup/number.h"

namespace isupgw::isup {

using Bytes = std::span<const std::uint8_t>;

// One-octet parameter carried as a plain value: calling party's category (3.11),
// transmission medium requirement / used / prime (3.54, 3.56, 3.55), automatic
// congestion level (3.4), facility indicator (3.22), call modification indicators,
// ANSI originating line information, circuit validation response indicator.
struct OctetValue {
  std::uint8_t value = 0;
  static Result<OctetValue, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const { out.push_back(value); }
  template <class V>
  void visit(V&& v) {
    v("value", value);
  }
};

// 3.35 Nature of connection indicators.
struct NatureOfConnectionIndicators {
  std::uint8_t satellite = 0;         // BA
  std::uint8_t continuity_check = 0;  // DC
  bool echo_control_device = false;   // E
  std::uint8_t spare = 0;             // HGF
  static Result<NatureOfConnectionIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("satellite", satellite);
    v("continuity_check", continuity_check);
    v("echo_control_device", echo_control_device);
    v("spare", spare);
  }
};

// 3.23 Forward call indicators.
struct ForwardCallIndicators {
  bool international = false;             // A
  std::uint8_t end_to_end_method = 0;     // CB
  bool interworking = false;              // D
  bool end_to_end_information = false;    // E
  bool isup_all_the_way = false;          // F
  std::uint8_t isup_preference = 0;       // HG
  bool isdn_access = false;               // I
  std::uint8_t sccp_method = 0;           // KJ
  bool spare_l = false;                   // L: spare (kept as received, not in visit())
  bool ported_number_translated = false;  // M (Q.763 3.23 j; T1.113 likewise; tshark agrees)
  bool qor_attempt = false;               // N
  std::uint8_t national = 0;              // PO
  static Result<ForwardCallIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("international", international);
    v("end_to_end_method", end_to_end_method);
    v("interworking", interworking);
    v("end_to_end_information", end_to_end_information);
    v("isup_all_the_way", isup_all_the_way);
    v("isup_preference", isup_preference);
    v("isdn_access", isdn_access);
    v("sccp_method", sccp_method);
    v("ported_number_translated", ported_number_translated);
    v("qor_attempt", qor_attempt);
    v("national", national);
  }
};

// 3.5 Backward call indicators.
struct BackwardCallIndicators {
  std::uint8_t charge = 0;              // BA
  std::uint8_t called_status = 0;       // DC
  std::uint8_t called_category = 0;     // FE
  std::uint8_t end_to_end_method = 0;   // HG
  bool interworking = false;            // I
  bool end_to_end_information = false;  // J
  bool isup_all_the_way = false;        // K
  bool holding = false;                 // L
  bool isdn_access = false;             // M
  bool echo_control_device = false;     // N
  std::uint8_t sccp_method = 0;         // PO
  static Result<BackwardCallIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("charge", charge);
    v("called_status", called_status);
    v("called_category", called_category);
    v("end_to_end_method", end_to_end_method);
    v("interworking", interworking);
    v("end_to_end_information", end_to_end_information);
    v("isup_all_the_way", isup_all_the_way);
    v("holding", holding);
    v("isdn_access", isdn_access);
    v("echo_control_device", echo_control_device);
    v("sccp_method", sccp_method);
  }
};

// 3.38 Optional forward call indicators.
struct OptionalForwardCallIndicators {
  std::uint8_t cug_call = 0;                     // BA
  bool simple_segmentation = false;              // C
  bool connected_line_identity_request = false;  // H
  std::uint8_t spare = 0;                        // G..D (bits 3..6)
  static Result<OptionalForwardCallIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("cug_call", cug_call);
    v("simple_segmentation", simple_segmentation);
    v("connected_line_identity_request", connected_line_identity_request);
    v("spare", spare);
  }
};

// 3.37 Optional backward call indicators.
struct OptionalBackwardCallIndicators {
  bool inband_information = false;        // A
  bool call_diversion_may_occur = false;  // B
  bool simple_segmentation = false;       // C
  bool mlpp_user = false;                 // D
  std::uint8_t spare = 0;                 // H..E
  static Result<OptionalBackwardCallIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("inband_information", inband_information);
    v("call_diversion_may_occur", call_diversion_may_occur);
    v("simple_segmentation", simple_segmentation);
    v("mlpp_user", mlpp_user);
    v("spare", spare);
  }
};

// 3.21 Event information.
struct EventInformation {
  std::uint8_t event = 0;                // G..A
  bool presentation_restricted = false;  // H
  static Result<EventInformation, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("event", event);
    v("presentation_restricted", presentation_restricted);
  }
};

// 3.80 Hop counter.
struct HopCounter {
  std::uint8_t value = 0;  // E..A
  std::uint8_t spare = 0;  // H..F
  static Result<HopCounter, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("value", value);
    v("spare", spare);
  }
};

// One indicator bit A plus spare bits: suspend/resume indicators (3.52,
// 1 = network initiated) and continuity indicators (3.18, 1 = successful).
struct FlagOctet {
  bool flag = false;
  std::uint8_t spare = 0;  // H..B
  static Result<FlagOctet, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("value", flag);
    v("spare", spare);
  }
};

// 3.13 Circuit group supervision message type indicator.
struct CircuitGroupSupervisionMessageType {
  std::uint8_t type = 0;   // BA: 0 maintenance, 1 hardware failure
  std::uint8_t spare = 0;  // H..C
  static Result<CircuitGroupSupervisionMessageType, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("type", type);
    v("spare", spare);
  }
};

// 3.29 Information request indicators (2 octets).
struct InformationRequestIndicators {
  bool calling_party_address = false;    // A
  bool holding = false;                  // B
  bool calling_partys_category = false;  // D
  bool charge_information = false;       // E
  bool mcid = false;                     // H
  std::uint16_t spare = 0;               // C, G, F and the second octet (as received, bit positions kept)
  static Result<InformationRequestIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("calling_party_address", calling_party_address);
    v("holding", holding);
    v("calling_partys_category", calling_partys_category);
    v("charge_information", charge_information);
    v("mcid", mcid);
    v("spare", spare);
  }
};

// 3.28 Information indicators (2 octets).
struct InformationIndicators {
  std::uint8_t calling_party_address_response = 0;  // BA
  bool hold_provided = false;                       // C
  bool calling_partys_category_response = false;    // F
  bool charge_information_response = false;         // G
  bool unsolicited = false;                         // H
  std::uint16_t spare = 0;                          // E, D and the second octet
  static Result<InformationIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("calling_party_address_response", calling_party_address_response);
    v("hold_provided", hold_provided);
    v("calling_partys_category_response", calling_partys_category_response);
    v("charge_information_response", charge_information_response);
    v("unsolicited", unsolicited);
    v("spare", spare);
  }
};

// 3.45 Redirection information (2 octets; 1 octet in older networks).
struct RedirectionInformation {
  std::uint8_t redirecting_indicator = 0;        // octet 1 CBA
  std::uint8_t original_redirection_reason = 0;  // octet 1 HGFE
  std::uint8_t redirection_counter = 0;          // octet 2 KJI
  std::uint8_t redirection_reason = 0;           // octet 2 PONM
  std::uint8_t spare = 0;                        // octet 1 bit D -> 0x01, octet 2 bit L -> 0x02
  bool one_octet = false;
  static Result<RedirectionInformation, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("redirecting_indicator", redirecting_indicator);
    v("original_redirection_reason", original_redirection_reason);
    v("redirection_counter", redirection_counter);
    v("redirection_reason", redirection_reason);
    v("spare", spare);
    v("one_octet", one_octet);
  }
};

// Cause location (Q.850 2.2.3): where the cause was generated; a transit
// passes it on. LN is what our own releases carry.
inline constexpr std::uint8_t kLocationPublicLocal = 2;

// 3.12 Cause indicators (Q.850 clause 2).
struct CauseIndicators {
  std::uint8_t coding_standard = 0;  // octet 1 GF
  std::uint8_t location = 0;         // octet 1 DCBA
  std::uint8_t value = 0;            // octet 2 G..A
  bool spare = false;                // octet 1 E
  bool has_recommendation = false;   // octet 1 ext = 0 -> octet 1a present
  std::uint8_t recommendation = 0;   // octet 1a (incl. ext bit)
  bool value_ext = true;             // octet 2 H (1 normally)
  Bytes diagnostics;
  static Result<CauseIndicators, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("value", value);
    v("location", location);
    v("coding_standard", coding_standard);
    v("diagnostics", diagnostics);
    v("spare", spare);
    v("has_recommendation", has_recommendation);
    v("recommendation", recommendation);
    v("value_ext", value_ext);
  }
};

// 3.43 Range and status. Status is absent in GRS and CQM; otherwise one bit per
// circuit, (range + 1) bits, first bit = the CIC in the header.
struct RangeAndStatus {
  std::uint8_t range = 0;
  Bytes status;
  bool status_bit(unsigned i) const { return i / 8 < status.size() && ((status[i / 8] >> (i % 8)) & 1); }
  static Result<RangeAndStatus, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("range", range);
    v("status", status);
  }
};

// Contents passed end to end without interpretation: access transport (3.3,
// Q.931 IEs), user-to-user information (3.61), USI raw (see below) and others.
struct OctetString {
  Bytes data;
  static Result<OctetString, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("data", data);
  }
};

// 3.57 User service information / 3.58 prime: Q.931 bearer capability contents
// (without IE id and length): octet 3, octet 4, [4.1 rate multiplier], [5 layer 1], rest.
struct UserServiceInformation {
  std::uint8_t coding_standard = 0;                  // octet 3 GF
  std::uint8_t information_transfer_capability = 0;  // octet 3 E..A
  std::uint8_t transfer_mode = 0;                    // octet 4 GF
  std::uint8_t transfer_rate = 0;                    // octet 4 E..A
  std::uint8_t rate_multiplier = 0;                  // octet 4.1 (only with rate 0x18, multirate)
  std::uint8_t user_information_layer1 = 0;          // octet 5 E..A (0 = octet absent)
  Bytes rest;                                        // octets 5a.. and layers 2/3, as received
  static Result<UserServiceInformation, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("coding_standard", coding_standard);
    v("information_transfer_capability", information_transfer_capability);
    v("transfer_mode", transfer_mode);
    v("transfer_rate", transfer_rate);
    v("rate_multiplier", rate_multiplier);
    v("user_information_layer1", user_information_layer1);
    v("rest", rest);
  }
};

// 3.42 Propagation delay counter: milliseconds, 2 octets, most significant first.
struct PropagationDelayCounter {
  std::uint16_t value = 0;
  static Result<PropagationDelayCounter, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("value", value);
  }
};

// 3.15 Closed user group interlock code: network identity (4 BCD digits, first
// digit in the high nibble of octet 1) + binary code (2 octets, MSB first).
struct ClosedUserGroupInterlockCode {
  FixedString<4> network_identity;
  std::uint16_t binary_code = 0;
  static Result<ClosedUserGroupInterlockCode, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("network_identity", network_identity);
    v("binary_code", binary_code);
  }
};

// 3.8 Call reference: call identity (3 octets, MSB first) + signalling point
// code (ITU: 2 octets, 14 bits, LSB first; ANSI: 3 octets).
struct CallReference {
  std::uint32_t call_identity = 0;
  std::uint32_t point_code = 0;
  bool ansi_point_code = false;  // 3-octet point code
  static Result<CallReference, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("call_identity", call_identity);
    v("point_code", point_code);
    v("ansi_point_code", ansi_point_code);
  }
};

// 3.33 Message compatibility information: instruction indicators (first octet
// decoded; extension octets kept).
struct MessageCompatibilityInformation {
  bool end_node = false;              // A: 0 transit interpretation, 1 end node
  bool release_call = false;          // B
  bool send_notification = false;     // C
  bool discard_message = false;       // D
  bool pass_on_not_possible = false;  // E
  std::uint8_t bn_interworking = 0;   // GF
  bool last_octet = true;             // H extension (1 = last)
  Bytes more;                         // further octets
  static Result<MessageCompatibilityInformation, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("end_node", end_node);
    v("release_call", release_call);
    v("send_notification", send_notification);
    v("discard_message", discard_message);
    v("pass_on_not_possible", pass_on_not_possible);
    v("bn_interworking", bn_interworking);
    v("last_octet", last_octet);
    v("more", more);
  }
};

// 3.41 Parameter compatibility information: (upgraded parameter, instruction
// indicators) pairs; instruction octets run until one has bit H set.
struct ParameterCompatibilityInformation {
  struct Entry {
    std::uint8_t parameter = 0;
    Bytes instructions;  // octet 1: A end node, B release call, C send notification, D discard message,
                         // E discard parameter, GF pass on not possible; H ext
    friend bool operator==(const Entry& a, const Entry& b) {
      return a.parameter == b.parameter && std::ranges::equal(a.instructions, b.instructions);
    }
  };
  FixedVector<Entry, 32> entries;
  static Result<ParameterCompatibilityInformation, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
};

// ANSI T1.113.3 circuit group characteristics indicator (CVR).
struct CircuitGroupCharacteristics {
  std::uint8_t carrier = 0;           // BA
  std::uint8_t double_seizure = 0;    // DC
  std::uint8_t alarm_carrier = 0;     // FE
  std::uint8_t continuity_check = 0;  // HG
  static Result<CircuitGroupCharacteristics, DecodeError> decode(Bytes in);
  void encode(ParamBytes& out) const;
  template <class V>
  void visit(V&& v) {
    v("carrier", carrier);
    v("double_seizure", double_seizure);
    v("alarm_carrier", alarm_carrier);
    v("continuity_check", continuity_check);
  }
};

}  // namespace isupgw::isup
