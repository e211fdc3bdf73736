#include "cli/codec_m3ua.h"

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "sigtran/m3ua_codec.h"

namespace isupgw::cli {

namespace m3ua = sigtran::m3ua;
using json = nlohmann::ordered_json;  // keys in insertion order: class, type, params

namespace {

json pc_json(const m3ua::MaskedPointCode& pc) { return json{{"mask", pc.mask}, {"pc", pc.pc}}; }

json pc_list_json(const std::vector<m3ua::MaskedPointCode>& l) {
  json a = json::array();
  for (const auto& pc : l) a.push_back(pc_json(pc));
  return a;
}

json routing_key_json(const m3ua::RoutingKey& rk) {
  json j;
  j["local_rk_identifier"] = rk.local_rk_identifier;
  if (rk.routing_context) j["routing_context"] = *rk.routing_context;
  if (rk.traffic_mode_type) j["traffic_mode_type"] = *rk.traffic_mode_type;
  if (rk.network_appearance) j["network_appearance"] = *rk.network_appearance;
  json dests = json::array();
  for (const auto& d : rk.destinations) {
    json dj = pc_json(d.dpc);
    if (d.service_indicators) dj["service_indicators"] = *d.service_indicators;
    if (d.opc_list) dj["originating_point_code_list"] = pc_list_json(*d.opc_list);
    if (d.circuit_range) {
      json cr = json::array();
      for (const auto& r : *d.circuit_range)
        cr.push_back({{"mask", r.opc.mask}, {"pc", r.opc.pc}, {"lower_cic", r.lower_cic}, {"upper_cic", r.upper_cic}});
      dj["circuit_range"] = cr;
    }
    dests.push_back(dj);
  }
  j["destination_point_code"] = dests;
  return j;
}

// --- JSON -> Message: strict (unknown keys and wrong types are errors), no exceptions.

class Reader {
 public:
  std::string error;

  bool fail(const std::string& path, const std::string& what) {
    if (error.empty()) error = path + ": " + what;
    return false;
  }
  bool check_keys(const json& j, const std::string& path, std::initializer_list<std::string_view> keys) {
    if (!j.is_object()) return fail(path, "expected an object");
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (auto key : keys) known = known || key == k;
      if (!known) return fail(path, "unknown key '" + k + "'");
    }
    return true;
  }
  template <class T>
  bool num(const json& j, const std::string& path, T& out) {
    if (!j.is_number_unsigned()) return fail(path, "expected an unsigned integer");
    auto v = j.get<std::uint64_t>();
    if (v > std::numeric_limits<T>::max()) return fail(path, "out of range");
    out = static_cast<T>(v);
    return true;
  }
  template <class T>
  bool num_opt(const json& obj, const std::string& path, const char* key, std::optional<T>& out) {
    if (!obj.contains(key)) return true;
    return num(obj[key], path + "." + key, out.emplace());
  }
  template <class T>
  bool req(const json& obj, const std::string& path, const char* key, T& out) {
    if (!obj.contains(key)) return fail(path, std::string("missing '") + key + "'");
    return num(obj[key], path + "." + key, out);
  }
  template <class T>
  bool num_list(const json& j, const std::string& path, std::vector<T>& out) {
    if (!j.is_array()) return fail(path, "expected an array");
    for (std::size_t i = 0; i < j.size(); ++i)
      if (!num(j[i], path + "[" + std::to_string(i) + "]", out.emplace_back())) return false;
    return true;
  }
  bool hex(const json& j, const std::string& path, std::vector<std::uint8_t>& out) {
    if (!j.is_string()) return fail(path, "expected a hex string");
    auto b = from_hex(j.get<std::string>());
    if (!b) return fail(path, "invalid hex");
    out = *b;
    return true;
  }
  bool pc(const json& j, const std::string& path, m3ua::MaskedPointCode& out,
          std::initializer_list<std::string_view> extra = {}) {
    std::vector<std::string_view> keys{"mask", "pc"};
    keys.insert(keys.end(), extra.begin(), extra.end());
    if (!j.is_object()) return fail(path, "expected an object");
    for (const auto& [k, v] : j.items())
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) return fail(path, "unknown key '" + k + "'");
    if (!req(j, path, "mask", out.mask) || !req(j, path, "pc", out.pc)) return false;
    if (out.pc > 0xffffff) return fail(path + ".pc", "out of range (24 bits)");
    return true;
  }
  bool pc_list(const json& j, const std::string& path, std::vector<m3ua::MaskedPointCode>& out) {
    if (!j.is_array()) return fail(path, "expected an array");
    for (std::size_t i = 0; i < j.size(); ++i)
      if (!pc(j[i], path + "[" + std::to_string(i) + "]", out.emplace_back())) return false;
    return true;
  }
  template <class F>
  bool list(const json& j, const std::string& path, F&& each) {
    if (!j.is_array()) return fail(path, "expected an array");
    for (std::size_t i = 0; i < j.size(); ++i)
      if (!each(j[i], path + "[" + std::to_string(i) + "]")) return false;
    return true;
  }

