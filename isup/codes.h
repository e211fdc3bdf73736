// ISUP message type and parameter name codes (Q.763 Tables 4 and 5; ANSI
// T1.113.3 additions). Plain uint8_t constants: the wire carries codes we may not
// know, and those must survive decode -> encode unchanged.
#pragma once

#include <cstdint>
#include <string_view>

#include "isup/variant.h"

namespace isupgw::isup {

// Message type codes (Q.763 Table 4).
namespace msg {
inline constexpr std::uint8_t kIam = 0x01, kSam = 0x02, kInr = 0x03, kInf = 0x04, kCot = 0x05, kAcm = 0x06, kCon = 0x07,
                              kFot = 0x08, kAnm = 0x09, kRel = 0x0c, kSus = 0x0d, kRes = 0x0e, kRlc = 0x10, kCcr = 0x11,
                              kRsc = 0x12, kBlo = 0x13, kUbl = 0x14, kBla = 0x15, kUba = 0x16, kGrs = 0x17, kCgb = 0x18,
                              kCgu = 0x19, kCgba = 0x1a, kCgua = 0x1b, kCmr = 0x1c, kCmc = 0x1d, kCmrj = 0x1e,
                              kFar = 0x1f, kFaa = 0x20, kFrj = 0x21, kLpa = 0x24, kPam = 0x28, kGra = 0x29, kCqm = 0x2a,
                              kCqr = 0x2b, kCpg = 0x2c, kUsr = 0x2d, kUcic = 0x2e, kCfn = 0x2f, kOlm = 0x30,
                              kCrg = 0x31, kNrm = 0x32, kFac = 0x33, kUpt = 0x34, kUpa = 0x35, kIdr = 0x36, kIrs = 0x37,
                              kSgm = 0x38, kLop = 0x40, kApm = 0x41, kPri = 0x42, kSdn = 0x43;
// ANSI T1.113 only.
inline constexpr std::uint8_t kCra = 0xe9, kCrm = 0xea, kCvr = 0xeb, kCvt = 0xec, kExm = 0xed;
}  // namespace msg

// Cause values this exchange sends (Q.850 Table 1).
namespace cause {
inline constexpr int kNormalClearing = 16, kNoAnswer = 19, kInvalidNumberFormat = 28, kNoCircuit = 34,
                     kTemporaryFailure = 41, kSwitchingEquipmentCongestion = 42, kMessageTypeNonExistent = 97, kParameterNonExistent = 99,
                     kRecoveryOnTimerExpiry = 102, kMessageWithParameterDiscarded = 110;
}  // namespace cause

// Parameter name codes (Q.763 Table 5; ANSI codes from 0xc0 differ).
namespace par {
inline constexpr std::uint8_t kEndOfOptional = 0x00, kCallReference = 0x01, kTransmissionMediumRequirement = 0x02,
                              kAccessTransport = 0x03, kCalledPartyNumber = 0x04, kSubsequentNumber = 0x05,
                              kNatureOfConnectionIndicators = 0x06, kForwardCallIndicators = 0x07,
                              kOptionalForwardCallIndicators = 0x08, kCallingPartysCategory = 0x09,
                              kCallingPartyNumber = 0x0a, kRedirectingNumber = 0x0b, kRedirectionNumber = 0x0c,
                              kConnectionRequest = 0x0d, kInformationRequestIndicators = 0x0e,
                              kInformationIndicators = 0x0f, kContinuityIndicators = 0x10,
                              kBackwardCallIndicators = 0x11, kCauseIndicators = 0x12, kRedirectionInformation = 0x13,
                              kCircuitGroupSupervisionMessageType = 0x15, kRangeAndStatus = 0x16,
                              kCallModificationIndicators = 0x17, kFacilityIndicator = 0x18,
                              kClosedUserGroupInterlockCode = 0x1a, kUserServiceInformation = 0x1d,
                              kSignallingPointCode = 0x1e, kUserToUserInformation = 0x20, kConnectedNumber = 0x21,
                              kSuspendResumeIndicators = 0x22, kTransitNetworkSelection = 0x23,
                              kEventInformation = 0x24, kCircuitStateIndicator = 0x26, kAutomaticCongestionLevel = 0x27,
                              kOriginalCalledNumber = 0x28, kOptionalBackwardCallIndicators = 0x29,
                              kUserToUserIndicators = 0x2a, kGenericNotificationIndicator = 0x2c,
                              kUserServiceInformationPrime = 0x30, kPropagationDelayCounter = 0x31,
                              kTransmissionMediumUsed = 0x35, kMessageCompatibilityInformation = 0x38,
                              kParameterCompatibilityInformation = 0x39, kHopCounter = 0x3d,
                              kTransmissionMediumRequirementPrime = 0x3e, kLocationNumber = 0x3f, kGenericNumber = 0xc0,
                              kGenericDigits = 0xc1;
// ANSI T1.113 only (the same codes mean other things, or nothing, in ITU).
inline constexpr std::uint8_t kAnsiGenericAddress = 0xc0, kAnsiJurisdiction = 0xc4,
                              kAnsiCircuitGroupCharacteristics = 0xe5, kAnsiCircuitValidationResponse = 0xe6,
                              kAnsiOriginatingLineInformation = 0xea, kAnsiChargeNumber = 0xeb;
}  // namespace par

// "IAM", or empty if the code is not a message of that variant.
std::string_view message_acronym(std::uint8_t type, Variant v);
// Acronym -> code (variant-aware); -1 if unknown.
int message_code(std::string_view acronym, Variant v);

// snake_case Q.763 name ("called_party_number"), or empty for an unassigned code.
std::string_view param_name(std::uint8_t code, Variant v);
// Name -> code; -1 if unknown.
int param_code(std::string_view name, Variant v);

}  // namespace isupgw::isup
