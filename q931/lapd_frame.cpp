// Q.921 frame formats (Q.921 2.3 address field, 3.4-3.6 control field,
// Table 5 commands and responses, modulo 128).
#include "q931/lapd_frame.h"

#include <array>

namespace isupgw::q931::lapd {
namespace {

// U frames: the control octet with P/F (bit 5, 0x10) cleared (Q.921 Table 5).
struct UCode {
  FrameType type;
  std::uint8_t octet;
  bool info;
};
constexpr std::array<UCode, 7> kU = {{
    {FrameType::kSabme, 0x6f, false},
    {FrameType::kDm, 0x0f, false},
    {FrameType::kUi, 0x03, true},
    {FrameType::kDisc, 0x43, false},
    {FrameType::kUa, 0x63, false},
    {FrameType::kFrmr, 0x87, true},
    {FrameType::kXid, 0xaf, true},
}};
// S frames: the first control octet (Q.921 Table 5).
constexpr std::uint8_t kRrOctet = 0x01, kRnrOctet = 0x05, kRejOctet = 0x09;

Err<CodecError> err(Fault f) { return Err(CodecError{f}); }

}  // namespace

std::string_view to_string(FrameType t) {
  switch (t) {
    case FrameType::kI: return "I";
    case FrameType::kRr: return "RR";
    case FrameType::kRnr: return "RNR";
    case FrameType::kRej: return "REJ";
    case FrameType::kSabme: return "SABME";
    case FrameType::kDm: return "DM";
    case FrameType::kUi: return "UI";
    case FrameType::kDisc: return "DISC";
    case FrameType::kUa: return "UA";
    case FrameType::kFrmr: return "FRMR";
    case FrameType::kXid: return "XID";
  }
  return "?";
}

std::string CodecError::to_string() const {
  static constexpr std::string_view kNames[] = {"frame too short",
                                                "address field EA bits wrong",
                                                "undefined control field",
                                                "information field on a frame without one",
                                                "information field longer than N201 (260)",
                                                "value out of range"};
  return std::string(kNames[static_cast<int>(fault)]);
}

Result<Frame, CodecError> decode(std::span<const std::uint8_t> b) {
  if (b.size() < 3) return err(Fault::kTooShort);
  if ((b[0] & 0x01) != 0 || (b[1] & 0x01) != 1) return err(Fault::kAddress);
  Frame f;
  f.sapi = b[0] >> 2;
  f.cr = b[0] & 0x02;
  f.tei = b[1] >> 1;
  const std::uint8_t c = b[2];
  std::size_t info_at = 3;
  if ((c & 0x01) == 0) {  // I frame: N(S) | 0, N(R) | P
    if (b.size() < 4) return err(Fault::kTooShort);
    f.type = FrameType::kI;
    f.ns = c >> 1;
    f.nr = b[3] >> 1;
    f.pf = b[3] & 0x01;
    info_at = 4;
  } else if ((c & 0x03) == 0x01) {  // S frame: 0000 SS 01, N(R) | P/F
    if (b.size() < 4) return err(Fault::kTooShort);
    if (c == kRrOctet)
      f.type = FrameType::kRr;
    else if (c == kRnrOctet)
      f.type = FrameType::kRnr;
    else if (c == kRejOctet)
      f.type = FrameType::kRej;
    else
      return err(Fault::kUnknownControl);
    f.nr = b[3] >> 1;
    f.pf = b[3] & 0x01;
    if (b.size() > 4) return err(Fault::kInfoNotAllowed);
    return f;
  } else {  // U frame
    const std::uint8_t m = c & ~0x10;
    const UCode* u = nullptr;
    for (const auto& x : kU)
      if (x.octet == m) u = &x;
    if (!u) return err(Fault::kUnknownControl);
    f.type = u->type;
    f.pf = c & 0x10;
    if (!u->info && b.size() > 3) return err(Fault::kInfoNotAllowed);
  }
  if (b.size() - info_at > kN201) return err(Fault::kTooLong);
  f.info.assign(b.begin() + static_cast<std::ptrdiff_t>(info_at), b.end());
  return f;
}

Result<std::vector<std::uint8_t>, CodecError> encode(const Frame& f) {
  if (f.sapi > 63 || f.tei > 127 || f.ns > 127 || f.nr > 127) return err(Fault::kEncode);
  if (f.info.size() > kN201) return err(Fault::kTooLong);
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(f.sapi << 2 | (f.cr ? 0x02 : 0)),
                                   static_cast<std::uint8_t>(f.tei << 1 | 0x01)};
  const std::uint8_t pf = f.pf ? 1 : 0;
  switch (f.type) {
    case FrameType::kI:
      out.push_back(static_cast<std::uint8_t>(f.ns << 1));
      out.push_back(static_cast<std::uint8_t>(f.nr << 1 | pf));
      break;
    case FrameType::kRr:
    case FrameType::kRnr:
    case FrameType::kRej:
      if (!f.info.empty()) return err(Fault::kInfoNotAllowed);
      out.push_back(f.type == FrameType::kRr ? kRrOctet : f.type == FrameType::kRnr ? kRnrOctet : kRejOctet);
      out.push_back(static_cast<std::uint8_t>(f.nr << 1 | pf));
      return out;
    default:
      for (const auto& u : kU)
        if (u.type == f.type) {
          if (!u.info && !f.info.empty()) return err(Fault::kInfoNotAllowed);
          out.push_back(static_cast<std::uint8_t>(u.octet | (f.pf ? 0x10 : 0)));
        }
      break;
  }
  out.insert(out.end(), f.info.begin(), f.info.end());
  return out;
}

}  // namespace isupgw::q931::lapd
