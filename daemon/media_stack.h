// The daemon's media side, built from the media_gateways configuration: one
// MGCP association per media gateway (UDP socket, client with retransmission
// and AUEP keepalive, the calls' connections, continuity checks), and the
// binding of ISUP trunk groups to an MG and an endpoint pattern, so that a
// circuit (group, CIC) names its TDM endpoint ("ds/e1-{span}/{timeslot}@mg1")
// or, for MGs without TDM, a wildcard RTP endpoint ("rtpbridge/*@mgw") or one
// RTP bridge per circuit ("rtpbridge/{cic:x}@mgw"). On a per-circuit bridge
// both ends of the circuit (this gateway and the adjacent exchange, e.g. a
// second isupgw on the same MG) connect on the same endpoint, so its MGCP
// Call-ID comes from the circuit: the trunk group's two point codes, lower
// first, and the CIC, which both ends compute alike.
//
// It is ISUP's ContinuityCheck (Q.764 2.1.8): loops and check tones run on the
// circuit's endpoint; a trunk group without an MG (or with an RTP-only one)
// cannot loop, so its checks fail and the ISUP procedures handle that.
//
// An MG with protocol h248 (issue 22) gets an H248Client and H248Calls instead:
// one context per call (Add of the circuit's TDM termination and an RTP
// termination, Modify, Subtract both), and continuity checks through the ct
// package (H.248.1 Annex E.10, media-gw/h248_continuity.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "engine/call_media.h"
#include "isup/isup_cc.h"
#include "isup/isup_cc_user.h"
#include "media-gw/continuity_check.h"
#include "media-gw/endpoint_map.h"
#include "media-gw/h248_calls.h"
#include "media-gw/h248_client.h"
#include "media-gw/h248_continuity.h"
#include "media-gw/mg_connections.h"
#include "media-gw/mgcp_client.h"
#include "media-gw/mgcp_udp.h"

namespace isupgw::daemon {

class MediaStack final : public isup::ContinuityCheck, public engine::CallMedia {
 public:
  struct Mg {
    std::string name;
    mediagw::UdpConfig udp;
    std::unique_ptr<mediagw::MgcpUdpTransport> transport;
    std::unique_ptr<mediagw::MgcpClient> client;
    std::unique_ptr<mediagw::MgConnections> connections;
    std::unique_ptr<mediagw::ContinuityChecker> continuity;
    // protocol: h248 (issue 22): these instead of client/connections/continuity.
    std::unique_ptr<mediagw::H248Client> h248_client;
    std::unique_ptr<mediagw::H248Calls> h248_calls;
    std::unique_ptr<mediagw::H248Continuity> h248_continuity;
    const mediagw::MgHealthFsm& health() const { return h248_client ? h248_client->health() : client->health(); }
  };
  // Where a circuit's media lives.
  struct CircuitMedia {
    Mg* mg = nullptr;
    std::string endpoint;  // specific TDM endpoint, or a wildcard for RTP-only MGs
    bool tdm = false;
    std::string call_id;  // the circuit's MGCP Call-ID on per-circuit RTP bridges, else empty
  };

  static Result<std::unique_ptr<MediaStack>, std::string> create(boost::asio::io_context& io,
                                                                 const config::MediaSettings& cfg, Clock& clock,
                                                                 Logger& log, Counters& counters);
  ~MediaStack() override;

  // Opens every MGCP socket and starts the keepalives. Errors name the MG.
  Result<bool, std::string> start();
  void stop();

  // Binds the configured trunk groups (by name) to ISUP's group ids and makes
  // this stack the continuity checker of `isup`.
  void bind(isup::IsupCallControl& isup);

  // Binds PRI span `span`'s B channels to `mg_name` and the channel endpoint pattern (config/pri_config.cpp).
  void bind_span(const std::string& span, const std::string& mg_name, const mediagw::EndpointPattern& endpoints);

