#include "daemon/cdr_output.h"

#include <algorithm>
#include <filesystem>

namespace isupgw::daemon {

Result<std::unique_ptr<CdrOutput>, std::string> CdrOutput::start(boost::asio::io_context& io,
                                                                 const cdr::WriterOptions& options, Logger& log,
                                                                 Counters& counters) {
  // fdatasync off the event loop: a slow disk must not delay the calls (their times are stamped there).
  cdr::WriterOptions opts = options;
  opts.writer_thread = true;
  auto w = cdr::CdrWriter::open(std::move(opts));
  if (!w) return Err(w.error());
  std::string files;
  for (const auto& p : (*w)->current_paths()) files += (files.empty() ? "" : ",") + p;
  // Absolute: a relative directory (the embedded default's) is where the working directory puts it.
  std::error_code ec;
  const auto dir = std::filesystem::canonical(options.directory, ec);
  log.notice(Subsystem::kCore, "cdr_files",
             {{"directory", ec ? options.directory : dir.string()},
              {"files", files},
              {"sync_interval_ms", static_cast<std::uint64_t>(options.sync_interval.count())},
              {"torn_bytes_dropped", (*w)->torn_bytes_dropped()}});
  // The timer hands the pending records to the writer thread, asks for fdatasync and rotation by time:
  // at least every 100 ms, so that kill -9 loses at most the last 100 ms of records (or sync_interval).
  auto period = std::clamp(options.sync_interval, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
  return std::unique_ptr<CdrOutput>(new CdrOutput(io, std::move(*w), log, counters, period));
}

CdrOutput::CdrOutput(boost::asio::io_context& io, std::unique_ptr<cdr::CdrWriter> writer, Logger& log,
                     Counters& counters, std::chrono::milliseconds period)
    : writer_(std::move(writer)),
      log_(log),
      records_(counters.get("cdr.records")),
      errors_(counters.get("cdr.write_errors")),
      timer_(io),
      period_(period) {
  arm();
}

CdrOutput::~CdrOutput() { timer_.cancel(); }

void CdrOutput::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto r = writer_->tick(); !r) failed(r.error());
    arm();
  });
}

void CdrOutput::write(const cdr::CdrRecord& r) {
  if (auto res = writer_->write(r); !res) return failed(res.error());
  records_.inc();
}

void CdrOutput::failed(const std::string& error) {
  // Counted always, logged on the first and then every 1000th: a full disk must not flood the log.
  errors_.inc();
  if (errors_.value() % 1000 == 1)
    log_.error(Subsystem::kCore, "cdr_write_failed", {{"error", error}, {"errors", errors_.value()}});
}

}  // namespace isupgw::daemon
