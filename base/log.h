// Structured logging with per-subsystem levels.
//
// One line per event: time, level, subsystem, event name, then key=value
// fields (logfmt) or the same as one JSON object per line. No global logger:
// components receive a Logger& so tests can capture output.
//
// A Logger belongs to one thread (the daemon's event loop): it takes no lock.
// Each line is built whole and handed over in one piece (a sink call, or one
// write(2) of whole lines), so lines never interleave. The default output is
// stderr through write(2), without stdio: nothing to flush per line. With a
// flush scheduler (the daemon posts to its io_context) lines collect in a
// buffer and are written together once the handlers that were ready have run;
// a warn or error line, a full buffer (64 KiB) and flush() write at once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace isupgw {

enum class Subsystem : std::uint8_t { kCore, kConfig, kSip, kIsup, kM3ua, kMgcp, kCall };
inline constexpr std::size_t kSubsystemCount = 7;

enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kNotice, kWarn, kError, kOff };

std::string_view to_string(Subsystem s);
std::string_view to_string(LogLevel l);
std::optional<Subsystem> subsystem_from_string(std::string_view s);
std::optional<LogLevel> log_level_from_string(std::string_view s);

// A key=value pair; numbers are formatted on construction.
struct LogField {
  std::string_view key;
  std::string value;
  bool quoted_in_json = true;

  LogField() = default;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <class N>
  requires std::is_arithmetic_v<N> LogField(std::string_view k, N v)
      : key(k), value(std::to_string(v)), quoted_in_json(false) {}
};

enum class LogFormat : std::uint8_t { kText, kJson };

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;
  // Runs a task later on the logger's own thread (the daemon: boost::asio::post).
  using Scheduler = std::function<void(std::function<void()>)>;

  // Default output: stderr (fd 2), one write(2) per line until a scheduler is set.
  Logger();
  // Every line goes to sink, one call per line (tests capture this way).
  explicit Logger(Sink sink);
  // The default output on another file descriptor (not owned).
  explicit Logger(int fd);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Batch the default output: lines wait for the task posted through s. An empty
  // scheduler writes what is buffered and goes back to one write per line. A
  // scheduler must run the task unless it is reset (set_flush_scheduler({})) first.
  void set_flush_scheduler(Scheduler s);
  // Writes what is buffered now.
  void flush();

  void set_level(Subsystem s, LogLevel l) { levels_[static_cast<std::size_t>(s)].store(l); }
  void set_all_levels(LogLevel l);
  LogLevel level(Subsystem s) const { return levels_[static_cast<std::size_t>(s)].load(); }
  void set_format(LogFormat f) { format_.store(f); }

  bool enabled(Subsystem s, LogLevel l) const { return l != LogLevel::kOff && l >= level(s); }

  void log(Subsystem s, LogLevel l, std::string_view event, std::initializer_list<LogField> fields = {}) {
    log(s, l, event, std::span<const LogField>(fields.begin(), fields.size()));
  }
  // The same with a field list built at run time (the FSM kit's optional fields).
  void log(Subsystem s, LogLevel l, std::string_view event, std::span<const LogField> fields);
  void trace(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) {
    log(s, LogLevel::kTrace, e, f);
  }
  void debug(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) {
    log(s, LogLevel::kDebug, e, f);
  }
  void info(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) { log(s, LogLevel::kInfo, e, f); }
  void notice(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) {
    log(s, LogLevel::kNotice, e, f);
  }
  void warn(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) { log(s, LogLevel::kWarn, e, f); }
  void error(Subsystem s, std::string_view e, std::initializer_list<LogField> f = {}) {
    log(s, LogLevel::kError, e, f);
  }

 private:
  void emit(LogLevel l, const std::string& line);
  void write_out(std::string_view bytes);

  Sink sink_;  // empty: the fd output below
  int fd_ = 2;
  Scheduler scheduler_;
  std::string pending_;
  bool flush_posted_ = false;
  std::array<std::atomic<LogLevel>, kSubsystemCount> levels_;
  std::atomic<LogFormat> format_{LogFormat::kText};
};

}  // namespace isupgw
