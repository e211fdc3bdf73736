// TransportLayer on Boost.Asio (RFC 3261 18): UDP listeners, and TCP and TLS
// (OpenSSL through asio::ssl) streams accepted or opened on demand. Stream
// connections are reused in both directions, keyed by the remote address and
// port; each cuts messages out of the byte stream with StreamFramer
// (Content-Length framing) and has a bounded send queue. With a SourceGuard
// (sip/source_guard.h) every datagram and stream message is judged by its
// source before it is parsed, and streams from unlisted sources are limited.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "sip/tls_options.h"
#include "sip/transport_layer.h"
#include "sip/transport_listener.h"

namespace boost::asio::ssl {
class context;
}

namespace isupgw::sip {

class SourceGuard;

class AsioTransportLayer final : public TransportLayer {
 public:
  // One complete message received from `from`.
  using Sink = std::function<void(const Peer& from, std::string_view bytes)>;

  AsioTransportLayer(boost::asio::io_context& io, std::vector<ListenerConfig> listeners, Logger& log,
                     Counters& counters, const TlsOptions& tls, const std::vector<TrunkTls>& trunk_tls,
                     std::size_t max_queued_bytes);
  ~AsioTransportLayer() override;

  void set_sink(Sink sink) { sink_ = std::move(sink); }
  // Told when a stream to a peer failed before its queued messages went out.
  void set_failure_sink(std::function<void(const Peer&)> f) { on_failure_ = std::move(f); }
  // Judges sources before anything is parsed (issue 23); nullptr: none. Must outlive this.
  void set_guard(SourceGuard* guard) { guard_ = guard; }
  // Sees every message accepted for sending.
  void set_tap(std::function<void(const Peer&, std::string_view)> tap) { tap_ = std::move(tap); }
  // Binds every listener; the first failure is returned.
  std::error_code start();
  // One more listener while running (reload, issue 16); the error if it cannot bind.
  std::error_code add_listener(const ListenerConfig& c);

  bool send(const Peer& to, std::string_view bytes) override;
  std::string local_host(Transport t) const override;
  std::uint16_t local_port(Transport t) const override;

  // The UDP listeners' receive queues (overload control, issue 19): the fullest one's queued bytes and
  // buffer, the drops of all of them; all zero without UDP listeners.
  RxQueue rx_queue() const;

  // Stops listening at once; stream connections close once their queues are empty.
  void close_when_idle();
  void close();

  class Connection;  // internal

 private:
  friend class Connection;
  struct StreamListener;
  void deliver(const Peer& from, std::string_view bytes);
  void forget(const std::string& key, const Connection* c);
  std::error_code start_one(const ListenerConfig& c);
  std::error_code start_stream_listener(const ListenerConfig& c);
  void accept(StreamListener& l);
  std::shared_ptr<Connection> connect(const Peer& to);

  boost::asio::io_context& io_;
  std::vector<ListenerConfig> configs_;
  Logger& log_;
  Counters& counters_;
  std::size_t max_queued_bytes_;
  struct TlsContext;
  // The context for connections with `host`: its trunk's, else the default
  // (first). Null when that context could not be loaded.
  TlsContext* tls_context(const std::string& host);
  std::vector<std::unique_ptr<TlsContext>> tls_;
  Sink sink_;
  std::function<void(const Peer&, std::string_view)> tap_;
  std::function<void(const Peer&)> on_failure_;
  std::vector<std::unique_ptr<TransportListener>> udp_;
  std::vector<std::unique_ptr<StreamListener>> streams_;
  std::map<std::string, std::shared_ptr<Connection>> connections_;
  SourceGuard* guard_ = nullptr;
  bool closing_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  Counter& tx_dropped_;
  Counter& tcp_connect_failures_;
  Counter& stream_framing_errors_;
  Counter& identity_mismatches_;  // sip.tls.identity_mismatch: RFC 5922 refusals
};

}  // namespace isupgw::sip
