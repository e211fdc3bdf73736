#include "daemon/radius_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace isupgw::daemon {

namespace {

std::string error_of(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

int open_append(const std::string& path) { return ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600); }

void sync_directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;
  ::fsync(d);
  ::close(d);
}

}  // namespace

Result<std::unique_ptr<RadiusSpool>, std::string> RadiusSpool::open(std::string path, std::uint64_t max_bytes) {
  const int fd = open_append(path);
  if (fd < 0) return Err(error_of("cannot open radius spool", path));
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()));
    if (n < 0) {
      const std::string e = error_of("cannot read radius spool", path);
      ::close(fd);
      return Err(e);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  auto contents = cdr::radius::parse_spool(text);
  std::unique_ptr<RadiusSpool> s(new RadiusSpool(std::move(path), fd, max_bytes));
  s->torn_ = text.size() - contents.whole_bytes;
  if (s->torn_ > 0 && ::ftruncate(fd, static_cast<off_t>(contents.whole_bytes)) != 0)
    return Err(error_of("cannot cut the torn line of radius spool", s->path_));
  s->bytes_ = contents.whole_bytes;
  s->acked_in_file_ = contents.acknowledged;
  s->bad_lines_ = contents.bad_lines;
  s->found_ = contents.pending.size();
  s->pending_.assign(std::make_move_iterator(contents.pending.begin()),
                     std::make_move_iterator(contents.pending.end()));
  if (s->pending_.empty() && s->bytes_ > 0) {
    if (::ftruncate(fd, 0) != 0) return Err(error_of("cannot truncate radius spool", s->path_));
    s->bytes_ = 0;
    s->acked_in_file_ = 0;
  } else if (s->acked_in_file_ > 0 || s->bad_lines_ > 0) {
    s->compact();
  }
  return s;
}

RadiusSpool::~RadiusSpool() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

bool RadiusSpool::write_all(std::string_view text) {
  // One write(2) of whole lines (O_APPEND); a short write leaves a torn line that the next open cuts.
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes_ += static_cast<std::uint64_t>(n);
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::size_t RadiusSpool::append(std::span<const cdr::radius::SpoolRecord> records) {
  if (fd_ < 0) fd_ = open_append(path_);  // lost by a failed reopen after compaction: try again
  std::string text;
  std::size_t taken = 0;
  for (const auto& r : records) {
    std::string line = cdr::radius::spool_line(r);
    if (bytes_ + text.size() + line.size() > max_ && acked_in_file_ > 0) compact();
    if (bytes_ + text.size() + line.size() > max_) break;  // full: this record and the rest are dropped
    text += line;
    ++taken;
  }
  if (!text.empty()) {
    const std::uint64_t before = bytes_;
    if (!write_all(text)) {
      // A write cut short (a full disk) would leave a torn line that the next record joins: cut it off.
      if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(before)) == 0) bytes_ = before;
      return records.size();
    }
    ::fdatasync(fd_);
    pending_.insert(pending_.end(), records.begin(), records.begin() + static_cast<std::ptrdiff_t>(taken));
  }
  return records.size() - taken;
}

void RadiusSpool::pop_front() {
  if (pending_.empty()) return;
  pending_.pop_front();
  if (pending_.empty()) {
    // Nothing left to send: the file starts again from nothing.
    if (::ftruncate(fd_, 0) == 0) {
      bytes_ = 0;
      acked_in_file_ = 0;
      ::fdatasync(fd_);
      return;
    }
  }
  write_all(cdr::radius::kSpoolAck);
  ++acked_in_file_;
}

bool RadiusSpool::compact() {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::string text;
  for (const auto& r : pending_) text += cdr::radius::spool_line(r);
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ::fdatasync(fd);
  ::close(fd);
  // rename(2) replaces the spool atomically: a crash leaves the old file or the new one, both whole.
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return false;
  }
  sync_directory_of(path_);
  // The old descriptor now names the replaced file: never append there, even when the reopen fails (then
  // append() tries again, and until it succeeds records count as dropped instead of vanishing).
  const int nfd = open_append(path_);
  ::close(fd_);
  fd_ = nfd;
  bytes_ = text.size();
  acked_in_file_ = 0;
  return nfd >= 0;
}

}  // namespace isupgw::daemon
