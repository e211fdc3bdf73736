// H.248.1 (Megaco, version 3) message model for the text encoding (H.248.1
// Annex B; RFC 3525 is version 1 with the same ABNF core): plain value types,
// no I/O. The codec (h248_codec.h) turns text into these and back.
//
// What the model holds is what the MGC side of a TDM <-> RTP bridge uses:
// transactions (request, reply, pending, response ack), contexts, the
// commands Add/Modify/Move/Subtract/AuditValue/AuditCapability/Notify/
// ServiceChange and their replies, and the descriptors Media (LocalControl,
// Local, Remote, Statistics, Stream, TerminationState), Events, Signals,
// ObservedEvents, Audit, ServiceChange, Statistics, Packages, Error. Input
// outside that (Mux, Modem, DigitMap, EventBuffer, embedded descriptors,
// signal lists, context properties, segmentation, MTP addresses) is refused
// by the parser with ParseError::kUnsupported rather than dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace isupgw::mediagw::h248 {

// ContextID = UINT32 / "*" / "-" / "$" (B.2): "-" the null context, "$" ask
// the MG to choose one, "*" all contexts.
struct ContextId {
  enum class Kind : std::uint8_t { kNull, kChoose, kAll, kId };
  Kind kind = Kind::kNull;
  std::uint32_t id = 0;
  static ContextId null() { return {Kind::kNull, 0}; }
  static ContextId choose() { return {Kind::kChoose, 0}; }
  static ContextId all() { return {Kind::kAll, 0}; }
  static ContextId of(std::uint32_t id) { return {Kind::kId, id}; }
  bool operator==(const ContextId&) const = default;
};
std::string to_string(const ContextId& c);

// streamModes (7.1.7).
enum class StreamMode : std::uint8_t { kSendOnly, kRecvOnly, kSendRecv, kInactive, kLoopback };
// serviceStates (7.1.5).
enum class ServiceState : std::uint8_t { kTest, kOutOfService, kInService };
// serviceChangeMethod (7.2.8.1.1).
enum class ServiceChangeMethod : std::uint8_t { kFailover, kForced, kGraceful, kRestart, kDisconnected, kHandOff };
enum class CommandType : std::uint8_t {
  kAdd,
  kModify,
  kMove,
  kSubtract,
  kAuditValue,
  kAuditCapability,
  kNotify,
  kServiceChange,
};

// A property, event/signal parameter or statistic: `name relation value`.
// relation is '=', or '>' '<' '#' (INEQUAL), or 0 for a bare flag such as
// KeepActive or a statistic without a value. value is as on the wire: a
// quoted string keeps its quotes, a list is "[a,b]" / "{a,b}" without spaces.
struct Property {
  std::string name;
  char relation = '=';
  std::string value;
  bool operator==(const Property&) const = default;
};

struct StreamParms {
  std::optional<StreamMode> mode;       // LocalControl { Mode = ... }
  std::vector<Property> local_control;  // other LocalControl properties (ReservedValue, nt/jit, ...)
  std::optional<std::string> local;     // Local { SDP }: as on the wire ("\}" kept), outer white space trimmed
  std::optional<std::string> remote;    // Remote { SDP }
  std::vector<Property> statistics;     // Statistics { ... } inside the stream
  bool operator==(const StreamParms&) const = default;
};

struct TerminationState {
  std::optional<ServiceState> service_state;
  std::optional<bool> buffer_lockstep;  // Buffer = LockStep (true) / OFF (false)
  std::vector<Property> properties;
  bool operator==(const TerminationState&) const = default;
};

struct MediaDescriptor {
  std::optional<TerminationState> termination_state;
  StreamParms stream;                                          // stream parameters without Stream = N
  std::vector<std::pair<std::uint16_t, StreamParms>> streams;  // Stream = N { ... }
  bool operator==(const MediaDescriptor&) const = default;
};

struct RequestedEvent {
  std::string name;  // pkgdName, e.g. "ct/cmp"
  std::vector<Property> parameters;
  bool operator==(const RequestedEvent&) const = default;
};
// "Events" alone (no request id) clears the requested events (7.1.9).
struct EventsDescriptor {
  std::optional<std::uint32_t> request_id;
  std::vector<RequestedEvent> events;
  bool operator==(const EventsDescriptor&) const = default;
};

struct SignalRequest {
  std::string name;  // e.g. "ct/ct"
  std::vector<Property> parameters;
  bool operator==(const SignalRequest&) const = default;
};
// An empty Signals descriptor stops every signal (7.1.11).
struct SignalsDescriptor {
  std::vector<SignalRequest> signals;
  bool operator==(const SignalsDescriptor&) const = default;
};

struct ObservedEvent {
  std::string timestamp;  // "yyyymmddThhmmssss" or empty
  std::string name;
  std::vector<Property> parameters;
  bool operator==(const ObservedEvent&) const = default;
};
struct ObservedEventsDescriptor {
  std::uint32_t request_id = 0;
  std::vector<ObservedEvent> events;
  bool operator==(const ObservedEventsDescriptor&) const = default;
};

