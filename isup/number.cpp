#include "isup/number.h"

#include "isup/codes.h"

namespace isupgw::isup {

std::optional<NumberKind> number_kind(std::uint8_t code, Variant v) {
  switch (code) {
    case par::kCalledPartyNumber:
    case par::kRedirectionNumber: return NumberKind::kCalled;
    case par::kCallingPartyNumber: return NumberKind::kCalling;
    case par::kLocationNumber: return NumberKind::kLocation;
    case par::kConnectedNumber: return NumberKind::kConnected;
    case par::kRedirectingNumber:
    case par::kOriginalCalledNumber: return NumberKind::kRedirecting;
    case par::kSubsequentNumber: return NumberKind::kSubsequent;
    case par::kGenericNumber: return NumberKind::kGeneric;  // ANSI generic address has the same shape
    default: break;
  }
  if (v == Variant::kAnsi) {
    if (code == par::kAnsiChargeNumber) return NumberKind::kCharge;
    if (code == par::kAnsiJurisdiction) return NumberKind::kDigitsOnly;
  }
  return std::nullopt;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

char digit_char(std::uint8_t nibble) { return "0123456789ABCDEF"[nibble & 0x0f]; }

namespace {

// Bits of the indicator octet (the one after O/E+NAI) that the kind assigns.
std::uint8_t assigned_mask(NumberKind k) {
  switch (k) {
    case NumberKind::kCalled: return 0xf0;  // INN, NPI
    case NumberKind::kCalling:
    case NumberKind::kLocation:
    case NumberKind::kGeneric: return 0xff;    // NI/INN, NPI, APRI, screening
    case NumberKind::kConnected: return 0x7f;  // NPI, APRI, screening
    case NumberKind::kRedirecting: return 0x7c;
    case NumberKind::kCharge: return 0x70;
    default: return 0;
  }
}

}  // namespace

Result<Number, DecodeError> Number::decode(NumberKind kind, std::span<const std::uint8_t> in) {
  Number n;
  n.kind = kind;
  std::size_t pos = 0;
  bool odd = false;
  if (kind == NumberKind::kGeneric) {
    if (in.empty()) return Err(DecodeError::kLengthMismatch);
    n.qualifier = in[pos++];
  }
  if (kind == NumberKind::kSubsequent) {
    if (in.size() < 1) return Err(DecodeError::kLengthMismatch);
    odd = in[0] & 0x80;
    n.spare = in[0] & 0x7f;
    pos = 1;
  } else if (kind != NumberKind::kDigitsOnly) {
    if (in.size() < pos + 2) return Err(DecodeError::kLengthMismatch);
    odd = in[pos] & 0x80;
    n.nai = in[pos] & 0x7f;
    const std::uint8_t ind = in[pos + 1];
    n.inn_ni = (assigned_mask(kind) & 0x80) && (ind & 0x80);
    n.npi = (ind >> 4) & 0x07;
    if (assigned_mask(kind) & 0x0c) n.apri = (ind >> 2) & 0x03;
    if (assigned_mask(kind) & 0x03) n.screening = ind & 0x03;
    n.spare = ind & static_cast<std::uint8_t>(~assigned_mask(kind));
    pos += 2;
  }
  const auto digits = in.subspan(pos);
  if (digits.size() * 2 > kMaxDigits) return Err(DecodeError::kBadValue);
  if (odd && digits.empty()) return Err(DecodeError::kBadValue);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    n.digits.push_back(digit_char(digits[i] & 0x0f));
    if (i + 1 == digits.size() && odd)
      n.filler = digits[i] >> 4;
    else
      n.digits.push_back(digit_char(digits[i] >> 4));
  }
  return n;
}

void Number::encode(ParamBytes& out) const {
  const std::uint8_t oe = odd() ? 0x80 : 0x00;
  if (kind == NumberKind::kGeneric) out.push_back(qualifier);
  if (kind == NumberKind::kSubsequent) {
    out.push_back(static_cast<std::uint8_t>(oe | (spare & 0x7f)));
  } else if (kind != NumberKind::kDigitsOnly) {
    out.push_back(static_cast<std::uint8_t>(oe | (nai & 0x7f)));
    const std::uint8_t mask = assigned_mask(kind);
    std::uint8_t ind = static_cast<std::uint8_t>((npi & 0x07) << 4);
    if ((mask & 0x80) && inn_ni) ind |= 0x80;
    if (mask & 0x0c) ind |= static_cast<std::uint8_t>((apri & 0x03) << 2);
    if (mask & 0x03) ind |= screening & 0x03;
    ind = static_cast<std::uint8_t>((ind & mask) | (spare & ~mask));
    out.push_back(ind);
  }
  const auto d = digits.view();
  for (std::size_t i = 0; i < d.size(); i += 2) {
    const int lo = digit_value(d[i]);
    const int hi = i + 1 < d.size() ? digit_value(d[i + 1]) : filler;
    out.push_back(static_cast<std::uint8_t>(((hi & 0x0f) << 4) | (lo & 0x0f)));
  }
}

bool operator==(const Number& a, const Number& b) {
  return a.kind == b.kind && a.qualifier == b.qualifier && a.nai == b.nai && a.inn_ni == b.inn_ni && a.npi == b.npi &&
         a.apri == b.apri && a.screening == b.screening && a.spare == b.spare && a.filler == b.filler &&
         a.digits == b.digits;
}

}  // namespace isupgw::isup
