#include "sip/transport_listener.h"

#include <linux/errqueue.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <list>

namespace isupgw::sip {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::kUdp: return "udp";
    case Transport::kTcp: return "tcp";
    case Transport::kTls: return "tls";
  }
  return "?";
}

namespace {

// RFC 3261 18.1.1: UDP messages may reach 65,535 octets.
constexpr std::size_t kMaxDatagram = 65535;
constexpr std::size_t kTcpReadChunk = 16384;

class UdpListener final : public TransportListener {
 public:
  UdpListener(asio::io_context& io, ReceiveSink sink, Logger& log, Counters& counters, UnreachableSink unreachable)
      : socket_(io),
        sink_(std::move(sink)),
        unreachable_(std::move(unreachable)),
        log_(log),
        rx_unreachable_(counters.get("sip.udp.rx_icmp_unreachable")),
        rx_datagrams_(counters.get("sip.udp.rx_datagrams")),
        rx_errors_(counters.get("sip.udp.rx_errors")),
        tx_datagrams_(counters.get("sip.udp.tx_datagrams")),
        tx_errors_(counters.get("sip.udp.tx_errors")) {}

  std::error_code bind(const udp::endpoint& ep, std::uint32_t receive_buffer) {
    boost::system::error_code ec;
    socket_.open(ep.protocol(), ec);
    if (!ec && receive_buffer != 0) set_receive_buffer(receive_buffer, ec);
    if (!ec) socket_.bind(ep, ec);
    if (ec) return ec;
    // The address and port (the kernel's choice for port 0) never change once bound: read once here, not
    // with a getsockname(2) on every use (one per datagram sent: 6 of the ~28 syscalls of a tandem call).
    local_ = socket_.local_endpoint(ec);
    if (ec) return ec;
    if (unreachable_) {
      // ICMP errors for what we send are queued on the socket (Linux IP_RECVERR, ip(7)): a peer whose port is
      // closed is known at once, not only when its transactions time out.
      const int on = 1;
      if (ep.address().is_v6())
        ::setsockopt(socket_.native_handle(), IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
      else
        ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    }
    receive();
    return {};
  }

  // SO_RCVBUF (socket(7)): Linux doubles the request for its bookkeeping and caps it at net.core.rmem_max;
  // the value read back is what the kernel granted. Less than asked is said at warning level: a burst
  // beyond the buffer is dropped by the kernel, unseen by us (/proc/net/udp "drops").
  void set_receive_buffer(std::uint32_t bytes, boost::system::error_code& ec) {
    socket_.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(bytes)), ec);
    if (ec) return;
    asio::socket_base::receive_buffer_size granted;
    socket_.get_option(granted, ec);
    if (ec) return;
    const auto got = static_cast<std::uint64_t>(granted.value());
    if (got < bytes)
      log_.warn(Subsystem::kSip, "udp_receive_buffer",
                {{"requested", static_cast<std::uint64_t>(bytes)},
                 {"granted", got},
                 {"hint", "capped by net.core.rmem_max"}});
    else
      log_.notice(Subsystem::kSip, "udp_receive_buffer",
                  {{"requested", static_cast<std::uint64_t>(bytes)}, {"granted", got}});
  }

