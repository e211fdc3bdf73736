#include "media-gw/mgcp_media_options.h"

#include <cctype>
#include <charconv>
#include <vector>

namespace isupgw::mediagw {

namespace {

std::string_view trim_cr(std::string_view l) {
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) break;
    s.remove_prefix(b);
    auto e = s.find(' ');
    out.push_back(s.substr(0, e));
    s.remove_prefix(e == std::string_view::npos ? s.size() : e);
  }
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// The first m=audio line: its formats and their encoding names (rtpmap, or the RFC 3551 static ones).
struct AudioLine {
  bool found = false;
  std::vector<std::string> formats;
  std::vector<std::pair<std::string, std::string>> rtpmaps;  // pt -> "name/rate"
  std::string encoding(const std::string& pt) const {
    for (const auto& [p, enc] : rtpmaps)
      if (p == pt) return enc;
    if (pt == "0") return "PCMU/8000";
    if (pt == "8") return "PCMA/8000";
    if (pt == "9") return "G722/8000";
    if (pt == "18") return "G729/8000";
    return {};
  }
};

AudioLine first_audio(std::string_view sdp) {
  AudioLine a;
  bool in = false;
  while (!sdp.empty()) {
    auto eol = sdp.find('\n');
    std::string_view line = trim_cr(sdp.substr(0, eol));
    sdp.remove_prefix(eol == std::string_view::npos ? sdp.size() : eol + 1);
    if (line.starts_with("m=")) {
      if (a.found) break;
      auto w = words(line.substr(2));
      in = w.size() >= 3 && w[0] == "audio" && w[1] != "0";
      if (in) {
        a.found = true;
        for (std::size_t i = 3; i < w.size(); ++i) a.formats.emplace_back(w[i]);
      }
    } else if (in && line.starts_with("a=rtpmap:")) {
      auto w = words(line.substr(9));
      if (w.size() >= 2) a.rtpmaps.emplace_back(std::string(w[0]), std::string(w[1]));
    }
  }
  return a;
}

std::string name_of(const std::string& encoding) { return encoding.substr(0, encoding.find('/')); }

}  // namespace

std::optional<int> telephone_event_pt(std::string_view sdp) {
  const AudioLine a = first_audio(sdp);
  for (const auto& f : a.formats)
    if (iequal(a.encoding(f), "telephone-event/8000")) {
      int v = -1;
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec == std::errc() && p == f.data() + f.size() && v >= 0 && v <= 127) return v;
    }
  return std::nullopt;
}

bool offers_t38(std::string_view sdp) {
  while (!sdp.empty()) {
    auto eol = sdp.find('\n');
    std::string_view line = trim_cr(sdp.substr(0, eol));
    sdp.remove_prefix(eol == std::string_view::npos ? sdp.size() : eol + 1);
    if (!line.starts_with("m=")) continue;
    auto w = words(line.substr(2));
    if (w.size() >= 4 && w[0] == "image" && w[1] != "0" && iequal(w[2], "udptl") && iequal(w[3], "t38")) return true;
  }
  return false;
}

std::string first_codec(std::string_view sdp) {
  const AudioLine a = first_audio(sdp);
  return a.formats.empty() ? std::string() : name_of(a.encoding(a.formats.front()));
}

std::string telephone_event_options(std::string_view mg_sdp, std::string_view remote_sdp) {
  if (!telephone_event_pt(mg_sdp) || !telephone_event_pt(remote_sdp)) return {};
  const AudioLine mg = first_audio(mg_sdp), remote = first_audio(remote_sdp);
  for (const auto& f : remote.formats) {
    const std::string enc = remote.encoding(f);
    if (enc.empty() || iequal(enc, "telephone-event/8000")) continue;
    for (const auto& g : mg.formats)
      if (iequal(mg.encoding(g), enc)) return "a:" + name_of(enc) + ";telephone-event";
  }
  return {};
}

std::string fax_passthrough_options(std::string_view codec) {
  return "a:" + std::string(codec.empty() ? "PCMA" : codec) + ", e:off, s:off, fxr/fx:off";
}

std::optional<std::string> dtmf_signal(char digit) {
  const char d = static_cast<char>(std::toupper(static_cast<unsigned char>(digit)));
  if ((d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D')) return std::string("D/") + d;
  return std::nullopt;
}

mgcp::Command make_rqnt_signal(std::string endpoint, std::string request_id, std::string signal) {
  mgcp::Command c;
  c.verb = mgcp::Verb::kRqnt;
  c.endpoint = std::move(endpoint);
  c.set(mgcp::param::kRequestIdentifier, std::move(request_id));
  c.set(mgcp::param::kSignalRequests, std::move(signal));
  return c;
}

}  // namespace isupgw::mediagw
