// RADIUS accounting (RFC 2866, issue 17): Accounting-Request Start at a call's answer, Interim-Update
// every interim_interval (RFC 2869 2.1; 0: none) and Stop at its end, sent from a thread of its own (a
// queue fed by the event loop), so a slow or dead server never delays a call. Each request is retried
// `retries` times with `timeout` each (a new Identifier and Acct-Delay-Time per try, RFC 2866 5.2), then
// sent to the other server; the server that answered last is tried first.
// When no server answers and a spool file is configured, that request and every later one go to the
// spool (daemon/radius_spool.h), in order; the thread probes the servers with the oldest spooled record
// (one try per server, backoff kProbeFirst doubling to kProbeMax) and, once one answers, sends the
// spool in order, each record removed only after its Accounting-Response. A restart sends what the
// spool holds. Without a spool, a request no server answered is counted (radius.lost) and logged.
// Acct-Session-Id = BOOT-CALLID: the CDR's call id after the start time of this run (ms since the epoch,
// hex), so a call id that repeats after a restart is another session.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "cdr/radius_packet.h"
#include "cdr/radius_spool_format.h"
#include "config/settings.h"
#include "daemon/radius_spool.h"

namespace isupgw::daemon {

class RadiusAccounting {
 public:
  // Resolves the servers, opens one UDP socket per server and the spool, starts the thread; logs the
  // servers (and what the spool holds from an earlier run).
  static Result<std::unique_ptr<RadiusAccounting>, std::string> start(boost::asio::io_context& io,
                                                                      const config::RadiusSettings& settings,
                                                                      Logger& log, Counters& counters);
  // Sends what is queued for at most kDrainTime, spools the rest (or counts it lost), then stops.
  ~RadiusAccounting();
  // The engine's answer sink (Start) and, for an answered call, its CDR (Stop).
  void answered(const cdr::CdrRecord& r);
  void ended(const cdr::CdrRecord& r);

  const std::string& boot_id() const { return boot_; }

  static constexpr std::chrono::seconds kDrainTime{2};
  static constexpr std::chrono::milliseconds kProbeFirst{500};
  static constexpr std::chrono::milliseconds kProbeMax{4000};
  static constexpr std::chrono::milliseconds kSpoolTake{50};

 private:
  using Record = cdr::radius::SpoolRecord;
  using Clock = std::chrono::steady_clock;
  struct Session {  // an answered call, for its Interim-Updates
    Record start;
    std::int64_t answer_ms = 0;
  };
  RadiusAccounting(boost::asio::io_context& io, const config::RadiusSettings& settings, std::vector<int> sockets,
                   std::unique_ptr<RadiusSpool> spool, Logger& log, Counters& counters);
  void run();
  Clock::time_point next_wake() const;              // under mu_
  void take_due_interims(std::deque<Record>& out);  // under mu_
  bool send(const Record& r, unsigned tries, bool quiet);
  bool try_server(std::size_t server, const Record& r, unsigned tries);
  void to_spool(std::deque<Record>& records);
  void send_spool();
  void log_on_loop(LogLevel level, std::string event, std::vector<std::pair<std::string, std::string>> fields);

  boost::asio::io_context& io_;
  config::RadiusSettings settings_;
  std::vector<int> sockets_;            // connected UDP, one per server (same order)
  std::unique_ptr<RadiusSpool> spool_;  // null: none configured
  std::string boot_;
  Logger& log_;
  Counter& sent_;
  Counter& answered_;
  Counter& retransmits_;
  Counter& failovers_;
  Counter& lost_;
  Counter& interims_;
  Counter& spooled_;
  Counter& spool_sent_;
  Counter& spool_dropped_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Record> queue_;
  std::unordered_map<std::string, Session> sessions_;                  // by Acct-Session-Id
  std::deque<std::pair<Clock::time_point, std::string>> interim_due_;  // in due order (one interval for all)
  bool stopping_ = false;
  // Thread only.
  std::size_t active_ = 0;  // the server tried first
  std::uint8_t next_id_ = 0;
  Clock::time_point next_probe_{};
  std::chrono::milliseconds probe_wait_ = kProbeFirst;
  bool spool_full_logged_ = false;
  std::thread thread_;
};

}  // namespace isupgw::daemon