  Transport transport() const override { return Transport::kUdp; }
  asio::ip::address local_address() const override { return local().address(); }
  std::uint16_t local_port() const override { return local().port(); }
  void close() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
  // One getsockopt(2) (SO_MEMINFO, Linux 3.6): cheap enough for the overload sampler's 10 a second.
  bool rx_queue(RxQueue& out) const override {
    std::uint32_t mem[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof mem;
    if (::getsockopt(const_cast<udp::socket&>(socket_).native_handle(), SOL_SOCKET, SO_MEMINFO, mem, &len) != 0)
      return false;
    out.queued = mem[SK_MEMINFO_RMEM_ALLOC];
    out.capacity = mem[SK_MEMINFO_RCVBUF];
    out.drops = len > SK_MEMINFO_DROPS * sizeof(std::uint32_t) ? mem[SK_MEMINFO_DROPS] : 0;
    return true;
  }

  bool send_to(const asio::ip::address& peer, std::uint16_t port, std::span<const std::uint8_t> bytes) override {
    // A datagram send does not block on a UDP socket; no queue needed.
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes.data(), bytes.size()), udp::endpoint(peer, port), 0, ec);
    if (ec && icmp_error(ec)) {
      // The error of an ICMP message about an earlier datagram (maybe to another peer), reported by this send
      // instead of the datagram (IP_RECVERR): read whom it was about, then send again.
      read_errors();
      socket_.send_to(asio::buffer(bytes.data(), bytes.size()), udp::endpoint(peer, port), 0, ec);
    }
    if (ec) {
      tx_errors_.inc();
      log_.warn(Subsystem::kSip, "udp_send_error",
                {{"peer", peer.to_string()}, {"port", port}, {"error", ec.message()}});
      return false;
    }
    tx_datagrams_.inc();
    return true;
  }

 private:
  udp::endpoint local() const { return local_; }

  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), peer_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
      if (ec && icmp_error(ec)) {
        read_errors();
      } else if (ec) {
        rx_errors_.inc();
        log_.warn(Subsystem::kSip, "udp_receive_error", {{"error", ec.message()}});
      } else {
        rx_datagrams_.inc();
        sink_(Received{Transport::kUdp, peer_.address(), peer_.port(), std::span(buffer_.data(), n), this});
      }
      receive();
    });
  }

  static bool icmp_error(const boost::system::error_code& ec) {
    return ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
           ec == asio::error::network_unreachable;
  }

  // Drains the socket's error queue: each ICMP destination unreachable names the destination of the datagram
  // it answers (msg_name, ip(7) IP_RECVERR).
  void read_errors() {
    if (!unreachable_) return;
    for (int i = 0; i < 256; ++i) {
      sockaddr_storage dst{};
      std::array<char, 512> control{};
      char data[1];
      iovec iov{data, sizeof data};
      msghdr msg{};
      msg.msg_name = &dst;
      msg.msg_namelen = sizeof dst;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      if (::recvmsg(socket_.native_handle(), &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (!(c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) &&
            !(c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
          continue;
        sock_extended_err ee{};
        std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
        if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6) continue;
        if (ee.ee_errno != ECONNREFUSED && ee.ee_errno != EHOSTUNREACH && ee.ee_errno != ENETUNREACH) continue;
        asio::ip::address addr;
        std::uint16_t port = 0;
        if (dst.ss_family == AF_INET) {
          const auto* sin = reinterpret_cast<const sockaddr_in*>(&dst);
          addr = asio::ip::address_v4(ntohl(sin->sin_addr.s_addr));
          port = ntohs(sin->sin_port);
        } else if (dst.ss_family == AF_INET6) {
          const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&dst);
          asio::ip::address_v6::bytes_type b;
          std::memcpy(b.data(), &sin6->sin6_addr, b.size());
          addr = asio::ip::address_v6(b, sin6->sin6_scope_id);
          port = ntohs(sin6->sin6_port);
        } else {
          continue;
        }
        rx_unreachable_.inc();
        log_.info(
            Subsystem::kSip, "udp_unreachable",
            {{"peer", addr.to_string()}, {"port", port}, {"error", std::strerror(static_cast<int>(ee.ee_errno))}});
        unreachable_(addr, port);
      }
    }
  }

  udp::socket socket_;
  udp::endpoint peer_;
  udp::endpoint local_;  // as bound
  std::array<std::uint8_t, kMaxDatagram> buffer_{};
  ReceiveSink sink_;
  UnreachableSink unreachable_;
  Logger& log_;
  Counter& rx_unreachable_;
  Counter& rx_datagrams_;
  Counter& rx_errors_;
  Counter& tx_datagrams_;
  Counter& tx_errors_;
};

