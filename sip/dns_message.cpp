#include "sip/dns_message.h"

#include <arpa/inet.h>

#include <cctype>

namespace isupgw::sip::dns {

namespace {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> m) : m_(m) {}
  bool need(std::size_t n) const { return pos_ + n <= m_.size(); }
  std::uint16_t u16() {
    const std::uint16_t v = static_cast<std::uint16_t>(m_[pos_] << 8 | m_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    const std::uint32_t v = static_cast<std::uint32_t>(u16()) << 16;
    return v | u16();
  }
  std::size_t pos() const { return pos_; }
  void seek(std::size_t p) { pos_ = p; }
  std::span<const std::uint8_t> msg() const { return m_; }

  // RFC 1035 4.1.4: labels, possibly ending in a pointer to an earlier name.
  // Pointers must go backwards (no loops); the name is at most 255 octets (3.1).
  bool name(std::string& out) {
    out.clear();
    std::size_t p = pos_, end = 0, total = 0;
    bool jumped = false;
    for (;;) {
      if (p >= m_.size()) return false;
      const std::uint8_t len = m_[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= m_.size()) return false;
        const std::size_t target = static_cast<std::size_t>((len & 0x3F) << 8 | m_[p + 1]);
        if (target >= p) return false;
        if (!jumped) end = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) return false;  // 0x40/0x80: extended label types (RFC 6891), not ours
      if (len == 0) {
        if (!jumped) end = p + 1;
        break;
      }
      if (p + 1 + len > m_.size()) return false;
      total += len + 1u;
      if (total + 1 > 255) return false;  // with the root's zero octet: at most 253 characters written out
      if (!out.empty()) out += '.';
      for (std::size_t i = 0; i < len; ++i)
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(m_[p + 1 + i])));
      p += 1 + len;
    }
    pos_ = end;
    return true;
  }

  // RFC 1035 3.3 <character-string>: a length octet and that many octets.
  bool string(std::size_t limit, std::string& out) {
    if (pos_ >= limit) return false;
    const std::size_t len = m_[pos_];
    if (pos_ + 1 + len > limit) return false;
    out.assign(reinterpret_cast<const char*>(m_.data() + pos_ + 1), len);
    pos_ += 1 + len;
    return true;
  }

 private:
  std::span<const std::uint8_t> m_;
  std::size_t pos_ = 0;
};

Err<std::string> bad(const char* why) { return Err(std::string(why)); }

}  // namespace

Result<Answer, std::string> parse_answer(std::span<const std::uint8_t> msg) {
  Reader r(msg);
  if (!r.need(12)) return bad("shorter than the 12-octet header");
  r.u16();  // id
  const std::uint16_t flags = r.u16();
  if ((flags & 0x8000) == 0) return bad("not a response (QR=0)");
  const std::uint16_t qd = r.u16(), an = r.u16();
  r.u16();  // NS, AR: not read (4.1.1)
  r.u16();
  Answer a;
  a.rcode = flags & 0x000F;
  std::string name;
  for (std::uint16_t i = 0; i < qd; ++i) {
    if (!r.name(name) || !r.need(4)) return bad("truncated question");
    r.seek(r.pos() + 4);
  }
  for (std::uint16_t i = 0; i < an; ++i) {
    Record rec;
    if (!r.name(rec.name) || !r.need(10)) return bad("truncated resource record");
    const std::uint16_t type = r.u16(), cls = r.u16();
    rec.ttl = r.u32();
    // RFC 2181 8: a TTL with the top bit set is treated as zero.
    if (rec.ttl & 0x80000000u) rec.ttl = 0;
    const std::uint16_t rdlen = r.u16();
    if (!r.need(rdlen)) return bad("RDATA beyond the message");
    const std::size_t start = r.pos(), end = start + rdlen;
    if (cls != 1) {  // IN only
      r.seek(end);
      continue;
    }
    char text[INET6_ADDRSTRLEN] = {};
    switch (type) {
      case 1:
        if (rdlen != 4) return bad("A record RDATA is not 4 octets");
        rec.type = RrType::kA;
        inet_ntop(AF_INET, msg.data() + start, text, sizeof text);
        rec.address = text;
        break;
      case 28:
        if (rdlen != 16) return bad("AAAA record RDATA is not 16 octets");
        rec.type = RrType::kAaaa;
        inet_ntop(AF_INET6, msg.data() + start, text, sizeof text);
        rec.address = text;
        break;
      case 33:
        if (rdlen < 7) return bad("SRV record RDATA too short");
        rec.type = RrType::kSrv;
        rec.priority = r.u16();
        rec.weight = r.u16();
        rec.port = r.u16();
        if (!r.name(rec.target) || r.pos() != end) return bad("SRV target malformed");
        break;
      case 35:
        if (rdlen < 4 + 3 + 1) return bad("NAPTR record RDATA too short");
        rec.type = RrType::kNaptr;
        rec.order = r.u16();
        rec.preference = r.u16();
        if (!r.string(end, rec.flags) || !r.string(end, rec.services) || !r.string(end, rec.regexp))
          return bad("NAPTR character-string malformed");
        if (!r.name(rec.target) || r.pos() != end) return bad("NAPTR replacement malformed");
        break;
      default: r.seek(end); continue;
    }
    r.seek(end);
    a.records.push_back(std::move(rec));
  }
  return a;
}

}  // namespace isupgw::sip::dns
