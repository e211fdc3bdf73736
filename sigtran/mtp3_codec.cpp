#include "sigtran/mtp3_codec.h"

#include <array>
#include <cstring>

namespace isupgw::sigtran::mtp3 {
namespace {

struct Heading {
  MgmtType type;
  std::uint8_t h0, h1;
  bool test;  // under the SLT service indicator
  std::string_view name;
};

// Q.704 15.2 (SNM heading codes), Q.707 5.2 (test messages), Q.2210 (XCO/XCA).
constexpr std::array<Heading, 20> kHeadings = {{
    {MgmtType::kCoo, 1, 1, false, "COO"},  {MgmtType::kCoa, 1, 2, false, "COA"},  {MgmtType::kXco, 1, 3, false, "XCO"},
    {MgmtType::kXca, 1, 4, false, "XCA"},  {MgmtType::kCbd, 1, 5, false, "CBD"},  {MgmtType::kCba, 1, 6, false, "CBA"},
    {MgmtType::kEco, 2, 1, false, "ECO"},  {MgmtType::kEca, 2, 2, false, "ECA"},  {MgmtType::kRct, 3, 1, false, "RCT"},
    {MgmtType::kTfc, 3, 2, false, "TFC"},  {MgmtType::kTfp, 4, 1, false, "TFP"},  {MgmtType::kTfr, 4, 3, false, "TFR"},
    {MgmtType::kTfa, 4, 5, false, "TFA"},  {MgmtType::kRst, 5, 1, false, "RST"},  {MgmtType::kRsr, 5, 2, false, "RSR"},
    {MgmtType::kTra, 7, 1, false, "TRA"},  {MgmtType::kTrw, 7, 2, false, "TRW"},  {MgmtType::kUpu, 10, 1, false, "UPU"},
    {MgmtType::kSltm, 1, 1, true, "SLTM"}, {MgmtType::kSlta, 1, 2, true, "SLTA"},
}};

const Heading* heading_of(MgmtType t) {
  for (const auto& h : kHeadings)
    if (h.type == t) return &h;
  return nullptr;
}

MgmtType type_of(std::uint8_t h0, std::uint8_t h1, bool test, Variant v) {
  for (const auto& h : kHeadings)
    if (h.h0 == h0 && h.h1 == h1 && h.test == test) {
      // TRW is ANSI only (T1.111.4 9.2); in ITU the code is spare.
      if (h.type == MgmtType::kTrw && v != Variant::kAnsi) return MgmtType::kOther;
      return h.type;
    }
  return MgmtType::kOther;
}

bool is_test_si(std::uint8_t si, Variant v) {
  return si == si::kSltmItu || (v == Variant::kAnsi && si == si::kSltmAnsi);
}

// Little-endian fields: MTP transmits the least significant bit first (Q.704 2.2).
std::uint32_t le(std::span<const std::uint8_t> b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint32_t{b[at + i]} << (8 * i);
  return v;
}
void put_le(std::vector<std::uint8_t>& out, std::uint32_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::size_t pc_size(Variant v) { return v == Variant::kAnsi ? 3 : 2; }

Result<Label, Fault> read_label(std::span<const std::uint8_t> b, Variant v) {
  if (b.size() < 1 + label_size(v)) return Err(Fault::kTruncatedLabel);
  Label l;
  l.si = b[0] & 0x0f;
  l.priority = (b[0] >> 4) & 3;
  l.ni = b[0] >> 6;
  if (v == Variant::kItu) {
    // Q.704 2.2: DPC (14 bits), OPC (14 bits), SLS (4 bits), DPC first.
    std::uint32_t rl = le(b, 1, 4);
    l.dpc = rl & 0x3fff;
    l.opc = (rl >> 14) & 0x3fff;
    l.sls = static_cast<std::uint8_t>(rl >> 28);
  } else {
    // T1.111.4 2.2: DPC (24), OPC (24), SLS (8); member octet first.
    l.dpc = le(b, 1, 3);
    l.opc = le(b, 4, 3);
    l.sls = b[7];
  }
  return l;
}

void write_label(const Label& l, Variant v, std::vector<std::uint8_t>& out) {
  out.push_back(static_cast<std::uint8_t>((l.ni & 3) << 6 | (l.priority & 3) << 4 | (l.si & 0x0f)));
  if (v == Variant::kItu) {
    put_le(out, (l.dpc & 0x3fff) | (l.opc & 0x3fff) << 14 | std::uint32_t(l.sls & 0x0f) << 28, 4);
  } else {
    put_le(out, l.dpc & 0xffffff, 3);
    put_le(out, l.opc & 0xffffff, 3);
    out.push_back(l.sls);
  }
}

Result<Management, Fault> read_mgmt(std::span<const std::uint8_t> b, const Label& l, Variant v) {
  if (b.empty()) return Err(Fault::kTruncatedMessage);
  Management m;
  m.h0 = b[0] & 0x0f;
  m.h1 = b[0] >> 4;
  m.type = type_of(m.h0, m.h1, is_test_si(l.si, v), v);
  auto body = b.subspan(1);
  const bool ansi = v == Variant::kAnsi;
  auto need = [&](std::size_t n) { return body.size() >= n; };
  // ITU: the SLC of the link concerned is the label's SLS (Q.704 15.4.2, Q.707 5.4).
  if (!ansi) m.slc = l.sls;
  const std::size_t pcs = pc_size(v);
  switch (m.type) {
    case MgmtType::kCoo:
    case MgmtType::kCoa:
      // Q.704 15.4: FSN of the last accepted MSU (7 bits); ANSI: SLC, FSN.
      if (!need(ansi ? 2 : 1)) return Err(Fault::kTruncatedMessage);
      if (ansi) {
        std::uint32_t x = le(body, 0, 2);
        m.slc = x & 0x0f;
        m.fsn = (x >> 4) & 0x7f;
      } else {
        m.fsn = body[0] & 0x7f;
      }
      break;
    case MgmtType::kXco:
    case MgmtType::kXca:
      if (!need(ansi ? 4 : 3)) return Err(Fault::kTruncatedMessage);
      if (ansi) {
        std::uint32_t x = le(body, 0, 4);
        m.slc = x & 0x0f;
        m.fsn = (x >> 4) & 0xffffff;
      } else {
        m.fsn = le(body, 0, 3);
      }
      break;
    case MgmtType::kCbd:
    case MgmtType::kCba:
      if (!need(ansi ? 2 : 1)) return Err(Fault::kTruncatedMessage);
      if (ansi) {
        std::uint32_t x = le(body, 0, 2);
        m.slc = x & 0x0f;
        m.cbc = static_cast<std::uint8_t>(x >> 4);
      } else {
        m.cbc = body[0];
      }
      break;
    case MgmtType::kEco:
    case MgmtType::kEca:
      if (ansi) {
        if (!need(1)) return Err(Fault::kTruncatedMessage);
        m.slc = body[0] & 0x0f;
      }
      break;
    case MgmtType::kTfc:
      if (!need(ansi ? 4 : 2)) return Err(Fault::kTruncatedMessage);
      if (ansi) {
        m.destination = le(body, 0, 3);
        m.status = body[3] & 3;
      } else {
        std::uint32_t x = le(body, 0, 2);
        m.destination = x & 0x3fff;
        m.status = static_cast<std::uint8_t>(x >> 14);
      }
      break;
    case MgmtType::kTfp:
    case MgmtType::kTfr:
    case MgmtType::kTfa:
    case MgmtType::kRst:
    case MgmtType::kRsr:
      if (!need(pcs)) return Err(Fault::kTruncatedMessage);
      m.destination = le(body, 0, pcs) & max_pc(v);
      break;
    case MgmtType::kUpu:
      // Q.704 15.17: destination, user part identity (4 bits), cause (4 bits).
      if (!need(pcs + 1)) return Err(Fault::kTruncatedMessage);
      m.destination = le(body, 0, pcs) & max_pc(v);
      m.user = body[pcs] & 0x0f;
      m.cause = body[pcs] >> 4;
      break;
    case MgmtType::kSltm:
    case MgmtType::kSlta: {
      // Q.707 5.4: spare (ITU) or SLC (ANSI) in the low nibble, length in the high nibble, pattern.
      if (!need(1)) return Err(Fault::kTruncatedMessage);
      if (ansi) m.slc = body[0] & 0x0f;
      std::size_t n = body[0] >> 4;
      if (body.size() < 1 + n) return Err(Fault::kBadTestLength);
      m.pattern.assign(body.begin() + 1, body.begin() + 1 + static_cast<std::ptrdiff_t>(n));
      break;
    }
    case MgmtType::kRct:
    case MgmtType::kTra:
    case MgmtType::kTrw: break;
    case MgmtType::kOther: m.pattern.assign(body.begin(), body.end()); break;
  }
  return m;
}

void write_mgmt(const Management& m, Variant v, std::vector<std::uint8_t>& out) {
  std::uint8_t h0 = m.h0, h1 = m.h1;
  if (const Heading* h = heading_of(m.type)) {
    h0 = h->h0;
    h1 = h->h1;
  }
  out.push_back(static_cast<std::uint8_t>((h1 & 0x0f) << 4 | (h0 & 0x0f)));
  const bool ansi = v == Variant::kAnsi;
  const std::size_t pcs = pc_size(v);
  const std::uint32_t slc = m.slc & 0x0f;
  switch (m.type) {
    case MgmtType::kCoo:
    case MgmtType::kCoa:
      if (ansi)
        put_le(out, slc | (m.fsn & 0x7f) << 4, 2);
      else
        out.push_back(static_cast<std::uint8_t>(m.fsn & 0x7f));
      break;
    case MgmtType::kXco:
    case MgmtType::kXca:
      if (ansi)
        put_le(out, slc | (m.fsn & 0xffffff) << 4, 4);
      else
        put_le(out, m.fsn & 0xffffff, 3);
      break;
    case MgmtType::kCbd:
    case MgmtType::kCba:
      if (ansi)
        put_le(out, slc | std::uint32_t{m.cbc} << 4, 2);
      else
        out.push_back(m.cbc);
      break;
    case MgmtType::kEco:
    case MgmtType::kEca:
      if (ansi) out.push_back(static_cast<std::uint8_t>(slc));
      break;
    case MgmtType::kTfc:
      if (ansi) {
        put_le(out, m.destination & 0xffffff, 3);
        out.push_back(m.status & 3);
      } else {
        put_le(out, (m.destination & 0x3fff) | std::uint32_t(m.status & 3) << 14, 2);
      }
      break;
    case MgmtType::kTfp:
    case MgmtType::kTfr:
    case MgmtType::kTfa:
    case MgmtType::kRst:
    case MgmtType::kRsr: put_le(out, m.destination & max_pc(v), pcs); break;
    case MgmtType::kUpu:
      put_le(out, m.destination & max_pc(v), pcs);
      out.push_back(static_cast<std::uint8_t>((m.cause & 0x0f) << 4 | (m.user & 0x0f)));
      break;
    case MgmtType::kSltm:
    case MgmtType::kSlta: {
      std::size_t n = m.pattern.size() > 15 ? 15 : m.pattern.size();
      out.push_back(static_cast<std::uint8_t>(n << 4 | (ansi ? slc : 0)));
      out.insert(out.end(), m.pattern.begin(), m.pattern.begin() + static_cast<std::ptrdiff_t>(n));
      break;
    }
    case MgmtType::kRct:
    case MgmtType::kTra:
    case MgmtType::kTrw: break;
    case MgmtType::kOther: out.insert(out.end(), m.pattern.begin(), m.pattern.end()); break;
  }
}

}  // namespace

std::string_view to_string(MgmtType t) {
  if (const Heading* h = heading_of(t)) return h->name;
  return "other";
}

std::string_view to_string(Fault f) {
  switch (f) {
    case Fault::kTruncatedLabel: return "truncated routing label";
    case Fault::kTruncatedMessage: return "truncated management message";
    case Fault::kBadTestLength: return "test pattern shorter than its length indicator";
    case Fault::kBufferTooSmall: return "buffer too small";
  }
  return "?";
}

Result<Message, Fault> decode(std::span<const std::uint8_t> msu, Variant v) {
  auto l = read_label(msu, v);
  if (!l) return Err(l.error());
  Message m;
  m.label = *l;
  auto sif = msu.subspan(1 + label_size(v));
  if (l->si == si::kSnm || is_test_si(l->si, v)) {
    auto mg = read_mgmt(sif, *l, v);
    if (!mg) return Err(mg.error());
    m.mgmt = std::move(*mg);
  } else {
    m.data.assign(sif.begin(), sif.end());
  }
  return m;
}

void encode(const Message& m, Variant v, std::vector<std::uint8_t>& out) {
  Label l = m.label;
  if (m.mgmt && v == Variant::kItu && m.mgmt->type != MgmtType::kOther) {
    // ITU carries the SLC of the link concerned in the label's SLS (Q.704 15.4.2).
    switch (m.mgmt->type) {
      case MgmtType::kCoo:
      case MgmtType::kCoa:
      case MgmtType::kXco:
      case MgmtType::kXca:
      case MgmtType::kCbd:
      case MgmtType::kCba:
      case MgmtType::kEco:
      case MgmtType::kEca:
      case MgmtType::kSltm:
      case MgmtType::kSlta: l.sls = m.mgmt->slc; break;
      default: break;
    }
  }
  write_label(l, v, out);
  if (m.mgmt)
    write_mgmt(*m.mgmt, v, out);
  else
    out.insert(out.end(), m.data.begin(), m.data.end());
}

std::vector<std::uint8_t> encode(const Message& m, Variant v) {
  std::vector<std::uint8_t> out;
  encode(m, v, out);
  return out;
}

Result<UserView, Fault> decode_user(std::span<const std::uint8_t> msu, Variant v) {
  auto l = read_label(msu, v);
  if (!l) return Err(l.error());
  return UserView{*l, msu.subspan(1 + label_size(v))};
}

Result<std::size_t, Fault> encode_user(const Label& l, std::span<const std::uint8_t> data, Variant v,
                                       std::span<std::uint8_t> out) {
  std::size_t n = 1 + label_size(v) + data.size();
  if (out.size() < n) return Err(Fault::kBufferTooSmall);
  std::uint8_t* p = out.data();
  *p++ = static_cast<std::uint8_t>((l.ni & 3) << 6 | (l.priority & 3) << 4 | (l.si & 0x0f));
  if (v == Variant::kItu) {
    std::uint32_t rl = (l.dpc & 0x3fff) | (l.opc & 0x3fff) << 14 | std::uint32_t(l.sls & 0x0f) << 28;
    for (int i = 0; i < 4; ++i) *p++ = static_cast<std::uint8_t>(rl >> (8 * i));
  } else {
    for (int i = 0; i < 3; ++i) *p++ = static_cast<std::uint8_t>(l.dpc >> (8 * i));
    for (int i = 0; i < 3; ++i) *p++ = static_cast<std::uint8_t>(l.opc >> (8 * i));
    *p++ = l.sls;
  }
  if (!data.empty()) std::memcpy(p, data.data(), data.size());
  return n;
}

}  // namespace isupgw::sigtran::mtp3
