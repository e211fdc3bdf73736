#include "sigtran/tcp_transport.h"

#include "sigtran/m3ua_codec.h"
#include "sigtran/peer_guard.h"

namespace isupgw::sigtran {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpTransport::TcpTransport(asio::io_context& io, TcpConfig cfg, Logger& log, Counters& counters)
    : io_(io),
      cfg_(std::move(cfg)),
      log_(log),
      rx_bytes_(counters.get("m3ua.tcp.rx_bytes")),
      tx_bytes_(counters.get("m3ua.tcp.tx_bytes")),
      framing_errors_(counters.get("m3ua.tcp.framing_errors")),
      queue_full_(counters.get("m3ua.tcp.queue_full")),
      refused_busy_(counters.get("m3ua.tcp.refused_busy")),
      acceptor_(io),
      accept_retry_(io),
      rx_(65536) {}

TcpTransport::~TcpTransport() {
  *alive_ = false;
  handler_ = nullptr;
  boost::system::error_code ec;
  if (socket_) socket_->close(ec);
  acceptor_.close(ec);
}

std::error_code TcpTransport::listen() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return ec;
  tcp::endpoint ep(addr, cfg_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

std::uint16_t TcpTransport::local_port() const {
  boost::system::error_code ec;
  if (acceptor_.is_open()) return acceptor_.local_endpoint(ec).port();
  if (socket_) return socket_->local_endpoint(ec).port();
  return 0;
}

void TcpTransport::start() {
  if (cfg_.server) {
    if (!acceptor_.is_open()) {
      if (auto ec = listen()) {
        if (handler_) handler_->on_disconnected("listen failed: " + ec.message());
        return;
      }
    }
    accepting_ = true;
    accept_next();
    return;
  }
  if (connected_ || busy_) return;
  busy_ = true;
  socket_ = std::make_unique<tcp::socket>(io_);
  const auto gen = generation_;
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(cfg_.address, ec), cfg_.port);
  if (ec) {
    busy_ = false;
    if (handler_) handler_->on_disconnected("bad address: " + ec.message());
    return;
  }
  socket_->async_connect(ep, [this, gen](boost::system::error_code ec) {
    if (gen != generation_) return;
    busy_ = false;
    if (ec) {
      if (ec != asio::error::operation_aborted && handler_)
        handler_->on_disconnected("connect failed: " + ec.message());
      return;
    }
    on_open();
  });
}

// Server: accept without pause while started, so that a refused connection is
// reset at once instead of waiting in the listen backlog (issue 23).
void TcpTransport::accept_next() {
  if (accept_pending_ || !accepting_ || !acceptor_.is_open()) return;
  accept_pending_ = true;
  acceptor_.async_accept([this, alive = alive_](boost::system::error_code ec, tcp::socket s) {
    if (!*alive) return;
    accept_pending_ = false;
    if (!acceptor_.is_open()) return;
    if (ec == asio::error::operation_aborted) return accept_next();  // cancelled by close(); start() may follow
    if (ec) {
      // EMFILE and the like: try again shortly rather than spin.
      log_.warn(Subsystem::kM3ua, "tcp_accept_failed", {{"error", ec.message()}});
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this, alive](boost::system::error_code e) {
        if (*alive && !e) accept_next();
      });
      return;
    }
    admit(std::move(s));
    accept_next();
  });
}

void TcpTransport::admit(tcp::socket s) {
  boost::system::error_code ec;
  const auto peer = s.remote_endpoint(ec);
  auto verdict = AcceptVerdict::kBusy;
  if (!ec) {
    const auto a = peer.address();
    if (guard_) {
      verdict = a.is_v4() ? guard_->judge(a.to_v4().to_bytes(), peer.port(), connected_)
                          : guard_->judge(a.to_v6().to_bytes(), peer.port(), connected_);
    } else if (!connected_) {
      verdict = AcceptVerdict::kAdmit;
    } else {
      refused_busy_.inc();
    }
  }
  if (verdict != AcceptVerdict::kAdmit) {
    // A reset, not an orderly close: no TIME_WAIT kept for a stranger, nothing sent to it.
    s.set_option(asio::socket_base::linger(true, 0), ec);
    s.close(ec);
    return;
  }
  socket_ = std::make_unique<tcp::socket>(std::move(s));
  on_open();
}

