// The MTP routing label with the SIO fields (Q.704 2.2, 14.2): what an
// MTP-TRANSFER primitive carries between a user part (ISUP) and MTP3 (M3UA,
// RFC 4666 3.3.1 Protocol Data; M2PA link sets). One type below isup/ and
// sigtran/, so the daemon hands a label from one to the other unchanged.
#pragma once

#include <cstdint>

namespace isupgw {

struct MtpLabel {
  std::uint32_t opc = 0;  // 14 bits (ITU/ETSI) or 24 bits (ANSI)
  std::uint32_t dpc = 0;
  std::uint8_t si = 5;   // service indicator, Q.704 14.2.1: 5 = ISUP
  std::uint8_t ni = 2;   // network indicator: 0 international, 1 spare, 2 national, 3 national spare
  std::uint8_t mp = 0;   // message priority (ANSI T1.111.4; 0 in ITU)
  std::uint8_t sls = 0;  // signalling link selection: ISUP uses the CIC's low bits (Q.764 2.2.1)
  friend bool operator==(const MtpLabel&, const MtpLabel&) = default;
};

}  // namespace isupgw
