// Configuration of ISUP call control: supervision timer values (Q.764 Annex A,
// Table A.1) and per trunk group data (point codes, variant, CIC ranges).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "isup/mtp_port.h"
#include "isup/variant.h"

namespace isupgw::isup {

using std::chrono::milliseconds;

// Defaults sit inside the Q.764 Table A.1 ranges; every value is configurable.
struct IsupTimerConfig {
  milliseconds t1{15'000};    // REL sent -> RLC (15-60 s): resend REL
  milliseconds t2{180'000};   // SUS (user) received -> RES (3 min): release
  milliseconds t3{120'000};   // OLM received -> (2 min): release the circuit (temporary trunk blocking)
  milliseconds t4{300'000};   // MTP-STATUS user part unavailable -> send UPT (5-15 min)
  milliseconds t5{300'000};   // initial REL sent -> RLC (5-15 min): RSC + alarm
  milliseconds t6{120'000};   // SUS (network) received -> RES (Q.118): release
  milliseconds t7{25'000};    // latest address message sent -> ACM/CON/ANM (20-30 s): release
  milliseconds t8{13'000};    // IAM with continuity check received -> COT (10-15 s): release
  milliseconds t9{90'000};    // ACM received -> ANM (Q.118, 1.5-3 min): release
  milliseconds t12{15'000};   // BLO sent -> BLA (15-60 s): resend BLO
  milliseconds t13{300'000};  // initial BLO sent -> BLA (5-15 min): resend BLO + alarm
  milliseconds t14{15'000};   // UBL sent -> UBA: resend UBL
  milliseconds t15{300'000};  // initial UBL sent -> UBA: resend UBL + alarm
  milliseconds t16{15'000};   // RSC sent -> RLC: resend RSC
  milliseconds t17{300'000};  // initial RSC sent -> RLC: resend RSC + alarm
  milliseconds t18{15'000};   // CGB sent -> CGBA: resend CGB
  milliseconds t19{300'000};  // initial CGB sent -> CGBA: resend CGB + alarm
  milliseconds t20{15'000};   // CGU sent -> CGUA: resend CGU
  milliseconds t21{300'000};  // initial CGU sent -> CGUA: resend CGU + alarm
  milliseconds t22{15'000};   // GRS sent -> GRA: resend GRS
  milliseconds t23{300'000};  // initial GRS sent -> GRA: resend GRS + alarm
  milliseconds t24{2'000};    // check tone sent -> tone back (< 2 s): continuity failure
  milliseconds t25{5'000};    // first continuity failure -> CCR, repeat check (1-10 s)
  milliseconds t26{120'000};  // second and later continuity failure -> CCR (1-3 min)
  milliseconds t27{240'000};  // COT failure received -> CCR (>= 4 min): RSC
  milliseconds t28{10'000};   // CQM sent -> CQR: alarm
  milliseconds t29{500};      // congestion indication -> further indications ignored (300-600 ms)
  milliseconds t30{8'000};    // congestion indication -> traffic restored one step (5-10 s)
  milliseconds t33{14'000};   // INR sent -> INF (12-15 s): release + alarm
  milliseconds t34{3'000};    // message with the segmentation indicator received -> SGM (2-4 s): process it alone
  milliseconds t35{18'000};   // latest digit (no ST) received, digits incomplete (15-20 s): release cause 28
  milliseconds t36{12'000};   // CCR received -> COT or REL (10-15 s): RSC
  // ANSI T1.113.4 timers (values of the vendors' manuals: T1.113's own table was not at hand).
  milliseconds tcra{15'000};  // CRA sent -> IAM: REL cause 41, the reservation ends
  milliseconds tcvt{10'000};  // CVT sent -> CVR: the validation reports no response
};

struct CicRange {
  CicRange(std::uint16_t f, std::uint16_t l) : first(f), last(l) {}  // not an aggregate: clang 14 has no aggregate CTAD
  std::uint16_t first;
  std::uint16_t last;  // inclusive
};

struct TrunkGroupConfig {
  std::string name;
  PointCode opc = 0;  // ours
  PointCode dpc = 0;  // the adjacent exchange
  std::uint8_t ni = 2;
  Variant variant = Variant::kItu;
  std::vector<CicRange> cics;
  IsupTimerConfig timers;
  // Incoming overlap signalling: an IAM whose called number has no ST is
  // incomplete and T35 supervises SAMs (Q.764 2.1.2). Off: every IAM is en bloc.
  bool overlap_incoming = false;
  // Answer a message for an unequipped CIC with UCIC (national option, Q.764 2.12).
  bool send_ucic = true;
  // Automatic repeat attempts for an outgoing call (dual seizure, blocking, COT failure).
  unsigned max_repeat_attempts = 2;
  // Continuity check on every outgoing call (Q.764 2.1.8): each IAM asks for it.
  bool continuity_check = false;
  // Our own overload refuses an IAM with OLM instead of REL 42 (national option: Q.763 Table 39, Q.764
  // Annex A T3); the originating exchange holds the circuit for T3, then releases it.
  bool overload_olm = false;
};

// Start and recovery: circuits are reset with GRS in chunks of at most 32
// circuits, paced so a restart never floods the peer (Q.764 2.10.3.2).
struct IsupRecoveryConfig {
  unsigned max_grs_in_flight = 4;
  unsigned grs_per_second = 10;
  bool reset_on_start = true;
  bool reset_on_resume = true;
  // Signalling congestion (MTP-STATUS): traffic reduction steps; at step n of
  // N only (N - n) of every N new calls towards the DPC are attempted.
  unsigned congestion_steps = 4;
};

}  // namespace isupgw::isup
