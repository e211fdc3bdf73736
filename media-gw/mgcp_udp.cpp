#include "media-gw/mgcp_udp.h"

namespace isupgw::mediagw {

namespace asio = boost::asio;
using asio::ip::udp;

MgcpUdpTransport::MgcpUdpTransport(asio::io_context& io, Logger& log, Counters& counters)
    : socket_(io),
      log_(log),
      rx_foreign_(counters.get("mgcp.udp.rx_foreign_peer")),
      rx_errors_(counters.get("mgcp.udp.rx_errors")),
      tx_errors_(counters.get("mgcp.udp.tx_errors")) {}

std::error_code MgcpUdpTransport::open(const UdpConfig& cfg, Receiver receiver) {
  boost::system::error_code ec;
  auto local = asio::ip::make_address(cfg.local_address, ec);
  if (ec) return std::make_error_code(std::errc::invalid_argument);
  auto mg = asio::ip::make_address(cfg.mg_address, ec);
  if (ec) return std::make_error_code(std::errc::invalid_argument);
  mg_ = udp::endpoint(mg, cfg.mg_port);
  socket_.open(local.is_v4() ? udp::v4() : udp::v6(), ec);
  if (!ec) socket_.bind(udp::endpoint(local, cfg.local_port), ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  receiver_ = std::move(receiver);
  log_.info(Subsystem::kMgcp, "udp_open",
            {{"local", cfg.local_address}, {"port", local_port()}, {"mg", cfg.mg_address}, {"mg_port", cfg.mg_port}});
  receive();
  return {};
}

bool MgcpUdpTransport::send(std::span<const std::uint8_t> datagram) {
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(datagram.data(), datagram.size()), mg_, 0, ec);
  if (ec) {
    tx_errors_.inc();
    log_.warn(Subsystem::kMgcp, "udp_send_error", {{"error", ec.message()}});
    return false;
  }
  if (tap_) tap_(true, datagram);
  return true;
}

std::uint16_t MgcpUdpTransport::local_port() const {
  boost::system::error_code ec;
  return socket_.local_endpoint(ec).port();
}

void MgcpUdpTransport::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void MgcpUdpTransport::receive() {
  socket_.async_receive_from(asio::buffer(buffer_), peer_, [this](boost::system::error_code ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
    if (ec) {
      rx_errors_.inc();
      log_.warn(Subsystem::kMgcp, "udp_receive_error", {{"error", ec.message()}});
    } else if (peer_ != mg_) {
      rx_foreign_.inc();
      log_.warn(Subsystem::kMgcp, "udp_foreign_peer_dropped",
                {{"peer", peer_.address().to_string()}, {"port", peer_.port()}, {"bytes", n}});
    } else if (receiver_) {
      if (tap_) tap_(false, std::span<const std::uint8_t>(buffer_.data(), n));
      receiver_(std::span<const std::uint8_t>(buffer_.data(), n));
    }
    receive();
  });
}

}  // namespace isupgw::mediagw