  bool routing_key(const json& j, const std::string& path, m3ua::RoutingKey& rk) {
    if (!check_keys(j, path,
                    {"local_rk_identifier", "routing_context", "traffic_mode_type", "network_appearance",
                     "destination_point_code"}))
      return false;
    if (!req(j, path, "local_rk_identifier", rk.local_rk_identifier)) return false;
    if (j.contains("routing_context") &&
        !num_list(j["routing_context"], path + ".routing_context", rk.routing_context.emplace()))
      return false;
    if (!num_opt(j, path, "traffic_mode_type", rk.traffic_mode_type) ||
        !num_opt(j, path, "network_appearance", rk.network_appearance))
      return false;
    if (!j.contains("destination_point_code")) return fail(path, "missing 'destination_point_code'");
    return list(
        j["destination_point_code"], path + ".destination_point_code", [&](const json& d, const std::string& p) {
          auto& dest = rk.destinations.emplace_back();
          if (!pc(d, p, dest.dpc, {"service_indicators", "originating_point_code_list", "circuit_range"})) return false;
          if (d.contains("service_indicators") &&
              !num_list(d["service_indicators"], p + ".service_indicators", dest.service_indicators.emplace()))
            return false;
          if (d.contains("originating_point_code_list") &&
              !pc_list(d["originating_point_code_list"], p + ".originating_point_code_list", dest.opc_list.emplace()))
            return false;
          if (d.contains("circuit_range")) {
            auto& cr = dest.circuit_range.emplace();
            return list(d["circuit_range"], p + ".circuit_range", [&](const json& c, const std::string& cp) {
              auto& r = cr.emplace_back();
              return pc(c, cp, r.opc, {"lower_cic", "upper_cic"}) && req(c, cp, "lower_cic", r.lower_cic) &&
                     req(c, cp, "upper_cic", r.upper_cic);
            });
          }
          return true;
        });
  }

