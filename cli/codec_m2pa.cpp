#include "cli/codec_m2pa.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "base/hex.h"

namespace isupgw::cli {

namespace m2pa = sigtran::m2pa;
namespace mtp3 = sigtran::mtp3;
using json = nlohmann::ordered_json;

namespace {

constexpr mtp3::MgmtType kAllMgmt[] = {
    mtp3::MgmtType::kCoo, mtp3::MgmtType::kCoa, mtp3::MgmtType::kXco, mtp3::MgmtType::kXca,  mtp3::MgmtType::kCbd,
    mtp3::MgmtType::kCba, mtp3::MgmtType::kEco, mtp3::MgmtType::kEca, mtp3::MgmtType::kRct,  mtp3::MgmtType::kTfc,
    mtp3::MgmtType::kTfp, mtp3::MgmtType::kTfr, mtp3::MgmtType::kTfa, mtp3::MgmtType::kRst,  mtp3::MgmtType::kRsr,
    mtp3::MgmtType::kTra, mtp3::MgmtType::kTrw, mtp3::MgmtType::kUpu, mtp3::MgmtType::kSltm, mtp3::MgmtType::kSlta};

json mgmt_json(const mtp3::Management& g) {
  using T = mtp3::MgmtType;
  json j;
  j["message"] = std::string(mtp3::to_string(g.type));
  j["h0"] = g.h0;
  j["h1"] = g.h1;
  switch (g.type) {
    case T::kCoo:
    case T::kCoa:
    case T::kXco:
    case T::kXca:
      j["slc"] = g.slc;
      j["fsn"] = g.fsn;
      break;
    case T::kCbd:
    case T::kCba:
      j["slc"] = g.slc;
      j["cbc"] = g.cbc;
      break;
    case T::kEco:
    case T::kEca: j["slc"] = g.slc; break;
    case T::kTfc:
      j["destination"] = g.destination;
      j["status"] = g.status;
      break;
    case T::kTfp:
    case T::kTfr:
    case T::kTfa:
    case T::kRst:
    case T::kRsr: j["destination"] = g.destination; break;
    case T::kUpu:
      j["destination"] = g.destination;
      j["user"] = g.user;
      j["cause"] = g.cause;
      break;
    case T::kSltm:
    case T::kSlta:
      j["slc"] = g.slc;
      j["pattern"] = to_hex(g.pattern);
      break;
    case T::kRct:
    case T::kTra:
    case T::kTrw: break;
    case T::kOther: j["data"] = to_hex(g.pattern); break;
  }
  return j;
}

class Reader {
 public:
  std::string error;
  bool fail(const std::string& path, const std::string& what) {
    if (error.empty()) error = path + ": " + what;
    return false;
  }
  bool keys(const json& j, const std::string& path, std::initializer_list<std::string_view> allowed) {
    if (!j.is_object()) return fail(path, "expected an object");
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (auto a : allowed) known = known || a == k;
      if (!known) return fail(path, "unknown key '" + k + "'");
    }
    return true;
  }
  template <class T>
  bool num(const json& obj, const std::string& path, const char* key, T& out, std::uint64_t max,
           bool required = false) {
    if (!obj.contains(key)) return required ? fail(path, std::string("missing '") + key + "'") : true;
    const json& j = obj[key];
    if (!j.is_number_unsigned()) return fail(path + "." + key, "expected an unsigned integer");
    auto v = j.get<std::uint64_t>();
    if (v > max) return fail(path + "." + key, "out of range");
    out = static_cast<T>(v);
    return true;
  }
  bool hex(const json& obj, const std::string& path, const char* key, std::vector<std::uint8_t>& out) {
    if (!obj.contains(key)) return true;
    if (!obj[key].is_string()) return fail(path + "." + key, "expected a hex string");
    auto b = from_hex(obj[key].get<std::string>());
    if (!b) return fail(path + "." + key, "invalid hex");
    out = *b;
    return true;
  }

  bool mgmt(const json& j, const std::string& path, mtp3::Management& g, mtp3::Variant v) {
    if (!keys(
            j, path,
            {"message", "h0", "h1", "slc", "fsn", "cbc", "destination", "status", "user", "cause", "pattern", "data"}))
      return false;
    if (!j.contains("message") || !j["message"].is_string()) return fail(path, "missing 'message' (e.g. \"COO\")");
    auto name = j["message"].get<std::string>();
    bool found = false;
    for (auto t : kAllMgmt)
      if (mtp3::to_string(t) == name) {
        g.type = t;
        found = true;
      }
    if (!found && name != "other") return fail(path + ".message", "unknown SNM/SLT message '" + name + "'");
    if (!found) g.type = mtp3::MgmtType::kOther;
    const std::uint64_t pc_max = mtp3::max_pc(v);
    return num(j, path, "h0", g.h0, 15) && num(j, path, "h1", g.h1, 15) && num(j, path, "slc", g.slc, 15) &&
           num(j, path, "fsn", g.fsn, 0xffffff) && num(j, path, "cbc", g.cbc, 255) &&
           num(j, path, "destination", g.destination, pc_max) && num(j, path, "status", g.status, 3) &&
           num(j, path, "user", g.user, 15) && num(j, path, "cause", g.cause, 15) &&
           hex(j, path, "pattern", g.pattern) && hex(j, path, "data", g.pattern) &&
           (g.pattern.size() <= 15 || g.type == mtp3::MgmtType::kOther || fail(path + ".pattern", "over 15 octets"));
  }