  std::optional<CircuitMedia> media_for(isup::GroupId group, std::uint16_t cic);
  std::optional<CircuitMedia> media_for_channel(std::string_view span, std::uint8_t channel);
  Mg* find(std::string_view mg_name);
  const std::vector<std::unique_ptr<Mg>>& gateways() const { return mgs_; }

  // CallMedia: the connection of a call's circuit (CRCX/MDCX/DLCX on its endpoint).
  std::optional<Id> open(isup::GroupId group, std::uint16_t cic, const std::string& remote_sdp, engine::MediaMode mode,
                         Ready ready) override;
  std::optional<Id> open_channel(std::string_view span, std::uint8_t channel, const std::string& remote_sdp,
                                 engine::MediaMode mode, Ready ready) override;
  void update(Id id, const std::string& remote_sdp, engine::MediaMode mode) override;
  bool play_digit(Id id, char digit) override;
  bool start_t38(Id id, const std::string& t38_sdp, FaxDone done) override;
  void close(Id id) override;
  void set_lost_handler(Lost lost) override { lost_ = std::move(lost); }
  std::optional<engine::MediaDescription> describe(Id id) const override;
  std::size_t call_connections() const { return calls_.size(); }

  // isup::ContinuityCheck
  void connect_loop(isup::GroupId group, std::uint16_t cic) override;
  void disconnect_loop(isup::GroupId group, std::uint16_t cic) override;
  void start_test(isup::GroupId group, std::uint16_t cic) override;

 private:
  // A trunk group's or a PRI span's circuits on their MG.
  struct Binding {
    Mg* mg = nullptr;
    std::optional<mediagw::EndpointPattern> tdm;  // per-circuit endpoints
    std::string rtp_endpoint;                     // wildcard RTP endpoint otherwise
    std::uint32_t pc_low = 0, pc_high = 0;        // the group's OPC and DPC, ordered
  };
  MediaStack(boost::asio::io_context& io, Logger& log, Counters& counters);
  static std::optional<CircuitMedia> circuit_media(const Binding& b, std::uint16_t cic);
  // The connection on a circuit's endpoint (both open() and open_channel()).
  std::optional<Id> open_on(const std::optional<CircuitMedia>& m, const std::string& remote_sdp, engine::MediaMode mode,
                            Ready ready);
  void add_h248(Mg& mg, const mediagw::H248Config& cfg, Clock& clock);
  std::optional<Id> open_h248(Id id, const CircuitMedia& m, const std::string& remote_sdp, engine::MediaMode mode,
                              Ready ready);
  // Fails the call `id` from the zero timer (never inside open(): the engine does not hold the id yet).
  void fail_later(Id id, Ready ready);
  // The MG lost the connection `media` (MGCP or H.248): the call that held it is told with `cause`.
  void lose(const Mg* mg, mediagw::MediaId media, int cause);

  Logger& log_;
  Counters& counters_;
  AsioTimerService timers_;
  std::vector<std::unique_ptr<Mg>> mgs_;
  std::map<std::string, Binding, std::less<>> by_name_;  // trunk group name -> binding
  std::map<isup::GroupId, Binding*> by_group_;
  std::map<std::string, Binding, std::less<>> by_span_;  // PRI span name -> binding
  isup::IsupCallControl* isup_ = nullptr;
  struct CallConnection {
    Mg* mg = nullptr;
    mediagw::MediaId media = 0;
    bool created = false;
    std::optional<std::pair<std::string, engine::MediaMode>> update;  // asked for while the CRCX was in flight
    // H.248: the Add waits while a continuity check holds the circuit's termination (H.248.1 6.1: one context
    // at a time); what it will send.
    struct Deferred {
      std::string termination;
      std::string remote_sdp;
      engine::MediaMode mode = engine::MediaMode::kSendRecv;
      Ready ready;
    };
    std::optional<Deferred> deferred;
  };
  void start_h248(Id id);  // the deferred Add of call `id`, its termination free again
  std::map<Id, CallConnection> calls_;
  Id next_call_ = 1;
  Lost lost_;
};

}  // namespace isupgw::daemon
