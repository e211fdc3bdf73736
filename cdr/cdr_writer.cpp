#include "cdr/cdr_writer.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string_view>
#include <thread>

#include "cdr/cdr_format.h"

namespace isupgw::cdr {

struct CdrWriter::File {
  std::string extension;  // "csv" or "jsonl"
  bool is_csv = false;
  std::string path;
  int fd = -1;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point opened{};
};

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// A write(2) to a regular file completes unless the disk is full or a fatal signal arrives; EINTR
// before any byte is retried. A short write leaves a torn line that the next open() cuts.
bool write_all_once(int fd, const std::string& s) {
  for (;;) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n == static_cast<ssize_t>(s.size())) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n >= 0) errno = ENOSPC;
    return false;
  }
}

// A caller's pending records go to the writer thread at once past this size (between two ticks).
constexpr std::size_t kHandOverBytes = 256 << 10;

}  // namespace

// writer_thread: the caller appends its pending lines to `next` and asks; the thread takes `next` whole
// (requests made while it writes coalesce into one batch) and is the only one to touch the files.
struct CdrWriter::Batch {
  std::vector<std::string> data;                 // per file: whole lines
  std::vector<std::vector<std::uint32_t>> ends;  // per file: the end offset of each record in data
  bool sync = false;                             // fdatasync after writing
  bool tick = false;                             // rotation by time is due for a check
};

struct CdrWriter::Syncer {
  std::mutex m;
  std::condition_variable cv;
  Batch next;
  bool requested = false, stopping = false;
  std::string error;  // the thread's last error, reported by the next hand_over()
  std::thread thread;
};

CdrWriter::CdrWriter(WriterOptions options, WallClock wall) : opt_(std::move(options)), wall_(std::move(wall)) {
  if (!wall_) wall_ = [] { return std::chrono::system_clock::now(); };
}

void CdrWriter::sync_files() {
  for (auto& f : files_)
    if (f->fd >= 0 && ::fdatasync(f->fd) != 0) {
      std::lock_guard g(syncer_->m);
      syncer_->error = errno_text("cannot sync", f->path);
    }
  ++syncs_;
}

CdrWriter::~CdrWriter() {
  if (syncer_) {
    static_cast<void>(hand_over(true, false));  // the last records, written and synced before the thread stops
    {
      std::lock_guard g(syncer_->m);
      syncer_->stopping = true;
    }
    syncer_->cv.notify_one();
    syncer_->thread.join();
    dirty_ = false;
  }
  for (auto& f : files_) {
    if (f->fd < 0) continue;
    if (dirty_) ::fdatasync(f->fd);
    ::close(f->fd);
  }
}

Result<std::unique_ptr<CdrWriter>, std::string> CdrWriter::open(WriterOptions options, WallClock wall) {
  if (options.directory.empty()) return Err(std::string("CDR directory is empty"));
  if (!options.csv && !options.json) return Err(std::string("CDR: neither CSV nor JSON lines chosen"));
  if (::mkdir(options.directory.c_str(), 0755) != 0 && errno != EEXIST)
    return Err(errno_text("cannot create", options.directory));
  std::unique_ptr<CdrWriter> w(new CdrWriter(std::move(options), std::move(wall)));
  auto add = [&](std::string ext, bool csv) {
    auto f = std::make_unique<File>();
    f->extension = std::move(ext);
    f->is_csv = csv;
    f->path = w->opt_.directory + "/" + w->opt_.base_name + "." + f->extension;
    w->files_.push_back(std::move(f));
  };
  if (w->opt_.csv) add("csv", true);
  if (w->opt_.json) add("jsonl", false);
  for (auto& f : w->files_) {
    auto r = w->open_file(*f);
    if (!r) return Err(r.error());
  }
  w->last_sync_ = w->wall_();
  if (w->opt_.writer_thread) {
    w->syncer_ = std::make_unique<Syncer>();
    w->pending_.resize(w->files_.size());
    w->pending_ends_.resize(w->files_.size());
    w->syncer_->next.data.resize(w->files_.size());
    w->syncer_->next.ends.resize(w->files_.size());
    CdrWriter* self = w.get();
    w->syncer_->thread = std::thread([self] {
      Syncer& s = *self->syncer_;
      Batch work;
      work.data.resize(self->files_.size());
      work.ends.resize(self->files_.size());
      std::unique_lock lock(s.m);
      for (;;) {
        s.cv.wait(lock, [&] { return s.requested || s.stopping; });
        if (!s.requested && s.stopping) return;
        s.requested = false;
        std::swap(work, s.next);
        lock.unlock();
        self->run(work);
        lock.lock();
      }
    });
    pthread_setname_np(w->syncer_->thread.native_handle(), "cdr-writer");
  }
  return w;
}

