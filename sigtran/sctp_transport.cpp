#include "sigtran/sctp_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "base/ip_address.h"
#include "sigtran/m3ua_message.h"
#include "sigtran/peer_guard.h"

namespace isupgw::sigtran {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

SctpTransport::SctpTransport(asio::io_context& io, SctpConfig cfg, Logger& log, Counters& counters)
    : io_(io),
      cfg_(std::move(cfg)),
      log_(log),
      rx_msgs_(counters.get("m3ua.sctp.rx_messages")),
      tx_msgs_(counters.get("m3ua.sctp.tx_messages")),
      bad_ppid_(counters.get("m3ua.sctp.rx_bad_ppid")),
      queue_full_(counters.get("m3ua.sctp.queue_full")),
      refused_busy_(counters.get("m3ua.sctp.refused_busy")),
      paths_(counters.get("sctp.path_down"), counters.get("sctp.path_up")),
      rx_(65536) {}

SctpTransport::~SctpTransport() {
  *alive_ = false;
  handler_ = nullptr;
  boost::system::error_code ec;
  if (conn_) conn_->close(ec);
  if (listener_) listener_->close(ec);
}

// The association's family: its addresses' (validation keeps them to one).
int SctpTransport::family() const {
  const std::string& a = !cfg_.local_addresses.empty()    ? cfg_.local_addresses.front()
                         : !cfg_.remote_addresses.empty() ? cfg_.remote_addresses.front()
                                                          : cfg_.address;
  return a.find(':') != std::string::npos ? AF_INET6 : AF_INET;
}

int SctpTransport::make_socket(int family, std::error_code& ec) const {
  int fd = ::socket(family, SOCK_STREAM, IPPROTO_SCTP);  // one-to-one style
  if (fd < 0) {
    ec = std::error_code(errno, std::generic_category());
    return -1;
  }
  sctp_initmsg init{};
  init.sinit_num_ostreams = cfg_.out_streams;
  init.sinit_max_instreams = cfg_.in_streams;
  ::setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init);
  sctp_event_subscribe events{};
  events.sctp_data_io_event = 1;  // sctp_sndrcvinfo (stream, PPID) with every message
  events.sctp_association_event = 1;
  events.sctp_shutdown_event = 1;
  events.sctp_address_event = 1;  // SCTP_PEER_ADDR_CHANGE: a path lost or regained (multi-homing)
  ::setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &events, sizeof events);
  int one = 1;
  ::setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

namespace {
// Binds `fd` to every address (one: bind(2), more: sctp_bindx ADD, RFC 6458 9.1).
std::string bind_all(int fd, const std::vector<std::string>& addresses, std::uint16_t port) {
  auto packed = pack_addresses(addresses, port);
  if (!packed) return packed.error();
  auto* sa = reinterpret_cast<sockaddr*>(packed->bytes.data());
  const int rc = packed->count == 1 ? ::bind(fd, sa, static_cast<socklen_t>(packed->bytes.size()))
                                    : ::sctp_bindx(fd, sa, packed->count, SCTP_BINDX_ADD_ADDR);
  return rc == 0 ? std::string() : std::string(std::strerror(errno));
}
}  // namespace

std::error_code SctpTransport::listen() {
  std::error_code ec;
  int fd = make_socket(family(), ec);
  if (fd < 0) return ec;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto local = cfg_.local_addresses.empty() ? std::vector<std::string>{cfg_.address} : cfg_.local_addresses;
  errno = 0;
  if (!bind_all(fd, local, cfg_.port).empty() || ::listen(fd, 16) != 0) {
    ec = std::error_code(errno ? errno : EINVAL, std::generic_category());
    ::close(fd);
    return ec;
  }
  listener_ = std::make_unique<Descriptor>(io_, fd);
  return {};
}

