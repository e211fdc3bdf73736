#include "config/loader.h"

#include <arpa/inet.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include "base/ip_address.h"
#include "base/log.h"
#include "config/media_config.h"
#include "config/ss7_config.h"

namespace isupgw::config {

namespace pb = google::protobuf;

std::string ConfigError::to_string() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + reason;
  return file + ": " + reason;
}

namespace {

// YAML -> protobuf conversion by reflection. Strict: unknown keys, duplicate
// keys, wrong node kinds and unparsable scalars are errors at the offending line.
class YamlToProto {
 public:
  YamlToProto(std::string source, std::map<std::string, int, std::less<>>& lines)
      : source_(std::move(source)), lines_(lines) {}

  bool convert_message(const YAML::Node& node, pb::Message& msg, const std::string& path) {
    if (!spend(node)) return false;
    if (node.IsNull()) return true;  // "logging:" with nothing below = empty message
    if (!node.IsMap())
      return fail(node, "'" + display(path) + "' must be a mapping of fields (" + msg.GetDescriptor()->name() +
                            "), got " + kind(node));
    const pb::Descriptor* desc = msg.GetDescriptor();
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) return fail(key, "field names must be plain words");
      const std::string name = key.Scalar();
      const pb::FieldDescriptor* field = desc->FindFieldByName(name);
      if (field == nullptr) return fail(key, "unknown field '" + name + "' in " + where(path, desc) + hint(desc));
      if (!seen.insert(name).second) return fail(key, "duplicate field '" + name + "'");
      const std::string field_path = path.empty() ? name : path + "." + name;
      lines_.emplace(field_path, line_of(key));
      if (!convert_field(kv.second, msg, field, field_path)) return false;
    }
    return true;
  }

  const ConfigError& error() const { return error_; }

 private:
  bool convert_field(const YAML::Node& value, pb::Message& msg, const pb::FieldDescriptor* field,
                     const std::string& path) {
    const pb::Reflection* refl = msg.GetReflection();
    if (field->is_map()) {
      if (value.IsNull()) return true;
      if (!value.IsMap()) return fail(value, "'" + path + "' must be a mapping, got " + kind(value));
      const pb::Descriptor* entry = field->message_type();
      std::set<std::string> seen;
      for (const auto& kv : value) {
        if (!kv.first.IsScalar()) return fail(kv.first, "keys of '" + path + "' must be plain words");
        const std::string key = kv.first.Scalar();
        if (!seen.insert(key).second) return fail(kv.first, "duplicate key '" + key + "' in '" + path + "'");
        const std::string entry_path = path + "." + key;
        lines_.emplace(entry_path, line_of(kv.first));
        pb::Message* e = refl->AddMessage(&msg, field);
        if (!set_scalar(kv.first, *e, entry->FindFieldByName("key"), entry_path)) return false;
        if (!set_value(kv.second, *e, entry->FindFieldByName("value"), entry_path)) return false;
      }
      return true;
    }
    if (field->is_repeated()) {
      if (value.IsNull()) return true;
      if (!value.IsSequence()) return fail(value, "'" + path + "' must be a list, got " + kind(value));
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string elem_path = path + "[" + std::to_string(i) + "]";
        lines_.emplace(elem_path, line_of(value[i]));
        if (!set_value(value[i], msg, field, elem_path)) return false;
      }
      return true;
    }
    return set_value(value, msg, field, path);
  }

  // Sets (or, for a repeated field, adds) one value.
  bool set_value(const YAML::Node& value, pb::Message& msg, const pb::FieldDescriptor* field, const std::string& path) {
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      const pb::Reflection* refl = msg.GetReflection();
      pb::Message* sub = field->is_repeated() ? refl->AddMessage(&msg, field) : refl->MutableMessage(&msg, field);
      return convert_message(value, *sub, path);
    }
    return set_scalar(value, msg, field, path);
  }

  bool set_scalar(const YAML::Node& value, pb::Message& msg, const pb::FieldDescriptor* field,
                  const std::string& path) {
    if (!spend(value)) return false;
    if (!value.IsScalar()) return fail(value, "'" + path + "' must be a " + type_name(field) + ", got " + kind(value));
    const pb::Reflection* refl = msg.GetReflection();
    const std::string& s = value.Scalar();
    const bool quoted = value.Tag() == "!";
    const bool rep = field->is_repeated();
    auto bad = [&](const std::string& why) { return fail(value, "'" + path + "': " + why); };
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        rep ? refl->AddString(&msg, field, s) : refl->SetString(&msg, field, s);
        return true;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        if (quoted || (s != "true" && s != "false")) return bad("expected true or false, got '" + s + "'");
        rep ? refl->AddBool(&msg, field, s == "true") : refl->SetBool(&msg, field, s == "true");
        return true;
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        std::int64_t v;
        if (quoted || !parse_int(s, v) || v < std::numeric_limits<std::int32_t>::min() ||
            v > std::numeric_limits<std::int32_t>::max())
          return bad("expected an integer (32-bit), got '" + s + "'");
        rep ? refl->AddInt32(&msg, field, static_cast<std::int32_t>(v))
            : refl->SetInt32(&msg, field, static_cast<std::int32_t>(v));
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_INT64: {
        std::int64_t v;
        if (quoted || !parse_int(s, v)) return bad("expected an integer, got '" + s + "'");
        rep ? refl->AddInt64(&msg, field, v) : refl->SetInt64(&msg, field, v);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT32: {
        std::uint64_t v;
        if (quoted || !parse_uint(s, v) || v > std::numeric_limits<std::uint32_t>::max())
          return bad("expected a non-negative integer (32-bit), got '" + s + "'");
        rep ? refl->AddUInt32(&msg, field, static_cast<std::uint32_t>(v))
            : refl->SetUInt32(&msg, field, static_cast<std::uint32_t>(v));
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT64: {
        std::uint64_t v;
        if (quoted || !parse_uint(s, v)) return bad("expected a non-negative integer, got '" + s + "'");
        rep ? refl->AddUInt64(&msg, field, v) : refl->SetUInt64(&msg, field, v);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      case pb::FieldDescriptor::CPPTYPE_FLOAT: {
        double v;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (quoted || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
          return bad("expected a number, got '" + s + "'");
        if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE)
          rep ? refl->AddDouble(&msg, field, v) : refl->SetDouble(&msg, field, v);
        else
          rep ? refl->AddFloat(&msg, field, static_cast<float>(v)) : refl->SetFloat(&msg, field, static_cast<float>(v));
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const pb::EnumValueDescriptor* ev = find_enum(field->enum_type(), s);
        if (ev == nullptr) return bad("'" + s + "' is not one of: " + enum_choices(field->enum_type()));
        rep ? refl->AddEnum(&msg, field, ev) : refl->SetEnum(&msg, field, ev);
        return true;
      }
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: break;
    }
    return bad("unsupported field type");
  }

  static bool parse_int(const std::string& s, std::int64_t& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  }
  static bool parse_uint(const std::string& s, std::uint64_t& v) {
    if (s.empty() || s[0] == '-') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  }

  // "LogLevel" -> "LOG_LEVEL_": the prefix our enum value names carry.
  static std::string enum_prefix(const pb::EnumDescriptor* e) {
    std::string out;
    const std::string& n = e->name();
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (i > 0 && std::isupper(static_cast<unsigned char>(n[i]))) out += '_';
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(n[i])));
    }
    return out + "_";
  }
  static std::string short_name(const pb::EnumValueDescriptor* v) {
    std::string n = v->name();
    const std::string prefix = enum_prefix(v->type());
    if (n.starts_with(prefix)) n = n.substr(prefix.size());
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n;
  }
  static const pb::EnumValueDescriptor* find_enum(const pb::EnumDescriptor* e, const std::string& s) {
    for (int i = 0; i < e->value_count(); ++i) {
      const pb::EnumValueDescriptor* v = e->value(i);
      if (v->number() == 0) continue;  // *_UNSPECIFIED is never a user's choice
      if (short_name(v) == s || v->name() == s) return v;
    }
    return nullptr;
  }
  static std::string enum_choices(const pb::EnumDescriptor* e) {
    std::string out;
    for (int i = 0; i < e->value_count(); ++i) {
      if (e->value(i)->number() == 0) continue;
      if (!out.empty()) out += ", ";
      out += short_name(e->value(i));
    }
    return out;
  }

  static std::string hint(const pb::Descriptor* d) {
    std::string out = " (known fields: ";
    for (int i = 0; i < d->field_count(); ++i) out += (i ? ", " : "") + d->field(i)->name();
    return out + ")";
  }
  static std::string display(const std::string& path) { return path.empty() ? "<top level>" : path; }
  static std::string where(const std::string& path, const pb::Descriptor* d) {
    return path.empty() ? "the top level" : "'" + path + "' (" + d->name() + ")";
  }
  static std::string type_name(const pb::FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING: return "string";
      case pb::FieldDescriptor::CPPTYPE_BOOL: return "boolean";
      case pb::FieldDescriptor::CPPTYPE_ENUM: return "word";
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: return "mapping";
      default: return "number";
    }
  }
  static std::string kind(const YAML::Node& n) {
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing";
    return "'" + n.Scalar() + "'";
  }
  static int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

  // Aliases can make a small file expand into a huge tree: cap the work.
  bool spend(const YAML::Node& at) {
    if (++visited_ <= kMaxNodes) return true;
    return fail(at, "configuration too large (over " + std::to_string(kMaxNodes) + " values; aliases?)");
  }

  bool fail(const YAML::Node& at, std::string reason) {
    error_ = ConfigError{source_, line_of(at), std::move(reason)};
    return false;
  }

  static constexpr std::size_t kMaxNodes = 100000;
  std::string source_;
  std::map<std::string, int, std::less<>>& lines_;
  ConfigError error_;
  std::size_t visited_ = 0;
};