Result<bool, std::string> CdrWriter::open_file(File& f) {
  f.fd = ::open(f.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (f.fd < 0) return Err(errno_text("cannot open", f.path));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return Err(errno_text("cannot stat", f.path));
  f.size = static_cast<std::uint64_t>(st.st_size);
  // A restart continues the file; a torn last line (no final '\n') is cut back to the last whole record.
  if (f.size > 0) {
    int rfd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd < 0) return Err(errno_text("cannot read", f.path));
    std::uint64_t end = f.size;
    char buf[4096];
    bool found = false;
    while (end > 0 && !found) {
      std::uint64_t chunk = end < sizeof buf ? end : sizeof buf;
      std::uint64_t from = end - chunk;
      ssize_t n = ::pread(rfd, buf, chunk, static_cast<off_t>(from));
      if (n != static_cast<ssize_t>(chunk)) {
        ::close(rfd);
        return Err(errno_text("cannot read", f.path));
      }
      for (std::uint64_t i = chunk; i > 0; --i) {
        if (buf[i - 1] == '\n') {
          end = from + i;
          found = true;
          break;
        }
      }
      if (!found) end = from;
    }
    ::close(rfd);
    if (end != f.size) {
      if (::ftruncate(f.fd, static_cast<off_t>(end)) != 0) return Err(errno_text("cannot cut torn record of", f.path));
      torn_dropped_ += f.size - end;
      f.size = end;
    }
  }
  f.opened = wall_();
  if (f.size == 0 && f.is_csv) {
    std::string header = csv_header(opt_.columns);
    if (!write_all_once(f.fd, header)) return Err(errno_text("cannot write", f.path));
    f.size = header.size();
    if (!syncer_) dirty_ = true;  // the writer thread syncs every file at its next sync anyway
  }
  return true;
}

Result<bool, std::string> CdrWriter::rotate(File& f) {
  // On the writer thread (syncer_) dirty_ is the loop's: a file leaving our hands is always synced there.
  if ((syncer_ || dirty_) && ::fdatasync(f.fd) != 0) return Err(errno_text("cannot sync", f.path));
  ::close(f.fd);
  f.fd = -1;
  std::time_t secs = std::chrono::system_clock::to_time_t(wall_());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::string base = opt_.directory + "/" + opt_.base_name + "-" + stamp;
  std::string target = base + "." + f.extension;
  // Never overwrite an earlier rotated file (two rotations within one second).
  for (int n = 1; ::access(target.c_str(), F_OK) == 0; ++n) target = base + "-" + std::to_string(n) + "." + f.extension;
  if (::rename(f.path.c_str(), target.c_str()) != 0) return Err(errno_text("cannot rotate", f.path));
  return open_file(f);
}

Result<bool, std::string> CdrWriter::append(File& f, const std::string& line) {
  auto now = wall_();
  bool by_size = opt_.rotate_bytes != 0 && f.size + line.size() > opt_.rotate_bytes &&
                 f.size > (f.is_csv ? csv_header(opt_.columns).size() : 0);
  bool by_time = opt_.rotate_interval.count() != 0 && now - f.opened >= opt_.rotate_interval;
  if (by_size || by_time) {
    auto r = rotate(f);
    if (!r) return r;
  }
  if (!write_all_once(f.fd, line)) return Err(errno_text("cannot write", f.path));
  f.size += line.size();
  dirty_ = true;
  return true;
}

Result<bool, std::string> CdrWriter::write(const CdrRecord& r) {
  if (syncer_) {
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (files_[i]->is_csv)
        append_csv(pending_[i], r, opt_.columns);
      else
        append_json(pending_[i], r);
      pending_ends_[i].push_back(static_cast<std::uint32_t>(pending_[i].size()));
    }
    ++records_;
    const bool sync_due = wall_() - last_sync_ >= opt_.sync_interval;
    if (sync_due || pending_.front().size() >= kHandOverBytes) return hand_over(sync_due, false);
    return true;
  }
  for (auto& f : files_) {
    line_.clear();
    if (f->is_csv)
      append_csv(line_, r, opt_.columns);
    else
      append_json(line_, r);
    auto res = append(*f, line_);
    if (!res) return res;
  }
  ++records_;
  if (wall_() - last_sync_ >= opt_.sync_interval) return sync_all();
  return true;
}