void SctpTransport::start() {
  if (cfg_.server) {
    if (!listener_) {
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
  const auto gen = generation_;
  std::error_code ec;
  const int af = family();
  int fd = make_socket(af, ec);
  const auto remote = cfg_.remote_addresses.empty() ? std::vector<std::string>{cfg_.address} : cfg_.remote_addresses;
  auto peer = pack_addresses(remote, cfg_.port);
  if (fd < 0 || !peer) {
    busy_ = false;
    if (fd >= 0) ::close(fd);
    if (handler_) handler_->on_disconnected("socket failed: " + (peer ? ec.message() : peer.error()));
    return;
  }
  if (!cfg_.local_addresses.empty() || !cfg_.local_address.empty() || cfg_.local_port != 0) {
    const auto local = !cfg_.local_addresses.empty() ? cfg_.local_addresses
                       : !cfg_.local_address.empty() ? std::vector<std::string>{cfg_.local_address}
                                                     : std::vector<std::string>{af == AF_INET6 ? "::" : "0.0.0.0"};
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (auto why = bind_all(fd, local, cfg_.local_port); !why.empty()) {
      busy_ = false;
      ::close(fd);
      if (handler_)
        handler_->on_disconnected("bind " + local.front() + ":" + std::to_string(cfg_.local_port) + " failed: " + why);
      return;
    }
  }
  // sctp_connectx (RFC 6458 9.9) gives the kernel every peer address for the INIT.
  auto* sa = reinterpret_cast<sockaddr*>(peer->bytes.data());
  const int rc = peer->count == 1 ? ::connect(fd, sa, static_cast<socklen_t>(peer->bytes.size()))
                                  : ::sctp_connectx(fd, sa, peer->count, nullptr);
  if (rc != 0 && errno != EINPROGRESS) {
    busy_ = false;
    const std::string why = std::strerror(errno);
    ::close(fd);
    if (handler_) handler_->on_disconnected("connect failed: " + why);
    return;
  }
  conn_ = std::make_unique<Descriptor>(io_, fd);
  conn_->async_wait(Descriptor::wait_write, [this, gen, fd](boost::system::error_code ec) {
    if (gen != generation_ || ec) return;
    busy_ = false;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      boost::system::error_code ignored;
      conn_->close(ignored);
      if (handler_) handler_->on_disconnected(std::string("connect failed: ") + std::strerror(err));
      return;
    }
    on_open(fd);
  });
}

// Server: accept without pause while started, so that a refused association is
// aborted at once instead of waiting in the listen backlog (issue 23).
void SctpTransport::accept_next() {
  if (accept_pending_ || !accepting_ || !listener_) return;
  accept_pending_ = true;
  listener_->async_wait(Descriptor::wait_read, [this, alive = alive_](boost::system::error_code ec) {
    if (!*alive) return;
    accept_pending_ = false;
    if (!listener_) return;
    if (ec) return accept_next();  // cancelled by close(); start() may follow
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept(listener_->native_handle(), reinterpret_cast<sockaddr*>(&peer), &len);
    if (fd >= 0) {
      admit(fd, &peer, len);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) {
      log_.warn(Subsystem::kM3ua, "sctp_accept_failed", {{"error", std::strerror(errno)}});
    }
    accept_next();
  });
}

void SctpTransport::admit(int fd, const void* peer, unsigned peer_len) {
  const auto* sa = static_cast<const sockaddr*>(peer);
  std::span<const std::uint8_t> address;
  std::uint16_t port = 0;
  if (sa->sa_family == AF_INET && peer_len >= sizeof(sockaddr_in)) {
    const auto* in = static_cast<const sockaddr_in*>(peer);
    address = {reinterpret_cast<const std::uint8_t*>(&in->sin_addr), 4};
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6 && peer_len >= sizeof(sockaddr_in6)) {
    const auto* in6 = static_cast<const sockaddr_in6*>(peer);
    address = {reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr), 16};
    port = ntohs(in6->sin6_port);
  }
  auto verdict = AcceptVerdict::kBusy;
  if (guard_) {
    // Multi-homing (issue 19): every address of the association must be allowed,
    // not only the one its INIT came from; the first refused one is judged (counted, logged).
    sockaddr* addrs = nullptr;
    const int n = ::sctp_getpaddrs(fd, 0, &addrs);
    std::array<std::uint8_t, 16> other{};
    for (const auto& text : n > 0 ? unpack_addresses(addrs, n) : std::vector<std::string>{}) {
      auto host = IpPrefix::parse(text);
      if (!host) continue;
      const std::span<const std::uint8_t> octets{host->addr.data(), host->v6 ? 16u : 4u};
      if (guard_->check(octets, port) != AcceptVerdict::kAdmit) {
        other = host->addr;
        address = {other.data(), octets.size()};
        break;
      }
    }
    if (n > 0) ::sctp_freepaddrs(addrs);
    verdict = guard_->judge(address, port, connected_);
  } else if (!connected_) {
    verdict = AcceptVerdict::kAdmit;
  } else {
    refused_busy_.inc();
  }
  if (verdict != AcceptVerdict::kAdmit) {
    // SO_LINGER 0: the association is aborted (ABORT chunk), nothing else reaches the stranger.
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
    return;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  on_open(fd);
}

void SctpTransport::reject() {
  if (!cfg_.server) return close();
  if (connected_) drop("refused");  // queued messages were handed to the kernel: SHUTDOWN follows them
}

void SctpTransport::on_open(int fd) {
  if (!conn_ || conn_->native_handle() != fd) conn_ = std::make_unique<Descriptor>(io_, fd);
  sctp_status st{};
  socklen_t len = sizeof st;
  streams_ = ::getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 && st.sstat_outstrms > 0 ? st.sstat_outstrms
                                                                                                  : cfg_.out_streams;
  connected_ = true;
  partial_.clear();
  log_.info(Subsystem::kM3ua, "sctp_connected", {{"out_streams", streams_}});
  learn_paths(fd);
  wait_read();
  if (handler_) handler_->on_connected();
}

void SctpTransport::wait_read() {
  const auto gen = generation_;
  conn_->async_wait(Descriptor::wait_read, [this, gen](boost::system::error_code ec) {
    if (gen != generation_) return;
    if (ec) {
      drop(ec.message());
      return;
    }
    for (;;) {
      sctp_sndrcvinfo info{};
      int flags = 0;
      const ssize_t n = ::sctp_recvmsg(conn_->native_handle(), rx_.data(), rx_.size(), nullptr, nullptr, &info, &flags);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        drop(std::string("recv failed: ") + std::strerror(errno));
        return;
      }
      if (n == 0) {
        drop("peer closed");
        return;
      }
      if (flags & MSG_NOTIFICATION) {
        const auto* note = reinterpret_cast<const sctp_notification*>(rx_.data());
        if (note->sn_header.sn_type == SCTP_PEER_ADDR_CHANGE) {
          on_path_change(note);
          continue;
        }
        if (note->sn_header.sn_type == SCTP_SHUTDOWN_EVENT ||
            (note->sn_header.sn_type == SCTP_ASSOC_CHANGE && note->sn_assoc_change.sac_state == SCTP_COMM_LOST)) {
          drop("association lost");
          return;
        }
        continue;
      }
      partial_.insert(partial_.end(), rx_.begin(), rx_.begin() + n);
      if (!(flags & MSG_EOR)) continue;  // rest of this message follows
      if (ntohl(info.sinfo_ppid) != cfg_.ppid) bad_ppid_.inc();
      rx_msgs_.inc();
      std::vector<std::uint8_t> msg;
      msg.swap(partial_);
      if (handler_) handler_->on_message(info.sinfo_stream, msg);
      if (gen != generation_) return;
    }
    wait_read();
  });
}

