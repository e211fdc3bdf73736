#include "daemon/radius_accounting.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>

namespace isupgw::daemon {

namespace {

std::string name_of(const config::RadiusSettings::Server& s) {
  return (s.address.find(':') != std::string::npos ? "[" + s.address + "]" : s.address) + ":" + std::to_string(s.port);
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* status_name(cdr::radius::StatusType s) {
  switch (s) {
    case cdr::radius::StatusType::kStart: return "start";
    case cdr::radius::StatusType::kStop: return "stop";
    case cdr::radius::StatusType::kInterimUpdate: return "interim";
  }
  return "?";
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
  std::unique_ptr<RadiusSpool> spool;
  if (!settings.spool_file.empty()) {
    auto s = RadiusSpool::open(settings.spool_file, settings.spool_max_bytes);
    if (!s) {
      close_all();
      return Err(s.error());
    }
    spool = std::move(*s);
  }
  std::unique_ptr<RadiusAccounting> acct(
      new RadiusAccounting(io, settings, std::move(sockets), std::move(spool), log, counters));
  log.notice(Subsystem::kCore, "radius_accounting",
             {{"servers", names},
              {"nas_identifier", settings.nas_identifier},
              {"timeout_ms", static_cast<std::uint64_t>(settings.timeout.count())},
              {"retries", settings.retries},
              {"interim_interval_s", static_cast<std::uint64_t>(settings.interim_interval.count())},
              {"spool", settings.spool_file.empty() ? std::string("none") : settings.spool_file},
              {"boot_id", acct->boot_}});
  return acct;
}

RadiusAccounting::RadiusAccounting(boost::asio::io_context& io, const config::RadiusSettings& settings,
                                   std::vector<int> sockets, std::unique_ptr<RadiusSpool> spool, Logger& log,
                                   Counters& counters)
    : io_(io),
      settings_(settings),
      sockets_(std::move(sockets)),
      spool_(std::move(spool)),
      log_(log),
      sent_(counters.get("radius.requests")),
      answered_(counters.get("radius.responses")),
      retransmits_(counters.get("radius.retransmits")),
      failovers_(counters.get("radius.failovers")),
      lost_(counters.get("radius.lost")),
      interims_(counters.get("radius.interim_updates")),
      spooled_(counters.get("radius.spooled")),
      spool_sent_(counters.get("radius.spool_sent")),
      spool_dropped_(counters.get("radius.spool_dropped")),
      thread_() {
  char hex[24];
  auto [end, ec] = std::to_chars(hex, hex + sizeof hex, wall_ms(), 16);
  boot_.assign(hex, end);
  if (spool_ && !spool_->empty()) {
    // An earlier run left these: sent (in order) once a server answers the first probe.
    log.notice(Subsystem::kCore, "radius_spool_found",
               {{"file", spool_->path()},
                {"records", spool_->size()},
                {"torn_bytes_cut", spool_->torn_bytes_cut()},
                {"bad_lines", spool_->found_bad_lines()}});
  }
  thread_ = std::thread([this] { run(); });
}

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
  Record rec{cdr::radius::start_of(r, settings_.nas_identifier), r.answer};
  rec.acct.session_id = boot_ + "-" + r.call_id;
  rec.acct.event_timestamp = static_cast<std::uint32_t>(r.answer / 1000);
  {
    std::lock_guard lock(mu_);
    queue_.push_back(rec);
    if (settings_.interim_interval.count() > 0) {
      interim_due_.emplace_back(Clock::now() + settings_.interim_interval, rec.acct.session_id);
      std::string id = rec.acct.session_id;
      sessions_.emplace(std::move(id), Session{std::move(rec), r.answer});
    }
  }
  cv_.notify_one();
}

void RadiusAccounting::ended(const cdr::CdrRecord& r) {
  if (r.answer == 0) return;  // no Start was sent: an unanswered attempt has no accounting session
  Record rec{cdr::radius::stop_of(r, settings_.nas_identifier), r.release};
  rec.acct.session_id = boot_ + "-" + r.call_id;
  rec.acct.event_timestamp = static_cast<std::uint32_t>(r.release / 1000);
  {
    std::lock_guard lock(mu_);
    sessions_.erase(rec.acct.session_id);  // its pending Interim-Update is skipped when due
    queue_.push_back(std::move(rec));
  }
  cv_.notify_one();
}

RadiusAccounting::Clock::time_point RadiusAccounting::next_wake() const {
  auto wake = Clock::time_point::max();
  if (!interim_due_.empty()) wake = interim_due_.front().first;
  if (spool_ && !spool_->empty()) wake = std::min(wake, next_probe_);
  return wake;
}

void RadiusAccounting::take_due_interims(std::deque<Record>& out) {
  const auto now = Clock::now();
  while (!interim_due_.empty() && interim_due_.front().first <= now) {
    auto [due, id] = std::move(interim_due_.front());
    interim_due_.pop_front();
    auto it = sessions_.find(id);
    if (it == sessions_.end()) continue;  // ended
    Record rec = it->second.start;
    rec.acct.status = cdr::radius::StatusType::kInterimUpdate;
    rec.event_ms = wall_ms();
    rec.acct.event_timestamp = static_cast<std::uint32_t>(rec.event_ms / 1000);
    // RFC 2869 2.1: an Interim-Update carries the session's time so far.
    rec.acct.session_time_s =
        static_cast<std::uint32_t>((std::max<std::int64_t>(rec.event_ms - it->second.answer_ms, 0) + 500) / 1000);
    out.push_back(std::move(rec));
    interims_.inc();
    // A thread held up past the next interval does not catch up with a burst: the next is one interval
    // from now (so no two Interim-Updates of a session share an Event-Timestamp).
    interim_due_.emplace_back(std::max(due + settings_.interim_interval, now + settings_.interim_interval),
                              std::move(id));
  }
}

void RadiusAccounting::run() {
  Clock::time_point drain_until{};
  for (;;) {
    std::deque<Record> batch;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, std::min(next_wake(), Clock::now() + std::chrono::hours(1)),
                     [this] { return stopping_ || !queue_.empty() || Clock::now() >= next_wake(); });
      take_due_interims(queue_);
      batch.swap(queue_);
      stopping = stopping_;
    }
    if (stopping && drain_until == Clock::time_point{}) drain_until = Clock::now() + kDrainTime;
    // Order is kept: while the spool holds records, new ones go behind them.
    if (spool_ && !spool_->empty()) to_spool(batch);
    while (!batch.empty()) {
      if (stopping && Clock::now() >= drain_until) break;
      if (send(batch.front(), settings_.retries, false)) {
        batch.pop_front();
        continue;
      }
      if (!spool_) {
        log_on_loop(LogLevel::kError, "radius_request_lost",
                    {{"session", batch.front().acct.session_id}, {"status", status_name(batch.front().acct.status)}});
        lost_.inc();
        batch.pop_front();
        continue;
      }
      log_on_loop(
          LogLevel::kWarn, "radius_spooling",
          {{"file", spool_->path()}, {"reason", "no server answered"}, {"records", std::to_string(batch.size())}});
      probe_wait_ = kProbeFirst;
      next_probe_ = Clock::now() + probe_wait_;
      to_spool(batch);
    }
    if (!batch.empty()) {  // stopping, out of time
      if (spool_) {
        to_spool(batch);
      } else {
        lost_.inc(batch.size());
      }
    }
    if (stopping) {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;
      continue;
    }
    if (spool_ && !spool_->empty() && Clock::now() >= next_probe_) send_spool();
  }
}

