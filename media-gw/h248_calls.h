// The calls' contexts on one H.248 media gateway, as the call engine uses them
// (README "Next media control protocol"): one context per call holding the
// circuit's TDM termination and one ephemeral RTP termination.
//   open   Context = $ { Add = <tdm>, Add = $ { Media { LocalControl { Mode },
//          Local { SDP with $ wildcards }, Remote { the SIP side's SDP } } } }
//          -> the reply names the context, the RTP termination and its Local SDP
//   update Modify = <rtp> { Media { LocalControl { Mode }, Remote { SDP } } }
//   close  Subtract = <tdm>, Subtract = <rtp> in the call's context
// Nothing is left behind: a close while the Add is in flight subtracts as soon
// as the reply names the context. Contexts the MG drops (ServiceChange Restart
// or Forced on ROOT or on the call's terminations, 7.2.8) or that become
// unreachable (the AuditValue keepalive is lost: health DOWN) are reported
// through on_lost() with cause 41 / 38, as MgConnections does for MGCP.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/log.h"
#include "media-gw/h248_client.h"
#include "media-gw/mg_connections.h"  // MediaId, kCauseMgRestart, kCauseMgUnreachable

namespace isupgw::mediagw {

// The Local descriptor we ask for: one audio stream, G.711 A-law, address and port
// chosen by the MG ("$", 7.1.8).
inline constexpr std::string_view kH248LocalRequest = "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 8\r\n";

// Does a (possibly wildcarded, "*" per name component; a final "*" also covers deeper
// levels) termination id cover `name`? "ROOT" covers everything.
bool termination_matches(std::string_view pattern, std::string_view name);

class H248Calls {
 public:
  // The MG's Local SDP (CRLF lines), or nullopt when the context could not be made.
  using Created = std::function<void(const std::optional<std::string>& sdp)>;
  using Lost = std::function<void(MediaId id, int cause)>;

  struct Info {
    std::string tdm;                       // the circuit's termination
    std::optional<std::uint32_t> context;  // set once the MG answered
    std::string rtp;                       // the ephemeral termination's name, once answered
    std::string sdp;                       // its Local SDP
  };

  H248Calls(std::string mg_name, H248Client& client, Logger& log, Counters& counters);
  ~H248Calls();
  H248Calls(const H248Calls&) = delete;
  H248Calls& operator=(const H248Calls&) = delete;

  MediaId open(std::string tdm_termination, h248::StreamMode mode, std::string remote_sdp, Created done);
  // New mode and, when not empty, the remote SDP (deferred until the Add is answered).
  void modify(MediaId id, h248::StreamMode mode, std::string remote_sdp);
  void close(MediaId id);  // idempotent

  void on_lost(Lost f) { lost_ = std::move(f); }
  void handle_service_change(const ServiceChangeNotice& n);
  void handle_health(HealthState from, HealthState to);

  bool usable() const;
  std::size_t active() const { return calls_.size(); }
  const Info* info(MediaId id) const;
  const std::string& name() const { return name_; }

 private:
  struct Call {
    Info info;
    bool answered = false;
    bool close_pending = false;
    std::optional<std::pair<h248::StreamMode, std::string>> modify_pending;
  };
  void send_modify(const Call& c, h248::StreamMode mode, const std::string& remote_sdp);
  void send_subtract(const Call& c);
  void lose(const std::vector<MediaId>& ids, int cause, std::string_view why);

  std::string name_;
  H248Client& client_;
  Logger& log_;
  Counters& counters_;
  Counter& opened_;  // per call: looked up once
  Counter& closed_;
  std::map<MediaId, Call> calls_;
  MediaId next_id_ = 1;
  Lost lost_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// SDP lines joined with CRLF, ending in CRLF (what the SIP side sends on).
std::string sdp_with_crlf(std::string_view sdp);

}  // namespace isupgw::mediagw