namespace {
// One message with its PPID and stream. MSG_NOSIGNAL: a peer that aborted the
// association must end the connection (EPIPE -> drop), not the process (SIGPIPE).
int send_one(int fd, std::span<const std::uint8_t> m, std::uint16_t stream, std::uint32_t ppid) {
  sctp_sndrcvinfo info{};
  info.sinfo_stream = stream;
  info.sinfo_ppid = htonl(ppid);
  return ::sctp_send(fd, m.data(), m.size(), &info, MSG_NOSIGNAL);
}
}  // namespace

bool SctpTransport::send(std::uint16_t stream, std::span<const std::uint8_t> message) {
  if (!connected_) return false;
  if (stream >= streams_) stream = 0;
  if (queue_.empty()) {
    // RFC 4666 1.4.7: PPID 3 on every chunk.
    const int n = send_one(conn_->native_handle(), message, stream, cfg_.ppid);
    if (n >= 0) {
      tx_msgs_.inc();
      return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      drop(std::string("send failed: ") + std::strerror(errno));
      return false;
    }
  }
  if (queue_.size() >= cfg_.max_queued) {
    queue_full_.inc();
    return false;
  }
  queue_.emplace_back(stream, std::vector<std::uint8_t>(message.begin(), message.end()));
  flush();
  return true;
}

void SctpTransport::flush() {
  while (!queue_.empty()) {
    auto& [stream, msg] = queue_.front();
    const int n = send_one(conn_->native_handle(), msg, stream, cfg_.ppid);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        drop(std::string("send failed: ") + std::strerror(errno));
        return;
      }
      if (wait_write_) return;
      wait_write_ = true;
      const auto gen = generation_;
      conn_->async_wait(Descriptor::wait_write, [this, gen](boost::system::error_code ec) {
        if (gen != generation_) return;
        wait_write_ = false;
        if (!ec) flush();
      });
      return;
    }
    tx_msgs_.inc();
    queue_.pop_front();
  }
}