class TcpListener final : public TransportListener {
 public:
  TcpListener(asio::io_context& io, std::size_t max_connections, ReceiveSink sink, Logger& log, Counters& counters)
      : io_(io),
        acceptor_(io),
        max_connections_(max_connections),
        sink_(std::move(sink)),
        log_(log),
        accepted_(counters.get("sip.tcp.accepted")),
        refused_(counters.get("sip.tcp.refused_over_limit")),
        rx_bytes_(counters.get("sip.tcp.rx_bytes")) {}

  ~TcpListener() override { close(); }

  std::error_code bind(const tcp::endpoint& ep) {
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    accept();
    return {};
  }

  Transport transport() const override { return Transport::kTcp; }
  asio::ip::address local_address() const override { return local().address(); }
  std::uint16_t local_port() const override { return local().port(); }
  void close() override {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& c : connections_) c->socket.close(ignored);
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    tcp::endpoint peer;
    std::array<std::uint8_t, kTcpReadChunk> buffer{};
  };
  using ConnectionList = std::list<std::unique_ptr<Connection>>;

  tcp::endpoint local() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        if (connections_.size() >= max_connections_) {
          refused_.inc();
          log_.warn(Subsystem::kSip, "tcp_connection_refused",
                    {{"reason", "connection limit"}, {"limit", max_connections_}});
        } else {
          accepted_.inc();
          auto conn = std::make_unique<Connection>(io_);
          conn->socket = std::move(socket);
          boost::system::error_code pec;
          conn->peer = conn->socket.remote_endpoint(pec);
          log_.debug(Subsystem::kSip, "tcp_connection_accepted",
                     {{"peer", conn->peer.address().to_string()}, {"port", conn->peer.port()}});
          connections_.push_back(std::move(conn));
          read(std::prev(connections_.end()));
        }
      }
      accept();
    });
  }

  void read(ConnectionList::iterator it) {
    Connection& c = **it;
    c.socket.async_read_some(asio::buffer(c.buffer), [this, it](boost::system::error_code ec, std::size_t n) {
      Connection& conn = **it;
      if (ec) {
        if (ec != asio::error::operation_aborted)
          log_.debug(Subsystem::kSip, "tcp_connection_closed",
                     {{"peer", conn.peer.address().to_string()}, {"port", conn.peer.port()}, {"reason", ec.message()}});
        connections_.erase(it);
        return;
      }
      rx_bytes_.inc(n);
      sink_(Received{Transport::kTcp, conn.peer.address(), conn.peer.port(), std::span(conn.buffer.data(), n), this});
      read(it);
    });
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::size_t max_connections_;
  ConnectionList connections_;
  ReceiveSink sink_;
  Logger& log_;
  Counter& accepted_;
  Counter& refused_;
  Counter& rx_bytes_;
};

}  // namespace

std::unique_ptr<TransportListener> start_listener(asio::io_context& io, const ListenerConfig& config, ReceiveSink sink,
                                                  Logger& log, Counters& counters, std::error_code& error,
                                                  UnreachableSink unreachable) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config.address, ec);
  if (ec) {
    error = std::make_error_code(std::errc::invalid_argument);
    return nullptr;
  }
  switch (config.transport) {
    case Transport::kUdp: {
      auto l = std::make_unique<UdpListener>(io, std::move(sink), log, counters, std::move(unreachable));
      error = l->bind(udp::endpoint(address, config.port), config.udp_receive_buffer);
      return error ? nullptr : std::move(l);
    }
    case Transport::kTcp: {
      auto l = std::make_unique<TcpListener>(io, config.max_tcp_connections, std::move(sink), log, counters);
      error = l->bind(tcp::endpoint(address, config.port));
      return error ? nullptr : std::move(l);
    }
    case Transport::kTls: error = std::make_error_code(std::errc::protocol_not_supported); return nullptr;
  }
  return nullptr;
}

}  // namespace isupgw::sip
