#include "base/log.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace isupgw {
namespace {

constexpr std::array<std::string_view, kSubsystemCount> kSubsystemNames = {"core", "config", "sip", "isup",
                                                                           "m3ua", "mgcp",   "call"};
constexpr std::array<std::string_view, 7> kLevelNames = {"trace", "debug", "info", "notice", "warn", "error", "off"};

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

std::string_view to_string(Subsystem s) { return kSubsystemNames[static_cast<std::size_t>(s)]; }
std::string_view to_string(LogLevel l) { return kLevelNames[static_cast<std::size_t>(l)]; }

std::optional<Subsystem> subsystem_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kSubsystemNames.size(); ++i)
    if (kSubsystemNames[i] == s) return static_cast<Subsystem>(i);
  return std::nullopt;
}

std::optional<LogLevel> log_level_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == s) return static_cast<LogLevel>(i);
  return std::nullopt;
}

namespace {
constexpr std::size_t kBatchLimit = 64 * 1024;
}

Logger::Logger() { set_all_levels(LogLevel::kInfo); }

Logger::Logger(Sink sink) : sink_(std::move(sink)) { set_all_levels(LogLevel::kInfo); }

Logger::Logger(int fd) : fd_(fd) { set_all_levels(LogLevel::kInfo); }

Logger::~Logger() { flush(); }

void Logger::set_flush_scheduler(Scheduler s) {
  flush();
  scheduler_ = std::move(s);
  flush_posted_ = false;
}

void Logger::flush() {
  if (pending_.empty()) return;
  write_out(pending_);
  pending_.clear();
}

// One write(2) of whole lines; a short write (a full pipe, a signal) continues
// where it stopped, so a line is never cut (a non-blocking fd waits until it is
// writable). Any other error drops the rest: logging must never stop the gateway.
void Logger::write_out(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
      }
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Logger::emit(LogLevel l, const std::string& line) {
  if (sink_) {
    sink_(line);
    return;
  }
  if (!scheduler_) {
    write_out(line);
    return;
  }
  pending_ += line;
  // A warning or error is written at once (with what precedes it): it is what
  // a crash must not take with it.
  if (l >= LogLevel::kWarn || pending_.size() >= kBatchLimit) {
    flush();
    return;
  }
  if (!flush_posted_) {
    flush_posted_ = true;
    scheduler_([this] {
      flush_posted_ = false;
      flush();
    });
  }
}

void Logger::set_all_levels(LogLevel l) {
  for (auto& level : levels_) level.store(l);
}

void Logger::log(Subsystem s, LogLevel l, std::string_view event, std::span<const LogField> fields) {
  if (!enabled(s, l)) return;
  std::string line;
  line.reserve(128);
  if (format_.load() == LogFormat::kJson) {
    line += "{\"ts\":\"" + timestamp() + "\",\"level\":\"";
    line += to_string(l);
    line += "\",\"subsys\":\"";
    line += to_string(s);
    line += "\",\"event\":\"";
    append_escaped(line, event);
    line += '"';
    for (const auto& f : fields) {
      line += ",\"";
      append_escaped(line, f.key);
      line += "\":";
      if (f.quoted_in_json) {
        line += '"';
        append_escaped(line, f.value);
        line += '"';
      } else {
        line += f.value;
      }
    }
    line += "}\n";
  } else {
    line += timestamp();
    line += ' ';
    line += to_string(l);
    line += ' ';
    line += to_string(s);
    line += ' ';
    line += event;
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      if (needs_quotes(f.value)) {
        line += '"';
        append_escaped(line, f.value);
        line += '"';
      } else {
        line += f.value;
      }
    }
    line += '\n';
  }
  emit(l, line);
}

}  // namespace isupgw
