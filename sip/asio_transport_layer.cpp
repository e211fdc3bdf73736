#include "sip/asio_transport_layer.h"

#include <array>
#include <cstdio>
#include <deque>
#include <optional>

#include <boost/asio/ssl.hpp>

#include "base/ip_address.h"
#include "sip/source_guard.h"
#include "sip/stream_framer.h"
#include "sip/tls_identity.h"
#include "sip/user_agent.h"

namespace isupgw::sip {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

namespace {

std::string connection_key(Transport t, const std::string& host, std::uint16_t port) {
  std::string k(to_string(t));
  k += '|';
  k += host;
  k += '|';
  k += std::to_string(port);
  return k;
}

constexpr std::size_t kReadChunk = 16384;

// An address as the source guard takes it: 4 or 16 octets, network order.
struct AddressBytes {
  std::array<std::uint8_t, 16> b{};
  std::size_t n = 0;
  explicit AddressBytes(const asio::ip::address& a) {
    if (a.is_v4()) {
      const auto v4 = a.to_v4().to_bytes();
      std::copy(v4.begin(), v4.end(), b.begin());
      n = 4;
    } else {
      b = a.to_v6().to_bytes();
      n = 16;
    }
  }
  std::span<const std::uint8_t> span() const { return {b.data(), n}; }
};

}  // namespace

// One OpenSSL context: both roles (server for accepted, client for opened connections).
struct AsioTransportLayer::TlsContext {
  TlsContext(std::string h, const TlsOptions& o, AsioTransportLayer& owner)
      : host(std::move(h)), ctx(ssl::context::tls), identity(o.peer_identity), keylog(o.keylog_file) {
    // TLS 1.2 minimum (RFC 8996 deprecates 1.0 and 1.1).
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (!o.certificate_file.empty()) {
      ctx.use_certificate_chain_file(o.certificate_file, ec);
      if (ec) error = "certificate: " + ec.message();
    }
    if (!ec && !o.private_key_file.empty()) {
      ctx.use_private_key_file(o.private_key_file, ssl::context::pem, ec);
      if (ec) error = "private key: " + ec.message();
    }
    if (!ec && !o.ca_file.empty()) {
      ctx.load_verify_file(o.ca_file, ec);
      if (ec) error = "CA: " + ec.message();
    }
    ctx.set_verify_mode(o.verify_peer ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert : ssl::verify_none);
    // A server that verifies clients must name its session cache, or OpenSSL refuses a client's resumption
    // ("session id context uninitialized").
    static constexpr unsigned char kSessionContext[] = "isupgw-sip";
    SSL_CTX_set_session_id_context(ctx.native_handle(), kSessionContext, sizeof kSessionContext - 1);
    if (o.verify_peer && !identity.empty()) {
      // RFC 5922 7.3/7.4: the chain AND the identity (checked on the peer's own certificate, depth 0).
      ctx.set_verify_callback([this, &owner](bool preverified, ssl::verify_context& vc) {
        X509_STORE_CTX* sc = vc.native_handle();
        if (!preverified || X509_STORE_CTX_get_error_depth(sc) != 0) return preverified;
        const auto ids = certificate_identities(X509_STORE_CTX_get_current_cert(sc));
        if (identity_matches(ids, identity)) return true;
        owner.identity_mismatches_.inc();
        owner.log_.warn(Subsystem::kSip, "tls_identity_mismatch",
                        {{"expected", identity}, {"certificate", describe(ids)}, {"trunk", host}});
        return false;
      });
    }
    if (!keylog.empty()) {
      SSL_CTX_set_ex_data(ctx.native_handle(), keylog_index(), this);
      SSL_CTX_set_keylog_callback(ctx.native_handle(), [](const SSL* ssl, const char* line) {
        auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), keylog_index()));
        if (self == nullptr) return;
        if (std::FILE* f = std::fopen(self->keylog.c_str(), "a")) {
          std::fprintf(f, "%s\n", line);
          std::fclose(f);
        }
      });
    }
  }
  // Our own ex_data slot (asio keeps its verify callback in the app data slot).
  static int keylog_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
  }
  std::string host;
  ssl::context ctx;
  std::string identity;
  std::string keylog;
  std::string error;
};

struct AsioTransportLayer::StreamListener {
  explicit StreamListener(asio::io_context& io) : acceptor(io) {}
  ListenerConfig config;
  tcp::acceptor acceptor;
};

