// The bridge's own MTP2 link state machine (Q.703 7 alignment, 5/6 basic error
// correction as far as a loss-free socketpair needs) towards libss7's software
// MTP2 (mtp2.c: SIO in NOT ALIGNED, SIN/SIE once it sees our SIO/SIE, proving
// T4, FISU when proving ends, IN SERVICE on the first FISU/MSU). Declared as a
// table like every state machine of the tree; sequence numbers live in
// Mtp2Bridge, this table decides states, LSSUs and timers.
//
//   OUT-OF-SERVICE --start--> NOT-ALIGNED (send SIO, T2)
//   NOT-ALIGNED --SIO--> ALIGNED (send SIE, T3)
//   NOT-ALIGNED/ALIGNED --SIN/SIE--> PROVING (send SIE, T4 emergency)
//   PROVING --T4--> ALIGNED-READY (send FISU, T1)
//   ALIGNED-READY --FISU/MSU--> IN-SERVICE
//   any aligning or in-service state --SIO/SIOS, T1/T2/T3--> NOT-ALIGNED again (Q.703 7.2: alignment restarted)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/fsm.h"

namespace isupgw::tools::ss7peer {

enum class Mtp2State : std::uint8_t { kOutOfService, kNotAligned, kAligned, kProving, kAlignedReady, kInService };
inline constexpr std::size_t kMtp2States = static_cast<std::size_t>(Mtp2State::kInService) + 1;

enum class Mtp2Event : std::uint8_t {
  kStart,
  kStop,
  kRxSio,      // LSSU status "out of alignment"
  kRxSinSie,   // LSSU status "normal" or "emergency" alignment
  kRxSios,     // LSSU status "out of service"
  kRxSipoSib,  // processor outage, busy: not used by libss7, tolerated in service
  kRxFisu,
  kRxMsu,
  kT1,  // alignment ready
  kT2,  // not aligned
  kT3,  // aligned
  kT4,  // proving period
};
inline constexpr std::size_t kMtp2Events = static_cast<std::size_t>(Mtp2Event::kT4) + 1;

enum class Mtp2Action : std::uint8_t {
  kNone,
  kSendSio,       // (re)start alignment: reset sequence numbers, SIO, T2
  kSendSie,       // SIE, T3
  kStartProving,  // SIE, T4 (emergency proving: libss7's ss7_start always proves in emergency)
  kNoteReady,     // the peer ended its proving first (its FISU while we still prove)
  kSendReady,     // FISU, T1; in service at once if the peer was ready
  kInService,
  kRealign,  // link failure: out of service reported, then kSendSio
  kSendSios,
};

std::string_view to_string(Mtp2State s);
std::string_view to_string(Mtp2Event e);
std::string_view to_string(Mtp2Action a);

using Mtp2Row = fsm::Row<Mtp2State, Mtp2Event, Mtp2Action>;
const fsm::Table<Mtp2Row, kMtp2States, kMtp2Events, 22>& mtp2_table();

}  // namespace isupgw::tools::ss7peer
