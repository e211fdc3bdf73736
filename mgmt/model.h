// The management model (issue 16): every link, circuit, trunk and call of the
// running gateway as typed queries, and the operator's actions on them. It has
// no protocol logic of its own: queries read the stacks' state, actions call
// the stacks' own procedures (BLO/UBL, CGB/CGU, RSC/GRS, CQM in isup/; drain
// and release in engine/; reload in the daemon). No front end (REST, /metrics,
// a CLI or VTY) exists yet; one is meant to hold no logic either and only
// render these values.
//
// Threading: every member runs on the gateway's event loop (the io_context
// thread that runs the stacks). A front end on another thread hands work over with post(), which is thread-safe, and
// gets its answer back by posting to its own queue from inside that work.
// Asynchronous actions (query, reload) call `done` later on the event loop,
// exactly once.
//
// Lifetime: the model holds a Stacks& and asks it for the stacks on every
// call, so a reload that rebuilds a stack needs no re-wiring. Views are values
// (copies): nothing in them refers into a stack.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/histogram.h"
#include "base/result.h"
#include "engine/call_engine.h"
#include "isup/blocking_fsm.h"
#include "isup/call_fsm.h"
#include "isup/isup_cc.h"
#include "media-gw/mg_connections.h"
#include "media-gw/mg_health_fsm.h"
#include "sigtran/as_fsm.h"
#include "sigtran/asp_fsm.h"
#include "sigtran/m2pa_link_fsm.h"
#include "sigtran/m3ua_link.h"
#include "sigtran/mtp3.h"
#include "sigtran/mtp3_linkset.h"
#include "sigtran/mtp3_restart.h"
#include "sigtran/peer_asp_fsm.h"
#include "sigtran/point_code.h"
#include "sip/user_agent.h"

