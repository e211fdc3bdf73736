#include "isup/params.h"

namespace isupgw::isup {
namespace {

constexpr bool bit(std::uint8_t o, int n) { return (o >> n) & 1; }
constexpr std::uint8_t bits(std::uint8_t o, int shift, int width) {
  return static_cast<std::uint8_t>((o >> shift) & ((1u << width) - 1));
}
constexpr std::uint8_t put(unsigned v, int shift, int width) {
  return static_cast<std::uint8_t>((v & ((1u << width) - 1)) << shift);
}
void append(ParamBytes& out, Bytes b) {
  for (auto x : b) out.push_back(x);
}

}  // namespace

Result<OctetValue, DecodeError> OctetValue::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return OctetValue{in[0]};
}

Result<NatureOfConnectionIndicators, DecodeError> NatureOfConnectionIndicators::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  NatureOfConnectionIndicators r;
  r.satellite = bits(in[0], 0, 2);
  r.continuity_check = bits(in[0], 2, 2);
  r.echo_control_device = bit(in[0], 4);
  r.spare = bits(in[0], 5, 3);
  return r;
}
void NatureOfConnectionIndicators::encode(ParamBytes& out) const {
  out.push_back(put(satellite, 0, 2) | put(continuity_check, 2, 2) | put(echo_control_device, 4, 1) | put(spare, 5, 3));
}

Result<ForwardCallIndicators, DecodeError> ForwardCallIndicators::decode(Bytes in) {
  if (in.size() != 2) return Err(DecodeError::kLengthMismatch);
  ForwardCallIndicators r;
  r.international = bit(in[0], 0);
  r.end_to_end_method = bits(in[0], 1, 2);
  r.interworking = bit(in[0], 3);
  r.end_to_end_information = bit(in[0], 4);
  r.isup_all_the_way = bit(in[0], 5);
  r.isup_preference = bits(in[0], 6, 2);
  r.isdn_access = bit(in[1], 0);
  r.sccp_method = bits(in[1], 1, 2);
  r.spare_l = bit(in[1], 3);
  r.ported_number_translated = bit(in[1], 4);
  r.qor_attempt = bit(in[1], 5);
  r.national = bits(in[1], 6, 2);
  return r;
}
void ForwardCallIndicators::encode(ParamBytes& out) const {
  out.push_back(put(international, 0, 1) | put(end_to_end_method, 1, 2) | put(interworking, 3, 1) |
                put(end_to_end_information, 4, 1) | put(isup_all_the_way, 5, 1) | put(isup_preference, 6, 2));
  out.push_back(put(isdn_access, 0, 1) | put(sccp_method, 1, 2) | put(spare_l, 3, 1) |
                put(ported_number_translated, 4, 1) | put(qor_attempt, 5, 1) | put(national, 6, 2));
}

Result<BackwardCallIndicators, DecodeError> BackwardCallIndicators::decode(Bytes in) {
  if (in.size() != 2) return Err(DecodeError::kLengthMismatch);
  BackwardCallIndicators r;
  r.charge = bits(in[0], 0, 2);
  r.called_status = bits(in[0], 2, 2);
  r.called_category = bits(in[0], 4, 2);
  r.end_to_end_method = bits(in[0], 6, 2);
  r.interworking = bit(in[1], 0);
  r.end_to_end_information = bit(in[1], 1);
  r.isup_all_the_way = bit(in[1], 2);
  r.holding = bit(in[1], 3);
  r.isdn_access = bit(in[1], 4);
  r.echo_control_device = bit(in[1], 5);
  r.sccp_method = bits(in[1], 6, 2);
  return r;
}
void BackwardCallIndicators::encode(ParamBytes& out) const {
  out.push_back(put(charge, 0, 2) | put(called_status, 2, 2) | put(called_category, 4, 2) |
                put(end_to_end_method, 6, 2));
  out.push_back(put(interworking, 0, 1) | put(end_to_end_information, 1, 1) | put(isup_all_the_way, 2, 1) |
                put(holding, 3, 1) | put(isdn_access, 4, 1) | put(echo_control_device, 5, 1) | put(sccp_method, 6, 2));
}

Result<OptionalForwardCallIndicators, DecodeError> OptionalForwardCallIndicators::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  OptionalForwardCallIndicators r;
  r.cug_call = bits(in[0], 0, 2);
  r.simple_segmentation = bit(in[0], 2);
  r.spare = bits(in[0], 3, 4);
  r.connected_line_identity_request = bit(in[0], 7);
  return r;
}
void OptionalForwardCallIndicators::encode(ParamBytes& out) const {
  out.push_back(put(cug_call, 0, 2) | put(simple_segmentation, 2, 1) | put(spare, 3, 4) |
                put(connected_line_identity_request, 7, 1));
}

