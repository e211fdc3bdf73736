#include "cli/codec_iua.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "cli/codec_q931.h"
#include "q931/codec.h"
#include "sigtran/iua_codec.h"

namespace isupgw::cli {

namespace iua = sigtran::iua;
using json = nlohmann::ordered_json;

namespace {

json to_json_object(const iua::Message& m) {
  json j;
  j["message"] = std::string(iua::to_string(m.type));
  if (m.interface_id) {
    if (const auto* n = std::get_if<std::uint32_t>(&*m.interface_id))
      j["interface_id"] = *n;
    else
      j["interface_id"] = std::get<std::string>(*m.interface_id);
  }
  if (m.dlci) {
    j["dlci"] = json{{"sapi", m.dlci->sapi}, {"tei", m.dlci->tei}};
    if (m.dlci->spare) j["dlci"]["spare"] = true;
  }
  if (m.protocol_data) {
    j["protocol_data"] = to_hex(*m.protocol_data);
    if (m.dlci && m.dlci->sapi == 0)
      if (auto q = q931::decode(*m.protocol_data)) j["q931"] = q931_to_json_object(*q);
  }
  if (m.release_reason) j["release_reason"] = *m.release_reason;
  if (m.tei_status) j["tei_status"] = *m.tei_status;
  if (!m.interface_ids.empty()) j["interface_ids"] = m.interface_ids;
  if (!m.interface_ranges.empty()) {
    json r = json::array();
    for (const auto& x : m.interface_ranges) r.push_back(json{{"start", x.start}, {"end", x.end}});
    j["interface_ranges"] = r;
  }
  if (!m.interface_names.empty()) j["interface_names"] = m.interface_names;
  if (m.traffic_mode_type) j["traffic_mode_type"] = *m.traffic_mode_type;
  if (m.error_code) {
    j["error_code"] = *m.error_code;
    j["error"] = std::string(iua::to_string(static_cast<iua::ErrorCode>(*m.error_code)));
  }
  if (m.status) j["status"] = json{{"type", m.status->type}, {"info", m.status->info}};
  if (m.asp_identifier) j["asp_identifier"] = *m.asp_identifier;
  if (m.info_string) j["info_string"] = *m.info_string;
  if (m.diagnostic_information) j["diagnostic_information"] = to_hex(*m.diagnostic_information);
  if (m.heartbeat_data) j["heartbeat_data"] = to_hex(*m.heartbeat_data);
  return j;
}

// Reads typed values out of the JSON object, naming the first bad key.
struct Reader {
  std::string error;
  bool fail(const std::string& what) {
    if (error.empty()) error = what;
    return false;
  }
  bool u32(const json& v, const std::string& key, std::uint32_t& out) {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
      return fail(key + ": expected an integer 0..4294967295");
    out = static_cast<std::uint32_t>(v.get<std::uint64_t>());
    return true;
  }
  bool str(const json& v, const std::string& key, std::string& out) {
    if (!v.is_string()) return fail(key + ": expected a string");
    out = v.get<std::string>();
    return true;
  }
  bool bytes(const json& v, const std::string& key, std::vector<std::uint8_t>& out) {
    std::string s;
    if (!str(v, key, s)) return false;
    auto b = from_hex(s);
    if (!b) return fail(key + ": invalid hex");
    out = *b;
    return true;
  }
};

}  // namespace

std::string iua_to_json(const iua::Message& m) {
  return to_json_object(m).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<iua::Message, std::string> iua_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Err(std::string("expected one JSON object"));
  Reader rd;
  iua::Message m;
  if (!j.contains("message") || !j["message"].is_string()) return Err(std::string("message: missing"));
  auto t = iua::message_type_from_string(j["message"].get<std::string>());
  if (!t) return Err("message: unknown IUA message '" + j["message"].get<std::string>() + "'");
  m.type = *t;
  for (const auto& [k, v] : j.items()) {
    if (k == "message" || k == "error") continue;
    std::uint32_t n = 0;
    if (k == "interface_id") {
      if (v.is_string())
        m.interface_id = iua::InterfaceId{v.get<std::string>()};
      else if (rd.u32(v, k, n))
        m.interface_id = iua::InterfaceId{n};
    } else if (k == "dlci") {
      if (!v.is_object()) {
        rd.fail("dlci: expected {\"sapi\":N,\"tei\":N}");
        continue;
      }
      iua::Dlci d;
      std::uint32_t sapi = 0, tei = 0;
      if (v.contains("sapi") && rd.u32(v["sapi"], "dlci.sapi", sapi) && sapi > 63) rd.fail("dlci.sapi: 0..63");
      if (v.contains("tei") && rd.u32(v["tei"], "dlci.tei", tei) && tei > 127) rd.fail("dlci.tei: 0..127");
      d.sapi = static_cast<std::uint8_t>(sapi);
      d.tei = static_cast<std::uint8_t>(tei);
      d.spare = v.contains("spare") && v["spare"].is_boolean() && v["spare"].get<bool>();
      m.dlci = d;
    } else if (k == "protocol_data") {
      rd.bytes(v, k, m.protocol_data.emplace());
    } else if (k == "release_reason") {
      rd.u32(v, k, m.release_reason.emplace());
    } else if (k == "tei_status") {
      rd.u32(v, k, m.tei_status.emplace());
    } else if (k == "interface_ids") {
      if (!v.is_array()) rd.fail(k + ": expected an array");
      for (const auto& x : v)
        if (rd.u32(x, k, n)) m.interface_ids.push_back(n);
    } else if (k == "interface_ranges") {
      if (!v.is_array()) rd.fail(k + ": expected an array");
      for (const auto& x : v) {
        iua::InterfaceIdRange r;
        if (!x.is_object() || !x.contains("start") || !x.contains("end")) {
          rd.fail(k + ": expected {\"start\":N,\"end\":N}");
          continue;
        }
        rd.u32(x["start"], k, r.start);
        rd.u32(x["end"], k, r.end);
        m.interface_ranges.push_back(r);
      }
    } else if (k == "interface_names") {
      if (!v.is_array()) rd.fail(k + ": expected an array");
      for (const auto& x : v) {
        std::string s;
        if (rd.str(x, k, s)) m.interface_names.push_back(s);
      }
    } else if (k == "traffic_mode_type") {
      rd.u32(v, k, m.traffic_mode_type.emplace());
    } else if (k == "error_code") {
      rd.u32(v, k, m.error_code.emplace());
    } else if (k == "status") {
      std::uint32_t a = 0, b = 0;
      if (!v.is_object() || !v.contains("type") || !v.contains("info")) {
        rd.fail("status: expected {\"type\":N,\"info\":N}");
        continue;
      }
      if (rd.u32(v["type"], "status.type", a) && rd.u32(v["info"], "status.info", b) && (a > 0xffff || b > 0xffff))
        rd.fail("status: 16-bit values");
      m.status = iua::Status{static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b)};
    } else if (k == "asp_identifier") {
      rd.u32(v, k, m.asp_identifier.emplace());
    } else if (k == "info_string") {
      rd.str(v, k, m.info_string.emplace());
    } else if (k == "diagnostic_information") {
      rd.bytes(v, k, m.diagnostic_information.emplace());
    } else if (k == "heartbeat_data") {
      rd.bytes(v, k, m.heartbeat_data.emplace());
    } else if (k == "q931") {
      // shown by decode; the octets come from protocol_data
    } else {
      rd.fail("unknown key '" + k + "'");
    }
  }
  if (!rd.error.empty()) return Err(rd.error);
  return m;
}

Result<std::string, std::string> decode_iua(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto bytes = from_hex(parsed->rest);
  if (!bytes) return Err(std::string("invalid hex"));
  auto m = iua::decode(*bytes);
  if (!m) return Err(m.error().to_string());
  return iua_to_json(*m);
}

Result<std::string, std::string> encode_iua(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto m = iua_from_json(parsed->rest);
  if (!m) return Err(m.error());
  auto bytes = iua::encode(*m);
  if (!bytes) return Err(bytes.error().to_string());
  return to_hex(*bytes);
}

}  // namespace isupgw::cli
