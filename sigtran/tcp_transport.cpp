#include "sigtran/tcp_transport.h"

#include "sigtran/m3ua_codec.h"

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
      acceptor_(io),
      rx_(65536) {}

TcpTransport::~TcpTransport() {
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
  if (connected_ || busy_) return;
  busy_ = true;
  socket_ = std::make_unique<tcp::socket>(io_);
  const auto gen = generation_;
  if (cfg_.server) {
    if (!acceptor_.is_open()) {
      if (auto ec = listen()) {
        busy_ = false;
        if (handler_) handler_->on_disconnected("listen failed: " + ec.message());
        return;
      }
    }
    acceptor_.async_accept(*socket_, [this, gen](boost::system::error_code ec) {
      if (gen != generation_) return;
      busy_ = false;
      if (ec) {
        if (ec != asio::error::operation_aborted && handler_)
          handler_->on_disconnected("accept failed: " + ec.message());
        return;
      }
      on_open();
    });
    return;
  }
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
      if (gen != generation_) return;  // the handler closed the connection
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
  if (!connected_) return false;
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
  if (connected_) {
    drop("closed locally");
    return;
  }
  if (busy_) {
    ++generation_;
    busy_ = false;
    boost::system::error_code ec;
    if (socket_) socket_->close(ec);
    if (cfg_.server) acceptor_.cancel(ec);
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
  busy_ = false;
  pending_.clear();
  in_flight_.clear();
  log_.info(Subsystem::kM3ua, "tcp_closed", {{"reason", reason}});
  if (was && handler_) handler_->on_disconnected(reason);
}

}  // namespace isupgw::sigtran
