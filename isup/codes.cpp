#include "isup/codes.h"

#include <array>
#include <utility>

#include "isup/message_table.h"

namespace isupgw::isup {
namespace {

struct Name {
  std::uint8_t code;
  std::string_view name;
};

// Q.763 Table 5 (ISUP 2000 + amendments), snake_case.
constexpr Name kItuParams[] = {
    {0x01, "call_reference"},
    {0x02, "transmission_medium_requirement"},
    {0x03, "access_transport"},
    {0x04, "called_party_number"},
    {0x05, "subsequent_number"},
    {0x06, "nature_of_connection_indicators"},
    {0x07, "forward_call_indicators"},
    {0x08, "optional_forward_call_indicators"},
    {0x09, "calling_partys_category"},
    {0x0a, "calling_party_number"},
    {0x0b, "redirecting_number"},
    {0x0c, "redirection_number"},
    {0x0d, "connection_request"},
    {0x0e, "information_request_indicators"},
    {0x0f, "information_indicators"},
    {0x10, "continuity_indicators"},
    {0x11, "backward_call_indicators"},
    {0x12, "cause_indicators"},
    {0x13, "redirection_information"},
    {0x15, "circuit_group_supervision_message_type"},
    {0x16, "range_and_status"},
    {0x17, "call_modification_indicators"},
    {0x18, "facility_indicator"},
    {0x1a, "closed_user_group_interlock_code"},
    {0x1d, "user_service_information"},
    {0x1e, "signalling_point_code"},
    {0x20, "user_to_user_information"},
    {0x21, "connected_number"},
    {0x22, "suspend_resume_indicators"},
    {0x23, "transit_network_selection"},
    {0x24, "event_information"},
    {0x25, "circuit_assignment_map"},
    {0x26, "circuit_state_indicator"},
    {0x27, "automatic_congestion_level"},
    {0x28, "original_called_number"},
    {0x29, "optional_backward_call_indicators"},
    {0x2a, "user_to_user_indicators"},
    {0x2b, "origination_isc_point_code"},
    {0x2c, "generic_notification_indicator"},
    {0x2d, "call_history_information"},
    {0x2e, "access_delivery_information"},
    {0x2f, "network_specific_facility"},
    {0x30, "user_service_information_prime"},
    {0x31, "propagation_delay_counter"},
    {0x32, "remote_operations"},
    {0x33, "service_activation"},
    {0x34, "user_teleservice_information"},
    {0x35, "transmission_medium_used"},
    {0x36, "call_diversion_information"},
    {0x37, "echo_control_information"},
    {0x38, "message_compatibility_information"},
    {0x39, "parameter_compatibility_information"},
    {0x3a, "mlpp_precedence"},
    {0x3b, "mcid_request_indicators"},
    {0x3c, "mcid_response_indicators"},
    {0x3d, "hop_counter"},
    {0x3e, "transmission_medium_requirement_prime"},
    {0x3f, "location_number"},
    {0x40, "redirection_number_restriction"},
    {0x41, "freephone_indicators"},
    {0x42, "generic_reference"},
    {0x43, "call_transfer_reference"},
    {0x44, "loop_prevention_indicators"},
    {0x45, "call_transfer_number"},
    {0x4b, "ccss"},
    {0x4c, "forward_gvns"},
    {0x4d, "backward_gvns"},
    {0x4e, "redirect_capability"},
    {0x5b, "network_management_controls"},
    {0x65, "correlation_id"},
    {0x66, "scf_id"},
    {0x6e, "call_diversion_treatment_indicators"},
    {0x6f, "called_in_number"},
    {0x70, "call_offering_treatment_indicators"},
    {0x71, "charged_party_identification"},
    {0x72, "conference_treatment_indicators"},
    {0x73, "display_information"},
    {0x74, "uid_action_indicators"},
    {0x75, "uid_capability_indicators"},
    {0x77, "redirect_counter"},
    {0x78, "application_transport"},
    {0x79, "collect_call_request"},
    {0x7a, "ccnr_possible_indicator"},
    {0x7b, "pivot_capability"},
    {0x7c, "pivot_routing_indicators"},
    {0x7d, "called_directory_number"},
    {0x7f, "original_called_in_number"},
    {0x81, "calling_geodetic_location"},
    {0x82, "htr_information"},
    {0x84, "network_routing_number"},
    {0x85, "query_on_release_capability"},
    {0x86, "pivot_status"},
    {0x87, "pivot_counter"},
    {0x88, "pivot_routing_forward_information"},
    {0x89, "pivot_routing_backward_information"},
    {0x8a, "redirect_status"},
    {0x8b, "redirect_forward_information"},
    {0x8c, "redirect_backward_information"},
    {0x8d, "number_portability_forward_information"},
    {0xc0, "generic_number"},
    {0xc1, "generic_digits"},
};

// ANSI T1.113.3 parameters that differ from Q.763 (codes 0x19..0x1c, 0xc0.. and a few renames).
constexpr Name kAnsiParams[] = {
    {0x19, "facility_information_indicators"},
    {0x1b, "index"},
    {0x1c, "cug_check_response_indicators"},
    {0x3a, "precedence"},
    {0xc0, "generic_address"},
    {0xc1, "generic_digits"},
    {0xc2, "operator_services_information"},
    {0xc3, "egress_service"},
    {0xc4, "jurisdiction_information"},
    {0xc5, "carrier_identification"},
    {0xc6, "business_group"},
    {0xc7, "generic_name"},
    {0xe1, "notification_indicator"},
    {0xe2, "ansi_service_activation"},
    {0xe3, "transaction_request"},
    {0xe4, "local_service_provider_identification"},
    {0xe5, "circuit_group_characteristics_indicator"},
    {0xe6, "circuit_validation_response_indicator"},
    {0xe7, "outgoing_trunk_group_number"},
    {0xe8, "circuit_identification_name"},
    {0xe9, "clli_code"},
    {0xea, "originating_line_information"},
    {0xeb, "charge_number"},
    {0xec, "service_code_indicator"},
    {0xed, "special_processing_request"},
    {0xee, "carrier_selection_information"},
    {0xef, "network_transport"},
};

struct Names {
  std::array<std::string_view, 256> by_code{};
  explicit Names(Variant v) {
    for (const auto& n : kItuParams)
      if (v != Variant::kAnsi || n.code < 0xc0) by_code[n.code] = n.name;
    if (v == Variant::kAnsi)
      for (const auto& n : kAnsiParams) by_code[n.code] = n.name;
  }
};

const Names& names(Variant v) {
  static const Names itu(Variant::kItu), ansi(Variant::kAnsi);
  return v == Variant::kAnsi ? ansi : itu;
}

}  // namespace

std::string_view message_acronym(std::uint8_t type, Variant v) {
  const auto* l = find_layout(type, v);
  return l ? l->acronym : std::string_view();
}

int message_code(std::string_view acronym, Variant v) {
  for (const auto& l : layouts(v))
    if (l.acronym == acronym) return l.type;
  return -1;
}

std::string_view param_name(std::uint8_t code, Variant v) { return names(v).by_code[code]; }

int param_code(std::string_view name, Variant v) {
  const auto& n = names(v);
  for (int c = 1; c < 256; ++c)
    if (n.by_code[c] == name) return c;
  return -1;
}

}  // namespace isupgw::isup
