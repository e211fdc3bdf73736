// The crash-safe rolling CDR writer (issue 17). Per format (CSV, JSON lines) one current file,
// DIR/BASE.csv and DIR/BASE.jsonl, opened O_APPEND:
// - each record is one write(2) of whole lines, never split across calls or files;
// - fdatasync at most every sync_interval (at the next record or the next tick()), so a crash of the
//   machine loses at most that interval; kill -9 of the process loses nothing already written;
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
  // fdatasync in a thread of the writer's own, so that a slow disk never holds up the caller (the
  // daemon's event loop: a call's times are stamped there); records stay one write(2) each, here.
  bool background_sync = false;
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
  // Called from a timer: fdatasync when records are pending and sync_interval has passed, rotate by time.
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
  void sync_files();  // fdatasync of every file (the sync thread's work when background_sync)
  struct Syncer;

  WriterOptions opt_;
  WallClock wall_;
  std::vector<std::unique_ptr<File>> files_;
  std::string line_;  // reused buffer
  std::chrono::system_clock::time_point last_sync_{};
  bool dirty_ = false;
  std::uint64_t records_ = 0;
  std::uint64_t torn_dropped_ = 0;
  std::atomic<std::uint64_t> syncs_{0};
  std::unique_ptr<Syncer> syncer_;  // background_sync: the thread, its request and the lock on the fds
};

}  // namespace isupgw::cdr