void RadiusAccounting::to_spool(std::deque<Record>& records) {
  if (records.empty()) return;
  std::vector<Record> v(std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
  records.clear();
  const std::size_t dropped = spool_->append(v);
  spooled_.inc(v.size() - dropped);
  if (dropped > 0) {
    spool_dropped_.inc(dropped);
    if (!spool_full_logged_) {
      spool_full_logged_ = true;
      log_on_loop(LogLevel::kError, "radius_spool_full",
                  {{"file", spool_->path()},
                   {"max_bytes", std::to_string(settings_.spool_max_bytes)},
                   {"dropped", std::to_string(dropped)}});
    }
  }
}

void RadiusAccounting::send_spool() {
  // A probe: the oldest record, one try per server.
  if (!send(spool_->front(), 1, true)) {
    probe_wait_ = std::min(probe_wait_ * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kProbeMax));
    next_probe_ = Clock::now() + probe_wait_;
    return;
  }
  std::size_t sent = 1;
  spool_->pop_front();
  spool_sent_.inc();
  auto next_take = Clock::now();
  while (!spool_->empty()) {
    std::deque<Record> more;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;  // the destructor's drain spools the queue behind these
      // New records join the spool's tail at most every kSpoolTake (one fdatasync each time), not per
      // record sent: the spool must drain faster than calls fill it.
      if (Clock::now() >= next_take) {
        take_due_interims(queue_);
        more.swap(queue_);
        next_take = Clock::now() + kSpoolTake;
      }
    }
    to_spool(more);
    if (!send(spool_->front(), settings_.retries, true)) {
      probe_wait_ = kProbeFirst;
      next_probe_ = Clock::now() + probe_wait_;
      return;
    }
    spool_->pop_front();
    spool_sent_.inc();
    ++sent;
  }
  spool_full_logged_ = false;
  log_on_loop(LogLevel::kNotice, "radius_spool_drained", {{"file", spool_->path()}, {"records", std::to_string(sent)}});
}

