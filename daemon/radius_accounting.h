// RADIUS accounting (RFC 2866, issue 17): Accounting-Request Start at a call's answer and Stop at its
// end, sent from a thread of its own (a queue fed by the event loop), so a slow or dead server never
// delays a call. Each request is retried `retries` times with `timeout` each (a new Identifier and
// Acct-Delay-Time per try, RFC 2866 5.2), then sent to the other server; the server that answered
// last is tried first. A request no server answered is counted (radius.lost) and logged.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "cdr/radius_packet.h"
#include "config/settings.h"

namespace isupgw::daemon {

class RadiusAccounting {
 public:
  // Resolves the servers, opens one UDP socket per server, starts the thread; logs the servers.
  static Result<std::unique_ptr<RadiusAccounting>, std::string> start(boost::asio::io_context& io,
                                                                      const config::RadiusSettings& settings,
                                                                      Logger& log, Counters& counters);
  ~RadiusAccounting();  // sends what is queued for at most kDrainTime, then stops
  // The engine's answer sink (Start) and, for an answered call, its CDR (Stop).
  void answered(const cdr::CdrRecord& r);
  void ended(const cdr::CdrRecord& r);

  static constexpr std::chrono::seconds kDrainTime{2};

 private:
  struct Pending {
    cdr::radius::Accounting acct;
    std::chrono::steady_clock::time_point queued;
  };
  RadiusAccounting(boost::asio::io_context& io, const config::RadiusSettings& settings, std::vector<int> sockets,
                   Logger& log, Counters& counters);
  void enqueue(cdr::radius::Accounting a);
  void run();
  bool send(const Pending& p, bool draining);
  bool try_server(std::size_t server, const Pending& p, std::chrono::milliseconds timeout);
  void log_on_loop(LogLevel level, std::string event, std::string server, std::string detail);

  boost::asio::io_context& io_;
  config::RadiusSettings settings_;
  std::vector<int> sockets_;  // connected UDP, one per server (same order)
  Logger& log_;
  Counter& sent_;
  Counter& answered_;
  Counter& retransmits_;
  Counter& failovers_;
  Counter& lost_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::size_t active_ = 0;  // the server tried first (thread only)
  std::uint8_t next_id_ = 0;
  std::thread thread_;
};

}  // namespace isupgw::daemon
