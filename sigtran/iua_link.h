// One IUA association (RFC 4233, RFC 5133) on a SIGTRAN transport (TCP on the
// host, kernel SCTP in production), on the association M3UA shares (ua_link.h:
// transport, reconnect, the ASP state machines, BEAT, NTFY/ERR). Above it: the
// Q.921/Q.931 boundary primitives (QPTM, RFC 4233 3.3.1) per interface
// identifier and DLCI.
//
// Roles (RFC 4233 1.3):
//  kAsp  the call agent (isupgw): sends ASPUP/ASPAC and the Request primitives,
//        receives Indications and Confirms.
//  kSg   the signalling gateway end (the MG simulator): acks the ASP, sends
//        Indications and Confirms, receives Requests.
//
// Bad input gets an ERR (RFC 4233 3.3.3.1) and is dropped: a decode fault with
// its code; a primitive of the wrong direction or before ASP-ACTIVE "Unexpected
// Message"; an interface not served "Invalid Interface Identifier" (a text one
// where only integers are served: "Unsupported Interface Identifier Type"); a
// SAPI not served "Unrecognized SAPI"; the group TEI 127 on anything but Unit
// Data "Invalid TEI, SAPI combination" (Q.921 3.3.4.2: broadcast is UI only).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sigtran/iua_asp.h"
#include "sigtran/iua_codec.h"
#include "sigtran/transport.h"
#include "sigtran/ua_link.h"

namespace isupgw::sigtran::iua {

enum class Role : std::uint8_t { kAsp, kSg };
std::string_view to_string(Role r);

struct LinkConfig {
  std::string name = "iua";
  Role role = Role::kAsp;
  // The interfaces (D channels) served (RFC 4233 3.1.3): integer and/or text
  // identifiers. The ASP names them in ASPAC/ASPIA.
  std::vector<std::uint32_t> interface_ids;
  std::vector<std::string> interface_names;
  std::vector<std::uint8_t> sapis = {0};        // Q.921 SAPIs served (0: call control, Q.921 table 2)
  std::optional<std::uint32_t> traffic_mode;    // 1 override, 2 load-share, 3 broadcast
  std::optional<std::uint32_t> asp_identifier;  // sent in ASPUP
  Clock::duration t_ack = std::chrono::seconds(2);
  Clock::duration t_beat = std::chrono::seconds(0);  // 0: rely on the transport (SCTP heartbeats)
  Clock::duration reconnect_min = std::chrono::milliseconds(200);
  Clock::duration reconnect_max = std::chrono::seconds(10);
  bool reconnect = true;  // client transports: start() again after a loss, with backoff
};

// The IUA side of the association M3UA shares (ua_link.h).
struct Layer {
  using Message = iua::Message;
  using MessageType = iua::MessageType;
  using ErrorCode = iua::ErrorCode;
  using LinkConfig = iua::LinkConfig;
  using AspMessages = iua::AspMessages;
  static constexpr std::string_view kCounters = "iua";
  static constexpr UaLogNames kLog{"iua_link_start",
                                   "iua_link_connected",
                                   "iua_link_disconnected",
                                   "iua_link_reconnect",
                                   "iua_link_ready",
                                   "iua_link_not_ready",
                                   "iua_tx",
                                   "iua_rx",
                                   "iua_encode_failed",
                                   "iua_rx_rejected",
                                   "iua_rx_ntfy",
                                   "iua_rx_err"};
  static constexpr ErrorCode kUnsupportedTrafficMode = ErrorCode::kUnsupportedTrafficHandlingMode;
  static Result<Message, CodecError> decode(std::span<const std::uint8_t> b) { return iua::decode(b); }
  static bool local_half(const LinkConfig& c) { return c.role == Role::kAsp; }
  static bool peer_half(const LinkConfig& c) { return c.role == Role::kSg; }
  static AspConfig asp_config(const LinkConfig& c);
  static bool peer_notifies(const LinkConfig&) { return true; }                     // the SG's (RFC 4233 4.3.4.5)
  static std::vector<std::uint32_t> as_contexts(const LinkConfig&) { return {0}; }  // one AS
  static std::optional<std::uint32_t> traffic_mode(const LinkConfig& c) { return c.traffic_mode; }
  static std::optional<std::vector<std::uint32_t>> ntfy_contexts(const Message&) { return std::nullopt; }
};
using LinkMeters = UaLinkMeters<AspMessages>;

// A QPTM primitive as received: its type (Data/Unit Data/Establish/Release
// Request, Indication or Confirm; TEI Status and Query), the interface, the
// DLCI, the Q.931 octets (Data, Unit Data) and the Release Reason.
struct Primitive {
  MessageType type = MessageType::kDataIndication;
  InterfaceId interface_id;
  Dlci dlci;
  std::span<const std::uint8_t> data;
  std::optional<std::uint32_t> reason;
  std::optional<std::uint32_t> tei_status;
};

class LinkUser {
 public:
  virtual ~LinkUser() = default;
  // ASP: our ASP is ACTIVE (primitives may flow). SG: the peer's ASP is.
  virtual void on_link_ready(bool ready) = 0;
  virtual void on_primitive(const Primitive& p) = 0;
};

class Link final : public UaLink<Layer> {
 public:
  Link(LinkConfig cfg, Transport& transport, const LinkMeters& meters, TimerService& timers, Logger& log,
       Counters& counters, LinkUser& user);

  // Sends one QPTM primitive of this role's direction (ASP: Requests; SG:
  // Indications, Confirms, TEI Status Confirm/Indication). False (counted) when
  // not ready, of the wrong direction or for an interface not served.
  bool send_primitive(MessageType type, const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> data = {},
                      std::optional<std::uint32_t> reason = {});
  // The DL-DATA of this role: Data Request (ASP) / Data Indication (SG).
  bool send_data(const InterfaceId& iid, Dlci dlci, std::span<const std::uint8_t> q931);

  AsState as_state() const { return UaLink::as_state(0).value_or(AsState::kDown); }
  // The data link of (interface, DLCI) as the primitives left it (Establish
  // Confirm/Indication: up; Release Confirm/Indication, association loss: down).
  bool established(const InterfaceId& iid, Dlci dlci) const;

  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override;

 private:
  using DlcKey = std::pair<InterfaceId, std::uint16_t>;  // interface, SAPI << 8 | TEI
  static DlcKey key(const InterfaceId& iid, Dlci d) { return {iid, static_cast<std::uint16_t>(d.sapi << 8 | d.tei)}; }
  void on_down() override { dlc_.clear(); }  // RFC 4233 4.3.4: the data links are not ours any more
  void on_asp_state(AspState from, AspState to) override;
  void on_peer_state(PeerAspState to) override;
  void report_ready(bool ready) override { user_.on_link_ready(ready); }
  bool admit_contexts(const Message& m, std::span<const std::uint8_t> raw) override;
  void handle_payload(const Message& m, std::span<const std::uint8_t> raw) override;
  // The ERR code a QPTM/TEI message for (iid, dlci) earns, if any.
  std::optional<ErrorCode> check_address(const InterfaceId& iid, Dlci dlci, MessageType type) const;
  std::optional<ErrorCode> check_interfaces(const Message& m) const;  // ASPAC/ASPIA lists
  void track(MessageType type, const InterfaceId& iid, Dlci dlci);
  std::uint16_t stream_for(const InterfaceId& iid) const;

  LinkUser& user_;
  std::map<DlcKey, bool> dlc_;
  Counter& rx_qptm_;
  Counter& tx_qptm_;
  Counter& tx_refused_;
};

}  // namespace isupgw::sigtran::iua