// One TCP or TLS connection, accepted or opened by us.
class AsioTransportLayer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(AsioTransportLayer& owner, tcp::socket socket, Transport t, TlsContext* tls)
      : owner_(owner), alive_(owner.alive_), idle_(socket.get_executor()) {
    if (t == Transport::kTls) {
      tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), tls->ctx);
      // RFC 6066 3 / RFC 5922 7.3: the name we expect, as SNI (never an IP literal).
      if (!tls->identity.empty() && !valid_ip(tls->identity))
        SSL_set_tlsext_host_name(tls_->native_handle(), tls->identity.c_str());
    } else
      tcp_ = std::make_unique<tcp::socket>(std::move(socket));
  }

  std::string key;
  Peer peer;
  // Accepted from a source no trunk lists (the guard counts it until close()).
  std::optional<AddressBytes> unlisted;

  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *tcp_; }

  // Accepted: TLS handshake as server, then read.
  void start_accepted() {
    const auto idle = owner_.guard_ ? owner_.guard_->config().unlisted_idle_timeout : Clock::duration::zero();
    if (unlisted && idle > Clock::duration::zero()) {
      // Issue 23: a stream from an unlisted source must bring a complete message in time.
      idle_.expires_after(idle);
      idle_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || !*self->alive_ || self->closed_) return;
        self->owner_.guard_->idle_closed(self->unlisted->span());
        self->fail("stream_idle", asio::error::timed_out);
      });
    }
    if (tls_) {
      tls_->async_handshake(ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
        if (!*self->alive_) return;
        if (ec) return self->fail("tls_handshake_failed", ec);
        self->ready();
      });
    } else {
      ready();
    }
  }

  // Opened by us: connect, TLS handshake as client, then flush and read.
  void start_connect(const tcp::endpoint& ep) {
    lowest().async_connect(ep, [self = shared_from_this()](boost::system::error_code ec) {
      if (!*self->alive_) return;
      if (ec) {
        self->owner_.tcp_connect_failures_.inc();
        return self->fail("connect_failed", ec);
      }
      if (self->tls_) {
        self->tls_->async_handshake(ssl::stream_base::client, [self](boost::system::error_code ec2) {
          if (!*self->alive_) return;
          if (ec2) return self->fail("tls_handshake_failed", ec2);
          self->ready();
        });
      } else {
        self->ready();
      }
    });
  }

  bool send(std::string_view bytes) {
    if (closed_) return false;
    if (queued_ + bytes.size() > owner_.max_queued_bytes_) {
      owner_.tx_dropped_.inc();
      owner_.log_.warn(Subsystem::kSip, "stream_queue_full", {{"peer", peer.host}, {"port", peer.port}});
      return false;
    }
    queued_ += bytes.size();
    queue_.emplace_back(bytes);
    if (ready_ && !writing_) write_next();
    return true;
  }

  bool idle() const { return queue_.empty() && !writing_; }

  void close() {
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    if (unlisted && owner_.guard_) owner_.guard_->release_connection(unlisted->span());
    boost::system::error_code ignored;
    lowest().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close(ignored);
  }
  void close_when_idle() {
    close_when_idle_ = true;
    if (idle()) close();
  }

 private:
  void ready() {
    ready_ = true;
    if (!queue_.empty()) write_next();
    read();
  }

  void fail(std::string_view what, const boost::system::error_code& ec) {
    if (ec != asio::error::operation_aborted && ec != asio::error::eof)
      owner_.log_.info(Subsystem::kSip, what, {{"peer", peer.host}, {"port", peer.port}, {"error", ec.message()}});
    const bool lost = !ready_ || !queue_.empty();
    close();
    owner_.forget(key, this);
    if (lost && owner_.on_failure_) owner_.on_failure_(peer);
  }

  template <class F>
  void read_some(F&& f) {
    if (tls_)
      tls_->async_read_some(asio::buffer(buffer_), std::forward<F>(f));
    else
      tcp_->async_read_some(asio::buffer(buffer_), std::forward<F>(f));
  }

  void read() {
    read_some([self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (!*self->alive_) return;
      if (ec) return self->fail("stream_closed", ec);
      self->framer_.append(std::span<const std::uint8_t>(self->buffer_.data(), n));
      for (;;) {
        auto f = self->framer_.next();
        if (f.kind == StreamFramer::Kind::kNeedMore) break;
        if (f.kind == StreamFramer::Kind::kPing) {
          self->send("\r\n");  // RFC 5626 4.4.1 pong
          continue;
        }
        if (f.kind == StreamFramer::Kind::kError) {
          self->owner_.stream_framing_errors_.inc();
          return self->fail("stream_framing_error", asio::error::invalid_argument);
        }
        if (self->unlisted) {
          self->idle_.cancel();
          if (!self->owner_.guard_->admit_message(self->unlisted->span())) continue;  // dropped unread
        }
        self->owner_.deliver(self->peer, f.bytes);
        if (self->closed_) return;
      }
      self->read();
    });
  }

  void write_next() {
    writing_ = true;
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (!*self->alive_) return;
      self->writing_ = false;
      if (ec) return self->fail("stream_write_failed", ec);
      self->queued_ -= self->queue_.front().size();
      self->queue_.pop_front();
      if (!self->queue_.empty())
        self->write_next();
      else if (self->close_when_idle_)
        self->close();
    };
    if (tls_)
      asio::async_write(*tls_, asio::buffer(queue_.front()), std::move(done));
    else
      asio::async_write(*tcp_, asio::buffer(queue_.front()), std::move(done));
  }

  AsioTransportLayer& owner_;
  std::shared_ptr<bool> alive_;
  asio::steady_timer idle_;
  std::unique_ptr<tcp::socket> tcp_;
  std::unique_ptr<ssl::stream<tcp::socket>> tls_;
  std::array<std::uint8_t, kReadChunk> buffer_{};
  StreamFramer framer_;
  std::deque<std::string> queue_;
  std::size_t queued_ = 0;
  bool ready_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool close_when_idle_ = false;
};

