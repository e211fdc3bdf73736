#include "trace/ladder.h"

#include <string_view>

#include "cli/codec_isup.h"
#include "isup/codes.h"
#include "isup/message.h"
#include "trace/keys.h"

namespace isupgw::trace {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Binary octets (an ISUP body in SIP-I) as a middle dot: the page stays valid UTF-8.
        if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t')
          out += "\xC2\xB7";
        else if (ch >= 0x80)
          out += "\xC2\xB7";
        else if (ch != '\r')
          out += static_cast<char>(ch);
    }
  }
  return out;
}

std::string_view text_of(const StoredMessage& m) {
  return {reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size()};
}

std::optional<IsupKeys> isup_of(const StoredMessage& m, bool ansi) {
  return m.record.protocol == Protocol::kM3ua ? m3ua_isup(m.bytes) : m2pa_isup(m.bytes, ansi);
}

// Lanes, left to right (x of each lifeline).
constexpr int kSip = 140, kGateway = 400, kIsup = 660, kMg = 920, kWidth = 1040, kTop = 70, kStep = 30;

}  // namespace

std::string message_label(const StoredMessage& m, isup::Variant variant, bool ansi) {
  switch (m.record.protocol) {
    case Protocol::kSip: {
      auto k = sip_keys(text_of(m));
      if (!k) return "SIP ?";
      return k->status ? std::to_string(k->status) + " (" + std::string(k->method) + ")" : std::string(k->method);
    }
    case Protocol::kMgcp: {
      auto k = mgcp_keys(text_of(m));
      if (!k) return "MGCP ?";
      return k->verb.empty() ? std::to_string(k->code) + " (" + std::string(k->transaction) + ")"
                             : std::string(k->verb) + " " + std::string(k->transaction);
    }
    case Protocol::kM3ua:
    case Protocol::kM2pa: {
      auto k = isup_of(m, ansi);
      if (!k) return m.record.protocol == Protocol::kM3ua ? "M3UA" : "M2PA";
      auto name = isup::message_acronym(k->type, variant);
      return (name.empty() ? "ISUP " + std::to_string(k->type) : std::string(name)) + " CIC " + std::to_string(k->cic);
    }
  }
  return "?";
}