void SctpTransport::close() {
  if (cfg_.server && accepting_) {
    // Stop accepting until start(); whoever connects meanwhile waits in the backlog.
    accepting_ = false;
    boost::system::error_code ec;
    if (listener_) listener_->cancel(ec);
  }
  if (connected_) {
    drop("closed locally");
    return;
  }
  if (busy_) {
    ++generation_;
    busy_ = false;
    boost::system::error_code ec;
    if (conn_) conn_->close(ec);
  }
}

void SctpTransport::drop(const std::string& reason) {
  ++generation_;
  boost::system::error_code ec;
  if (conn_) conn_->close(ec);
  conn_.reset();
  const bool was = connected_;
  connected_ = false;
  busy_ = false;
  wait_write_ = false;
  queue_.clear();
  partial_.clear();
  paths_.clear();
  log_.info(Subsystem::kM3ua, "sctp_closed", {{"reason", reason}});
  if (was && handler_) handler_->on_disconnected(reason);
}

}  // namespace isupgw::sigtran

namespace isupgw::sigtran {

void SctpTransport::learn_paths(int fd) {
  sockaddr* addrs = nullptr;
  const int n = ::sctp_getpaddrs(fd, 0, &addrs);
  std::vector<std::string> peers;
  if (n > 0) {
    peers = unpack_addresses(addrs, n);
    ::sctp_freepaddrs(addrs);
  }
  // Our choice of primary path (RFC 4960 6.4): the first configured peer
  // address, when the association has it; else the kernel's (the INIT's).
  if (!cfg_.remote_addresses.empty()) {
    if (auto packed = pack_addresses(std::span(cfg_.remote_addresses).first(1), cfg_.port)) {
      sctp_prim prim{};
      std::memcpy(&prim.ssp_addr, packed->bytes.data(), packed->bytes.size());
      if (::setsockopt(fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, sizeof prim) != 0)
        log_.warn(Subsystem::kM3ua, "sctp_primary_not_set",
                  {{"link", cfg_.name}, {"address", cfg_.remote_addresses.front()}, {"error", std::strerror(errno)}});
    }
  }
  sctp_prim prim{};
  socklen_t len = sizeof prim;
  std::string primary;
  if (::getsockopt(fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, &len) == 0) primary = address_text(&prim.ssp_addr);
  // Each path's state as the kernel has it: a peer address not yet confirmed by a
  // heartbeat (RFC 4960 5.4) is not active; SCTP_ADDR_CONFIRMED follows.
  std::vector<TransportPath> paths;
  std::string list;
  for (const auto& p : peers) {
    bool active = true;
    if (auto packed = pack_addresses(std::span(&p, 1), 0)) {
      sctp_paddrinfo info{};
      std::memcpy(&info.spinfo_address, packed->bytes.data(), packed->bytes.size());
      socklen_t n = sizeof info;
      if (::getsockopt(fd, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &info, &n) == 0)
        active = info.spinfo_state == SCTP_ACTIVE;
    }
    paths.push_back(TransportPath{p, active, p == primary});
    list += (list.empty() ? "" : ",") + p;
  }
  paths_.reset(std::move(paths));
  log_.info(Subsystem::kM3ua, "sctp_paths", {{"link", cfg_.name}, {"peer_addresses", list}, {"primary", primary}});
}

void SctpTransport::on_path_change(const void* n) {
  const auto* note = static_cast<const sctp_notification*>(n);
  const auto& c = note->sn_paddr_change;
  const std::string address = address_text(&c.spc_aaddr);
  PathEvent e = PathEvent::kOther;
  const char* what = "other";
  switch (c.spc_state) {
    case SCTP_ADDR_AVAILABLE:
      e = PathEvent::kAvailable;
      what = "available";
      break;
    case SCTP_ADDR_UNREACHABLE:
      e = PathEvent::kUnreachable;
      what = "unreachable";
      break;
    case SCTP_ADDR_REMOVED:
      e = PathEvent::kRemoved;
      what = "removed";
      break;
    case SCTP_ADDR_ADDED:
      e = PathEvent::kAdded;
      what = "added";
      break;
    case SCTP_ADDR_MADE_PRIM:
      e = PathEvent::kMadePrimary;
      what = "made_primary";
      break;
    case SCTP_ADDR_CONFIRMED:
      e = PathEvent::kConfirmed;
      what = "confirmed";
      break;
    default: break;
  }
  const int change = paths_.apply(address, e);
  const char* event = change < 0 ? "sctp_path_down" : change > 0 ? "sctp_path_up" : "sctp_path_change";
  log_.log(Subsystem::kM3ua, change < 0 ? LogLevel::kWarn : LogLevel::kInfo, event,
           {{"link", cfg_.name}, {"address", address}, {"state", what}, {"error", c.spc_error}});
}

}  // namespace isupgw::sigtran