Result<bool, std::string> CdrWriter::hand_over(bool sync, bool tick) {
  if (sync) last_sync_ = wall_();
  const bool any = !pending_.front().empty();
  std::string error;
  {
    std::lock_guard g(syncer_->m);
    error = std::move(syncer_->error);
    syncer_->error.clear();
    Batch& next = syncer_->next;
    for (std::size_t i = 0; i < pending_.size() && any; ++i) {
      if (next.data[i].empty()) {
        std::swap(next.data[i], pending_[i]);
        std::swap(next.ends[i], pending_ends_[i]);
      } else {  // the thread has not taken the last batch yet: this one joins it
        const auto base = static_cast<std::uint32_t>(next.data[i].size());
        next.data[i] += pending_[i];
        for (auto e : pending_ends_[i]) next.ends[i].push_back(base + e);
      }
      pending_[i].clear();
      pending_ends_[i].clear();
    }
    if (any) dirty_ = true;
    const bool sync_now = sync && dirty_;
    next.sync = next.sync || sync_now;
    next.tick = next.tick || tick;
    if (sync_now) dirty_ = false;
    syncer_->requested = syncer_->requested || any || sync_now || tick;
  }
  syncer_->cv.notify_one();
  if (!error.empty()) return Err(std::move(error));
  return true;
}

// The writer thread: each file's lines in as few write(2) calls as its rotation allows (a record that
// would take the file past rotate_bytes starts the next file, as append() decides for one record).
void CdrWriter::write_batch(File& f, const std::string& data, const std::vector<std::uint32_t>& ends) {
  auto fail = [&](std::string e) {
    std::lock_guard g(syncer_->m);
    syncer_->error = std::move(e);
  };
  const std::uint64_t header = f.is_csv ? csv_header(opt_.columns).size() : 0;
  // Would the file pass rotate_bytes with records from..k (byte offset `from` on) written?
  auto too_big = [&](std::size_t from, std::size_t k) {
    return opt_.rotate_bytes != 0 && f.size + (ends[k] - from) > opt_.rotate_bytes;
  };
  std::size_t from = 0;  // byte offset of the first record not yet written
  std::size_t k = 0;     // its index
  while (k < ends.size()) {
    // As append(): a file holding at least one record rotates before the record that would pass the size.
    const bool by_time = opt_.rotate_interval.count() != 0 && wall_() - f.opened >= opt_.rotate_interval;
    if (by_time || (too_big(from, k) && f.size > header)) {
      if (auto r = rotate(f); !r) return fail(r.error());
    }
    // Then the records up to the one that would need the next file, in one write(2).
    std::size_t end = k + 1;
    while (end < ends.size() && !too_big(from, end)) ++end;
    const std::string_view run(data.data() + from, ends[end - 1] - from);
    for (;;) {
      ssize_t n = ::write(f.fd, run.data(), run.size());
      if (n == static_cast<ssize_t>(run.size())) break;
      if (n < 0 && errno == EINTR) continue;
      if (n >= 0) errno = ENOSPC;
      return fail(errno_text("cannot write", f.path));
    }
    f.size += run.size();
    from = ends[end - 1];
    k = end;
  }
}

void CdrWriter::run(Batch& b) {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (!b.ends[i].empty()) write_batch(*files_[i], b.data[i], b.ends[i]);
    b.data[i].clear();
    b.ends[i].clear();
  }
  if (b.tick && opt_.rotate_interval.count() != 0) {
    const auto now = wall_();
    for (auto& f : files_) {
      // Rotating an empty file by time would only multiply empty files.
      bool empty = f->size <= (f->is_csv ? csv_header(opt_.columns).size() : 0);
      if (!empty && now - f->opened >= opt_.rotate_interval)
        if (auto r = rotate(*f); !r) {
          std::lock_guard g(syncer_->m);
          syncer_->error = r.error();
        }
    }
  }
  if (b.sync) sync_files();
  b.sync = b.tick = false;
}

Result<bool, std::string> CdrWriter::sync_all() {
  last_sync_ = wall_();
  if (!dirty_) return true;
  for (auto& f : files_)
    if (::fdatasync(f->fd) != 0) return Err(errno_text("cannot sync", f->path));
  dirty_ = false;
  ++syncs_;
  return true;
}

Result<bool, std::string> CdrWriter::tick() {
  auto now = wall_();
  if (syncer_) return hand_over(now - last_sync_ >= opt_.sync_interval, true);
  if (opt_.rotate_interval.count() != 0) {
    for (auto& f : files_) {
      // Rotating an empty file by time would only multiply empty files.
      bool empty = f->size <= (f->is_csv ? csv_header(opt_.columns).size() : 0);
      if (!empty && now - f->opened >= opt_.rotate_interval) {
        auto r = rotate(*f);
        if (!r) return r;
      }
    }
  }
  if (now - last_sync_ >= opt_.sync_interval) return sync_all();
  return true;
}

std::vector<std::string> CdrWriter::current_paths() const {
  std::vector<std::string> out;
  for (const auto& f : files_) out.push_back(f->path);
  return out;
}

}  // namespace isupgw::cdr