AsioTransportLayer::AsioTransportLayer(asio::io_context& io, std::vector<ListenerConfig> listeners, Logger& log,
                                       Counters& counters, const TlsOptions& tls,
                                       const std::vector<TrunkTls>& trunk_tls, std::size_t max_queued_bytes)
    : io_(io),
      configs_(std::move(listeners)),
      log_(log),
      counters_(counters),
      max_queued_bytes_(max_queued_bytes),
      tx_dropped_(counters.get("sip.stream.tx_dropped")),
      tcp_connect_failures_(counters.get("sip.stream.connect_failures")),
      stream_framing_errors_(counters.get("sip.stream.framing_errors")),
      identity_mismatches_(counters.get("sip.tls.identity_mismatch")) {
  tls_.push_back(std::make_unique<TlsContext>(std::string(), tls, *this));
  for (const auto& t : trunk_tls) tls_.push_back(std::make_unique<TlsContext>(t.host, t.tls, *this));
  for (const auto& t : tls_)
    if (!t->error.empty())
      log_.error(Subsystem::kSip, "tls_config_error",
                 {{"trunk", t->host.empty() ? std::string("default") : t->host}, {"error", t->error}});
}

AsioTransportLayer::TlsContext* AsioTransportLayer::tls_context(const std::string& host) {
  TlsContext* chosen = tls_.front().get();
  for (const auto& t : tls_)
    if (!t->host.empty() && t->host == host) chosen = t.get();
  return chosen->error.empty() ? chosen : nullptr;
}

AsioTransportLayer::~AsioTransportLayer() {
  *alive_ = false;
  close();
}

std::error_code AsioTransportLayer::start() {
  for (const auto& c : configs_)
    if (auto ec = start_one(c)) return ec;
  return {};
}

std::error_code AsioTransportLayer::add_listener(const ListenerConfig& c) {
  if (auto ec = start_one(c)) return ec;
  configs_.push_back(c);
  return {};
}

std::error_code AsioTransportLayer::start_one(const ListenerConfig& c) {
  std::error_code ec;
  if (c.transport == Transport::kUdp) {
    auto l = start_listener(
        io_, c,
        [this](const Received& r) {
          // Judged before anything is built or parsed (issue 23).
          if (guard_ && !guard_->admit_message(AddressBytes(r.peer_address).span())) return;
          deliver(Peer{Transport::kUdp, r.peer_address.to_string(), r.peer_port},
                  std::string_view(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size()));
        },
        log_, counters_, ec,
        [this](const asio::ip::address& peer, std::uint16_t port) {
          // Posted: it may come from inside a send (a transaction starting); every client transaction towards
          // the peer then fails with a transport error (RFC 3261 18.4, 17.1.4).
          asio::post(io_, [this, alive = alive_, p = Peer{Transport::kUdp, peer.to_string(), port}] {
            if (*alive && on_failure_) on_failure_(p);
          });
        });
    if (!l) return ec;
    udp_.push_back(std::move(l));
    return {};
  }
  if (c.transport == Transport::kTls && !tls_.front()->error.empty())
    return std::make_error_code(std::errc::invalid_argument);
  return start_stream_listener(c);
}

std::error_code AsioTransportLayer::start_stream_listener(const ListenerConfig& c) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(c.address, ec);
  if (ec) return std::make_error_code(std::errc::invalid_argument);
  auto l = std::make_unique<StreamListener>(io_);
  l->config = c;
  const tcp::endpoint ep(address, c.port);
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  accept(*l);
  streams_.push_back(std::move(l));
  return {};
}