namespace isupgw::mgmt {

// ---------------------------------------------------------------------------
// Errors: what a front end is to turn into a status (e.g. HTTP 404, 400, 409, 503, 504).
struct Error {
  enum class Code : std::uint8_t {
    kNotFound,     // no such trunk group, CIC, call, trunk, MG
    kInvalid,      // a value out of range (CIC range, cause, ...)
    kConflict,     // the stack refused in its current state (a procedure already running, ...)
    kUnavailable,  // the stack is not configured or not reachable (no SS7, destination paused)
    kTimeout,      // no answer in time (CQM without CQR before T28)
  };
  Code code = Code::kInvalid;
  std::string message;
};
std::string_view to_string(Error::Code c);
template <class T>
using Outcome = Result<T, Error>;

// ---------------------------------------------------------------------------
// What the model reads from. The daemon implements it (daemon/runtime.cpp);
// unit tests implement it over stacks they build themselves. Every accessor
// may return null/empty: that part is not configured (or is being rebuilt).
struct MediaGatewayRef {
  std::string name;
  std::string address;  // the MG's MGCP address and port
  std::uint16_t port = 0;
  const mediagw::MgcpClient* client = nullptr;
  const mediagw::MgConnections* connections = nullptr;
  const mediagw::MgHealthFsm* health = nullptr;  // set for every MG (H.248 ones have no MgcpClient)
  std::size_t h248_contexts = 0;                 // calls' contexts on an H.248 MG
};

// The daemon's answer to a reload request (reload that keeps calls: the
// daemon's; until then the SIGHUP path).
struct ReloadReport {
  std::string source;              // the file read, or "<embedded default>"
  std::vector<std::string> notes;  // what was applied, and what needs a restart (precisely)
};

// A PRI span (issue 21): its IUA association, data link, Q.931 restart state and the B channels not idle.
struct PriSpanView {
  std::string name;
  std::string asp_state;   // RFC 4233 ASP state (ASP-ACTIVE when primitives flow)
  bool data_link = false;  // DL-ESTABLISH confirmed / indicated
  std::string restart;     // Q.931 5.5: null, restart_request, restart
  std::size_t channels = 0, calls = 0;
  std::vector<std::uint8_t> busy;  // busy or restarting B channels
};

class Stacks {
 public:
  virtual ~Stacks() = default;
  virtual Counters& counters() = 0;
  virtual const Clock& clock() = 0;
  virtual sigtran::PointCodeFormat point_code_format() const = 0;
  virtual engine::CallEngine* engine() = 0;
  virtual sip::UserAgent* sip() = 0;
  virtual isup::IsupCallControl* isup() = 0;
  // ISUP trunk group name -> id (empty without SS7).
  virtual const std::map<std::string, isup::GroupId, std::less<>>& trunk_groups() = 0;
  virtual sigtran::m3ua::Mtp3* m3ua() = 0;
  virtual std::span<const std::unique_ptr<sigtran::mtp3::LinkSet>> linksets() = 0;
  virtual std::vector<MediaGatewayRef> media_gateways() = 0;
  virtual std::vector<PriSpanView> pri_spans() { return {}; }  // none without pri_spans
  // Runs `fn` on the event loop (thread-safe).
  virtual void post(std::function<void()> fn) = 0;
  // Re-reads the configuration and applies it; `done` once applied (Ok) or
  // refused (Err with the FILE:LINE reason, nothing changed).
  virtual void reload(std::function<void(Result<ReloadReport, std::string>)> done) = 0;
};

// ---------------------------------------------------------------------------
// SIGTRAN views.
struct AsView {
  std::uint32_t routing_context = 0;
  sigtran::m3ua::AsState state = sigtran::m3ua::AsState::kDown;
};
struct M3uaLinkView {
  std::string name;
  sigtran::m3ua::Role role = sigtran::m3ua::Role::kAsp;
  bool ready = false;                                                         // carries traffic now
  sigtran::m3ua::AspState asp = sigtran::m3ua::AspState::kDown;               // our ASP (ASP, IPSP client roles)
  sigtran::m3ua::PeerAspState peer_asp = sigtran::m3ua::PeerAspState::kDown;  // the peer's ASP (SG, IPSP server)
  std::vector<AsView> as;                                                     // one per routing context of the link
  std::vector<sigtran::TransportPath> paths;                                  // SCTP paths (multi-homing, issue 19)
};
struct SignallingLinkView {
  std::uint8_t slc = 0;
  sigtran::mtp3::LinkStatus status = sigtran::mtp3::LinkStatus::kDown;            // Q.704 3.2 available/unavailable
  sigtran::mtp3::SlState state = sigtran::mtp3::SlState::kUnavailable;            // MTP3's table (changeover, ...)
  sigtran::m2pa::LinkFsmState m2pa = sigtran::m2pa::LinkFsmState::kOutOfService;  // RFC 4165 link state
  std::vector<sigtran::TransportPath> paths;                                       // SCTP paths (issue 19)
};
struct LinkSetView {
  std::string name;
  std::string local_pc, adjacent_pc;  // in the configured point code format
  std::size_t active_links = 0;
  sigtran::mtp3::RestartState restart = sigtran::mtp3::RestartState::kDown;
  std::vector<SignallingLinkView> links;
};

// ---------------------------------------------------------------------------
// Administrative state of a SIP trunk or ISUP trunk group (drain, issue 16):
// out of service refuses new calls (SIP: 503 with Retry-After; ISUP: REL cause
// 41; as a route target: skipped, the next target is hunted) while established
// calls run to their end. Draining = out of service with calls still up.
enum class AdminState : std::uint8_t { kInService, kDraining, kOutOfService };
std::string_view to_string(AdminState s);

// ISUP views.
struct TrunkGroupView {
  std::string name;
  std::string opc, dpc;  // configured point code format
  isup::Variant variant = isup::Variant::kItu;
  AdminState admin = AdminState::kInService;
  std::size_t circuits = 0;
  std::size_t idle = 0;            // call state idle, not blocked, not resetting: may carry a new call
  std::size_t busy = 0;            // a call on it (any call state but idle)
  std::size_t local_blocked = 0;   // blocked by us (maintenance or hardware)
  std::size_t remote_blocked = 0;  // blocked by the peer (maintenance or hardware)
  std::size_t resetting = 0;       // RSC or GRS sent, not yet acknowledged
  std::size_t unequipped = 0;      // UCIC received
  std::size_t active_calls = 0;    // the call engine's calls on this group
};
struct CircuitView {
  std::uint16_t cic = 0;
  isup::CallState call_state = isup::CallState::kIdle;             // Q.764 call processing state
  isup::BlockingState blocking = isup::BlockingState::kUnblocked;  // our BLO/UBL procedure (Q.764 2.8.2)
  bool local_maintenance_blocked = false;                          // BLO or CGB (maintenance) sent (or being sent)
  bool local_hardware_blocked = false;                             // CGB (hardware failure) sent and acknowledged
  bool remote_maintenance_blocked = false;                         // BLO or CGB (maintenance) received
  bool remote_hardware_blocked = false;                            // CGB (hardware failure) received
  bool resetting = false;                                          // RSC sent, or part of an unacknowledged GRS
  bool unequipped = false;
  bool controlled_here = false;  // Q.764 2.10.1.4 dual seizure control
  std::uint64_t call = 0;        // the call engine's call id on the circuit (0: none)
};

// ---------------------------------------------------------------------------
// Calls: both legs as the call engine joins them.
struct LegView {
  enum class Kind : std::uint8_t { kNone, kSip, kIsup };
  Kind kind = Kind::kNone;
  std::string trunk;  // SIP trunk name or ISUP trunk group name
  // SIP: the dialog (RFC 3261 12) and the peer; empty until known.
  std::string call_id, local_tag, remote_tag, peer;
  // ISUP: the circuit (0 while no circuit is seized).
  std::uint16_t cic = 0;
};
struct MediaView {
  std::string mg, endpoint, connection_id;  // RFC 3435 endpoint and I: (empty while the CRCX is in flight)
};
struct CallView {
  std::uint64_t id = 0;
  engine::CallState state = engine::CallState::kIdle;
  bool answered = false;
  Clock::duration age{};
  std::string called;  // digits as received from leg A
  LegView a, b;
  std::optional<MediaView> media;
};

// SIP trunks and media gateways.
enum class OptionsState : std::uint8_t { kOff, kUnknown, kUp, kDown };  // OPTIONS keepalive (RFC 3261 11)
std::string_view to_string(OptionsState s);
struct SipTrunkView {
  std::string name, address;
  std::uint16_t port = 0;
  sip::Transport transport = sip::Transport::kUdp;
  mapping::SipProfile::Kind profile = mapping::SipProfile::kSip;
  OptionsState options = OptionsState::kOff;
  AdminState admin = AdminState::kInService;
  std::size_t active_calls = 0;
  // Outbound registration (trunks with register:, RFC 3261 10.2); none: the trunk does not register.
  std::optional<sip::RegistrationStatus> registration;
  // Trunk health in routing (trunks with options_interval_ms, engine/trunk_health.h); none: not monitored.
  std::optional<engine::TrunkHealthState> health;
};
struct MediaGatewayView {
  std::string name, address;
  std::uint16_t port = 0;
  mediagw::HealthState health = mediagw::HealthState::kUnknown;
  std::size_t connections = 0;  // the calls' connections on it
};

// Histograms of the call path (engine/call_timings.h).
struct HistogramView {
  std::string name;  // e.g. "call_post_dial_delay_seconds"
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  HistogramSnapshot data;
};

// ---------------------------------------------------------------------------
// Actions.
// CICs first..last of a trunk group; both unset = every circuit of the group.
struct CircuitRange {
  std::string group;
  std::optional<std::uint16_t> first, last;
};
// What an action did, message by message ("BLO cic=5", "CGB cic=1 range=31").
struct ActionReport {
  std::vector<std::string> sent;
  std::string note;
};
// Circuit query (CQM/CQR, Q.764 2.10.4): the peer's view, decoded per Q.763 3.14.
struct QueryRow {
  std::uint16_t cic = 0;
  std::uint8_t indicator = 0;    // the raw circuit state indicator octet
  std::string_view maintenance;  // "transient", "unblocked", "locally_blocked", "remotely_blocked", "both_blocked"
  std::string_view call;         // "unequipped", "incoming_busy", "outgoing_busy", "idle", "transient"
  std::string_view hardware;     // "unblocked", "locally_blocked", "remotely_blocked", "both_blocked"
  bool hung = false;             // the peer says busy while we have no call on it (or the reverse)
};
struct QueryTable {
  std::string group;
  std::uint16_t first = 0;
  std::vector<QueryRow> rows;
};
// ANSI circuit validation (CVT/CVR, T1.113): the peer's CVR judged against our translations.
struct ValidationReport {
  std::string group;
  std::uint16_t cic = 0;
  bool success = false;     // the CVR's circuit validation response indicator
  bool consistent = false;  // its circuit group characteristics agree with ours
  std::uint8_t ours = 0, theirs = 0;  // the circuit group characteristics indicator octets
};

// Node-wide overload control (issue 19, engine/overload.h): the state and the last sample.
struct OverloadView {
  std::string state = "normal";  // normal, level1, level2 (Q.764 2.11's congestion levels)
  unsigned level = 0;
  double refusal = 0;     // fraction of new calls refused now
  double load = 0;        // the last sample, 1.0 = at the threshold
  double rx_backlog = 0;  // the fullest SIP UDP receive queue / its buffer
  std::uint64_t rx_drops = 0;
  double loop_lag_ms = 0;
};

// ---------------------------------------------------------------------------
class Model {
 public:
  explicit Model(Stacks& stacks) : s_(stacks) {}
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // --- queries ---
  std::vector<M3uaLinkView> m3ua_links() const;
  std::vector<LinkSetView> linksets() const;
  std::vector<TrunkGroupView> trunk_groups() const;
  Outcome<std::vector<CircuitView>> circuits(std::string_view group) const;
  std::vector<CallView> calls() const;
  Outcome<CallView> call(std::uint64_t id) const;
  std::vector<SipTrunkView> sip_trunks() const;
  std::vector<MediaGatewayView> media_gateways() const;
  std::vector<PriSpanView> pri_spans() const { return s_.pri_spans(); }
  // Every counter, sorted by name ("call.completed", "isup.tx.IAM", ...).
  std::vector<std::pair<std::string, std::uint64_t>> counters() const;
  std::vector<HistogramView> histograms() const;
  OverloadView overload() const;