void TcpTransport::reject() {
  if (!cfg_.server) return close();
  if (!connected_) return;
  if (writing_) {
    // The ERR saying why may sit behind a write in progress: read nothing more,
    // drop once everything queued is out (write()).
    reject_pending_ = true;
    return;
  }
  if (!pending_.empty()) {
    boost::system::error_code ec;
    asio::write(*socket_, asio::buffer(pending_), ec);  // the ERR that says why
    pending_.clear();
  }
  drop("refused");
}

void TcpTransport::on_open() {
  boost::system::error_code ec;
  socket_->set_option(tcp::no_delay(true), ec);
  connected_ = true;
  framer_ = m3ua::StreamFramer{};
  log_.info(Subsystem::kM3ua, "tcp_connected", {{"peer", socket_->remote_endpoint(ec).address().to_string()}});
  read();
  if (handler_) handler_->on_connected();
}

void TcpTransport::read() {
  const auto gen = generation_;
  socket_->async_read_some(asio::buffer(rx_), [this, gen](boost::system::error_code ec, std::size_t n) {
    if (gen != generation_) return;
    if (ec) {
      drop(ec == asio::error::eof ? "peer closed" : ec.message());
      return;
    }
    rx_bytes_.inc(n);
    framer_.append(std::span<const std::uint8_t>(rx_.data(), n));
    while (auto msg = framer_.next()) {
      if (handler_) handler_->on_message(0, *msg);
      if (gen != generation_ || reject_pending_) return;  // the handler closed or refused the connection
    }
    if (framer_.failed()) {
      // RFC 4666 3.1: a length below the header size cannot be resynchronised on a byte stream:
      // tell the peer (ERR Protocol Error, RFC 4666 3.8.1) and start afresh.
      framing_errors_.inc();
      if (!writing_) {
        auto err = m3ua::encode(m3ua::make_error(m3ua::ErrorCode::kProtocolError));
        if (err) pending_.insert(pending_.end(), err->begin(), err->end());
      }
      close();
      return;
    }
    read();
  });
}

bool TcpTransport::send(std::uint16_t, std::span<const std::uint8_t> message) {
  if (!connected_ || reject_pending_) return false;
  if (pending_.size() + message.size() > cfg_.max_queued_bytes) {
    queue_full_.inc();
    return false;
  }
  pending_.insert(pending_.end(), message.begin(), message.end());
  if (!writing_) write();
  return true;
}

void TcpTransport::write() {
  if (pending_.empty()) {
    writing_ = false;
    if (reject_pending_) drop("refused");
    return;
  }
  writing_ = true;
  in_flight_.swap(pending_);
  pending_.clear();
  const auto gen = generation_;
  asio::async_write(*socket_, asio::buffer(in_flight_), [this, gen](boost::system::error_code ec, std::size_t n) {
    if (gen != generation_) return;
    if (ec) {
      drop(ec.message());
      return;
    }
    tx_bytes_.inc(n);
    in_flight_.clear();
    write();
  });
}

void TcpTransport::close() {
  if (connected_ && !writing_ && !pending_.empty()) {
    // Best effort: flush what is queued (e.g. ASPDN) before closing.
    boost::system::error_code ec;
    asio::write(*socket_, asio::buffer(pending_), ec);
    pending_.clear();
  }
  if (cfg_.server && accepting_) {
    // Stop accepting until start(); whoever connects meanwhile waits in the backlog.
    accepting_ = false;
    boost::system::error_code ec;
    acceptor_.cancel(ec);
    accept_retry_.cancel();
  }
  if (connected_) {
    drop("closed locally");
    return;
  }
  if (busy_) {
    ++generation_;
    busy_ = false;
    boost::system::error_code ec;
    if (socket_) socket_->close(ec);
  }
}

void TcpTransport::drop(const std::string& reason) {
  ++generation_;
  boost::system::error_code ec;
  if (socket_) {
    socket_->shutdown(tcp::socket::shutdown_both, ec);
    socket_->close(ec);
  }
  const bool was = connected_;
  connected_ = false;
  writing_ = false;
  reject_pending_ = false;
  busy_ = false;
  pending_.clear();
  in_flight_.clear();
  log_.info(Subsystem::kM3ua, "tcp_closed", {{"reason", reason}});
  if (was && handler_) handler_->on_disconnected(reason);
}

}  // namespace isupgw::sigtran
