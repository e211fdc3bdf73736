// The crash-safe rolling CDR writer (issue 17). Per format (CSV, JSON lines) one current file,
// DIR/BASE.csv and DIR/BASE.jsonl, opened O_APPEND:
// - records are written as whole lines, never split across write(2) calls or files;
// - fdatasync at most every sync_interval (at the next record or the next tick()), so a crash of the
//   machine loses at most that interval;
// - with writer_thread, the caller only formats: its records are handed over in batches (at tick(), or
//   at once when 256 KiB are pending or sync_interval is 0) to the writer's own thread, which writes
//   each batch with one write(2) per file and runs fdatasync; kill -9 loses the records not yet handed
//   over (at most one tick period) and those handed over but not yet written (a batch waits while the
//   thread runs an fdatasync), and never tears one. Without it each record is one write(2) per file
//   at once, in the caller's thread;
// - opening an existing file (a restart) appends to it, after cutting a torn last line (a write cut by
//   a fatal signal or a full disk: no final '\n') so that the file never holds a torn record;
// - a file reaching rotate_bytes, or open for rotate_interval, is renamed to BASE-YYYYmmddTHHMMSS[-N].EXT
//   and a new current file begun (CSV with its header line).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "cdr/cdr_record.h"

namespace isupgw::cdr {

struct WriterOptions {
  std::string directory;
  std::string base_name = "cdr";
  bool csv = true;
  bool json = true;
  std::vector<Column> columns{all_columns().begin(), all_columns().end()};
  std::uint64_t rotate_bytes = 64ull << 20;       // 0 = never by size
  std::chrono::seconds rotate_interval{3600};     // 0 = never by time
  std::chrono::milliseconds sync_interval{1000};  // 0 = fdatasync after every record
  // write(2), rotation and fdatasync in a thread of the writer's own, records handed over in batches:
  // a slow disk never holds up the caller (the daemon's event loop: a call's times are stamped there),
  // and a batch of records costs one write(2) per file instead of one per record (issue 17 cost).
  bool writer_thread = false;
};

class CdrWriter {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // Creates the directory (one level) when missing and opens (or continues) the current files.
  static Result<std::unique_ptr<CdrWriter>, std::string> open(WriterOptions options, WallClock wall = {});
  ~CdrWriter();
  CdrWriter(const CdrWriter&) = delete;
  CdrWriter& operator=(const CdrWriter&) = delete;

  // Formats and appends one record to every file; the error names the file and errno's text.
  Result<bool, std::string> write(const CdrRecord& r);
  // Called from a timer: hands the pending records over (writer_thread), fdatasync when records are
  // pending and sync_interval has passed, rotate by time.
  Result<bool, std::string> tick();

  // The current files' paths (CSV first when on).
  std::vector<std::string> current_paths() const;
  std::uint64_t records_written() const { return records_; }
  // Bytes cut from torn last lines when the files were opened.
  std::uint64_t torn_bytes_dropped() const { return torn_dropped_; }
  std::uint64_t syncs() const { return syncs_.load(); }

 private:
  struct File;
  CdrWriter(WriterOptions options, WallClock wall);
  Result<bool, std::string> open_file(File& f);
  Result<bool, std::string> rotate(File& f);
  Result<bool, std::string> append(File& f, const std::string& line);
  Result<bool, std::string> sync_all();
  void sync_files();  // fdatasync of every file (the writer thread's)
  struct Batch;
  struct Syncer;
  Result<bool, std::string> hand_over(bool sync, bool tick);  // writer_thread: pending records to the thread
  void write_batch(File& f, const std::string& data, const std::vector<std::uint32_t>& ends);  // the thread's
  void run(Batch& b);                                                                          // the thread's

  WriterOptions opt_;
  WallClock wall_;
  std::vector<std::unique_ptr<File>> files_;
  std::string line_;  // reused buffer
  std::chrono::system_clock::time_point last_sync_{};
  bool dirty_ = false;
  std::uint64_t records_ = 0;
  std::uint64_t torn_dropped_ = 0;
  std::atomic<std::uint64_t> syncs_{0};
  std::unique_ptr<Syncer> syncer_;                        // writer_thread: the thread and the batch handed to it
  std::vector<std::string> pending_;                      // writer_thread: per file, whole lines not yet handed over
  std::vector<std::vector<std::uint32_t>> pending_ends_;  // the end offset of each record in pending_
};

}  // namespace isupgw::cdr
