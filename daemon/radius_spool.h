// The RADIUS accounting spool on disk (issue 17; format cdr/radius_spool_format.h): used by the
// accounting thread only. Crash-safety: every record and acknowledgement is one write(2) of whole lines
// (O_APPEND), so a kill -9 loses nothing written and leaves at most a torn last line, cut at the next
// open. Records are fdatasync'ed after each append (a machine crash loses at most the records of that
// append); acknowledgements are not synced: a machine crash may resend a record the server already has
// (same Acct-Session-Id, Acct-Status-Type and Event-Timestamp: the server can tell). Bounded: a record
// that would make the file larger than max_bytes is dropped and counted by the caller.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "cdr/radius_spool_format.h"

namespace isupgw::daemon {

class RadiusSpool {
 public:
  // Opens (creates) the file, reads what a previous run left, cuts a torn last line.
  static Result<std::unique_ptr<RadiusSpool>, std::string> open(std::string path, std::uint64_t max_bytes);
  ~RadiusSpool();

  bool empty() const { return pending_.empty(); }
  std::size_t size() const { return pending_.size(); }
  const cdr::radius::SpoolRecord& front() const { return pending_.front(); }
  // Appends records (one write, then fdatasync); returns how many did not fit under max_bytes (dropped).
  std::size_t append(std::span<const cdr::radius::SpoolRecord> records);
  // The front record was acknowledged (an Accounting-Response): an "A" line; an emptied spool is truncated.
  void pop_front();

  const std::string& path() const { return path_; }
  std::uint64_t bytes() const { return bytes_; }
  // What open() found.
  std::size_t found_records() const { return found_; }
  std::size_t found_bad_lines() const { return bad_lines_; }
  std::size_t torn_bytes_cut() const { return torn_; }

 private:
  RadiusSpool(std::string path, int fd, std::uint64_t max_bytes) : path_(std::move(path)), fd_(fd), max_(max_bytes) {}
  bool write_all(std::string_view text);
  bool compact();  // rewrites only the pending records (temporary file, fdatasync, rename)

  std::string path_;
  int fd_;
  std::uint64_t max_;
  std::uint64_t bytes_ = 0;
  std::deque<cdr::radius::SpoolRecord> pending_;
  std::size_t acked_in_file_ = 0;
  std::size_t found_ = 0;
  std::size_t bad_lines_ = 0;
  std::size_t torn_ = 0;
};

}  // namespace isupgw::daemon
