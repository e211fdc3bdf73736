// The shared ASP tables (ua_asp_fsm.h): RFC 4666 4.3.1/4.3.4 and RFC 4233 4.3.1/4.3.4 read the same.
#include "sigtran/ua_asp_fsm.h"

namespace isupgw::sigtran {

namespace {
using S = AspState;
using E = AspEvent;
using A = AspAction;
using fsm::in;

// ASP side.
constexpr auto kAspTable = fsm::make_table<kAspStates, kAspEvents, AspRow>({
    {S::kDown, E::kStart, S::kUpSent, A::kSendAspUp},
    {S::kUpSent, E::kAckTimeout, fsm::stay, A::kSendAspUp},
    {S::kUpSent, E::kUpAck, S::kInactive},
    {in(S::kUpSent, S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent), E::kStop, S::kDownSent, A::kSendAspDn},
    {S::kInactive, E::kActivate, S::kActiveSent, A::kSendAspAc},
    {in(S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent, S::kDownSent), E::kDownAck, S::kDown},
    {S::kActiveSent, E::kActiveAck, S::kActive},
    {S::kActiveSent, E::kAckTimeout, fsm::stay, A::kSendAspAc},
    {in(S::kActiveSent, S::kActive), E::kDeactivate, S::kInactiveSent, A::kSendAspIa},
    {S::kActive, E::kAlternateAsp, S::kInactive},
    {in(S::kActive, S::kInactiveSent), E::kInactiveAck, S::kInactive},  // from ACTIVE: SGP-initiated deactivation
    {S::kInactiveSent, E::kAckTimeout, fsm::stay, A::kSendAspIa},
    {S::kDownSent, E::kAckTimeout, fsm::stay, A::kSendAspDn},
    // Transport loss from any state (RFC 4666 4.3.4: SCTP CDI -> ASP-DOWN).
    {in(S::kUpSent, S::kInactive, S::kActiveSent, S::kActive, S::kInactiveSent, S::kDownSent), E::kCommDown, S::kDown},
});

using PS = PeerAspState;
using PE = PeerAspEvent;
using PA = PeerAspAction;

// RFC 4666 4.3.4.1-4.3.4.4, SGP / responding IPSP side.
constexpr auto kPeerAspTable = fsm::make_table<kPeerAspStates, kPeerAspEvents, PeerAspRow>({
    {in(PS::kDown, PS::kInactive), PE::kAspUp, PS::kInactive, PA::kUpAck},  // INACTIVE: a duplicate, ack again
    {PS::kActive, PE::kAspUp, PS::kInactive, PA::kUpAckAndUnexpected},
    {in(PS::kDown, PS::kInactive, PS::kActive), PE::kAspDn, PS::kDown, PA::kDnAck},
    {in(PS::kDown), PE::kAspAc, fsm::stay, PA::kUnexpected},
    {in(PS::kDown), PE::kAspIa, fsm::stay, PA::kUnexpected},
    {in(PS::kInactive, PS::kActive), PE::kAspAc, PS::kActive, PA::kAcAck},  // ACTIVE: a duplicate (lost ack)
    {in(PS::kInactive, PS::kActive), PE::kAspIa, PS::kInactive, PA::kIaAck},
    {in(PS::kInactive, PS::kActive), PE::kCommDown, PS::kDown},
});
}  // namespace

std::string_view to_string(AspState s) {
  switch (s) {
    case S::kDown: return "ASP-DOWN";
    case S::kUpSent: return "ASP-DOWN/ASPUP-SENT";
    case S::kInactive: return "ASP-INACTIVE";
    case S::kActiveSent: return "ASP-INACTIVE/ASPAC-SENT";
    case S::kActive: return "ASP-ACTIVE";
    case S::kInactiveSent: return "ASP-ACTIVE/ASPIA-SENT";
    case S::kDownSent: return "ASP-INACTIVE/ASPDN-SENT";
  }
  return "?";
}

std::string_view to_string(AspEvent e) {
  switch (e) {
    case E::kStart: return "start";
    case E::kCommDown: return "comm_down";
    case E::kUpAck: return "aspup_ack";
    case E::kActivate: return "activate";
    case E::kActiveAck: return "aspac_ack";
    case E::kDeactivate: return "deactivate";
    case E::kInactiveAck: return "aspia_ack";
    case E::kStop: return "stop";
    case E::kDownAck: return "aspdn_ack";
    case E::kAckTimeout: return "t_ack_expiry";
    case E::kAlternateAsp: return "ntfy_alternate_asp_active";
  }
  return "?";
}

std::string_view to_string(AspAction a) {
  switch (a) {
    case A::kNone: return "none";
    case A::kSendAspUp: return "send_aspup";
    case A::kSendAspAc: return "send_aspac";
    case A::kSendAspIa: return "send_aspia";
    case A::kSendAspDn: return "send_aspdn";
  }
  return "?";
}

bool is_up(AspState s) { return s == S::kInactive || s == S::kActiveSent || s == S::kActive || s == S::kInactiveSent; }

fsm::Meter<AspRow> make_asp_meter(Logger& log, Counters& counters, Ua ua) {
  return fsm::Meter<AspRow>(
      kAspTable, log, counters,
      {.name = {},
       .counters = ua == Ua::kIua ? "iua.asp_fsm" : "m3ua.asp_fsm",
       .subsystem = Subsystem::kM3ua,  // the SIGTRAN subsystem
       .transition_level = LogLevel::kInfo,
       .refused_level = LogLevel::kDebug,
       .transition_log = "asp_fsm_transition",
       .refused_log = "asp_fsm_ignored",
       .refused_counter = ua == Ua::kIua ? "iua.asp_fsm.ignored_events" : "m3ua.asp_fsm.ignored_events",
       .label_key = "asp",
       .id_key = {}});
}

std::string_view to_string(PeerAspState s) {
  switch (s) {
    case PS::kDown: return "ASP-DOWN";
    case PS::kInactive: return "ASP-INACTIVE";
    case PS::kActive: return "ASP-ACTIVE";
  }
  return "?";
}

std::string_view to_string(PeerAspEvent e) {
  switch (e) {
    case PE::kAspUp: return "aspup";
    case PE::kAspDn: return "aspdn";
    case PE::kAspAc: return "aspac";
    case PE::kAspIa: return "aspia";
    case PE::kCommDown: return "comm_down";
  }
  return "?";
}

std::string_view to_string(PeerAspAction a) {
  switch (a) {
    case PA::kNone: return "none";
    case PA::kUpAck: return "aspup_ack";
    case PA::kUpAckAndUnexpected: return "aspup_ack_and_err";
    case PA::kDnAck: return "aspdn_ack";
    case PA::kAcAck: return "aspac_ack";
    case PA::kIaAck: return "aspia_ack";
    case PA::kUnexpected: return "err_unexpected";
  }
  return "?";
}

fsm::Meter<PeerAspRow> make_peer_asp_meter(Logger& log, Counters& counters, Ua ua) {
  return fsm::Meter<PeerAspRow>(
      kPeerAspTable, log, counters,
      {.name = {},
       .counters = ua == Ua::kIua ? "iua.peer_asp_fsm" : "m3ua.peer_asp_fsm",
       .subsystem = Subsystem::kM3ua,
       .transition_level = LogLevel::kInfo,
       .refused_level = LogLevel::kDebug,
       .transition_log = "peer_asp_fsm_transition",
       .refused_log = "peer_asp_fsm_ignored",
       .refused_counter = ua == Ua::kIua ? "iua.peer_asp_fsm.ignored_events" : "m3ua.peer_asp_fsm.ignored_events",
       .label_key = "peer",
       .id_key = {}});
}

}  // namespace isupgw::sigtran
