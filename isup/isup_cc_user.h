// The upward interface of ISUP call control (to the call engine / mapping
// layer) and the continuity-check hooks (implemented later by media-gw).
//
// A call is named by a CallId that stays the same across automatic repeat
// attempts on other circuits (dual seizure, Q.764 2.10.1.4).
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <vector>

#include "isup/message.h"
#include "isup/number.h"
#include "isup/params.h"

namespace isupgw::isup {

using CallId = std::uint64_t;  // 0 = none
using GroupId = std::uint32_t;

// An optional parameter passed through unchanged (SIP-I transparency).
struct OwnedParam {
  OwnedParam(std::uint8_t c, std::vector<std::uint8_t> v) : code(c), value(std::move(v)) {}
  std::uint8_t code;
  std::vector<std::uint8_t> value;
};

// Outgoing call setup (IAM, Q.764 2.1.1).
struct SetupRequest {
  Number called;                         // kind kCalled; include 'F' (ST) for en bloc if the network wants it
  std::optional<Number> calling;         // kind kCalling
  std::uint8_t calling_category = 10;    // ordinary calling subscriber
  std::uint8_t transmission_medium = 0;  // speech (ITU/ETSI TMR)
  std::vector<std::uint8_t> user_service_information;  // ANSI IAM (default: speech, 80 90 A3)
  ForwardCallIndicators forward;     // defaults: national, ISUP used all the way set in the constructor
  bool continuity_check = false;     // NCI continuity check required on this circuit (Q.764 2.1.8)
  std::vector<OwnedParam> optional;  // further optional parameters, in order
  SetupRequest() {
    static constexpr std::uint8_t kSpeech[] = {0x80, 0x90, 0xa3};
    user_service_information.assign(std::begin(kSpeech), std::end(kSpeech));
    forward.isup_all_the_way = true;
  }
};

// What call control tells about an incoming IAM.
struct IncomingSetup {
  GroupId group = 0;
  std::uint16_t cic = 0;
  Number called;
  std::optional<Number> calling;
  std::uint8_t calling_category = 0;
  bool complete = true;          // en bloc, or ST received
  const Message* iam = nullptr;  // the whole IAM, valid during the call only
};

// Backward indications (ACM / CPG).
// Generic notification indicator values (Q.763 3.25, Q.733.2 HOLD).
inline constexpr std::uint8_t kNotificationRemoteHold = 0x79;
inline constexpr std::uint8_t kNotificationRemoteRetrieval = 0x7a;

struct BackwardIndication {
  bool alerting = false;   // ACM "subscriber free" or CPG event ALERTING
  std::uint8_t event = 0;  // CPG event information (0 for ACM)
  bool inband = false;     // optional backward call indicators bit A
  const Message* msg = nullptr;
};

// Why the call is gone (REL received, timer expiry, reset, blocking).
struct ReleaseIndication {
  int cause = 16;
  // The cause's location (Q.850 2.2.3): the received REL's, LN for releases of
  // call control's own (timers, reset, no circuit for a repeat attempt).
  std::uint8_t location = kLocationPublicLocal;
  // The REL received, valid during the callback; nullptr for call control's own
  // releases. SIP-I/SIP-T encapsulate it unchanged (Q.1912.5, RFC 3372).
  const Message* rel = nullptr;
};

// Why a request was refused.
enum class CcError {
  kUnknownGroup,
  kUnknownCall,
  kWrongState,              // the request is not valid in the call's state
  kNoCircuit,               // no idle, unblocked circuit (cause 34)
  kDestinationUnavailable,  // MTP-PAUSE or user part unavailable for the DPC
  kUnknownCircuit,
  kBusy,  // a maintenance procedure is already running on that circuit / range
  kBadRange,
  kCongestion,      // traffic towards the DPC reduced after MTP-STATUS congestion (Q.764 2.13.3)
  kNotForwardable,  // forward(): call control sends no such message for the user
};
std::string_view to_string(CcError e);

// Every received message a call's user may act on reaches it whole (valid
// during the callback), so that SIP-I/SIP-T can encapsulate it unchanged; the
// daemon makes the call engine this interface's user directly, nothing in
// between that could drop an argument.
class CallControlUser {
 public:
  virtual ~CallControlUser() = default;
  virtual void on_setup(CallId call, const IncomingSetup& setup) = 0;
  // SAM digits (overlap); complete once ST arrived.
  virtual void on_more_digits(CallId, std::string_view /*digits*/, bool /*complete*/) {}
  virtual void on_progress(CallId call, const BackwardIndication& ind) = 0;
  // ANM or CON received.
  virtual void on_answer(CallId call, const Message& answer) = 0;
  // The call is gone. Not called for a release the user requested.
  virtual void on_release(CallId call, const ReleaseIndication& rel) = 0;
  // A release the user requested is complete: RLC received for our REL, or the REL of a collision
  // answered (Q.764 2.3.1 d, f); the call is already detached, so the circuit names it.
  virtual void on_release_complete(GroupId /*group*/, std::uint16_t /*cic*/) {}
  // The call was repeated on another circuit (Q.764 2.10.1.4 dual seizure, 2.8.2.1 blocking, 2.1.8 continuity
  // failure, 2.12 UCIC): `cic` of `group` now carries it; its IAM has been sent.
  virtual void on_repeat_attempt(CallId /*call*/, GroupId /*group*/, std::uint16_t /*cic*/) {}
  virtual void on_suspend(CallId, bool /*network_initiated*/, const Message& /*sus*/) {}
  virtual void on_resume(CallId, bool /*network_initiated*/, const Message& /*res*/) {}
  virtual void on_information_request(CallId, const InformationRequestIndicators&) {}
  virtual void on_information(CallId, const InformationIndicators&, const Message&) {}
  virtual void on_user_to_user(CallId, const Message& /*usr*/) {}
  virtual void on_facility(CallId, const Message&) {}
  // CRG (charge information, national use; Q.763 Table 1): its format is national, handed over as received.
  virtual void on_charge(CallId, const Message& /*crg*/) {}
  // CQR for a CQM we sent (Q.764 2.10.4): one circuit state indicator octet per circuit.
  virtual void on_query_response(GroupId, std::uint16_t /*cic*/, std::span<const std::uint8_t> /*states*/) {}
};

// Continuity check (Q.764 2.1.8): media-gw connects loops and check tones.
class ContinuityCheck {
 public:
  virtual ~ContinuityCheck() = default;
  // Incoming side: connect / remove the loop back (or transceiver) on the circuit.
  virtual void connect_loop(GroupId group, std::uint16_t cic) = 0;
  virtual void disconnect_loop(GroupId group, std::uint16_t cic) = 0;
  // Outgoing side: send the check tone and report with IsupCallControl::continuity_result.
  virtual void start_test(GroupId group, std::uint16_t cic) = 0;
};

}  // namespace isupgw::isup