// Services { ... } of a ServiceChange request or reply (7.2.8).
struct ServiceChangeDescriptor {
  std::optional<ServiceChangeMethod> method;
  std::optional<std::string> reason;   // VALUE as on the wire, e.g. "\"901 Cold Boot\""
  std::optional<std::uint32_t> delay;  // seconds
  std::optional<std::string> address;  // mId or port number
  std::optional<std::string> profile;  // "name/version"
  std::optional<std::uint32_t> version;
  std::optional<std::string> mgc_id;  // MgcIdToBeUsed
  std::optional<std::string> timestamp;
  bool incomplete = false;  // ServiceChangeInc (v3)
  bool operator==(const ServiceChangeDescriptor&) const = default;
  // The reason's leading code (901, 905, ...), if it has one.
  std::optional<std::uint16_t> reason_code() const;
};

// ERROR = code { "text" } (7.1.19, codes in H.248.8).
struct ErrorDescriptor {
  std::uint16_t code = 0;  // 1..4 digits
  std::string text;        // without the quotes; may be empty
  bool operator==(const ErrorDescriptor&) const = default;
};

// Audit { items } (7.1.18): item tokens in their long form ("Media", "Events", ...).
struct AuditDescriptor {
  std::vector<std::string> items;
  bool operator==(const AuditDescriptor&) const = default;
};

struct Command {
  CommandType type = CommandType::kAdd;
  std::string termination_id;   // "tdm/e1-1/1", "$", "*", "ROOT", ...
  bool optional = false;        // "O-" (7.1.? commandRequestList)
  bool wildcard_reply = false;  // "W-"
  std::optional<MediaDescriptor> media;
  std::optional<EventsDescriptor> events;
  std::optional<SignalsDescriptor> signals;
  std::optional<AuditDescriptor> audit;
  std::vector<Property> statistics;
  std::optional<ObservedEventsDescriptor> observed_events;  // Notify
  std::optional<ServiceChangeDescriptor> service_change;    // ServiceChange
  std::optional<ErrorDescriptor> error;                     // Notify's optional error
  bool operator==(const Command&) const = default;
};

struct CommandReply {
  CommandType type = CommandType::kAdd;
  std::string termination_id;
  std::optional<ErrorDescriptor> error;
  std::optional<MediaDescriptor> media;
  std::optional<EventsDescriptor> events;
  std::optional<SignalsDescriptor> signals;
  std::optional<ObservedEventsDescriptor> observed_events;
  std::optional<ServiceChangeDescriptor> service_change;  // ServiceChange reply: Services { address, profile, ... }
  std::vector<Property> statistics;                       // Subtract's reply statistics (7.2.3)
  std::vector<std::string> packages;                      // Packages { nt-1, rtp-1 } of an audit
  bool operator==(const CommandReply&) const = default;
};

struct Action {
  ContextId context;
  std::vector<Command> commands;
  bool operator==(const Action&) const = default;
};

struct ActionReply {
  ContextId context;
  std::vector<CommandReply> replies;
  std::optional<ErrorDescriptor> error;  // after the replies (B.2 actionReply)
  bool operator==(const ActionReply&) const = default;
};

struct TransactionRequest {
  std::uint32_t id = 0;
  std::vector<Action> actions;
  bool operator==(const TransactionRequest&) const = default;
};

struct TransactionReply {
  std::uint32_t id = 0;
  bool immediate_ack_required = false;   // ImmAckRequired
  std::optional<ErrorDescriptor> error;  // transaction-level error instead of action replies
  std::vector<ActionReply> actions;
  bool operator==(const TransactionReply&) const = default;
};

struct TransactionPending {
  std::uint32_t id = 0;
  bool operator==(const TransactionPending&) const = default;
};

// TransactionResponseAck { 1, 5-7 }: inclusive ranges (first == last for one id).
struct TransactionResponseAck {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  bool operator==(const TransactionResponseAck&) const = default;
};

using Transaction = std::variant<TransactionRequest, TransactionReply, TransactionPending, TransactionResponseAck>;

struct Message {
  unsigned version = 3;
  std::string mid;                       // sender's mId: "[192.0.2.1]:2944", "<mg1.example>:2944", a device name
  std::optional<ErrorDescriptor> error;  // a message-level error instead of transactions
  std::vector<Transaction> transactions;
  bool operator==(const Message&) const = default;
};

// RootToken = ("Root") (B.2): the MG as a whole, in any letter case (OTP's megaco writes "root").
bool is_root(std::string_view termination_id);

std::string_view to_string(CommandType t);
std::string_view to_string(StreamMode m);
std::string_view to_string(ServiceState s);
std::string_view to_string(ServiceChangeMethod m);

}  // namespace isupgw::mediagw::h248