Result<OptionalBackwardCallIndicators, DecodeError> OptionalBackwardCallIndicators::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  OptionalBackwardCallIndicators r;
  r.inband_information = bit(in[0], 0);
  r.call_diversion_may_occur = bit(in[0], 1);
  r.simple_segmentation = bit(in[0], 2);
  r.mlpp_user = bit(in[0], 3);
  r.spare = bits(in[0], 4, 4);
  return r;
}
void OptionalBackwardCallIndicators::encode(ParamBytes& out) const {
  out.push_back(put(inband_information, 0, 1) | put(call_diversion_may_occur, 1, 1) | put(simple_segmentation, 2, 1) |
                put(mlpp_user, 3, 1) | put(spare, 4, 4));
}

Result<EventInformation, DecodeError> EventInformation::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return EventInformation{bits(in[0], 0, 7), bit(in[0], 7)};
}
void EventInformation::encode(ParamBytes& out) const {
  out.push_back(put(event, 0, 7) | put(presentation_restricted, 7, 1));
}

Result<HopCounter, DecodeError> HopCounter::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return HopCounter{bits(in[0], 0, 5), bits(in[0], 5, 3)};
}
void HopCounter::encode(ParamBytes& out) const { out.push_back(put(value, 0, 5) | put(spare, 5, 3)); }

Result<FlagOctet, DecodeError> FlagOctet::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return FlagOctet{bit(in[0], 0), bits(in[0], 1, 7)};
}
void FlagOctet::encode(ParamBytes& out) const { out.push_back(put(flag, 0, 1) | put(spare, 1, 7)); }

Result<CircuitGroupSupervisionMessageType, DecodeError> CircuitGroupSupervisionMessageType::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return CircuitGroupSupervisionMessageType{bits(in[0], 0, 2), bits(in[0], 2, 6)};
}
void CircuitGroupSupervisionMessageType::encode(ParamBytes& out) const {
  out.push_back(put(type, 0, 2) | put(spare, 2, 6));
}

Result<InformationRequestIndicators, DecodeError> InformationRequestIndicators::decode(Bytes in) {
  if (in.size() != 2) return Err(DecodeError::kLengthMismatch);
  InformationRequestIndicators r;
  r.calling_party_address = bit(in[0], 0);
  r.holding = bit(in[0], 1);
  r.calling_partys_category = bit(in[0], 3);
  r.charge_information = bit(in[0], 4);
  r.mcid = bit(in[0], 7);
  r.spare = static_cast<std::uint16_t>((in[0] & 0x64) | (in[1] << 8));
  return r;
}
void InformationRequestIndicators::encode(ParamBytes& out) const {
  out.push_back(put(calling_party_address, 0, 1) | put(holding, 1, 1) | put(calling_partys_category, 3, 1) |
                put(charge_information, 4, 1) | put(mcid, 7, 1) | (spare & 0x64));
  out.push_back(static_cast<std::uint8_t>(spare >> 8));
}

Result<InformationIndicators, DecodeError> InformationIndicators::decode(Bytes in) {
  if (in.size() != 2) return Err(DecodeError::kLengthMismatch);
  InformationIndicators r;
  r.calling_party_address_response = bits(in[0], 0, 2);
  r.hold_provided = bit(in[0], 2);
  r.calling_partys_category_response = bit(in[0], 5);
  r.charge_information_response = bit(in[0], 6);
  r.unsolicited = bit(in[0], 7);
  r.spare = static_cast<std::uint16_t>((in[0] & 0x18) | (in[1] << 8));
  return r;
}
void InformationIndicators::encode(ParamBytes& out) const {
  out.push_back(put(calling_party_address_response, 0, 2) | put(hold_provided, 2, 1) |
                put(calling_partys_category_response, 5, 1) | put(charge_information_response, 6, 1) |
                put(unsolicited, 7, 1) | (spare & 0x18));
  out.push_back(static_cast<std::uint8_t>(spare >> 8));
}

Result<RedirectionInformation, DecodeError> RedirectionInformation::decode(Bytes in) {
  if (in.size() != 1 && in.size() != 2) return Err(DecodeError::kLengthMismatch);
  RedirectionInformation r;
  r.redirecting_indicator = bits(in[0], 0, 3);
  r.original_redirection_reason = bits(in[0], 4, 4);
  r.spare = bit(in[0], 3);
  r.one_octet = in.size() == 1;
  if (!r.one_octet) {
    r.redirection_counter = bits(in[1], 0, 3);
    r.redirection_reason = bits(in[1], 4, 4);
    r.spare |= static_cast<std::uint8_t>(bit(in[1], 3) << 1);
  }
  return r;
}
void RedirectionInformation::encode(ParamBytes& out) const {
  out.push_back(put(redirecting_indicator, 0, 3) | put(spare, 3, 1) | put(original_redirection_reason, 4, 4));
  if (!one_octet) out.push_back(put(redirection_counter, 0, 3) | put(spare >> 1, 3, 1) | put(redirection_reason, 4, 4));
}

