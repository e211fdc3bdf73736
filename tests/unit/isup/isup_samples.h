// Representative ISUP messages for every message type of a variant, built with
// the typed encoders: shared by the tshark oracle test and the round-trip tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/message.h"
#include "isup/number.h"
#include "isup/params.h"

namespace isupgw::isup::samples {

inline Number number(NumberKind kind, std::string_view digits, std::uint8_t nai = 3, std::uint8_t npi = 1) {
  Number n;
  n.kind = kind;
  n.nai = nai;
  n.npi = npi;
  n.digits.assign(digits);
  return n;
}

inline std::vector<std::uint8_t> bytes(std::initializer_list<std::uint8_t> b) { return b; }

// Optional parameters that exercise every typed parameter (ITU/ETSI codes), used in the IAM sample.
inline void add_all_itu_optionals(MessageBuilder& b) {
  auto calling = number(NumberKind::kCalling, "5551234");
  calling.screening = 3;
  b.optional(par::kCallingPartyNumber, calling);
  b.optional(par::kHopCounter, HopCounter{17, 0});
  b.optional(par::kCallReference, CallReference{0x000102, 0x0101, false});
  ClosedUserGroupInterlockCode cug;
  cug.network_identity.assign("1234");
  cug.binary_code = 5;
  b.optional(par::kClosedUserGroupInterlockCode, cug);
  b.optional(par::kPropagationDelayCounter, PropagationDelayCounter{258});
  OptionalForwardCallIndicators ofci;
  ofci.cug_call = 3;
  ofci.connected_line_identity_request = true;
  b.optional(par::kOptionalForwardCallIndicators, ofci);
  b.optional(par::kRedirectionInformation, RedirectionInformation{4, 3, 2, 1, 0, false});
  auto redirecting = number(NumberKind::kRedirecting, "1234");
  redirecting.apri = 1;
  b.optional(par::kRedirectingNumber, redirecting);
  b.optional(par::kOriginalCalledNumber, number(NumberKind::kRedirecting, "98765", 4));
  auto location = number(NumberKind::kLocation, "4321");
  location.inn_ni = true;
  location.screening = 3;
  b.optional(par::kLocationNumber, location);
  auto generic = number(NumberKind::kGeneric, "123456");
  generic.qualifier = 6;
  generic.screening = 1;
  b.optional(par::kGenericNumber, generic);
  b.optional(par::kAccessTransport, bytes({0x1e, 0x02, 0x80, 0x88}));
  b.optional(par::kUserToUserInformation, bytes({0x04, 0x01, 0x02}));
  b.optional(par::kAutomaticCongestionLevel, OctetValue{1});
  ParameterCompatibilityInformation pci;
  static const std::uint8_t kInstr[] = {0x81};
  pci.entries.push_back({par::kHopCounter, kInstr});
  b.optional(par::kParameterCompatibilityInformation, pci);
  MessageCompatibilityInformation mci;
  mci.release_call = true;
  b.optional(par::kMessageCompatibilityInformation, mci);
  UserServiceInformation usi;
  usi.information_transfer_capability = 0x10;
  usi.transfer_rate = 0x10;
  usi.user_information_layer1 = 3;
  b.optional(par::kUserServiceInformation, usi);
  b.optional(par::kUserServiceInformationPrime, usi);
  b.optional(par::kTransmissionMediumRequirementPrime, OctetValue{3});
  b.optional(par::kTransmissionMediumUsed, OctetValue{2});
}

// One sample per message type of the variant (layouts(v) order). Every mandatory
// parameter gets a representative typed value; messages with an optional part
// carry a few optional parameters.
inline std::vector<std::unique_ptr<MessageBuilder>> all_messages(Variant v) {
  std::vector<std::unique_ptr<MessageBuilder>> out;
  std::uint16_t cic = v == Variant::kAnsi ? 0x2345 : 0x0123;
  for (const auto& l : layouts(v)) {
    auto b = std::make_unique<MessageBuilder>(l.type, cic);
    for (std::size_t i = 0; i < l.n_fixed; ++i) {
      const auto& f = l.fixed[i];
      switch (f.code) {
        case par::kNatureOfConnectionIndicators: b->fixed(f.code, NatureOfConnectionIndicators{1, 1, true, 0}); break;
        case par::kForwardCallIndicators: {
          ForwardCallIndicators fci;
          fci.international = true;
          fci.isup_all_the_way = true;
          fci.isup_preference = 1;
          fci.isdn_access = true;
          fci.sccp_method = 2;
          fci.ported_number_translated = true;  // bit M (issue 20: tshark checks its position)
          b->fixed(f.code, fci);
          break;
        }
        case par::kCallingPartysCategory: b->fixed(f.code, OctetValue{10}); break;
        case par::kTransmissionMediumRequirement: b->fixed(f.code, OctetValue{3}); break;
        case par::kInformationRequestIndicators: {
          InformationRequestIndicators r;
          r.calling_party_address = true;
          r.calling_partys_category = true;
          b->fixed(f.code, r);
          break;
        }
        case par::kInformationIndicators: {
          InformationIndicators r;
          r.calling_party_address_response = 3;
          r.calling_partys_category_response = true;
          r.unsolicited = false;
          b->fixed(f.code, r);
          break;
        }
        case par::kContinuityIndicators: b->fixed(f.code, FlagOctet{true, 0}); break;
        case par::kBackwardCallIndicators: {
          BackwardCallIndicators bci;
          bci.charge = 2;
          bci.called_status = 1;
          bci.called_category = 1;
          bci.isup_all_the_way = true;
          bci.isdn_access = true;
          bci.echo_control_device = true;
          b->fixed(f.code, bci);
          break;
        }
        case par::kSuspendResumeIndicators: b->fixed(f.code, FlagOctet{true, 0}); break;
        case par::kCircuitGroupSupervisionMessageType:
          b->fixed(f.code, CircuitGroupSupervisionMessageType{1, 0});
          break;
        case par::kEventInformation: b->fixed(f.code, EventInformation{1, false}); break;
        case par::kAnsiCircuitGroupCharacteristics: b->fixed(f.code, CircuitGroupCharacteristics{2, 1, 0, 3}); break;
        default: b->fixed(f.code, OctetValue{1}); break;  // facility / call modification / CVR response
      }
    }
    for (std::size_t i = 0; i < l.n_variable; ++i) {
      const auto code = l.variable[i];
      switch (code) {
        case par::kCalledPartyNumber: {
          auto n = number(NumberKind::kCalled, "4930123456F");
          n.inn_ni = true;
          b->variable(code, n);
          break;
        }
        case par::kSubsequentNumber: b->variable(code, number(NumberKind::kSubsequent, "789F")); break;
        case par::kCauseIndicators: {
          CauseIndicators c;
          c.value = 16;
          c.location = 2;
          b->variable(code, c);
          break;
        }
        case par::kRangeAndStatus: {
          static const std::uint8_t kStatus[] = {0x0f};
          const bool no_status = l.type == msg::kGrs || l.type == msg::kCqm;
          b->variable(code, RangeAndStatus{3, no_status ? std::span<const std::uint8_t>() : kStatus});
          break;
        }
        case par::kCircuitStateIndicator: b->variable(code, bytes({0x0c, 0x0c, 0x0c, 0x0c})); break;
        case par::kUserToUserInformation: b->variable(code, bytes({0x04, 0xaa})); break;
        case par::kUserServiceInformation: {
          UserServiceInformation usi;
          usi.user_information_layer1 = 2;
          usi.transfer_rate = 0x10;
          b->variable(code, usi);
          break;
        }
        default: break;
      }
    }
    if (l.opaque_body) {
      // PAM carries an embedded message (here a FOT without optional part); CRG a national-format body.
      b->body(l.type == msg::kPam ? bytes({msg::kFot, 0x00}) : bytes({0x01, 0x02}));
    }
    if (l.optional_part) {
      if (l.type == msg::kIam && v != Variant::kAnsi) {
        add_all_itu_optionals(*b);
      } else if (l.type == msg::kIam) {
        auto calling = number(NumberKind::kCalling, "2125551234");
        calling.screening = 3;
        b->optional(par::kCallingPartyNumber, calling);
        b->optional(par::kAnsiChargeNumber, number(NumberKind::kCharge, "2125551234"));
        b->optional(par::kAnsiOriginatingLineInformation, OctetValue{0});
        b->optional(par::kAnsiJurisdiction, number(NumberKind::kDigitsOnly, "212555"));
        b->optional(par::kHopCounter, HopCounter{20, 0});
      } else if (l.type == msg::kAcm || l.type == msg::kCpg) {
        b->optional(par::kOptionalBackwardCallIndicators, OptionalBackwardCallIndicators{true, true, false, false, 0});
      } else if (l.type == msg::kRel) {
        auto redirection = number(NumberKind::kCalled, "3312345");
        b->optional(par::kRedirectionNumber, redirection);
        b->optional(par::kAutomaticCongestionLevel, OctetValue{2});
      } else if (l.type == msg::kAnm || l.type == msg::kCon) {
        auto connected = number(NumberKind::kConnected, "4930123456");
        connected.screening = 3;
        b->optional(par::kConnectedNumber, connected);
        b->optional(par::kBackwardCallIndicators, BackwardCallIndicators{});
      } else if (l.type == msg::kSam) {
        b->optional(par::kMessageCompatibilityInformation, MessageCompatibilityInformation{});
      } else {
        b->optional(par::kCallReference, CallReference{7, 0x0202, v == Variant::kAnsi});
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace isupgw::isup::samples
