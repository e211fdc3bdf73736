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
#include "config/validate.h"

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

// A semantic check's failure at the line of its field: the nearest recorded
// ancestor gives the line when the field itself is absent.
ConfigError error_at(const LoadedConfig& lc, FieldError e) {
  int line = 0;
  for (std::string p = e.path; !p.empty();) {
    if (auto it = lc.lines.find(p); it != lc.lines.end()) {
      line = it->second;
      break;
    }
    auto cut = p.find_last_of(".[");
    p = cut == std::string::npos ? std::string() : p.substr(0, cut);
  }
  return ConfigError{lc.source, line, std::move(e.reason)};
}

void apply_defaults(config::Config& c) {
  if (c.node().name().empty()) c.mutable_node()->set_name("isupgw");
  if (c.logging().level() == config::LOG_LEVEL_UNSPECIFIED) c.mutable_logging()->set_level(config::LOG_LEVEL_INFO);
  if (c.logging().format() == config::LOG_FORMAT_UNSPECIFIED) c.mutable_logging()->set_format(config::LOG_FORMAT_TEXT);
  if (c.sip().max_tcp_connections() == 0) c.mutable_sip()->set_max_tcp_connections(1024);
  if (c.runtime().shutdown_grace_ms() == 0) c.mutable_runtime()->set_shutdown_grace_ms(2000);
  for (auto& t : *c.mutable_sip()->mutable_trunks()) {
    const bool by_name = !t.address().empty() && !valid_ip(t.address());
    if (t.port() == 0 && !by_name) t.set_port(5060);  // a host name without port: SRV's (RFC 3263 4.2)
    if (t.transport() == config::TRANSPORT_UNSPECIFIED) t.set_transport(config::TRANSPORT_UDP);
    if (t.profile() == config::SIP_PROFILE_UNSPECIFIED) t.set_profile(config::SIP_PROFILE_SIP);
    if (t.number_plan().country_code().empty()) t.mutable_number_plan()->set_country_code("49");
    if (t.allowed_sources().empty() && !by_name) t.add_allowed_sources(t.address());
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
  auto settings = validate(lc.config);
  if (!settings) return Err(error_at(lc, settings.error()));
  lc.settings = std::move(*settings);
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