Result<CauseIndicators, DecodeError> CauseIndicators::decode(Bytes in) {
  if (in.size() < 2) return Err(DecodeError::kLengthMismatch);
  CauseIndicators r;
  r.location = bits(in[0], 0, 4);
  r.spare = bit(in[0], 4);
  r.coding_standard = bits(in[0], 5, 2);
  std::size_t pos = 1;
  if (!bit(in[0], 7)) {  // octet 1a follows (Q.850 2.2.3)
    r.has_recommendation = true;
    r.recommendation = in[pos++];
    if (in.size() < 3) return Err(DecodeError::kLengthMismatch);
  }
  r.value = bits(in[pos], 0, 7);
  r.value_ext = bit(in[pos], 7);
  r.diagnostics = in.subspan(pos + 1);
  return r;
}
void CauseIndicators::encode(ParamBytes& out) const {
  out.push_back(put(location, 0, 4) | put(spare, 4, 1) | put(coding_standard, 5, 2) | put(!has_recommendation, 7, 1));
  if (has_recommendation) out.push_back(recommendation);
  out.push_back(put(value, 0, 7) | put(value_ext, 7, 1));
  append(out, diagnostics);
}

Result<RangeAndStatus, DecodeError> RangeAndStatus::decode(Bytes in) {
  if (in.empty()) return Err(DecodeError::kLengthMismatch);
  RangeAndStatus r;
  r.range = in[0];
  r.status = in.subspan(1);
  // (range + 1) status bits when present (Q.763 3.43).
  if (!r.status.empty() && r.status.size() != static_cast<std::size_t>(r.range / 8 + 1))
    return Err(DecodeError::kLengthMismatch);
  return r;
}
void RangeAndStatus::encode(ParamBytes& out) const {
  out.push_back(range);
  append(out, status);
}

Result<OctetString, DecodeError> OctetString::decode(Bytes in) { return OctetString{in}; }
void OctetString::encode(ParamBytes& out) const { append(out, data); }

Result<UserServiceInformation, DecodeError> UserServiceInformation::decode(Bytes in) {
  if (in.size() < 2) return Err(DecodeError::kLengthMismatch);
  UserServiceInformation r;
  r.coding_standard = bits(in[0], 5, 2);
  r.information_transfer_capability = bits(in[0], 0, 5);
  r.transfer_mode = bits(in[1], 5, 2);
  r.transfer_rate = bits(in[1], 0, 5);
  std::size_t pos = 2;
  if (r.transfer_rate == 0x18) {  // multirate: octet 4.1 rate multiplier (Q.931 4.5.5)
    if (in.size() < 3) return Err(DecodeError::kLengthMismatch);
    r.rate_multiplier = bits(in[pos++], 0, 7);
  }
  if (pos < in.size() && bits(in[pos], 5, 2) == 1) r.user_information_layer1 = bits(in[pos++], 0, 5);
  r.rest = in.subspan(pos);
  return r;
}
void UserServiceInformation::encode(ParamBytes& out) const {
  out.push_back(0x80 | put(coding_standard, 5, 2) | put(information_transfer_capability, 0, 5));
  out.push_back(0x80 | put(transfer_mode, 5, 2) | put(transfer_rate, 0, 5));
  if (transfer_rate == 0x18) out.push_back(0x80 | put(rate_multiplier, 0, 7));
  // Octet 5 is "last" (ext 1) unless octets 5a.. (which have layer id 01 too) follow.
  if (user_information_layer1 != 0) {
    const bool more = !rest.empty() && bits(rest[0], 5, 2) != 2 && bits(rest[0], 5, 2) != 3;
    out.push_back(put(!more, 7, 1) | 0x20 | put(user_information_layer1, 0, 5));
  }
  append(out, rest);
}