  bool msu(const json& j, const std::string& path, mtp3::Message& m, mtp3::Variant v) {
    if (!keys(j, path, {"si", "ni", "mp", "opc", "dpc", "sls", "snm", "data"})) return false;
    auto& l = m.label;
    const std::uint64_t pc_max = mtp3::max_pc(v);
    if (!num(j, path, "si", l.si, 15, true) || !num(j, path, "ni", l.ni, 3) || !num(j, path, "mp", l.priority, 3) ||
        !num(j, path, "opc", l.opc, pc_max, true) || !num(j, path, "dpc", l.dpc, pc_max, true) ||
        !num(j, path, "sls", l.sls, v == mtp3::Variant::kAnsi ? 255 : 15))
      return false;
    if (j.contains("snm")) return mgmt(j["snm"], path + ".snm", m.mgmt.emplace(), v);
    return hex(j, path, "data", m.data);
  }
};

Result<mtp3::Variant, std::string> variant_of(const ParsedArgs& p) {
  for (const auto& [k, val] : p.options)
    if (k == "--variant") {
      if (val == "itu") return mtp3::Variant::kItu;
      if (val == "ansi") return mtp3::Variant::kAnsi;
      return Err("unknown variant '" + std::string(val) + "' (itu, ansi)");
    }
  return mtp3::Variant::kItu;
}

constexpr std::string_view kOptions[] = {"--variant"};

}  // namespace

std::string m2pa_to_json(const m2pa::Message& m, mtp3::Variant v) {
  json j;
  j["class"] = m2pa::kMessageClass;
  j["type"] = static_cast<unsigned>(m.type);
  j["bsn"] = m.bsn;
  j["fsn"] = m.fsn;
  if (m.type == m2pa::MessageType::kLinkStatus) {
    j["link_status"] = static_cast<unsigned>(m.state);
    j["link_status_name"] = std::string(m2pa::to_string(m.state));
    if (!m.filler.empty()) j["filler"] = to_hex(m.filler);
    return j.dump();
  }
  if (m.data.empty()) return j.dump();  // acknowledgement only
  j["priority"] = m.priority;
  auto msu = mtp3::decode(m.data, v);
  if (!msu) {
    j["data"] = to_hex(m.data);
    j["mtp3_error"] = std::string(mtp3::to_string(msu.error()));
    return j.dump();
  }
  const auto& l = msu->label;
  json t;
  t["si"] = l.si;
  t["ni"] = l.ni;
  t["mp"] = l.priority;
  t["opc"] = l.opc;
  t["dpc"] = l.dpc;
  t["sls"] = l.sls;
  if (msu->mgmt)
    t["snm"] = mgmt_json(*msu->mgmt);
  else
    t["data"] = to_hex(msu->data);
  j["mtp3"] = t;
  return j.dump();
}

Result<m2pa::Message, std::string> m2pa_from_json(std::string_view text, mtp3::Variant v) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(std::string("invalid JSON"));
  Reader r;
  if (!r.keys(j, "message",
              {"class", "type", "bsn", "fsn", "link_status", "link_status_name", "filler", "priority", "mtp3", "data",
               "mtp3_error"}))
    return Err(r.error);
  unsigned cls = m2pa::kMessageClass, type = 0;
  m2pa::Message m;
  if (!r.num(j, "message", "class", cls, 255) || !r.num(j, "message", "type", type, 255, true) ||
      !r.num(j, "message", "bsn", m.bsn, m2pa::kSeqMask) || !r.num(j, "message", "fsn", m.fsn, m2pa::kSeqMask))
    return Err(r.error);
  if (cls != m2pa::kMessageClass) return Err(std::string("message.class: M2PA is class 11"));
  if (type == 2) {
    m.type = m2pa::MessageType::kLinkStatus;
    unsigned state = 0;
    if (!r.num(j, "message", "link_status", state, 9, true) || !r.hex(j, "message", "filler", m.filler))
      return Err(r.error);
    if (state == 0) return Err(std::string("message.link_status: 1..9"));
    m.state = static_cast<m2pa::LinkState>(state);
    return m;
  }
  if (type != 1) return Err(std::string("message.type: 1 (User Data) or 2 (Link Status)"));
  m.type = m2pa::MessageType::kUserData;
  if (!r.num(j, "message", "priority", m.priority, 3)) return Err(r.error);
  if (j.contains("mtp3")) {
    mtp3::Message msu;
    if (!r.msu(j["mtp3"], "message.mtp3", msu, v)) return Err(r.error);
    m.data = mtp3::encode(msu, v);
  } else if (!r.hex(j, "message", "data", m.data)) {
    return Err(r.error);
  }
  return m;
}

Result<std::string, std::string> decode_m2pa(const CliArgs& args) {
  auto parsed = parse_cli_args(args, kOptions);
  if (!parsed) return Err(parsed.error());
  auto v = variant_of(*parsed);
  if (!v) return Err(v.error());
  auto bytes = from_hex(parsed->rest);
  if (!bytes) return Err(std::string("invalid hex"));
  auto m = m2pa::decode(*bytes);
  if (!m) return Err(std::string(m2pa::to_string(m.error())));
  return m2pa_to_json(*m, *v);
}

Result<std::string, std::string> encode_m2pa(const CliArgs& args) {
  auto parsed = parse_cli_args(args, kOptions);
  if (!parsed) return Err(parsed.error());
  auto v = variant_of(*parsed);
  if (!v) return Err(v.error());
  auto m = m2pa_from_json(parsed->rest, *v);
  if (!m) return Err(m.error());
  return to_hex(m2pa::encode(*m));
}

}  // namespace isupgw::cli
