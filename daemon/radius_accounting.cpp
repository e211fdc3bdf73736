#include "daemon/radius_accounting.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace isupgw::daemon {

namespace {

std::string name_of(const config::RadiusSettings::Server& s) {
  return (s.address.find(':') != std::string::npos ? "[" + s.address + "]" : s.address) + ":" + std::to_string(s.port);
}

}  // namespace

Result<std::unique_ptr<RadiusAccounting>, std::string> RadiusAccounting::start(boost::asio::io_context& io,
                                                                               const config::RadiusSettings& settings,
                                                                               Logger& log, Counters& counters) {
  std::vector<int> sockets;
  auto close_all = [&sockets] {
    for (int fd : sockets) ::close(fd);
  };
  std::string names;
  for (const auto& s : settings.servers) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(s.address.c_str(), std::to_string(s.port).c_str(), &hints, &res); rc != 0) {
      close_all();
      return Err("radius server " + name_of(s) + ": " + ::gai_strerror(rc));
    }
    const int fd = ::socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    // connect(2): the kernel then passes only this server's datagrams to the socket.
    if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
      const std::string e = std::strerror(errno);
      ::freeaddrinfo(res);
      if (fd >= 0) ::close(fd);
      close_all();
      return Err("radius server " + name_of(s) + ": " + e);
    }
    ::freeaddrinfo(res);
    sockets.push_back(fd);
    names += (names.empty() ? "" : ",") + name_of(s);
  }
  log.notice(Subsystem::kCore, "radius_accounting",
             {{"servers", names},
              {"nas_identifier", settings.nas_identifier},
              {"timeout_ms", static_cast<std::uint64_t>(settings.timeout.count())},
              {"retries", settings.retries}});
  return std::unique_ptr<RadiusAccounting>(new RadiusAccounting(io, settings, std::move(sockets), log, counters));
}

RadiusAccounting::RadiusAccounting(boost::asio::io_context& io, const config::RadiusSettings& settings,
                                   std::vector<int> sockets, Logger& log, Counters& counters)
    : io_(io),
      settings_(settings),
      sockets_(std::move(sockets)),
      log_(log),
      sent_(counters.get("radius.requests")),
      answered_(counters.get("radius.responses")),
      retransmits_(counters.get("radius.retransmits")),
      failovers_(counters.get("radius.failovers")),
      lost_(counters.get("radius.lost")),
      thread_([this] { run(); }) {}

RadiusAccounting::~RadiusAccounting() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  for (int fd : sockets_) ::close(fd);
}

void RadiusAccounting::answered(const cdr::CdrRecord& r) {
  enqueue(cdr::radius::start_of(r, settings_.nas_identifier));
}

void RadiusAccounting::ended(const cdr::CdrRecord& r) {
  if (r.answer == 0) return;  // no Start was sent: an unanswered attempt has no accounting session
  enqueue(cdr::radius::stop_of(r, settings_.nas_identifier));
}

void RadiusAccounting::enqueue(cdr::radius::Accounting a) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(a), std::chrono::steady_clock::now()});
  }
  cv_.notify_one();
}

void RadiusAccounting::run() {
  std::chrono::steady_clock::time_point drain_until{};
  for (;;) {
    Pending p;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && drain_until == std::chrono::steady_clock::time_point{})
        drain_until = std::chrono::steady_clock::now() + kDrainTime;
      if (queue_.empty()) return;
      if (stopping_ && std::chrono::steady_clock::now() >= drain_until) {
        lost_.inc(queue_.size());
        return;
      }
      p = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!send(p, stopping_)) lost_.inc();
  }
}

bool RadiusAccounting::send(const Pending& p, bool draining) {
  const std::size_t n = sockets_.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t server = (active_ + k) % n;
    if (try_server(server, p, settings_.timeout)) {
      if (server != active_) {
        failovers_.inc();
        log_on_loop(LogLevel::kWarn, "radius_failover", name_of(settings_.servers[server]),
                    name_of(settings_.servers[active_]));
        active_ = server;
      }
      return true;
    }
    log_on_loop(LogLevel::kWarn, "radius_server_timeout", name_of(settings_.servers[server]),
                std::to_string(settings_.retries));
    if (draining) break;
  }
  log_on_loop(LogLevel::kError, "radius_request_lost", p.acct.session_id,
              p.acct.status == cdr::radius::StatusType::kStart ? "start" : "stop");
  return false;
}

bool RadiusAccounting::try_server(std::size_t server, const Pending& p, std::chrono::milliseconds timeout) {
  const int fd = sockets_[server];
  for (unsigned attempt = 0; attempt < settings_.retries; ++attempt) {
    cdr::radius::Accounting a = p.acct;
    // RFC 2866 5.2: the time the record waited; a changed attribute needs a new Identifier.
    a.delay_s = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - p.queued).count());
    const auto request = cdr::radius::encode_request(a, next_id_++, settings_.secret);
    if (attempt > 0) retransmits_.inc();
    sent_.inc();
    // A refused send (ICMP port unreachable from an earlier try) counts as a timed-out try.
    if (::send(fd, request.data(), request.size(), 0) < 0) {
      pollfd pfd{fd, 0, 0};
      ::poll(&pfd, 0, static_cast<int>(timeout.count()));
      continue;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      std::array<std::uint8_t, 4096> buf{};
      const ssize_t got = ::recv(fd, buf.data(), buf.size(), 0);
      if (got < 0) continue;  // ECONNREFUSED from the ICMP of an earlier datagram: keep waiting
      // A late answer to an earlier try (other Identifier) or a forged one fails the check: ignored.
      if (cdr::radius::check_response(std::span(buf.data(), static_cast<std::size_t>(got)), request,
                                      settings_.secret)) {
        answered_.inc();
        return true;
      }
    }
  }
  return false;
}

void RadiusAccounting::log_on_loop(LogLevel level, std::string event, std::string server, std::string detail) {
  // The logger belongs to the event loop's thread.
  boost::asio::post(io_,
                    [this, level, event = std::move(event), server = std::move(server), detail = std::move(detail)] {
                      log_.log(Subsystem::kCore, level, event, {{"subject", server}, {"detail", detail}});
                    });
}

}  // namespace isupgw::daemon