  // --- actions ---
  // Maintenance blocking (Q.764 2.8.2): one CIC -> BLO / UBL; a range -> CGB /
  // CGU (maintenance oriented) per run of at most 32 consecutive CICs.
  Outcome<ActionReport> block(const CircuitRange& r);
  Outcome<ActionReport> unblock(const CircuitRange& r);
  // Reset (Q.764 2.10.3): one CIC -> RSC; a range or the group -> GRS per run
  // of 2..32 consecutive CICs (RSC for a run of one). Calls on them are released.
  Outcome<ActionReport> reset(const CircuitRange& r);
  // Circuit query (CQM, at most 32 CICs): `done` gets the CQR decoded, or
  // kTimeout when T28 expires first.
  void query(const CircuitRange& r, std::function<void(Outcome<QueryTable>)> done);
  // ANSI circuit validation test (CVT on one CIC): `done` gets the CVR judged,
  // or kTimeout when T_CVT expires first (no CVR, or none well formed).
  void validate(const CircuitRange& r, std::function<void(Outcome<ValidationReport>)> done);
  // Releases a call on both legs with Q.850 `cause` (1..127).
  Outcome<ActionReport> release_call(std::uint64_t id, int cause);
  // Drain (see AdminState). retry_after: the Retry-After of the 503s (RFC 3261 21.5.4).
  Outcome<ActionReport> set_sip_trunk_service(std::string_view name, bool in_service,
                                              std::chrono::seconds retry_after = std::chrono::seconds(60));
  Outcome<ActionReport> set_trunk_group_service(std::string_view name, bool in_service);
  // The daemon's reload; `done` with what was applied or the FILE:LINE reason.
  void reload(std::function<void(Outcome<ReloadReport>)> done);

  // Runs `fn` on the event loop; thread-safe (see the threading note above).
  void post(std::function<void()> fn) { s_.post(std::move(fn)); }
  Stacks& stacks() { return s_; }

 private:
  std::optional<isup::GroupId> group_id(std::string_view name) const;

  Stacks& s_;
};

}  // namespace isupgw::mgmt