bool RadiusAccounting::send(const Record& r, unsigned tries, bool quiet) {
  const std::size_t n = sockets_.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t server = (active_ + k) % n;
    if (try_server(server, r, tries)) {
      if (server != active_) {
        failovers_.inc();
        log_on_loop(LogLevel::kWarn, "radius_failover",
                    {{"subject", name_of(settings_.servers[server])}, {"detail", name_of(settings_.servers[active_])}});
        active_ = server;
      }
      return true;
    }
    if (!quiet)
      log_on_loop(LogLevel::kWarn, "radius_server_timeout",
                  {{"subject", name_of(settings_.servers[server])}, {"detail", std::to_string(tries)}});
  }
  return false;
}

bool RadiusAccounting::try_server(std::size_t server, const Record& r, unsigned tries) {
  const int fd = sockets_[server];
  const auto timeout = settings_.timeout;
  // Every request sent for this record to this server: an answer to any of them (a late one included) is the
  // record's answer.
  std::vector<std::vector<std::uint8_t>> sent;
  std::uint32_t sent_delay = 0;
  for (unsigned attempt = 0; attempt < tries; ++attempt) {
    cdr::radius::Accounting a = r.acct;
    // RFC 2866 5.2: the seconds since the event (also across restarts: the spool keeps the event time);
    // a changed attribute needs a new Identifier (and so a new authenticator). While Acct-Delay-Time is
    // unchanged the retransmission is the same packet, Identifier included, so that the server recognises it
    // as a duplicate (RFC 2866 2, 5.2) and does not record a slow first copy twice.
    a.delay_s = static_cast<std::uint32_t>(std::max<std::int64_t>(wall_ms() - r.event_ms, 0) / 1000);
    if (sent.empty() || a.delay_s != sent_delay) {
      sent.push_back(cdr::radius::encode_request(a, next_id_++, settings_.secret));
      sent_delay = a.delay_s;
    }
    const auto& request = sent.back();
    if (attempt > 0) retransmits_.inc();
    sent_.inc();
    // A refused send (ICMP port unreachable from an earlier try) counts as a timed-out try.
    if (::send(fd, request.data(), request.size(), 0) < 0) {
      pollfd pfd{fd, 0, 0};
      ::poll(&pfd, 0, static_cast<int>(timeout.count()));
      continue;
    }
    const auto deadline = Clock::now() + timeout;
    for (bool last_look = false;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        // One look at what already arrived: this thread may have been descheduled past its deadline.
        if (last_look) break;
        last_look = true;
        left = std::chrono::milliseconds(0);
      }
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      std::array<std::uint8_t, 4096> buf{};
      const ssize_t got = ::recv(fd, buf.data(), buf.size(), 0);
      if (got < 0) continue;  // ECONNREFUSED from the ICMP of an earlier datagram: keep waiting
      // An answer to another record (late) or a forged one fails the check: ignored.
      const auto resp = std::span(buf.data(), static_cast<std::size_t>(got));
      for (const auto& req : sent)
        if (cdr::radius::check_response(resp, req, settings_.secret)) {
          answered_.inc();
          return true;
        }
    }
  }
  return false;
}

void RadiusAccounting::log_on_loop(LogLevel level, std::string event,
                                   std::vector<std::pair<std::string, std::string>> fields) {
  // The logger belongs to the event loop's thread.
  boost::asio::post(io_, [this, level, event = std::move(event), fields = std::move(fields)] {
    std::vector<LogField> f;
    for (const auto& [k, v] : fields) f.emplace_back(k, v);
    log_.log(Subsystem::kCore, level, event, std::span<const LogField>(f));
  });
}

}  // namespace isupgw::daemon
