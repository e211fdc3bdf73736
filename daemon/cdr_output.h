// The daemon's CDR output (issue 17): the rolling writer (cdr/cdr_writer.h) fed by the call engine's
// sink, and a timer on the event loop for the fdatasync interval and rotation by time.
#pragma once

#include <memory>
#include <string>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/result.h"
#include "cdr/cdr_writer.h"

namespace isupgw::daemon {

class CdrOutput {
 public:
  // Creates the directory, opens (or continues) the files and logs them in one line.
  static Result<std::unique_ptr<CdrOutput>, std::string> start(boost::asio::io_context& io,
                                                               const cdr::WriterOptions& options, Logger& log,
                                                               Counters& counters);
  ~CdrOutput();
  // One call's record (the engine's CDR sink).
  void write(const cdr::CdrRecord& r);

 private:
  CdrOutput(boost::asio::io_context& io, std::unique_ptr<cdr::CdrWriter> writer, Logger& log, Counters& counters,
            std::chrono::milliseconds period);
  void arm();
  void failed(const std::string& error);

  std::unique_ptr<cdr::CdrWriter> writer_;
  Logger& log_;
  Counter& records_;
  Counter& errors_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
};

}  // namespace isupgw::daemon
