#include "tests/support/tshark_oracle.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace isupgw::tshark {
namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; returns its exit status and stdout.
int run(const std::string& cmd, std::string& out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string unescape_xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto end = s.find(';', i);
    if (end == std::string_view::npos) {
      out += s[i];
      continue;
    }
    auto ent = s.substr(i + 1, end - i - 1);
    if (ent == "quot")
      out += '"';
    else if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "apos")
      out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      long code = ent.size() > 1 && ent[1] == 'x' ? std::strtol(std::string(ent.substr(2)).c_str(), nullptr, 16)
                                                  : std::strtol(std::string(ent.substr(1)).c_str(), nullptr, 10);
      out += static_cast<char>(code);
    } else {
      out += std::string(s.substr(i, end - i + 1));
    }
    i = end;
  }
  return out;
}

std::string attribute(std::string_view tag, std::string_view name) {
  std::string key = " " + std::string(name) + "=\"";
  auto p = tag.find(key);
  if (p == std::string_view::npos) return {};
  p += key.size();
  auto e = tag.find('"', p);
  if (e == std::string_view::npos) return {};
  return unescape_xml(tag.substr(p, e - p));
}

// PDML is one element per line; a small line scanner is enough for our needs.
std::vector<Dissection> parse_pdml(const std::string& pdml) {
  std::vector<Dissection> packets;
  std::istringstream in(pdml);
  std::string line;
  Dissection* cur = nullptr;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    std::string_view tag = std::string_view(line).substr(start);
    if (tag.starts_with("<packet>")) {
      packets.emplace_back();
      cur = &packets.back();
    } else if (tag.starts_with("</packet>")) {
      cur = nullptr;
    } else if (cur && (tag.starts_with("<field ") || tag.starts_with("<proto "))) {
      Field f{attribute(tag, "name"), attribute(tag, "show"), attribute(tag, "value"), attribute(tag, "showname")};
      if (f.name.starts_with("_ws.malformed")) cur->malformed = true;
      if (f.name == "_ws.expert" &&
          (f.showname.find("(Error") != std::string::npos || f.showname.find("(Warning") != std::string::npos))
        cur->expert.push_back(f.showname);
      if (f.name == "_ws.expert.message" && !cur->expert.empty()) cur->expert.back() += ": " + f.show;
      if (tag.starts_with("<field ")) cur->fields.push_back(std::move(f));
    }
  }
  return packets;
}

std::string wrap_options(Wrap w) {
  switch (w) {
    case Wrap::kM3ua: return "-S 2905,2905,3";
    case Wrap::kM2pa: return "-S 3565,3565,5";
    case Wrap::kSipUdp: return "-u 5060,5060";
    case Wrap::kMgcpUdp: return "-u 2727,2427";
    case Wrap::kIua: return "-S 9900,9900,1";
    case Wrap::kQ931Raw: return "-l 147";
    case Wrap::kLapd: return "-l 203";
    case Wrap::kMegacoUdp: return "-u 2944,2944";
  }
  return "";
}

}  // namespace

std::optional<std::string> Dissection::first(std::string_view name) const {
  for (const auto& f : fields)
    if (f.name == name) return f.show;
  return std::nullopt;
}

std::vector<std::string> Dissection::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (f.name == name) out.push_back(f.show);
  return out;
}

std::string Dissection::problems() const {
  std::string out = error;
  if (malformed) out += (out.empty() ? "" : "; ") + std::string("tshark: malformed packet");
  for (const auto& e : expert) out += (out.empty() ? "" : "; ") + e;
  return out;
}

std::string Dissection::dump() const {
  std::string out;
  for (const auto& f : fields)
    if (!f.name.empty()) out += f.name + " = " + f.show + "\n";
  return out;
}

std::vector<std::string> q931_options() {
  return {"-o", "uat:user_dlts:\"User 0 (DLT=147)\",\"q931\",\"0\",\"\",\"0\",\"\"",
          "-o", "iua.use_gsm_sapi_values:FALSE",
          "-o", "iua.support_ig:TRUE"};
}

bool available() {
  std::string out;
  return run("command -v text2pcap >/dev/null && command -v tshark >/dev/null && echo yes", out) == 0 &&
         out.starts_with("yes");
}

std::vector<Dissection> dissect_many(const std::vector<std::vector<std::uint8_t>>& payloads, Wrap wrap,
                                     const std::vector<std::string>& tshark_options) {
  std::vector<Dissection> result(payloads.size());
  auto fail_all = [&](const std::string& why) {
    for (auto& d : result) d.error = why;
    return result;
  };
  char tmpl[] = "/tmp/isupgw-tshark-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return fail_all("mkdtemp failed");
  const fs::path dir = tmpl;
  const fs::path hex = dir / "in.txt", pcap = dir / "in.pcap";
  {
    // text2pcap hexdump: an offset line starts each packet.
    std::ofstream f(hex);
    for (const auto& p : payloads) {
      for (std::size_t i = 0; i < p.size(); i += 16) {
        char off[24];
        std::snprintf(off, sizeof off, "%06zx", i);
        f << off;
        for (std::size_t j = i; j < i + 16 && j < p.size(); ++j) {
          char b[4];
          std::snprintf(b, sizeof b, " %02x", p[j]);
          f << b;
        }
        f << "\n";
      }
      if (p.empty()) f << "000000\n";
      f << "\n";
    }
  }
  std::string out;
  if (run("text2pcap -q " + wrap_options(wrap) + " " + shell_quote(hex) + " " + shell_quote(pcap) + " 2>&1", out) !=
      0) {
    fs::remove_all(dir);
    return fail_all("text2pcap failed: " + out);
  }
  std::string opts;
  for (const auto& o : tshark_options) opts += " " + shell_quote(o);
  out.clear();
  int rc = run("tshark -n -r " + shell_quote(pcap) + opts + " -T pdml 2>/dev/null", out);
  fs::remove_all(dir);
  if (rc != 0) return fail_all("tshark exited with status " + std::to_string(rc));
  auto packets = parse_pdml(out);
  if (packets.size() != payloads.size())
    return fail_all("tshark returned " + std::to_string(packets.size()) + " packets for " +
                    std::to_string(payloads.size()) + " payloads");
  return packets;
}

Dissection dissect(std::span<const std::uint8_t> payload, Wrap wrap, const std::vector<std::string>& tshark_options) {
  return dissect_many({std::vector<std::uint8_t>(payload.begin(), payload.end())}, wrap, tshark_options).front();
}

}  // namespace isupgw::tshark