  bool params(const json& p, m3ua::Message& m) {
    const std::string path = "params";
    if (!check_keys(p, path,
                    {"network_appearance", "routing_context", "info_string", "diagnostic_information", "heartbeat_data",
                     "traffic_mode_type", "error_code", "status", "asp_identifier", "affected_point_code",
                     "correlation_id", "user_cause", "congestion_indications", "concerned_destination", "protocol_data",
                     "routing_key", "registration_result", "deregistration_result"}))
      return false;
    bool ok = num_opt(p, path, "network_appearance", m.network_appearance) &&
              num_opt(p, path, "traffic_mode_type", m.traffic_mode_type) &&
              num_opt(p, path, "error_code", m.error_code) && num_opt(p, path, "asp_identifier", m.asp_identifier) &&
              num_opt(p, path, "correlation_id", m.correlation_id) &&
              num_opt(p, path, "concerned_destination", m.concerned_destination);
    if (!ok) return false;
    if (p.contains("routing_context") &&
        !num_list(p["routing_context"], path + ".routing_context", m.routing_context.emplace()))
      return false;
    if (p.contains("info_string")) {
      if (!p["info_string"].is_string()) return fail(path + ".info_string", "expected a string");
      m.info_string = p["info_string"].get<std::string>();
    }
    if (p.contains("diagnostic_information") &&
        !hex(p["diagnostic_information"], path + ".diagnostic_information", m.diagnostic_information.emplace()))
      return false;
    if (p.contains("heartbeat_data") && !hex(p["heartbeat_data"], path + ".heartbeat_data", m.heartbeat_data.emplace()))
      return false;
    if (p.contains("status")) {
      const auto& s = p["status"];
      auto& st = m.status.emplace();
      if (!check_keys(s, path + ".status", {"type", "info"}) || !req(s, path + ".status", "type", st.type) ||
          !req(s, path + ".status", "info", st.info))
        return false;
    }
    if (p.contains("user_cause")) {
      const auto& s = p["user_cause"];
      auto& uc = m.user_cause.emplace();
      if (!check_keys(s, path + ".user_cause", {"cause", "user"}) || !req(s, path + ".user_cause", "cause", uc.cause) ||
          !req(s, path + ".user_cause", "user", uc.user))
        return false;
    }
    if (p.contains("congestion_indications")) {
      const auto& s = p["congestion_indications"];
      if (!check_keys(s, path + ".congestion_indications", {"level"}) ||
          !req(s, path + ".congestion_indications", "level", m.congestion_level.emplace()))
        return false;
    }
    if (p.contains("affected_point_code") &&
        !pc_list(p["affected_point_code"], path + ".affected_point_code", m.affected_point_code.emplace()))
      return false;
    if (p.contains("protocol_data")) {
      const auto& s = p["protocol_data"];
      const std::string pp = path + ".protocol_data";
      auto& pd = m.protocol_data.emplace();
      if (!check_keys(s, pp, {"opc", "dpc", "si", "ni", "mp", "sls", "data"}) || !req(s, pp, "opc", pd.opc) ||
          !req(s, pp, "dpc", pd.dpc) || !req(s, pp, "si", pd.si) || !req(s, pp, "ni", pd.ni) ||
          !req(s, pp, "mp", pd.mp) || !req(s, pp, "sls", pd.sls))
        return false;
      if (s.contains("data") && !hex(s["data"], pp + ".data", pd.data)) return false;
    }
    if (p.contains("routing_key") &&
        !list(p["routing_key"], path + ".routing_key",
              [&](const json& j, const std::string& jp) { return routing_key(j, jp, m.routing_keys.emplace_back()); }))
      return false;
    if (p.contains("registration_result") &&
        !list(p["registration_result"], path + ".registration_result", [&](const json& j, const std::string& jp) {
          auto& r = m.registration_results.emplace_back();
          return check_keys(j, jp, {"local_rk_identifier", "registration_status", "routing_context"}) &&
                 req(j, jp, "local_rk_identifier", r.local_rk_identifier) &&
                 req(j, jp, "registration_status", r.registration_status) &&
                 req(j, jp, "routing_context", r.routing_context);
        }))
      return false;
    if (p.contains("deregistration_result") &&
        !list(p["deregistration_result"], path + ".deregistration_result", [&](const json& j, const std::string& jp) {
          auto& r = m.deregistration_results.emplace_back();
          return check_keys(j, jp, {"routing_context", "deregistration_status"}) &&
                 req(j, jp, "routing_context", r.routing_context) &&
                 req(j, jp, "deregistration_status", r.deregistration_status);
        }))
      return false;
    return true;
  }
};

}  // namespace