std::string render_ladder(std::uint64_t id, const std::vector<StoredMessage>& msgs, isup::Variant variant, bool ansi) {
  const int height = kTop + static_cast<int>(msgs.size()) * kStep + 30;
  std::string h;
  h.reserve(4096 + msgs.size() * 1024);
  h += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>isupgw call " + std::to_string(id) +
       "</title>\n<style>\nbody{font-family:sans-serif;margin:16px}\n"
       "svg text{font-size:13px}\n.lane{stroke:#999;stroke-dasharray:4 3}\n.lanename{font-weight:bold}\n"
       "g.msg{cursor:pointer}\ng.msg line{stroke:#225;stroke-width:1.5}\ng.msg polygon{fill:#225}\n"
       "g.msg:hover line,g.msg.sel line{stroke:#c40}\ng.msg:hover polygon,g.msg.sel polygon{fill:#c40}\n"
       "g.msg rect{fill:transparent}\n.time{fill:#666;font-size:11px}\n"
       "pre.fields{background:#f4f4f4;border:1px solid #ccc;padding:8px;white-space:pre-wrap;word-break:break-all}\n"
       "</style></head><body>\n<h1>Call " +
       std::to_string(id) + "</h1>\n<p>" + std::to_string(msgs.size()) +
       " messages. Click an arrow for its decoded fields.</p>\n";
  h += "<svg id=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) + "\" height=\"" +
       std::to_string(height) + "\">\n";
  const std::pair<int, const char*> lanes[] = {
      {kSip, "SIP side"}, {kGateway, "gateway"}, {kIsup, "ISUP side"}, {kMg, "MG"}};
  for (const auto& [x, name] : lanes) {
    h += "<text class=\"lanename\" x=\"" + std::to_string(x) + "\" y=\"30\" text-anchor=\"middle\">" + name +
         "</text>\n<line class=\"lane\" x1=\"" + std::to_string(x) + "\" y1=\"40\" x2=\"" + std::to_string(x) +
         "\" y2=\"" + std::to_string(height) + "\"/>\n";
  }
  const std::int64_t t0 = msgs.empty() ? 0 : msgs.front().record.time_us;
  std::string details;
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& m = msgs[i];
    const int far = m.record.protocol == Protocol::kSip ? kSip : m.record.protocol == Protocol::kMgcp ? kMg : kIsup;
    const int from = m.record.outgoing ? kGateway : far, to = m.record.outgoing ? far : kGateway;
    const int y = kTop + static_cast<int>(i) * kStep;
    const int dir = to > from ? 1 : -1;
    const std::string label = message_label(m, variant, ansi);
    const std::string n = std::to_string(i);
    h += "<g class=\"msg\" id=\"m" + n + "\" data-i=\"" + n + "\"><rect x=\"" + std::to_string(std::min(from, to)) +
         "\" y=\"" + std::to_string(y - 16) + "\" width=\"" + std::to_string(std::abs(to - from)) +
         "\" height=\"22\"/><line x1=\"" + std::to_string(from) + "\" y1=\"" + std::to_string(y) + "\" x2=\"" +
         std::to_string(to - dir * 8) + "\" y2=\"" + std::to_string(y) + "\"/><polygon points=\"" + std::to_string(to) +
         "," + std::to_string(y) + " " + std::to_string(to - dir * 9) + "," + std::to_string(y - 4) + " " +
         std::to_string(to - dir * 9) + "," + std::to_string(y + 4) + "\"/><text x=\"" +
         std::to_string((from + to) / 2) + "\" y=\"" + std::to_string(y - 5) + "\" text-anchor=\"middle\">" +
         escape(label) + "</text></g>\n";
    h += "<text class=\"time\" x=\"4\" y=\"" + std::to_string(y + 4) + "\">+" +
         std::to_string((m.record.time_us - t0) / 1000) + " ms</text>\n";
    // The decoded fields.
    std::string fields;
    if (m.record.protocol == Protocol::kM3ua || m.record.protocol == Protocol::kM2pa) {
      auto k = isup_of(m, ansi);
      if (k) {
        fields = std::string(m.record.protocol == Protocol::kM3ua ? "M3UA DATA" : "M2PA User Data") + " OPC " +
                 std::to_string(k->opc) + " DPC " + std::to_string(k->dpc) + "\n";
        auto d = isup::decode(k->isup, variant);
        fields += d ? cli::isup_to_json(*d, variant, isup::Form::kWithCic)
                    : "ISUP not decoded: " + std::string(isup::to_string(d.error()));
      } else {
        fields = (m.record.protocol == Protocol::kM3ua ? "M3UA" : "M2PA") + std::string(" message, ") +
                 std::to_string(m.bytes.size()) + " octets";
      }
    } else {
      fields = std::string(text_of(m));
    }
    details +=
        "<pre class=\"fields\" id=\"d" + n + "\" hidden><b>" + escape(label) + "</b>\n" + escape(fields) + "</pre>\n";
  }
  h += "</svg>\n<div id=\"detail\">\n" + details + "</div>\n";
  h += "<script>\n"
       "for (const g of document.querySelectorAll('g.msg')) g.addEventListener('click', () => {\n"
       "  for (const p of document.querySelectorAll('pre.fields')) p.hidden = true;\n"
       "  for (const s of document.querySelectorAll('g.msg.sel')) s.classList.remove('sel');\n"
       "  g.classList.add('sel');\n"
       "  document.getElementById('d' + g.dataset.i).hidden = false;\n"
       "});\n</script>\n</body></html>\n";
  return h;
}

std::string render_call_index(const CallStore& store, const std::string& link_prefix, const std::string& link_suffix) {
  std::string h =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>isupgw calls</title>"
      "<style>body{font-family:sans-serif;margin:16px}</style></head><body>\n<h1>Calls kept</h1>\n<ul>\n";
  const auto& order = store.calls();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const auto* msgs = store.call(*it);
    const std::string id = std::to_string(*it);
    h += "<li><a href=\"" + escape(link_prefix) + id + escape(link_suffix) + "\">call " + id + "</a> (" +
         std::to_string(msgs ? msgs->size() : 0) + " messages)</li>\n";
  }
  h += "</ul>\n</body></html>\n";
  return h;
}

}  // namespace isupgw::trace
