#include "isup/message_table.h"

#include <initializer_list>

#include "isup/codes.h"

namespace isupgw::isup {
namespace {

constexpr MessageLayout row(std::uint8_t type, std::string_view acronym, std::initializer_list<FixedSpec> fixed,
                            std::initializer_list<std::uint8_t> variable, bool optional_part,
                            bool opaque_body = false) {
  MessageLayout l;
  l.type = type;
  l.acronym = acronym;
  for (const auto& f : fixed) l.fixed[l.n_fixed++] = f;
  for (auto c : variable) l.variable[l.n_variable++] = c;
  l.optional_part = optional_part;
  l.opaque_body = opaque_body;
  return l;
}

constexpr bool O = true, N = false;
constexpr FixedSpec kNci{par::kNatureOfConnectionIndicators, 1}, kFci{par::kForwardCallIndicators, 2},
    kCpc{par::kCallingPartysCategory, 1}, kTmr{par::kTransmissionMediumRequirement, 1},
    kInri{par::kInformationRequestIndicators, 2}, kInfi{par::kInformationIndicators, 2},
    kCoti{par::kContinuityIndicators, 1}, kBci{par::kBackwardCallIndicators, 2}, kSri{par::kSuspendResumeIndicators, 1},
    kCgsmti{par::kCircuitGroupSupervisionMessageType, 1}, kCmi{par::kCallModificationIndicators, 1},
    kFaci{par::kFacilityIndicator, 1}, kEvi{par::kEventInformation, 1}, kCvri{par::kAnsiCircuitValidationResponse, 1},
    kCgci{par::kAnsiCircuitGroupCharacteristics, 1};

// Q.763 Tables 32-54 (ISUP 2000). Rows are sorted by type code.
constexpr MessageLayout kItu[] = {
    row(msg::kIam, "IAM", {kNci, kFci, kCpc, kTmr}, {par::kCalledPartyNumber}, O),
    row(msg::kSam, "SAM", {}, {par::kSubsequentNumber}, O),
    row(msg::kInr, "INR", {kInri}, {}, O),
    row(msg::kInf, "INF", {kInfi}, {}, O),
    row(msg::kCot, "COT", {kCoti}, {}, N),
    row(msg::kAcm, "ACM", {kBci}, {}, O),
    row(msg::kCon, "CON", {kBci}, {}, O),
    row(msg::kFot, "FOT", {}, {}, O),
    row(msg::kAnm, "ANM", {}, {}, O),
    row(msg::kRel, "REL", {}, {par::kCauseIndicators}, O),
    row(msg::kSus, "SUS", {kSri}, {}, O),
    row(msg::kRes, "RES", {kSri}, {}, O),
    row(msg::kRlc, "RLC", {}, {}, O),
    row(msg::kCcr, "CCR", {}, {}, N),
    row(msg::kRsc, "RSC", {}, {}, N),
    row(msg::kBlo, "BLO", {}, {}, N),
    row(msg::kUbl, "UBL", {}, {}, N),
    row(msg::kBla, "BLA", {}, {}, N),
    row(msg::kUba, "UBA", {}, {}, N),
    row(msg::kGrs, "GRS", {}, {par::kRangeAndStatus}, N),
    row(msg::kCgb, "CGB", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgu, "CGU", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgba, "CGBA", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgua, "CGUA", {kCgsmti}, {par::kRangeAndStatus}, N),
    // Call modification (Q.763 1988 Tables 24-26; ITU reserved since 1992, still ANSI).
    row(msg::kCmr, "CMR", {kCmi}, {}, O),
    row(msg::kCmc, "CMC", {kCmi}, {}, O),
    row(msg::kCmrj, "CMRJ", {kCmi}, {}, O),
    row(msg::kFar, "FAR", {kFaci}, {}, O),
    row(msg::kFaa, "FAA", {kFaci}, {}, O),
    row(msg::kFrj, "FRJ", {kFaci}, {par::kCauseIndicators}, O),
    row(msg::kLpa, "LPA", {}, {}, N),
    // Pass-along carries a whole embedded message (Q.763 Table 43).
    row(msg::kPam, "PAM", {}, {}, N, true),
    row(msg::kGra, "GRA", {}, {par::kRangeAndStatus}, N),
    row(msg::kCqm, "CQM", {}, {par::kRangeAndStatus}, N),
    row(msg::kCqr, "CQR", {}, {par::kRangeAndStatus, par::kCircuitStateIndicator}, N),
    row(msg::kCpg, "CPG", {kEvi}, {}, O),
    row(msg::kUsr, "USR", {}, {par::kUserToUserInformation}, O),
    row(msg::kUcic, "UCIC", {}, {}, N),
    row(msg::kCfn, "CFN", {}, {par::kCauseIndicators}, O),
    row(msg::kOlm, "OLM", {}, {}, N),
    // Charge information: format is a national matter (Q.763 Table 4 note).
    row(msg::kCrg, "CRG", {}, {}, N, true),
    row(msg::kNrm, "NRM", {}, {}, O),
    row(msg::kFac, "FAC", {}, {}, O),
    row(msg::kUpt, "UPT", {}, {}, O),
    row(msg::kUpa, "UPA", {}, {}, O),
    row(msg::kIdr, "IDR", {}, {}, O),
    row(msg::kIrs, "IRS", {}, {}, O),
    row(msg::kSgm, "SGM", {}, {}, O),
    row(msg::kLop, "LOP", {}, {}, O),
    row(msg::kApm, "APM", {}, {}, O),
    row(msg::kPri, "PRI", {}, {}, O),
    row(msg::kSdn, "SDN", {}, {}, O),
};

// ANSI T1.113.3: IAM carries USI as a mandatory variable parameter and no TMR;
// RLC has no optional part; no CON/SDN/PRI/LOP/APM...; adds CRA/CRM/CVR/CVT/EXM.
constexpr MessageLayout kAnsi[] = {
    row(msg::kIam, "IAM", {kNci, kFci, kCpc}, {par::kUserServiceInformation, par::kCalledPartyNumber}, O),
    row(msg::kSam, "SAM", {}, {par::kSubsequentNumber}, O),
    row(msg::kInr, "INR", {kInri}, {}, O),
    row(msg::kInf, "INF", {kInfi}, {}, O),
    row(msg::kCot, "COT", {kCoti}, {}, N),
    row(msg::kAcm, "ACM", {kBci}, {}, O),
    row(msg::kFot, "FOT", {}, {}, O),
    row(msg::kAnm, "ANM", {}, {}, O),
    row(msg::kRel, "REL", {}, {par::kCauseIndicators}, O),
    row(msg::kSus, "SUS", {kSri}, {}, O),
    row(msg::kRes, "RES", {kSri}, {}, O),
    row(msg::kRlc, "RLC", {}, {}, N),
    row(msg::kCcr, "CCR", {}, {}, N),
    row(msg::kRsc, "RSC", {}, {}, N),
    row(msg::kBlo, "BLO", {}, {}, N),
    row(msg::kUbl, "UBL", {}, {}, N),
    row(msg::kBla, "BLA", {}, {}, N),
    row(msg::kUba, "UBA", {}, {}, N),
    row(msg::kGrs, "GRS", {}, {par::kRangeAndStatus}, N),
    row(msg::kCgb, "CGB", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgu, "CGU", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgba, "CGBA", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCgua, "CGUA", {kCgsmti}, {par::kRangeAndStatus}, N),
    row(msg::kCmr, "CMR", {kCmi}, {}, O),
    row(msg::kCmc, "CMC", {kCmi}, {}, O),
    row(msg::kCmrj, "CMRJ", {kCmi}, {}, O),
    row(msg::kFar, "FAR", {kFaci}, {}, O),
    row(msg::kFaa, "FAA", {kFaci}, {}, O),
    row(msg::kFrj, "FRJ", {kFaci}, {par::kCauseIndicators}, O),
    row(msg::kLpa, "LPA", {}, {}, N),
    row(msg::kPam, "PAM", {}, {}, N, true),
    row(msg::kGra, "GRA", {}, {par::kRangeAndStatus}, N),
    row(msg::kCqm, "CQM", {}, {par::kRangeAndStatus}, N),
    row(msg::kCqr, "CQR", {}, {par::kRangeAndStatus, par::kCircuitStateIndicator}, N),
    row(msg::kCpg, "CPG", {kEvi}, {}, O),
    row(msg::kUsr, "USR", {}, {par::kUserToUserInformation}, O),
    row(msg::kUcic, "UCIC", {}, {}, N),
    row(msg::kCfn, "CFN", {}, {par::kCauseIndicators}, O),
    row(msg::kCrg, "CRG", {}, {}, N, true),
    row(msg::kFac, "FAC", {}, {}, O),
    row(msg::kUpt, "UPT", {}, {}, O),
    row(msg::kUpa, "UPA", {}, {}, O),
    row(msg::kIdr, "IDR", {}, {}, O),
    row(msg::kIrs, "IRS", {}, {}, O),
    row(msg::kSgm, "SGM", {}, {}, O),
    row(msg::kApm, "APM", {}, {}, O),
    row(msg::kCra, "CRA", {}, {}, N),
    row(msg::kCrm, "CRM", {kNci}, {}, N),
    row(msg::kCvr, "CVR", {kCvri, kCgci}, {}, O),
    row(msg::kCvt, "CVT", {}, {}, N),
    row(msg::kExm, "EXM", {}, {}, O),
};

// Direct lookup by type code (built once; the tables are small and constant).
struct Index {
  const MessageLayout* by_type[256] = {};
  explicit Index(std::span<const MessageLayout> rows) {
    for (const auto& r : rows) by_type[r.type] = &r;
  }
};

const Index& index(Variant v) {
  static const Index itu(kItu), ansi(kAnsi);
  return v == Variant::kAnsi ? ansi : itu;  // ETSI ETS 300 356 uses the ITU layouts
}

}  // namespace

const MessageLayout* find_layout(std::uint8_t type, Variant v) { return index(v).by_type[type]; }

std::span<const MessageLayout> layouts(Variant v) {
  if (v == Variant::kAnsi) return kAnsi;
  return kItu;
}

}  // namespace isupgw::isup
