// A small MGCP media gateway for tests and the mg-sim tool: answers like a
// TDM trunking gateway with an RTP side (RFC 3435 2.3), and can be told to
// misbehave (no answer, error codes, provisional responses, RSIP).
//
// Endpoints: "<e1_prefix><span>/<ts>@<domain>" for spans 0..spans-1,
// timeslots 1..31 (one connection each), and "<rtp_prefix><hex>@<domain>"
// virtual RTP endpoints picked by a "*" or "$" wildcard CRCX (returned in Z:).
// No sockets here: handle() takes a datagram and returns the datagrams to
// send back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "media-gw/mgcp_message.h"

namespace isupgw::mediagw {

struct SimConfig {
  std::string domain = "mg1";
  std::string e1_prefix = "ds/e1-";
  std::uint32_t spans = 2;
  std::string rtp_prefix = "rtpbridge/";
  std::uint32_t rtp_endpoints = 64;
  std::uint32_t connections_per_rtp_endpoint = 2;
  std::string media_address = "127.0.0.1";
  std::uint16_t media_port_base = 16000;
  Clock::duration response_history = std::chrono::seconds(30);  // RFC 3435 3.5.4 T-HIST
  // RFC 4733 telephone-event in the MG's SDP (with the remote SDP's payload type, else 101).
  bool telephone_event = true;
  // T.38 fax relay (RFC 5347 fax package "fxr/fx:t38"): accepted with an m=image udptl t38
  // SDP, or refused with 532 (RFC 3435: unsupported value in LocalConnectionOptions).
  bool t38 = true;
};

struct SimConnection {
  std::string id;
  std::string call_id;
  std::string endpoint;
  mgcp::ConnectionMode mode = mgcp::ConnectionMode::kInactive;
  std::string remote_sdp;
  std::uint16_t media_port = 0;
  std::string local_options;  // the last L: received (RFC 3435 2.3.3)
  bool t38 = false;           // switched to T.38 (RFC 5347 fxr/fx:t38)
};

// A signal the Call Agent asked an endpoint to play (RQNT S:), e.g. "D/5" (RFC 3660).
struct SimSignal {
  std::string endpoint;
  std::string signal;
};

class MgSimulator {
 public:
  MgSimulator(SimConfig cfg, Clock& clock);

  // One datagram from the Call Agent -> datagrams to answer with (may be none).
  std::vector<std::string> handle(std::span<const std::uint8_t> datagram);
  // One command -> its response (no failure injection, no history).
  mgcp::Response execute(const mgcp::Command& c);

  // Failure injection. Counts apply to received commands, retransmissions included.
  void drop_next(unsigned n) { drop_next_ = n; }
  void fail_next(std::uint16_t code, unsigned n = 1) {
    fail_code_ = code;
    fail_next_ = n;
  }
  void fail_verb(mgcp::Verb v, std::optional<std::uint16_t> code) { fail_verb_[v] = code; }
  // Answer the next n commands with "100" first; the final response goes out
  // on the retransmission, with an empty K: (RFC 3435 3.5.6).
  void provisional_next(unsigned n) { provisional_next_ = n; }
  // Continuity check (RFC 3660 trunk package): an RQNT that requests T/co1 (or
  // T/co2) and asks for T/oc is followed by an NTFY reporting T/oc, or T/of
  // when told the check fails.
  void fail_continuity(bool fail) { fail_continuity_ = fail; }
  void set_t38(bool accept) { cfg_.t38 = accept; }
  // RQNT signals other than the continuity tones, in the order received.
  const std::vector<SimSignal>& signals() const { return signals_; }
  const std::map<std::string, SimConnection, std::less<>>& connections() const { return connections_; }

  // An RSIP toward the Call Agent (RFC 3435 2.3.12). forced/restart drop
  // every connection on the endpoints named.
  mgcp::Command make_rsip(mgcp::RestartMethod m, std::string endpoint = {}, std::optional<std::uint32_t> delay = {});
  mgcp::Command make_ntfy(std::string endpoint, std::string request_id, std::string observed);

  std::size_t connection_count() const { return connections_.size(); }
  std::size_t connection_count(std::string_view endpoint) const;
  const SimConnection* connection(std::string_view id) const;
  std::uint64_t commands_received() const { return commands_received_; }
  std::uint64_t duplicates_answered() const { return duplicates_; }
  std::uint64_t dropped() const { return dropped_; }
  const SimConfig& config() const { return cfg_; }

 private:
  enum class EndpointKind : std::uint8_t { kNone, kE1, kRtp };
  EndpointKind classify(std::string_view endpoint) const;
  bool matches(std::string_view pattern, std::string_view endpoint) const;
  std::vector<std::string> expand(std::string_view endpoint) const;
  std::optional<std::string> pick_rtp_endpoint() const;
  std::string local_sdp(const SimConnection& c) const;
  void erase_connections(const std::vector<std::string>& ids);
  mgcp::Response crcx(const mgcp::Command& c);
  mgcp::Response mdcx(const mgcp::Command& c);
  mgcp::Response dlcx(const mgcp::Command& c);
  mgcp::Response auep(const mgcp::Command& c);
  mgcp::Response aucx(const mgcp::Command& c);
  std::optional<mgcp::Command> continuity_result(const mgcp::Command& rqnt);
  mgcp::Response rqnt(const mgcp::Command& c);

  SimConfig cfg_;
  Clock& clock_;
  std::map<std::string, SimConnection, std::less<>> connections_;  // by connection id
  struct Sent {
    std::string wire;
    Clock::time_point at;
    bool provisional_pending = false;
    mgcp::Response final;
  };
  std::map<std::uint32_t, Sent> history_;
  std::uint32_t next_connection_ = 0x1000;
  std::uint32_t next_port_slot_ = 0;
  std::uint32_t next_tid_ = 900000000;
  unsigned drop_next_ = 0;
  unsigned fail_next_ = 0;
  std::uint16_t fail_code_ = 0;
  unsigned provisional_next_ = 0;
  bool fail_continuity_ = false;
  std::vector<SimSignal> signals_;
  std::map<mgcp::Verb, std::optional<std::uint16_t>> fail_verb_;
  std::uint64_t commands_received_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace isupgw::mediagw
