#include "tools/ss7-peer/mtp2_link_fsm.h"

namespace isupgw::tools::ss7peer {

using S = Mtp2State;
using E = Mtp2Event;
using A = Mtp2Action;
using fsm::in;

// Q.703 7.2-7.3 (alignment, proving), 6 (in service), 7.2 (failure restarts alignment).
const fsm::Table<Mtp2Row, kMtp2States, kMtp2Events, 22>& mtp2_table() {
  static constexpr auto kTable = fsm::make_table<kMtp2States, kMtp2Events, Mtp2Row>({
      {S::kOutOfService, E::kStart, S::kNotAligned, A::kSendSio},
      {S::kNotAligned, E::kRxSio, S::kAligned, A::kSendSie},
      {S::kNotAligned, E::kRxSios, fsm::stay},
      {in(S::kNotAligned, S::kAligned), E::kRxSinSie, S::kProving, A::kStartProving},
      {S::kNotAligned, E::kT2, S::kNotAligned, A::kRealign},
      {S::kAligned, E::kRxSio, fsm::stay},
      {S::kAligned, E::kT3, S::kNotAligned, A::kRealign},
      // The peer's SIO in flight while it already proves: start over from ALIGNED (Q.703 7.3 abort).
      {S::kProving, E::kRxSio, S::kAligned, A::kSendSie},
      {in(S::kProving, S::kAlignedReady), E::kRxSinSie, fsm::stay},
      {S::kProving, E::kRxFisu, fsm::stay, A::kNoteReady},
      {S::kProving, E::kT4, S::kAlignedReady, A::kSendReady},
      {S::kAlignedReady, E::kRxFisu, S::kInService, A::kInService},
      {S::kAlignedReady, E::kRxMsu, S::kInService, A::kInService},
      {S::kAlignedReady, E::kT1, S::kNotAligned, A::kRealign},
      {S::kInService, E::kRxFisu, fsm::stay},
      {S::kInService, E::kRxMsu, fsm::stay},
      {S::kInService, E::kRxSipoSib, fsm::stay},
      // Q.703 7.2 / 10: SIO, SIOS, SIN or SIE in service is a link failure; alignment restarts.
      {in(S::kAligned, S::kProving, S::kAlignedReady, S::kInService), E::kRxSios, S::kNotAligned, A::kRealign},
      {in(S::kAlignedReady, S::kInService), E::kRxSio, S::kNotAligned, A::kRealign},
      {S::kInService, E::kRxSinSie, S::kNotAligned, A::kRealign},
      {in(S::kNotAligned, S::kAligned, S::kProving, S::kAlignedReady, S::kInService), E::kStop, S::kOutOfService,
       A::kSendSios},
      {S::kOutOfService, E::kRxSios, fsm::stay},
  });
  return kTable;
}

std::string_view to_string(Mtp2State s) {
  switch (s) {
    case S::kOutOfService: return "OUT-OF-SERVICE";
    case S::kNotAligned: return "NOT-ALIGNED";
    case S::kAligned: return "ALIGNED";
    case S::kProving: return "PROVING";
    case S::kAlignedReady: return "ALIGNED-READY";
    case S::kInService: return "IN-SERVICE";
  }
  return "?";
}

std::string_view to_string(Mtp2Event e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kStop: return "stop";
    case E::kRxSio: return "rx_sio";
    case E::kRxSinSie: return "rx_sin_sie";
    case E::kRxSios: return "rx_sios";
    case E::kRxSipoSib: return "rx_sipo_sib";
    case E::kRxFisu: return "rx_fisu";
    case E::kRxMsu: return "rx_msu";
    case E::kT1: return "T1";
    case E::kT2: return "T2";
    case E::kT3: return "T3";
    case E::kT4: return "T4";
  }
  return "?";
}

std::string_view to_string(Mtp2Action a) {
  switch (a) {
    case A::kNone: return "none";
    case A::kSendSio: return "send_sio";
    case A::kSendSie: return "send_sie";
    case A::kStartProving: return "start_proving";
    case A::kNoteReady: return "note_ready";
    case A::kSendReady: return "send_ready";
    case A::kInService: return "in_service";
    case A::kRealign: return "realign";
    case A::kSendSios: return "send_sios";
  }
  return "?";
}

}  // namespace isupgw::tools::ss7peer