Result<PropagationDelayCounter, DecodeError> PropagationDelayCounter::decode(Bytes in) {
  if (in.size() != 2) return Err(DecodeError::kLengthMismatch);
  return PropagationDelayCounter{static_cast<std::uint16_t>((in[0] << 8) | in[1])};
}
void PropagationDelayCounter::encode(ParamBytes& out) const {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

Result<ClosedUserGroupInterlockCode, DecodeError> ClosedUserGroupInterlockCode::decode(Bytes in) {
  if (in.size() != 4) return Err(DecodeError::kLengthMismatch);
  ClosedUserGroupInterlockCode r;
  for (int i = 0; i < 2; ++i) {
    r.network_identity.push_back(digit_char(in[i] >> 4));
    r.network_identity.push_back(digit_char(in[i] & 0x0f));
  }
  r.binary_code = static_cast<std::uint16_t>((in[2] << 8) | in[3]);
  return r;
}
void ClosedUserGroupInterlockCode::encode(ParamBytes& out) const {
  const auto ni = network_identity.view();
  for (std::size_t i = 0; i < 4; i += 2) {
    const int hi = i < ni.size() ? digit_value(ni[i]) : 0;
    const int lo = i + 1 < ni.size() ? digit_value(ni[i + 1]) : 0;
    out.push_back(static_cast<std::uint8_t>(((hi & 0x0f) << 4) | (lo & 0x0f)));
  }
  out.push_back(static_cast<std::uint8_t>(binary_code >> 8));
  out.push_back(static_cast<std::uint8_t>(binary_code & 0xff));
}

Result<CallReference, DecodeError> CallReference::decode(Bytes in) {
  if (in.size() != 5 && in.size() != 6) return Err(DecodeError::kLengthMismatch);
  CallReference r;
  r.call_identity = static_cast<std::uint32_t>((in[0] << 16) | (in[1] << 8) | in[2]);
  r.ansi_point_code = in.size() == 6;
  r.point_code = static_cast<std::uint32_t>(in[3] | (in[4] << 8) | (r.ansi_point_code ? in[5] << 16 : 0));
  return r;
}
void CallReference::encode(ParamBytes& out) const {
  out.push_back(static_cast<std::uint8_t>(call_identity >> 16));
  out.push_back(static_cast<std::uint8_t>(call_identity >> 8));
  out.push_back(static_cast<std::uint8_t>(call_identity));
  out.push_back(static_cast<std::uint8_t>(point_code));
  out.push_back(static_cast<std::uint8_t>(point_code >> 8));
  if (ansi_point_code) out.push_back(static_cast<std::uint8_t>(point_code >> 16));
}

Result<MessageCompatibilityInformation, DecodeError> MessageCompatibilityInformation::decode(Bytes in) {
  if (in.empty()) return Err(DecodeError::kLengthMismatch);
  MessageCompatibilityInformation r;
  r.end_node = bit(in[0], 0);
  r.release_call = bit(in[0], 1);
  r.send_notification = bit(in[0], 2);
  r.discard_message = bit(in[0], 3);
  r.pass_on_not_possible = bit(in[0], 4);
  r.bn_interworking = bits(in[0], 5, 2);
  r.last_octet = bit(in[0], 7);
  r.more = in.subspan(1);
  return r;
}
void MessageCompatibilityInformation::encode(ParamBytes& out) const {
  out.push_back(put(end_node, 0, 1) | put(release_call, 1, 1) | put(send_notification, 2, 1) |
                put(discard_message, 3, 1) | put(pass_on_not_possible, 4, 1) | put(bn_interworking, 5, 2) |
                put(last_octet, 7, 1));
  append(out, more);
}

Result<ParameterCompatibilityInformation, DecodeError> ParameterCompatibilityInformation::decode(Bytes in) {
  ParameterCompatibilityInformation r;
  std::size_t pos = 0;
  while (pos < in.size()) {
    Entry e;
    e.parameter = in[pos++];
    const std::size_t start = pos;
    // Instruction indicator octets: the last one has the extension bit H set.
    while (true) {
      if (pos >= in.size()) return Err(DecodeError::kLengthMismatch);
      if (in[pos++] & 0x80) break;
    }
    e.instructions = in.subspan(start, pos - start);
    if (!r.entries.push_back(e)) return Err(DecodeError::kTooManyParameters);
  }
  if (r.entries.empty()) return Err(DecodeError::kLengthMismatch);
  return r;
}
void ParameterCompatibilityInformation::encode(ParamBytes& out) const {
  for (const auto& e : entries) {
    out.push_back(e.parameter);
    append(out, e.instructions);
  }
}

Result<CircuitGroupCharacteristics, DecodeError> CircuitGroupCharacteristics::decode(Bytes in) {
  if (in.size() != 1) return Err(DecodeError::kLengthMismatch);
  return CircuitGroupCharacteristics{bits(in[0], 0, 2), bits(in[0], 2, 2), bits(in[0], 4, 2), bits(in[0], 6, 2)};
}
void CircuitGroupCharacteristics::encode(ParamBytes& out) const {
  out.push_back(put(carrier, 0, 2) | put(double_seizure, 2, 2) | put(alarm_carrier, 4, 2) |
                put(continuity_check, 6, 2));
}

}  // namespace isupgw::isup
