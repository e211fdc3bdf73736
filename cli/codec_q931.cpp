#include "cli/codec_q931.h"

#include <functional>
#include <limits>

#include "base/hex.h"
#include "q931/codec.h"

namespace isupgw::cli {

using json = nlohmann::ordered_json;

namespace {

json number_json(const q931::PartyNumber& p) {
  json j{{"type", p.type}, {"plan", p.plan}};
  if (p.presentation) j["presentation"] = *p.presentation;
  if (p.screening) j["screening"] = *p.screening;
  j["digits"] = p.digits;
  return j;
}

// Reads one object's keys with a handler per key; names the first bad value.
class Reader {
 public:
  std::string error;
  bool fail(const std::string& what) {
    if (error.empty()) error = what;
    return false;
  }
  template <class T>
  bool num(const json& j, const std::string& path, T& out, std::uint64_t max = std::numeric_limits<T>::max()) {
    if (!j.is_number_unsigned() || j.get<std::uint64_t>() > max)
      return fail(path + ": expected an integer 0.." + std::to_string(max));
    out = static_cast<T>(j.get<std::uint64_t>());
    return true;
  }
  bool boolean(const json& j, const std::string& path, bool& out) {
    if (j.is_boolean()) {
      out = j.get<bool>();
      return true;
    }
    std::uint8_t v = 0;
    if (!num(j, path, v, 1)) return false;
    out = v;
    return true;
  }
  bool str(const json& j, const std::string& path, std::string& out) {
    if (!j.is_string()) return fail(path + ": expected a string");
    out = j.get<std::string>();
    return true;
  }
  bool bytes(const json& j, const std::string& path, std::vector<std::uint8_t>& out) {
    std::string s;
    if (!str(j, path, s)) return false;
    auto b = from_hex(s);
    if (!b) return fail(path + ": invalid hex");
    out = *b;
    return true;
  }
  // Calls f(key, value) for each key; unknown keys (f returns false without an error) are refused.
  bool object(const json& j, const std::string& path, const std::function<bool(const std::string&, const json&)>& f) {
    if (!j.is_object()) return fail(path + ": expected an object");
    for (const auto& [k, v] : j.items())
      if (!f(k, v) && error.empty()) return fail(path + "." + k + ": unknown key");
    return error.empty();
  }
  bool number(const json& j, const std::string& path, q931::PartyNumber& p) {
    return object(j, path, [&](const std::string& k, const json& v) {
      if (k == "type") return num(v, path + ".type", p.type, 7);
      if (k == "plan") return num(v, path + ".plan", p.plan, 15);
      if (k == "presentation") return num(v, path + ".presentation", p.presentation.emplace(), 3);
      if (k == "screening") return num(v, path + ".screening", p.screening.emplace(), 3);
      if (k == "digits") return str(v, path + ".digits", p.digits);
      return false;
    });
  }
};

}  // namespace

json q931_to_json_object(const q931::Message& m) {
  json j;
  j["call_reference"] =
      json{{"length", m.call_ref.length}, {"flag", m.call_ref.flag ? 1 : 0}, {"value", m.call_ref.value}};
  const auto name = q931::message_name(m.type);
  if (name == "?")
    j["message_type"] = m.type;
  else
    j["message"] = std::string(name);
  if (m.sending_complete) j["sending_complete"] = true;
  if (const auto& b = m.bearer_capability) {
    json o{{"coding_standard", b->coding_standard},
           {"transfer_capability", b->transfer_capability},
           {"transfer_mode", b->transfer_mode},
           {"transfer_rate", b->transfer_rate}};
    if (b->rate_multiplier) o["rate_multiplier"] = *b->rate_multiplier;
    if (b->layer1) o["layer1"] = *b->layer1;
    if (b->layer1_extended) o["layer1_extended"] = true;
    if (!b->rest.empty()) o["rest"] = to_hex(b->rest);
    j["bearer_capability"] = o;
  }
  for (const auto& c : m.causes) {
    json o{{"coding_standard", c.coding_standard}, {"location", c.location}};
    if (c.recommendation) o["recommendation"] = *c.recommendation;
    o["value"] = c.value;
    if (!c.diagnostics.empty()) o["diagnostics"] = to_hex(c.diagnostics);
    j["causes"].push_back(o);
  }
  if (m.call_state)
    j["call_state"] = json{{"coding_standard", m.call_state->coding_standard}, {"value", m.call_state->value}};
  if (const auto& c = m.channel_id) {
    json o{{"primary_rate", c->primary_rate},
           {"exclusive", c->exclusive},
           {"d_channel", c->d_channel},
           {"selection", c->selection}};
    if (c->interface_id_present) o["interface_id"] = to_hex(c->interface_id);
    if (c->has_channel_octets) {
      o["coding_standard"] = c->coding_standard;
      o["channel_type"] = c->channel_type;
      if (c->slot_map)
        o["slot_map"] = to_hex(c->channels);
      else
        o["channels"] = c->channels;
    }
    j["channel_id"] = o;
  }
  for (const auto& p : m.progress)
    j["progress"].push_back(
        json{{"coding_standard", p.coding_standard}, {"location", p.location}, {"description", p.description}});
  if (m.display) j["display"] = *m.display;
  if (m.keypad) j["keypad"] = *m.keypad;
  if (m.calling) j["calling"] = number_json(*m.calling);
  if (m.called) j["called"] = number_json(*m.called);
  if (m.restart_class) j["restart_class"] = *m.restart_class;
  for (const auto& r : m.other) j["other"].push_back(json{{"id", r.id}, {"contents", to_hex(r.contents)}});
  if (!m.shifted.empty()) j["shifted"] = to_hex(m.shifted);
  // What the decoder dropped or did not recognise (Q.931 5.8.5-5.8.7), and what a receiver answers.
  static constexpr const char* kKinds[] = {"invalid_contents", "repeated", "unrecognised"};
  for (const auto& e : m.ie_errors) j["ie_errors"].push_back(json{{"id", e.id}, {"error", kKinds[e.kind]}});
  if (!m.ie_errors.empty()) {
    const auto v = q931::check_ies(m, q931::Sender::kUser);
    static constexpr const char* kActions[] = {"process", "process_and_status", "reject", "process_and_clear"};
    j["ie_verdict"] = json{{"action", kActions[v.action]}, {"cause", v.cause}, {"diagnostics", to_hex(v.diagnostics)}};
  }
  return j;
}

std::string q931_to_json(const q931::Message& m) {
  return q931_to_json_object(m).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<q931::Message, std::string> q931_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err(std::string("expected one JSON object"));
  Reader rd;
  q931::Message m;
  bool have_type = false;
  rd.object(j, "q931", [&](const std::string& k, const json& v) -> bool {
    if (k == "call_reference")
      return rd.object(v, k, [&](const std::string& kk, const json& vv) {
        if (kk == "length") return rd.num(vv, "call_reference.length", m.call_ref.length, 2);
        if (kk == "flag") return rd.boolean(vv, "call_reference.flag", m.call_ref.flag);
        if (kk == "value") return rd.num(vv, "call_reference.value", m.call_ref.value, 0x7fff);
        return false;
      });
    if (k == "message") {
      std::string s;
      if (!rd.str(v, k, s)) return true;
      auto t = q931::message_type_from_name(s);
      if (!t) return rd.fail("message: unknown Q.931 message '" + s + "'");
      m.type = *t;
      have_type = true;
      return true;
    }
    if (k == "message_type") {
      have_type = true;
      return rd.num(v, k, m.type, 0x7f);
    }
    if (k == "sending_complete") return rd.boolean(v, k, m.sending_complete);
    if (k == "bearer_capability") {
      auto& b = m.bearer_capability.emplace();
      return rd.object(v, k, [&](const std::string& kk, const json& vv) {
        const std::string p = k + "." + kk;
        if (kk == "coding_standard") return rd.num(vv, p, b.coding_standard, 3);
        if (kk == "transfer_capability") return rd.num(vv, p, b.transfer_capability, 31);
        if (kk == "transfer_mode") return rd.num(vv, p, b.transfer_mode, 3);
        if (kk == "transfer_rate") return rd.num(vv, p, b.transfer_rate, 31);
        if (kk == "rate_multiplier") return rd.num(vv, p, b.rate_multiplier.emplace(), 127);
        if (kk == "layer1") return rd.num(vv, p, b.layer1.emplace(), 31);
        if (kk == "layer1_extended") return rd.boolean(vv, p, b.layer1_extended);
        if (kk == "rest") return rd.bytes(vv, p, b.rest);
        return false;
      });
    }
    if (k == "causes") {
      if (!v.is_array()) return rd.fail("causes: expected an array");
      for (const auto& x : v) {
        auto& c = m.causes.emplace_back();
        rd.object(x, k, [&](const std::string& kk, const json& vv) {
          const std::string p = k + "." + kk;
          if (kk == "coding_standard") return rd.num(vv, p, c.coding_standard, 3);
          if (kk == "location") return rd.num(vv, p, c.location, 15);
          if (kk == "recommendation") return rd.num(vv, p, c.recommendation.emplace(), 127);
          if (kk == "value") return rd.num(vv, p, c.value, 127);
          if (kk == "diagnostics") return rd.bytes(vv, p, c.diagnostics);
          return false;
        });
      }
      return true;
    }
    if (k == "call_state") {
      auto& s = m.call_state.emplace();
      return rd.object(v, k, [&](const std::string& kk, const json& vv) {
        if (kk == "coding_standard") return rd.num(vv, k + "." + kk, s.coding_standard, 3);
        if (kk == "value") return rd.num(vv, k + "." + kk, s.value, 63);
        return false;
      });
    }
    if (k == "channel_id") {
      auto& c = m.channel_id.emplace();
      c.has_channel_octets = false;
      return rd.object(v, k, [&](const std::string& kk, const json& vv) {
        const std::string p = k + "." + kk;
        if (kk == "primary_rate") return rd.boolean(vv, p, c.primary_rate);
        if (kk == "exclusive") return rd.boolean(vv, p, c.exclusive);
        if (kk == "d_channel") return rd.boolean(vv, p, c.d_channel);
        if (kk == "selection") return rd.num(vv, p, c.selection, 3);
        if (kk == "interface_id") {
          c.interface_id_present = true;
          return rd.bytes(vv, p, c.interface_id);
        }
        if (kk == "coding_standard") return rd.num(vv, p, c.coding_standard, 3);
        if (kk == "channel_type") return rd.num(vv, p, c.channel_type, 15);
        if (kk == "slot_map") {
          c.has_channel_octets = c.slot_map = true;
          return rd.bytes(vv, p, c.channels);
        }
        if (kk == "channels") {
          c.has_channel_octets = true;
          if (!vv.is_array()) return rd.fail(p + ": expected an array");
          for (const auto& n : vv) rd.num(n, p, c.channels.emplace_back(), 127);
          return true;
        }
        return false;
      });
    }
    if (k == "progress") {
      if (!v.is_array()) return rd.fail("progress: expected an array");
      for (const auto& x : v) {
        auto& pi = m.progress.emplace_back();
        rd.object(x, k, [&](const std::string& kk, const json& vv) {
          const std::string p = k + "." + kk;
          if (kk == "coding_standard") return rd.num(vv, p, pi.coding_standard, 3);
          if (kk == "location") return rd.num(vv, p, pi.location, 15);
          if (kk == "description") return rd.num(vv, p, pi.description, 127);
          return false;
        });
      }
      return true;
    }
    if (k == "display") return rd.str(v, k, m.display.emplace());
    if (k == "keypad") return rd.str(v, k, m.keypad.emplace());
    if (k == "calling") return rd.number(v, k, m.calling.emplace());
    if (k == "called") return rd.number(v, k, m.called.emplace());
    if (k == "restart_class") return rd.num(v, k, m.restart_class.emplace(), 7);
    if (k == "other") {
      if (!v.is_array()) return rd.fail("other: expected an array");
      for (const auto& x : v) {
        auto& r = m.other.emplace_back();
        rd.object(x, k, [&](const std::string& kk, const json& vv) {
          if (kk == "id") return rd.num(vv, "other.id", r.id, 255);
          if (kk == "contents") return rd.bytes(vv, "other.contents", r.contents);
          return false;
        });
      }
      return true;
    }
    if (k == "shifted") return rd.bytes(v, k, m.shifted);
    if (k == "ie_errors" || k == "ie_verdict") return true;  // decode's report: nothing to encode
    return false;
  });
  if (!rd.error.empty()) return Err(rd.error);
  if (!have_type) return Err(std::string("message: missing"));
  return m;
}

Result<std::string, std::string> decode_q931(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto bytes = from_hex(parsed->rest);
  if (!bytes) return Err(std::string("invalid hex"));
  auto m = q931::decode(*bytes);
  if (!m) return Err(m.error().to_string());
  return q931_to_json(*m);
}

Result<std::string, std::string> encode_q931(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto m = q931_from_json(parsed->rest);
  if (!m) return Err(m.error());
  auto bytes = q931::encode(*m);
  if (!bytes) return Err(bytes.error().to_string());
  return to_hex(*bytes);
}

}  // namespace isupgw::cli
