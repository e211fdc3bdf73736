// The daemon's trace (issue 17): the capture the stacks' taps and the call engine feed (trace/capture.h),
// and a loop timer that takes the batch every 100 ms (or at once when it passes 1 MiB), tags it with
// calls (trace/correlator.h), sends its SIP messages as HEPv3, keeps the latest calls for
// GET /calls/{id}/pcap and hands the batch to the pcapng writer's thread (trace/pcap_writer.h), which
// frames it and appends it to the rolling files. The call path only copies bytes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "config/settings.h"
#include "http/router.h"
#include "media-gw/mgcp_udp.h"
#include "sigtran/transport.h"
#include "sigtran/transport_factory.h"
#include "sip/session_api.h"
#include "trace/call_store.h"
#include "trace/capture.h"
#include "trace/correlator.h"
#include "trace/pcap.h"
#include "trace/pcap_writer.h"

namespace isupgw::daemon {

class TraceOutput {
 public:
  // Creates the directory, opens the first file, the HEP socket; logs them in one line.
  static Result<std::unique_ptr<TraceOutput>, std::string> start(boost::asio::io_context& io,
                                                                 const config::TraceSettings& s, bool ansi, Logger& log,
                                                                 Counters& counters);
  ~TraceOutput();

  trace::Capture& capture() { return capture_; }
  const trace::CallStore& calls() const { return store_; }

  // SIP: the local address of each transport (the listener's), then the taps for UserAgentOptions.
  void set_sip_local(sip::Transport t, const std::string& address, std::uint16_t port);
  std::function<void(const sip::Peer&, std::string_view)> sip_tap(bool outgoing);
  // SIGTRAN: the transport with every message it carries captured (M3UA or M2PA by spec.ppid).
  std::unique_ptr<sigtran::Transport> wrap(std::unique_ptr<sigtran::Transport> inner,
                                           const sigtran::TransportSpec& spec, std::uint16_t local_port);
  // MGCP: captures what `t` exchanges with its MG.
  void tap_mgcp(mediagw::MgcpUdpTransport& t, const mediagw::UdpConfig& udp);

  // Takes the batch now (also at stop).
  void flush();

  // GET /calls/{id}/pcap: the call's messages as a pcapng file; GET /calls/{id}/ladder: its ladder page
  // (trace/ladder.h); GET /ladder: the kept calls, linked to their pages. 404 for a call not (or no longer) kept.
  void register_routes(http::Router& router);

 private:
  TraceOutput(boost::asio::io_context& io, trace::RollingPcap pcap, const config::TraceSettings& s, bool ansi,
              Logger& log, Counters& counters);
  void arm();
  void failed(const std::string& error);

  boost::asio::io_context& io_;
  trace::Capture capture_;
  trace::Correlator correlator_;
  std::string first_file_;  // the pcapng file begun at start (the log line names it)
  std::unique_ptr<trace::PcapWriter> pcap_;
  trace::CallStore store_;
  trace::Batch batch_;
  trace::Address sip_local_[3];
  // The SIP peer's address of the last message, parsed once (a trunk's messages come from few peers).
  std::string last_host_;
  trace::Address last_remote_;
  std::unique_ptr<boost::asio::ip::udp::socket> hep_;
  boost::asio::ip::udp::endpoint hep_to_;
  std::uint32_t hep_agent_;
  std::vector<std::uint8_t> hep_buf_;
  Logger& log_;
  Counter& messages_;
  Counter& tagged_;
  Counter& hep_sent_;
  Counter& errors_;
  boost::asio::steady_timer timer_;
  bool flush_posted_ = false;
  bool ansi_ = false;
};

}  // namespace isupgw::daemon