// yaml-cpp parses recursively: bound nesting before handing it the text so a
// hostile file cannot exhaust the stack. Counts flow brackets outside quotes
// and comments, and block sequence/mapping indicators stacked on one line.
constexpr std::size_t kMaxYamlBytes = 4 << 20;
constexpr int kMaxNesting = 64;

std::optional<ConfigError> check_structure(std::string_view yaml, const std::string& source) {
  if (yaml.size() > kMaxYamlBytes)
    return ConfigError{source, 0, "file larger than " + std::to_string(kMaxYamlBytes) + " bytes"};
  int depth = 0, line = 1, stacked = 0;
  char quote = 0;
  bool comment = false, line_start = true;
  for (std::size_t i = 0; i < yaml.size(); ++i) {
    const char c = yaml[i];
    if (c == '\n') {
      ++line;
      comment = false;
      line_start = true;
      stacked = 0;
      if (quote == '\'') quote = 0;  // unterminated single quotes are the parser's error to report
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (c == '\\' && quote == '"')
        ++i;
      continue;
    }
    if (line_start && (c == '-' || c == '?' || c == ':') && i + 1 < yaml.size() &&
        (yaml[i + 1] == ' ' || yaml[i + 1] == '\t')) {
      if (++stacked > kMaxNesting) return ConfigError{source, line, "nesting deeper than 64 levels"};
      continue;
    }
    if (c != ' ' && c != '\t') line_start = false;
    if (c == '#')
      comment = true;
    else if (c == '"' || c == '\'')
      quote = c;
    else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return ConfigError{source, line, "nesting deeper than 64 levels"};
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// Semantic checks after conversion; errors point at the field's line.
class Validator {
 public:
  explicit Validator(const LoadedConfig& lc) : lc_(lc) {}

  bool run() {
    const auto& cfg = lc_.config;
    for (const auto& [name, level] : cfg.logging().subsystems()) {
      if (!subsystem_from_string(name))
        return fail("logging.subsystems." + name,
                    "unknown subsystem '" + name + "' (known: core, config, sip, isup, m3ua, mgcp, call)");
    }
    std::set<std::pair<config::Transport, std::string>> bound;
    for (int i = 0; i < cfg.sip().listeners_size(); ++i) {
      const auto& l = cfg.sip().listeners(i);
      const std::string p = "sip.listeners[" + std::to_string(i) + "]";
      if (l.transport() == config::TRANSPORT_UNSPECIFIED) return fail(p, "listener needs 'transport' (udp or tcp)");
      if (l.transport() == config::TRANSPORT_TLS)
        return fail(p + ".transport", "transport 'tls' is not supported by this build yet (udp, tcp)");
      if (l.address().empty()) return fail(p, "listener needs 'address' (an IPv4 or IPv6 literal)");
      if (!valid_ip(l.address())) return fail(p + ".address", "'" + l.address() + "' is not an IPv4 or IPv6 address");
      if (l.port() > 65535) return fail(p + ".port", "port " + std::to_string(l.port()) + " is out of range 0..65535");
      if (l.port() != 0 && !bound.insert({l.transport(), l.address() + ":" + std::to_string(l.port())}).second)
        return fail(p, "duplicate listener " + l.address() + ":" + std::to_string(l.port()));
    }
    if (!check_ss7(cfg.ss7())) return false;
    if (!check_trunks(cfg.sip())) return false;
    if (!check_routes(cfg)) return false;
    for (const auto& [path, why] : check_media_config(cfg)) return fail(path, why);
    if (cfg.runtime().shutdown_grace_ms() > 600000)
      return fail("runtime.shutdown_grace_ms", "shutdown_grace_ms must be at most 600000 (10 minutes)");
    return true;
  }

  const ConfigError& error() const { return error_; }

 private:
  bool check_endpoint(const config::Endpoint& e, const std::string& p, bool required, bool need_port) {
    const std::string side = p.ends_with("remote") ? "remote" : "local";
    if (e.address().empty()) return !required || fail(p, side + " needs an address (IPv4 or IPv6 literal)");
    if (!valid_ip(e.address())) return fail(p + ".address", "'" + e.address() + "' is not an IPv4 or IPv6 address");
    if (e.port() > 65535) return fail(p + ".port", "port " + std::to_string(e.port()) + " is out of range 0..65535");
    if (need_port && e.port() == 0) return fail(p, side + " needs a port");
    return true;
  }

  // ss7.linksets (issue 9): names, point codes, SLCs, endpoints; their DPCs count as routed.
  template <class Pc>
  bool check_linksets(const config::Ss7& ss7, Pc& pc, std::set<std::uint32_t>& routed) {
    std::set<std::string> names;
    for (int i = 0; i < ss7.linksets_size(); ++i) {
      const auto& ls = ss7.linksets(i);
      const std::string p = "ss7.linksets[" + std::to_string(i) + "]";
      if (ls.name().empty()) return fail(p, "link set needs a 'name'");
      if (!names.insert(ls.name()).second) return fail(p + ".name", "duplicate link set name '" + ls.name() + "'");
      if (ls.local_pc().empty() || ls.adjacent_pc().empty())
        return fail(p, "link set needs 'local_pc' and 'adjacent_pc'");
      if (!pc(ls.local_pc(), p + ".local_pc")) return false;
      auto adj = pc(ls.adjacent_pc(), p + ".adjacent_pc");
      if (!adj) return false;
      routed.insert(*adj);
      for (int j = 0; j < ls.destinations_size(); ++j) {
        auto d = pc(ls.destinations(j), p + ".destinations[" + std::to_string(j) + "]");
        if (!d) return false;
        routed.insert(*d);
      }
      struct Timer {
        const char* field;
        std::uint32_t value, min, max;
        const char* clause;
      };
      const Timer timers[] = {
          {"t1_changeover_ms", ls.t1_changeover_ms(), 500, 1200, "Q.704 16.8 T1"},
          {"t2_changeover_ms", ls.t2_changeover_ms(), 700, 2000, "Q.704 16.8 T2"},
          {"t4_changeback_ms", ls.t4_changeback_ms(), 800, 1200, "Q.704 16.8 T4"},
          {"slt_t1_ms", ls.slt_t1_ms(), 4000, 12000, "Q.707 5.5 T1"},
          {"slt_t2_ms", ls.slt_t2_ms(), 30000, 90000, "Q.707 5.5 T2"},
          {"t19_ms", ls.t19_ms(), 67000, 69000, "Q.704 16.8 T19"},
          {"t20_ms", ls.t20_ms(), 59000, 61000, "Q.704 16.8 T20"},
          {"t21_ms", ls.t21_ms(), 63000, 65000, "Q.704 16.8 T21"},
      };
      for (const auto& t : timers)
        if (t.value != 0 && (t.value < t.min || t.value > t.max))
          return fail(p + "." + t.field, std::string(t.field) + " " + std::to_string(t.value) + " is outside " +
                                             t.clause + "'s range " + std::to_string(t.min) + ".." +
                                             std::to_string(t.max) + " ms");
      if (ls.links().empty()) return fail(p, "link set needs 'links'");
      if (ls.links_size() > 16) return fail(p + ".links", "at most 16 links in a link set (Q.704 2.3.5)");
      std::set<std::uint32_t> slcs;
      for (int j = 0; j < ls.links_size(); ++j) {
        const auto& l = ls.links(j);
        const std::string lp = p + ".links[" + std::to_string(j) + "]";
        if (l.slc() > 15) return fail(lp + ".slc", "SLC " + std::to_string(l.slc()) + " is out of range 0..15");
        if (!slcs.insert(l.slc()).second) return fail(lp + ".slc", "duplicate SLC " + std::to_string(l.slc()));
        if (l.transport() == config::SIGTRAN_TRANSPORT_UNSPECIFIED)
          return fail(lp, "link needs a 'transport' (sctp, tcp)");
        const bool client = !l.remote().address().empty();
        if (client && !check_endpoint(l.remote(), lp + ".remote", true, true)) return false;
        if (!check_endpoint(l.local(), lp + ".local", !client, false)) return false;
      }
    }
    return true;
  }

  bool check_ss7(const config::Ss7& ss7) {
    const auto fmt = point_code_format(ss7);
    const char* fmt_name = fmt == sigtran::PointCodeFormat::kAnsi888   ? "ansi 8-8-8"
                           : fmt == sigtran::PointCodeFormat::kDecimal ? "decimal"
                                                                       : "itu 3-8-3";
    auto pc = [&](const std::string& text, const std::string& path) -> std::optional<std::uint32_t> {
      auto v = sigtran::parse_point_code(text, fmt);
      if (!v) {
        fail(path, "'" + text + "' is not a point code in the " + std::string(fmt_name) + " format");
        return std::nullopt;
      }
      return v->value;
    };
    std::set<std::string> links;
    for (int i = 0; i < ss7.m3ua_links_size(); ++i) {
      const auto& l = ss7.m3ua_links(i);
      const std::string p = "ss7.m3ua_links[" + std::to_string(i) + "]";
      if (l.name().empty()) return fail(p, "link needs a 'name'");
      if (!links.insert(l.name()).second) return fail(p + ".name", "duplicate link name '" + l.name() + "'");
      if (l.role() == config::M3UA_ROLE_UNSPECIFIED)
        return fail(p, "link needs a 'role' (asp, sg, ipsp_client, ipsp_server, ipsp_double)");
      if (l.transport() == config::SIGTRAN_TRANSPORT_UNSPECIFIED)
        return fail(p, "link needs a 'transport' (sctp, tcp)");
      const bool client = is_client_role(l.role());
      if (!check_endpoint(l.remote(), p + ".remote", client, client)) return false;
      // A server may listen on port 0 (ephemeral; tests read the bound port from the log).
      if (!check_endpoint(l.local(), p + ".local", !client, false)) return false;
    }
    bool has_default = false;
    std::set<std::uint32_t> routed;
    for (int i = 0; i < ss7.routes_size(); ++i) {
      const auto& r = ss7.routes(i);
      const std::string p = "ss7.routes[" + std::to_string(i) + "]";
      if (r.dpc() == "default") {
        if (has_default) return fail(p + ".dpc", "more than one default route");
        has_default = true;
      } else {
        auto dpc = pc(r.dpc(), p + ".dpc");
        if (!dpc) return false;
        if (!routed.insert(*dpc).second) return fail(p + ".dpc", "duplicate route for " + r.dpc());
      }
      if (r.links().empty()) return fail(p, "route needs 'links'");
      for (int j = 0; j < r.links_size(); ++j)
        if (!links.count(r.links(j)))
          return fail(p + ".links[" + std::to_string(j) + "]", "no M3UA link named '" + r.links(j) + "'");
    }
    if (!check_linksets(ss7, pc, routed)) return false;
    std::set<std::string> names;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<CicSpan>> used;
    for (int i = 0; i < ss7.trunk_groups_size(); ++i) {
      const auto& g = ss7.trunk_groups(i);
      const std::string p = "ss7.trunk_groups[" + std::to_string(i) + "]";
      if (g.name().empty()) return fail(p, "trunk group needs a 'name'");
      if (!names.insert(g.name()).second) return fail(p + ".name", "duplicate trunk group name '" + g.name() + "'");
      if (g.opc().empty()) return fail(p, "trunk group needs 'opc' (our point code)");
      if (g.dpc().empty()) return fail(p, "trunk group needs 'dpc' (the adjacent exchange)");
      auto opc = pc(g.opc(), p + ".opc");
      if (!opc) return false;
      auto dpc = pc(g.dpc(), p + ".dpc");
      if (!dpc) return false;
      if (!has_default && !routed.count(*dpc))
        return fail(p + ".dpc", "no route to " + g.dpc() + " (add it to ss7.routes or add a default route)");
      if (g.cics().empty()) return fail(p, "trunk group needs 'cics' (e.g. \"1-31\")");
      const unsigned max = max_cic(g.variant());
      auto& spans = used[{*opc, *dpc}];
      for (int j = 0; j < g.cics_size(); ++j) {
        const std::string cp = p + ".cics[" + std::to_string(j) + "]";
        auto span = parse_cic_range(g.cics(j), max);
        if (!span) return fail(cp, "'" + g.cics(j) + "' is not a CIC or CIC range within 0.." + std::to_string(max));
        for (const auto& s : spans)
          if (span->first <= s.last && s.first <= span->last)
            return fail(cp, "CICs " + g.cics(j) + " overlap another range between the same point codes");
        spans.push_back(*span);
      }
    }
    std::set<std::string> sims;
    for (int i = 0; i < ss7.simulated_exchanges_size(); ++i) {
      const auto& x = ss7.simulated_exchanges(i);
      const std::string p = "ss7.simulated_exchanges[" + std::to_string(i) + "]";
      if (x.name().empty()) return fail(p, "simulated exchange needs a 'name'");
      if (!sims.insert(x.name()).second) return fail(p + ".name", "duplicate simulated exchange '" + x.name() + "'");
      if (!check_endpoint(x.listen(), p + ".listen", true, false)) return false;
      if (x.opc().empty() || x.dpc().empty()) return fail(p, "simulated exchange needs 'opc' and 'dpc'");
      if (!pc(x.opc(), p + ".opc") || !pc(x.dpc(), p + ".dpc")) return false;
      if (x.cics().empty()) return fail(p, "simulated exchange needs 'cics' (e.g. \"1-31\")");
      for (int j = 0; j < x.cics_size(); ++j)
        if (!parse_cic_range(x.cics(j), 4095))
          return fail(p + ".cics[" + std::to_string(j) + "]", "'" + x.cics(j) + "' is not a CIC or CIC range");
    }
    return true;
  }

  static bool all_digits(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  }

  // "192.0.2.0/24", "2001:db8::/32" or a single address.
  static bool valid_source(const std::string& s) {
    const auto slash = s.find('/');
    const std::string addr = s.substr(0, slash);
    unsigned char buf[16];
    const bool v4 = inet_pton(AF_INET, addr.c_str(), buf) == 1;
    if (!v4 && inet_pton(AF_INET6, addr.c_str(), buf) != 1) return false;
    if (slash == std::string::npos) return true;
    const std::string len = s.substr(slash + 1);
    if (len.empty() || len.size() > 3 || !all_digits(len)) return false;
    return std::stoi(len) <= (v4 ? 32 : 128);
  }

  bool check_trunks(const config::Sip& sip) {
    std::set<std::string> names;
    for (int i = 0; i < sip.trunks_size(); ++i) {
      const auto& t = sip.trunks(i);
      const std::string p = "sip.trunks[" + std::to_string(i) + "]";
      if (t.name().empty()) return fail(p, "SIP trunk needs a 'name'");
      if (!names.insert(t.name()).second) return fail(p + ".name", "duplicate SIP trunk name '" + t.name() + "'");
      if (t.address().empty()) return fail(p, "SIP trunk needs an 'address' (IPv4 or IPv6 literal of the peer)");
      if (!valid_ip(t.address())) return fail(p + ".address", "'" + t.address() + "' is not an IPv4 or IPv6 address");
      if (t.port() > 65535) return fail(p + ".port", "port " + std::to_string(t.port()) + " is out of range 0..65535");
      if (t.transport() == config::TRANSPORT_TLS)
        return fail(p + ".transport", "transport 'tls' is not supported by this build yet (udp, tcp)");
      for (int j = 0; j < t.allowed_sources_size(); ++j)
        if (!valid_source(t.allowed_sources(j)))
          return fail(p + ".allowed_sources[" + std::to_string(j) + "]",
                      "'" + t.allowed_sources(j) + "' is not an address or address/prefix-length");
      const auto& np = t.number_plan();
      if (!all_digits(np.country_code()) || np.country_code().size() > 3)
        return fail(p + ".number_plan.country_code", "country code '" + np.country_code() + "' must be 1-3 digits");
      if (!all_digits(np.area_code()) || np.area_code().size() > 8)
        return fail(p + ".number_plan.area_code", "area code '" + np.area_code() + "' must be up to 8 digits");
      if (t.options_interval_ms() != 0 && t.options_interval_ms() < 1000)
        return fail(p + ".options_interval_ms", "options_interval_ms must be 0 (off) or at least 1000");
    }
    return true;
  }

  bool check_routes(const config::Config& cfg) {
    std::set<std::string> trunks, groups;
    for (const auto& t : cfg.sip().trunks()) trunks.insert(t.name());
    for (const auto& g : cfg.ss7().trunk_groups()) groups.insert(g.name());
    std::set<std::pair<std::string, std::string>> seen;
    for (int i = 0; i < cfg.routes_size(); ++i) {
      const auto& r = cfg.routes(i);
      const std::string p = "routes[" + std::to_string(i) + "]";
      if (!all_digits(r.prefix()))
        return fail(p + ".prefix", "route prefix '" + r.prefix() + "' must be digits only (\"\" matches every number)");
      if (!r.from().empty() && !trunks.count(r.from()) && !groups.count(r.from()))
        return fail(p + ".from", "no SIP trunk or ISUP trunk group named '" + r.from() + "'");
      if (!seen.insert({r.from(), r.prefix()}).second)
        return fail(p + ".prefix", "duplicate route for prefix '" + r.prefix() + "'" +
                                       (r.from().empty() ? "" : " from '" + r.from() + "'"));
      if (r.targets().empty()) return fail(p, "route needs 'targets' (sip_trunk or trunk_group)");
      for (int j = 0; j < r.targets_size(); ++j) {
        const auto& t = r.targets(j);
        const std::string tp = p + ".targets[" + std::to_string(j) + "]";
        if (t.sip_trunk().empty() == t.trunk_group().empty())
          return fail(tp, "route target needs exactly one of 'sip_trunk' and 'trunk_group'");
        if (!t.sip_trunk().empty() && !trunks.count(t.sip_trunk()))
          return fail(tp + ".sip_trunk", "no SIP trunk named '" + t.sip_trunk() + "'");
        if (!t.trunk_group().empty() && !groups.count(t.trunk_group()))
          return fail(tp + ".trunk_group", "no ISUP trunk group named '" + t.trunk_group() + "'");
        if (!all_digits(t.prefix())) return fail(tp + ".prefix", "prefix '" + t.prefix() + "' must be digits only");
        if (t.strip() > 30) return fail(tp + ".strip", "strip must be at most 30 digits");
      }
    }
    return true;
  }

  bool fail(const std::string& path, std::string reason) {
    int line = 0;
    // The nearest recorded ancestor gives the line when the field itself is absent.
    for (std::string p = path; !p.empty();) {
      if (auto it = lc_.lines.find(p); it != lc_.lines.end()) {
        line = it->second;
        break;
      }
      auto cut = p.find_last_of(".[");
      p = cut == std::string::npos ? std::string() : p.substr(0, cut);
    }
    error_ = ConfigError{lc_.source, line, std::move(reason)};
    return false;
  }

  const LoadedConfig& lc_;
  ConfigError error_;
};

void apply_defaults(config::Config& c) {
  if (c.node().name().empty()) c.mutable_node()->set_name("isupgw");
  if (c.logging().level() == config::LOG_LEVEL_UNSPECIFIED) c.mutable_logging()->set_level(config::LOG_LEVEL_INFO);
  if (c.logging().format() == config::LOG_FORMAT_UNSPECIFIED) c.mutable_logging()->set_format(config::LOG_FORMAT_TEXT);
  if (c.sip().max_tcp_connections() == 0) c.mutable_sip()->set_max_tcp_connections(1024);
  if (c.runtime().shutdown_grace_ms() == 0) c.mutable_runtime()->set_shutdown_grace_ms(2000);
  for (auto& t : *c.mutable_sip()->mutable_trunks()) {
    if (t.port() == 0) t.set_port(5060);
    if (t.transport() == config::TRANSPORT_UNSPECIFIED) t.set_transport(config::TRANSPORT_UDP);
    if (t.profile() == config::SIP_PROFILE_UNSPECIFIED) t.set_profile(config::SIP_PROFILE_SIP);
    if (t.number_plan().country_code().empty()) t.mutable_number_plan()->set_country_code("49");
    if (t.allowed_sources().empty()) t.add_allowed_sources(t.address());
    if (t.domain().empty()) t.set_domain(t.address());
  }
  for (auto& x : *c.mutable_ss7()->mutable_simulated_exchanges()) {
    if (x.ring_ms() == 0) x.set_ring_ms(1000);
    if (x.routing_context() == 0) x.set_routing_context(1);
  }
}

}  // namespace

Result<LoadedConfig, ConfigError> load_config_text(std::string_view yaml, std::string_view source_name) {
  LoadedConfig lc;
  lc.source = std::string(source_name);
  if (auto e = check_structure(yaml, lc.source)) return Err(std::move(*e));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; a mark of -1 means "no position".
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return Err(ConfigError{lc.source, line, "syntax error: " + e.msg});
  }
  try {
    YamlToProto conv(lc.source, lc.lines);
    if (!conv.convert_message(root, lc.config, "")) return Err(conv.error());
  } catch (const YAML::Exception& e) {
    return Err(ConfigError{lc.source, e.mark.is_null() ? 0 : e.mark.line + 1, e.msg});
  }
  Validator v(lc);
  if (!v.run()) return Err(v.error());
  apply_defaults(lc.config);
  return lc;
}

Result<LoadedConfig, ConfigError> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(ConfigError{path, 0, "cannot open file"});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Err(ConfigError{path, 0, "read error"});
  return load_config_text(ss.str(), path);
}

Result<LoadedConfig, ConfigError> load_default_config() {
  return load_config_text(default_config_yaml(), "<embedded default>");
}

}  // namespace isupgw::config
