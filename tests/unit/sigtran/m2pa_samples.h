// M2PA messages carrying every MTP3 message we build (Q.704 SNM, Q.707 SLT,
// ISUP user data), ITU and ANSI: shared by the codec, oracle and fuzz-corpus tests.
#pragma once

#include <vector>

#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"

namespace isupgw::sigtran::testing {

inline mtp3::Message mtp3_mgmt(mtp3::Variant v, mtp3::MgmtType t, std::uint8_t slc = 3) {
  mtp3::Message m;
  const bool test = t == mtp3::MgmtType::kSltm || t == mtp3::MgmtType::kSlta;
  m.label.si = test ? mtp3::slt_si(v) : mtp3::si::kSnm;
  m.label.ni = 2;
  m.label.opc = v == mtp3::Variant::kAnsi ? 0x010203 : 0x1001;  // 1-2-3 / 2-0-1
  m.label.dpc = v == mtp3::Variant::kAnsi ? 0x040506 : 0x0802;  // 4-5-6 / 4-0-2
  m.label.sls = v == mtp3::Variant::kAnsi ? 0 : slc;
  mtp3::Management g;
  g.type = t;
  g.slc = slc;
  switch (t) {
    case mtp3::MgmtType::kCoo:
    case mtp3::MgmtType::kCoa: g.fsn = 0x55; break;
    case mtp3::MgmtType::kXco:
    case mtp3::MgmtType::kXca: g.fsn = 0x123456; break;
    case mtp3::MgmtType::kCbd:
    case mtp3::MgmtType::kCba: g.cbc = 0x9a; break;
    case mtp3::MgmtType::kTfc:
      g.destination = m.label.opc;
      g.status = 2;
      break;
    case mtp3::MgmtType::kTfp:
    case mtp3::MgmtType::kTfr:
    case mtp3::MgmtType::kTfa:
    case mtp3::MgmtType::kRst:
    case mtp3::MgmtType::kRsr: g.destination = v == mtp3::Variant::kAnsi ? 0x070809 : 0x1234; break;
    case mtp3::MgmtType::kUpu:
      g.destination = v == mtp3::Variant::kAnsi ? 0x070809 : 0x1234;
      g.user = 5;
      g.cause = 2;
      break;
    case mtp3::MgmtType::kSltm:
    case mtp3::MgmtType::kSlta: g.pattern = {0x11, 0x22, 0x33, 0x44}; break;
    default: break;
  }
  m.mgmt = g;
  return m;
}

inline std::vector<mtp3::MgmtType> sample_mgmt_types(mtp3::Variant v) {
  using T = mtp3::MgmtType;
  std::vector<T> t = {T::kCoo, T::kCoa, T::kXco, T::kXca, T::kCbd, T::kCba, T::kEco, T::kEca,  T::kRct, T::kTfc,
                      T::kTfp, T::kTfr, T::kTfa, T::kRst, T::kRsr, T::kTra, T::kUpu, T::kSltm, T::kSlta};
  if (v == mtp3::Variant::kAnsi) t.push_back(T::kTrw);
  return t;
}

// ISUP GRS (Q.763: CIC 7, range 1) in an MSU.
inline mtp3::Message mtp3_isup(mtp3::Variant v, std::uint8_t sls) {
  mtp3::Message m;
  m.label.si = mtp3::si::kIsup;
  m.label.ni = 2;
  m.label.opc = v == mtp3::Variant::kAnsi ? 0x010203 : 0x1001;
  m.label.dpc = v == mtp3::Variant::kAnsi ? 0x040506 : 0x0802;
  m.label.sls = sls;
  m.data = {0x07, 0x00, 0x17, 0x01, 0x01, 0x01};
  return m;
}

inline m2pa::Message m2pa_data(std::vector<std::uint8_t> mtp3, std::uint32_t fsn, std::uint32_t bsn,
                               std::uint8_t priority = 0) {
  m2pa::Message m;
  m.type = m2pa::MessageType::kUserData;
  m.fsn = fsn;
  m.bsn = bsn;
  m.priority = priority;
  m.data = std::move(mtp3);
  return m;
}

inline m2pa::Message m2pa_status(m2pa::LinkState s, std::vector<std::uint8_t> filler = {}) {
  m2pa::Message m;
  m.type = m2pa::MessageType::kLinkStatus;
  m.state = s;
  m.filler = std::move(filler);
  return m;
}

inline std::vector<m2pa::Message> m2pa_samples(mtp3::Variant v) {
  std::vector<m2pa::Message> out;
  for (std::uint32_t s = 1; s <= 9; ++s) out.push_back(m2pa_status(static_cast<m2pa::LinkState>(s)));
  out.push_back(m2pa_status(m2pa::LinkState::kProvingNormal, std::vector<std::uint8_t>(8, 0xa5)));
  out.push_back(m2pa_data({}, 41, 17));  // ack only
  std::uint32_t fsn = 0;
  for (auto t : sample_mgmt_types(v)) out.push_back(m2pa_data(mtp3::encode(mtp3_mgmt(v, t), v), fsn++, 0xfffffe, 0));
  out.push_back(m2pa_data(mtp3::encode(mtp3_isup(v, v == mtp3::Variant::kAnsi ? 0xa7 : 9), v), 0xffffff, 12,
                          v == mtp3::Variant::kAnsi ? 1 : 0));
  return out;
}

}  // namespace isupgw::sigtran::testing