std::string m3ua_to_json(const m3ua::Message& m) {
  json p = json::object();
  if (m.network_appearance) p["network_appearance"] = *m.network_appearance;
  if (m.routing_context) p["routing_context"] = *m.routing_context;
  if (m.info_string) p["info_string"] = *m.info_string;
  if (m.diagnostic_information) p["diagnostic_information"] = to_hex(*m.diagnostic_information);
  if (m.heartbeat_data) p["heartbeat_data"] = to_hex(*m.heartbeat_data);
  if (m.traffic_mode_type) p["traffic_mode_type"] = *m.traffic_mode_type;
  if (m.error_code) p["error_code"] = *m.error_code;
  if (m.status) p["status"] = {{"type", m.status->type}, {"info", m.status->info}};
  if (m.asp_identifier) p["asp_identifier"] = *m.asp_identifier;
  if (m.affected_point_code) p["affected_point_code"] = pc_list_json(*m.affected_point_code);
  if (m.correlation_id) p["correlation_id"] = *m.correlation_id;
  if (m.user_cause) p["user_cause"] = {{"cause", m.user_cause->cause}, {"user", m.user_cause->user}};
  if (m.congestion_level) p["congestion_indications"] = {{"level", *m.congestion_level}};
  if (m.concerned_destination) p["concerned_destination"] = *m.concerned_destination;
  if (m.protocol_data) {
    const auto& pd = *m.protocol_data;
    p["protocol_data"] = {{"opc", pd.opc}, {"dpc", pd.dpc},          {"si", pd.si}, {"ni", pd.ni}, {"mp", pd.mp},
                          {"sls", pd.sls}, {"data", to_hex(pd.data)}};
  }
  if (!m.routing_keys.empty()) {
    json a = json::array();
    for (const auto& rk : m.routing_keys) a.push_back(routing_key_json(rk));
    p["routing_key"] = a;
  }
  if (!m.registration_results.empty()) {
    json a = json::array();
    for (const auto& r : m.registration_results)
      a.push_back({{"local_rk_identifier", r.local_rk_identifier},
                   {"registration_status", r.registration_status},
                   {"routing_context", r.routing_context}});
    p["registration_result"] = a;
  }
  if (!m.deregistration_results.empty()) {
    json a = json::array();
    for (const auto& r : m.deregistration_results)
      a.push_back({{"routing_context", r.routing_context}, {"deregistration_status", r.deregistration_status}});
    p["deregistration_result"] = a;
  }
  json j;
  j["class"] = m3ua::class_of(m.type);
  j["type"] = m3ua::type_of(m.type);
  j["params"] = p;
  // INFO String is not guaranteed UTF-8 on the wire: replace invalid octets rather than throw.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<m3ua::Message, std::string> m3ua_from_json(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(std::string("invalid JSON"));
  Reader r;
  if (!r.check_keys(j, "message", {"class", "type", "params"})) return Err(r.error);
  std::uint8_t cls = 0, type = 0;
  if (!r.req(j, "message", "class", cls) || !r.req(j, "message", "type", type)) return Err(r.error);
  m3ua::Message m;
  bool found = false;
  for (auto t : m3ua::all_message_types())
    if (m3ua::class_of(t) == cls && m3ua::type_of(t) == type) {
      m.type = t;
      found = true;
    }
  if (!found) return Err("unknown M3UA message class " + std::to_string(cls) + " type " + std::to_string(type));
  if (j.contains("params") && !r.params(j["params"], m)) return Err(r.error);
  return m;
}

Result<std::string, std::string> decode_m3ua(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto bytes = from_hex(parsed->rest);
  if (!bytes) return Err(std::string("invalid hex"));
  auto m = m3ua::decode(*bytes);
  if (!m) return Err(m.error().to_string());
  return m3ua_to_json(*m);
}

Result<std::string, std::string> encode_m3ua(const CliArgs& args) {
  auto parsed = parse_cli_args(args, {});
  if (!parsed) return Err(parsed.error());
  auto m = m3ua_from_json(parsed->rest);
  if (!m) return Err(m.error());
  auto bytes = m3ua::encode(*m);
  if (!bytes) return Err(bytes.error().to_string());
  return to_hex(*bytes);
}

}  // namespace isupgw::cli