void AsioTransportLayer::accept(StreamListener& l) {
  l.acceptor.async_accept([this, &l, alive = alive_](boost::system::error_code ec, tcp::socket socket) {
    if (!*alive || ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
    if (!ec) {
      if (connections_.size() >= l.config.max_tcp_connections) {
        counters_.get("sip.tcp.refused_over_limit").inc();
      } else {
        boost::system::error_code pec;
        auto remote = socket.remote_endpoint(pec);
        TlsContext* tls = nullptr;
        if (!pec && l.config.transport == Transport::kTls) {
          tls = tls_context(remote.address().to_string());
          if (!tls) pec = asio::error::access_denied;
        }
        std::optional<AddressBytes> unlisted;
        if (!pec && guard_) {
          AddressBytes a(remote.address());
          if (!guard_->listed(a.span())) {
            if (!guard_->admit_connection(a.span())) {
              socket.set_option(asio::socket_base::linger(true, 0), pec);  // reset: no TIME_WAIT kept for it
              pec = asio::error::access_denied;
            } else {
              unlisted = a;
            }
          }
        }
        if (!pec) {
          auto c = std::make_shared<Connection>(*this, std::move(socket), l.config.transport, tls);
          c->unlisted = unlisted;
          c->peer = Peer{l.config.transport, remote.address().to_string(), remote.port()};
          c->key = connection_key(c->peer.transport, c->peer.host, c->peer.port);
          counters_.get(l.config.transport == Transport::kTls ? "sip.tls.accepted" : "sip.tcp.accepted").inc();
          connections_[c->key] = c;
          c->start_accepted();
        }
      }
    }
    accept(l);
  });
}

std::shared_ptr<AsioTransportLayer::Connection> AsioTransportLayer::connect(const Peer& to) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(to.host, ec);
  if (ec) return nullptr;
  TlsContext* tls = nullptr;
  if (to.transport == Transport::kTls && !(tls = tls_context(to.host))) return nullptr;
  auto c = std::make_shared<Connection>(*this, tcp::socket(io_), to.transport, tls);
  c->peer = to;
  c->key = connection_key(to.transport, to.host, to.port);
  connections_[c->key] = c;
  c->start_connect(tcp::endpoint(address, to.port));
  return c;
}

void AsioTransportLayer::forget(const std::string& key, const Connection* c) {
  auto it = connections_.find(key);
  if (it != connections_.end() && it->second.get() == c) connections_.erase(it);
}

void AsioTransportLayer::deliver(const Peer& from, std::string_view bytes) {
  if (sink_) sink_(from, bytes);
}

bool AsioTransportLayer::send(const Peer& to, std::string_view bytes) {
  if (closing_) return false;
  if (tap_) tap_(to, bytes);
  if (to.transport == Transport::kUdp) {
    if (udp_.empty()) return false;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(to.host, ec);
    if (ec) return false;
    // Prefer a socket of the same address family.
    for (auto& l : udp_)
      if (l->local_address().is_v6() == address.is_v6())
        return l->send_to(address, to.port,
                          std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    return false;
  }
  auto it = connections_.find(connection_key(to.transport, to.host, to.port));
  std::shared_ptr<Connection> c = it != connections_.end() ? it->second : connect(to);
  return c && c->send(bytes);
}

std::string AsioTransportLayer::local_host(Transport t) const {
  for (const auto& c : configs_)
    if (c.transport == t) return c.address;
  return configs_.empty() ? std::string("127.0.0.1") : configs_.front().address;
}

RxQueue AsioTransportLayer::rx_queue() const {
  RxQueue worst;
  for (const auto& l : udp_) {
    RxQueue q;
    if (!l->rx_queue(q)) continue;
    worst.drops += q.drops;
    // Compared as fractions: q.queued / q.capacity > worst.queued / worst.capacity.
    if (worst.capacity == 0 || q.queued * worst.capacity > worst.queued * q.capacity) {
      worst.queued = q.queued;
      worst.capacity = q.capacity;
    }
  }
  return worst;
}

std::uint16_t AsioTransportLayer::local_port(Transport t) const {
  if (t == Transport::kUdp) return udp_.empty() ? 0 : udp_.front()->local_port();
  for (const auto& l : streams_)
    if (l->config.transport == t) {
      boost::system::error_code ec;
      return l->acceptor.local_endpoint(ec).port();
    }
  return 0;
}

void AsioTransportLayer::close_when_idle() {
  for (auto& l : udp_) l->close();
  for (auto& l : streams_) {
    boost::system::error_code ignored;
    l->acceptor.close(ignored);
  }
  auto conns = connections_;
  for (auto& [k, c] : conns) c->close_when_idle();
}

void AsioTransportLayer::close() {
  closing_ = true;
  for (auto& l : udp_) l->close();
  for (auto& l : streams_) {
    boost::system::error_code ignored;
    l->acceptor.close(ignored);
  }
  auto conns = std::move(connections_);
  connections_.clear();
  for (auto& [k, c] : conns) c->close();
}

}  // namespace isupgw::sip
