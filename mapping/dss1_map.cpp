// DSS1 <-> ISUP numbers, bearer and causes (Q.699; the code points of Q.931
// 4.5 and Q.763 3). See dss1_map.h for what each rule rests on.
#include "mapping/dss1_map.h"

#include <string>

#include "q931/ie.h"

namespace isupgw::mapping {

// ---------------------------------------------------------------- numbers

std::uint8_t nai_for_ton(std::uint8_t type_of_number) {
  switch (type_of_number) {
    case ton::kInternational: return 4;    // international number
    case ton::kNational: return 3;         // national (significant) number
    case ton::kSubscriber: return 1;       // subscriber number
    case ton::kNetworkSpecific: return 5;  // network-specific number (national use)
    default: return 2;                     // unknown
  }
}

std::uint8_t ton_for_nai(std::uint8_t nai) {
  switch (nai) {
    case 4: return ton::kInternational;
    case 3: return ton::kNational;
    case 1: return ton::kSubscriber;
    case 5: return ton::kNetworkSpecific;
    default: return ton::kUnknown;
  }
}

std::uint8_t npi_for_dss1_plan(std::uint8_t plan) { return (plan == 3 || plan == 4) ? plan : 1; }
std::uint8_t dss1_plan_for_npi(std::uint8_t npi) { return (npi == 1 || npi == 3 || npi == 4) ? npi : 0; }

namespace {

// DSS1 IA5 digits -> ISUP address signals: '*' '#' are codes 11/12 only where
// the national plan allows them (Q.763 3.9 note, NumberPlan::allow_star_hash).
Result<std::string, NumberError> isup_digits(std::string_view ia5, const NumberPlan& plan) {
  std::string out;
  for (char c : ia5) {
    if (c >= '0' && c <= '9') {
      out += c;
    } else if ((c == '*' || c == '#') && plan.allow_star_hash) {
      out += c == '*' ? 'B' : 'C';
    } else {
      return Err(NumberError::kBadCharacter);
    }
  }
  if (out.empty()) return Err(NumberError::kEmpty);
  if (out.size() > 30) return Err(NumberError::kTooLong);
  return out;
}

std::string dss1_digits(std::string_view isup_digits, bool* complete) {
  std::string out;
  for (char c : isup_digits) {
    if (c == 'F') {
      if (complete) *complete = true;
      break;
    }
    if (c == 'B') {
      out += '*';
    } else if (c == 'C') {
      out += '#';
    } else if (c >= '0' && c <= '9') {
      out += c;
    }  // spare codes have no IA5 digit: dropped
  }
  return out;
}

isup::Number number_of(isup::NumberKind kind, std::uint8_t nai, std::uint8_t npi, std::string_view digits) {
  isup::Number out;
  out.kind = kind;
  out.nai = nai;
  out.npi = npi;
  out.digits.assign(digits.substr(0, isup::kMaxDigits - 1));
  return out;
}

}  // namespace

Result<isup::Number, NumberError> isup_called_from_dss1(const q931::PartyNumber& called, const PriNumbering& n,
                                                        bool complete) {
  if (called.type == ton::kUnknown || called.type == ton::kAbbreviated) {
    // Table 4-9 note 3: the digits follow the dialling plan, prefixes included.
    auto d = isup_digits(called.digits, n.plan);
    if (!d) return Err(d.error());
    auto r = isup_number_from_dialled(called.digits, n.plan, n.prefixes, complete);
    if (!r) return Err(r.error());
    isup::Number out = to_isup(*r, isup::NumberKind::kCalled);
    out.npi = npi_for_dss1_plan(called.plan);
    return out;
  }
  auto d = isup_digits(called.digits, n.plan);
  if (!d) return Err(d.error());
  isup::Number out = number_of(isup::NumberKind::kCalled, nai_for_ton(called.type), npi_for_dss1_plan(called.plan), *d);
  if (complete) out.digits.push_back('F');
  return out;
}

Dss1Called dss1_called_from_isup(const isup::Number& called) {
  Dss1Called out;
  out.number.type = called.kind == isup::NumberKind::kSubsequent ? ton::kUnknown : ton_for_nai(called.nai);
  out.number.plan = called.kind == isup::NumberKind::kSubsequent ? 1 : dss1_plan_for_npi(called.npi);
  out.number.digits = dss1_digits(called.digits.view(), &out.complete);
  return out;
}

std::optional<isup::Number> isup_calling_from_dss1(const std::optional<q931::PartyNumber>& calling,
                                                   const PriNumbering& n) {
  const std::uint8_t presentation = calling && calling->presentation ? *calling->presentation : 0;
  if (calling && !calling->digits.empty() && presentation != 2) {
    const std::uint8_t screening = calling->screening.value_or(0);
    auto d = isup_digits(calling->digits, n.plan);
    const bool accepted = d && (screening == 3 || ((screening == 0 || screening == 1) && n.trust_user_numbers));
    if (accepted) {
      isup::Number out =
          number_of(isup::NumberKind::kCalling, nai_for_ton(calling->type), npi_for_dss1_plan(calling->plan), *d);
      out.apri = presentation;
      out.screening = screening == 3 ? 3 : 1;  // network provided / user provided, verified and passed
      return out;
    }
  }
  if (!n.default_calling.empty()) {
    isup::Number out = number_of(isup::NumberKind::kCalling, 3, 1, n.default_calling);
    out.apri = presentation == 1 ? 1 : 0;  // the user's CLIR request applies to the default number too
    out.screening = 3;
    return out;
  }
  if (!calling) return std::nullopt;
  // Q.763 3.10 e: address not available -- no digits, screening network provided.
  isup::Number out = number_of(isup::NumberKind::kCalling, 0, 0, "");
  out.apri = 2;
  out.screening = 3;
  return out;
}

q931::PartyNumber dss1_calling_from_isup(const isup::Number& calling) {
  q931::PartyNumber out;
  out.type = ton_for_nai(calling.nai);
  out.plan = dss1_plan_for_npi(calling.npi);
  out.presentation = calling.apri;
  out.screening = calling.screening;
  out.digits = dss1_digits(calling.digits.view(), nullptr);
  if (calling.apri == 2) {  // not available: Q.931 4.5.10 number digits empty, plan/type unknown
    out.type = ton::kUnknown;
    out.plan = 0;
  }
  return out;
}

// ---------------------------------------------------------------- bearer

std::optional<Bearer> bearer_from_bc(const q931::BearerCapability& bc) {
  // Q.931 4.5.5: ITU-T coding, circuit mode, 64 kbit/s.
  if (bc.coding_standard != 0 || bc.transfer_mode != 0 || bc.transfer_rate != 0x10) return std::nullopt;
  switch (bc.transfer_capability) {
    case itc::kSpeech: return Bearer::kSpeech;
    case itc::kAudio31: return Bearer::kAudio31;
    case itc::kUnrestrictedDigital: return Bearer::kUdi64;
    default: return std::nullopt;
  }
}

q931::BearerCapability bc_for(Bearer b, bool a_law) {
  q931::BearerCapability bc;
  switch (b) {
    case Bearer::kSpeech: bc.transfer_capability = itc::kSpeech; break;
    case Bearer::kAudio31: bc.transfer_capability = itc::kAudio31; break;
    case Bearer::kUdi64: bc.transfer_capability = itc::kUnrestrictedDigital; break;
  }
  if (b != Bearer::kUdi64) bc.layer1 = a_law ? 3 : 2;  // G.711 A-law / mu-law
  return bc;
}

std::vector<std::uint8_t> usi_from_bc(const q931::BearerCapability& bc) {
  std::vector<std::uint8_t> out;
  if (!q931::ies::write(bc, out)) out.clear();
  return out;
}

q931::BearerCapability bc_from_isup(std::span<const std::uint8_t> usi, std::uint8_t tmr, bool a_law) {
  if (!usi.empty()) {
    q931::BearerCapability bc;
    if (q931::ies::parse(usi, bc)) return bc;
  }
  switch (tmr) {
    case 0: return bc_for(Bearer::kSpeech, a_law);
    case 2: return bc_for(Bearer::kUdi64, a_law);
    default: return bc_for(Bearer::kAudio31, a_law);
  }
}

// ---------------------------------------------------------------- causes

std::optional<int> sip_status_for_dss1_cause(const std::vector<q931::Cause>& causes, CauseTable table) {
  if (causes.empty()) return sip_status_for_cause(31, table);
  return sip_status_for_cause(causes.front().value, table, causes.front().location);
}

q931::Cause dss1_cause_for_sip_status(int status, CauseTable table) {
  q931::Cause c;
  c.location = kLocationBeyondInterworking;
  c.value = cause_for_sip_status(status, table).value_or(16);
  return c;
}

q931::Cause dss1_cause_from_isup(std::uint8_t cause, std::uint8_t location) {
  q931::Cause c;
  c.location = location & 0x0f;
  c.value = cause & 0x7f;
  return c;
}

std::uint8_t isup_cause_from_dss1(const std::vector<q931::Cause>& causes) {
  return causes.empty() ? 31 : causes.front().value;
}

}  // namespace isupgw::mapping
