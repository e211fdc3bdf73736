#include "trace/pcap.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string_view>
#include <tuple>

namespace isupgw::trace {

namespace {

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {  // host order (pcapng blocks)
  std::uint8_t b[2];
  std::memcpy(b, &x, 2);
  v.insert(v.end(), b, b + 2);
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  std::uint8_t b[4];
  std::memcpy(b, &x, 4);
  v.insert(v.end(), b, b + 4);
}
void be16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}
void be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  be16(v, static_cast<std::uint16_t>(x >> 16));
  be16(v, static_cast<std::uint16_t>(x));
}
void pad4(std::vector<std::uint8_t>& v) {
  while (v.size() % 4) v.push_back(0);
}
void set_be16(std::vector<std::uint8_t>& v, std::size_t at, std::uint16_t x) {
  v[at] = static_cast<std::uint8_t>(x >> 8);
  v[at + 1] = static_cast<std::uint8_t>(x);
}

// RFC 1071 one's complement sum.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t s = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) s += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
  if (n & 1) s += static_cast<std::uint32_t>(p[n - 1] << 8);
  return s;
}
std::uint16_t fold(std::uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

// CRC32c (Castagnoli), the SCTP checksum (RFC 9260 Appendix A).
std::uint32_t crc32c(const std::uint8_t* p, std::size_t n) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void append_pcapng_header(std::vector<std::uint8_t>& out) {
  // Section Header Block: type, length 28, byte-order magic, version 1.0, section length unknown (-1).
  put32(out, 0x0A0D0D0A);
  put32(out, 28);
  put32(out, 0x1A2B3C4D);
  put16(out, 1);
  put16(out, 0);
  put32(out, 0xffffffffu);
  put32(out, 0xffffffffu);
  put32(out, 28);
  // Interface Description Block: LINKTYPE_RAW (101), no snap length limit; timestamps in microseconds.
  put32(out, 1);
  put32(out, 20);
  put16(out, 101);
  put16(out, 0);
  put32(out, 0);
  put32(out, 20);
}

void Framer::frame(std::vector<std::uint8_t>& v, const Record& r, std::span<const std::uint8_t> payload) {
  const std::size_t f0 = v.size();  // 4-aligned: pad4 below pads the frame as it pads the file
  const bool v6 = r.src.v6 || r.dst.v6;
  // SIGTRAN is always framed as SCTP: tshark 4.0 decodes M3UA and M2PA only by SCTP PPID.
  const L4 l4 = r.protocol == Protocol::kM3ua || r.protocol == Protocol::kM2pa ? L4::kSctp : r.l4;
  const std::uint8_t proto = l4 == L4::kUdp ? 17 : l4 == L4::kTcp ? 6 : 132;
  // IP header, its lengths and checksum filled in below.
  if (v6) {
    be32(v, 0x60000000u);
    be16(v, 0);
    v.push_back(proto);
    v.push_back(64);
    v.insert(v.end(), r.src.ip.begin(), r.src.ip.end());
    v.insert(v.end(), r.dst.ip.begin(), r.dst.ip.end());
  } else {
    v.insert(v.end(), {0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0});
    v.insert(v.end(), r.src.ip.begin(), r.src.ip.begin() + 4);
    v.insert(v.end(), r.dst.ip.begin(), r.dst.ip.begin() + 4);
  }
  const std::size_t l4_at = v.size();
  FlowKey key{r.src.ip, r.src.port, r.dst.ip, r.dst.port, proto};
  switch (l4) {
    case L4::kUdp:
      be16(v, r.src.port);
      be16(v, r.dst.port);
      be16(v, static_cast<std::uint16_t>(8 + payload.size()));
      be16(v, 0);
      v.insert(v.end(), payload.begin(), payload.end());
      break;
    case L4::kTcp: {
      auto [it, fresh] = flows_.try_emplace(key, 1u);
      be16(v, r.src.port);
      be16(v, r.dst.port);
      be32(v, it->second);
      it->second += static_cast<std::uint32_t>(payload.size());
      FlowKey back{r.dst.ip, r.dst.port, r.src.ip, r.src.port, proto};
      auto ack = flows_.try_emplace(back, 1u).first->second;
      be32(v, ack);
      v.push_back(0x50);  // data offset 5 words
      v.push_back(0x18);  // PSH ACK
      be16(v, 65535);
      be16(v, 0);
      be16(v, 0);
      v.insert(v.end(), payload.begin(), payload.end());
      break;
    }
    case L4::kSctp: {
      auto [it, fresh] = flows_.try_emplace(key, 1u);
      be16(v, r.src.port);
      be16(v, r.dst.port);
      be32(v, 1);  // verification tag
      be32(v, 0);  // checksum, below
      // DATA chunk (RFC 9260 3.3.1): unfragmented (B and E), TSN, stream, stream sequence, PPID.
      v.push_back(0);
      v.push_back(0x03);
      be16(v, static_cast<std::uint16_t>(16 + payload.size()));
      be32(v, it->second);
      be16(v, r.stream);
      be16(v, static_cast<std::uint16_t>(it->second));
      ++it->second;
      be32(v, r.protocol == Protocol::kM2pa ? kPpidM2pa : kPpidM3ua);
      v.insert(v.end(), payload.begin(), payload.end());
      pad4(v);
      const std::uint32_t crc = crc32c(v.data() + l4_at, v.size() - l4_at);
      std::memcpy(&v[l4_at + 8], &crc, 4);  // CRC32c goes out in little-endian byte order
      break;
    }
  }
  const std::size_t l4_len = v.size() - l4_at;
  if (v6) {
    set_be16(v, f0 + 4, static_cast<std::uint16_t>(l4_len));
  } else {
    set_be16(v, f0 + 2, static_cast<std::uint16_t>(v.size() - f0));
    set_be16(v, f0 + 10, fold(sum16(v.data() + f0, 20)));
  }
  if (l4 == L4::kTcp) {
    // Pseudo-header (RFC 793 3.1 / RFC 8200 8.1) + segment.
    std::uint32_t s = v6 ? sum16(v.data() + f0 + 8, 32) : sum16(v.data() + f0 + 12, 8);
    s += proto + static_cast<std::uint32_t>(l4_len);
    set_be16(v, l4_at + 16, fold(sum16(v.data() + l4_at, l4_len, s)));
  }
}

void Framer::append_packet(std::vector<std::uint8_t>& out, const Record& r, std::span<const std::uint8_t> payload) {
  // The frame is built in place after the block's header (issue 17 cost: one copy of the payload, not two).
  char comment[32] = "call=";
  std::size_t clen = 0;
  if (r.call != 0)
    clen = static_cast<std::size_t>(std::to_chars(comment + 5, comment + sizeof comment, r.call).ptr - comment);
  const std::size_t block = out.size();
  out.resize(block + 28);  // the Enhanced Packet Block's header, filled in once the frame's length is known
  frame(out, r, payload);
  const std::size_t frame_len = out.size() - block - 28;
  pad4(out);
  if (clen) {
    put16(out, 1);  // opt_comment
    put16(out, static_cast<std::uint16_t>(clen));
    out.insert(out.end(), comment, comment + clen);
    pad4(out);
    put32(out, 0);  // opt_endofopt
  }
  const auto total = static_cast<std::uint32_t>(out.size() - block + 4);
  put32(out, total);
  const auto ts = static_cast<std::uint64_t>(r.time_us);
  const std::uint32_t header[7] = {6,  // Enhanced Packet Block
                                   total,
                                   0,  // interface 0
                                   static_cast<std::uint32_t>(ts >> 32),
                                   static_cast<std::uint32_t>(ts),
                                   static_cast<std::uint32_t>(frame_len),
                                   static_cast<std::uint32_t>(frame_len)};
  std::memcpy(out.data() + block, header, sizeof header);
}

Result<RollingPcap, std::string> RollingPcap::open(PcapOptions o) {
  if (::mkdir(o.directory.c_str(), 0755) != 0 && errno != EEXIST)
    return Err("cannot create trace directory " + o.directory + ": " + std::strerror(errno));
  RollingPcap p(std::move(o));
  if (auto r = p.start_file(now_seconds()); !r) return Err(r.error());
  return p;
}

RollingPcap::RollingPcap(RollingPcap&& o) noexcept
    : o_(std::move(o.o_)),
      fd_(o.fd_),
      path_(std::move(o.path_)),
      size_(o.size_),
      opened_s_(o.opened_s_),
      framer_(std::move(o.framer_)) {
  o.fd_ = -1;
}

RollingPcap::~RollingPcap() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> ring_files(const std::string& directory, const std::string& base_name) {
  // BASE-YYYYmmddTHHMMSS.pcapng or BASE-YYYYmmddTHHMMSS-N.pcapng: ordered by (stamp, N).
  std::vector<std::tuple<std::string, int, std::string>> found;
  const std::string prefix = base_name + "-", suffix = ".pcapng";
  if (DIR* d = ::opendir(directory.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name(e->d_name);
      if (name.size() < prefix.size() + 15 + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
        continue;
      const auto middle = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      const auto stamp = middle.substr(0, 15);
      int n = 0;  // the "-N" of a name taken in the same second
      if (middle.size() > 15) {
        const auto digits = middle.substr(16);
        if (middle[15] != '-' || digits.empty() || digits.size() > 3 ||
            std::from_chars(digits.data(), digits.data() + digits.size(), n).ptr != digits.data() + digits.size())
          continue;
      }
      found.emplace_back(std::string(stamp), n, std::string(name));
    }
    ::closedir(d);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(directory + "/" + std::get<2>(f));
  return out;
}

// Keeps the ring at max_files: the oldest files go (never the one being written).
void RollingPcap::prune() {
  if (o_.max_files == 0) return;
  auto files = ring_files(o_.directory, o_.base_name);
  for (std::size_t i = 0; files.size() - i > o_.max_files; ++i)
    if (files[i] != path_) ::unlink(files[i].c_str());
}

Result<bool, std::string> RollingPcap::start_file(std::int64_t now_s) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::time_t t = static_cast<std::time_t>(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  const std::string stem = o_.directory + "/" + o_.base_name + "-" + stamp;
  for (int n = 0; n < 1000 && fd_ < 0; ++n) {
    path_ = stem + (n ? "-" + std::to_string(n) : "") + ".pcapng";
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0 && errno != EEXIST) return Err("cannot create " + path_ + ": " + std::strerror(errno));
  }
  if (fd_ < 0) return Err("cannot create a new file " + stem + "*.pcapng");
  framer_.reset();
  out_.clear();
  append_pcapng_header(out_);
  size_ = 0;
  opened_s_ = now_s;
  if (::write(fd_, out_.data(), out_.size()) != static_cast<ssize_t>(out_.size()))
    return Err("cannot write " + path_ + ": " + std::strerror(errno));
  size_ = out_.size();
  prune();
  return true;
}

Result<bool, std::string> RollingPcap::write(const Batch& b) {
  out_.clear();
  for (const auto& r : b.records)
    if (r.kind == Kind::kPacket) framer_.append_packet(out_, r, b.data(r));
  if (out_.empty()) return true;
  if (size_ + out_.size() > o_.rotate_bytes && size_ > 64) {
    if (auto s = start_file(now_seconds()); !s) return s;
    // The framer started over: frame the batch again for the new file.
    out_.clear();
    for (const auto& r : b.records)
      if (r.kind == Kind::kPacket) framer_.append_packet(out_, r, b.data(r));
  }
  const ssize_t n = ::write(fd_, out_.data(), out_.size());
  if (n != static_cast<ssize_t>(out_.size())) return Err("cannot write " + path_ + ": " + std::strerror(errno));
  size_ += out_.size();
  return true;
}

Result<bool, std::string> RollingPcap::tick(std::int64_t now_s) {
  if (o_.rotate_interval_s > 0 && now_s - opened_s_ >= o_.rotate_interval_s && size_ > 64) return start_file(now_s);
  return true;
}

}  // namespace isupgw::trace
