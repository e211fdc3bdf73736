#include "cli/codec_isup.h"

#include <deque>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "base/hex.h"
#include "isup/codes.h"
#include "isup/message_table.h"
#include "isup/number.h"
#include "isup/params.h"

namespace isupgw::cli {

using json = nlohmann::ordered_json;  // keys in insertion (= wire) order
namespace isup = isupgw::isup;
using isup::ParamBytes;
using isup::Variant;

namespace {

// Members left out of the JSON when they hold their default value: spare bits and
// rarely used octets. Everything else (digits, nai, npi, cause value, ...) is always shown.
bool omittable(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "spare",           "filler", "one_octet", "has_recommendation", "recommendation",  "value_ext", "last_octet",
      "ansi_point_code", "rest",   "more",      "diagnostics",        "rate_multiplier", "national"};
  for (auto n : kNames)
    if (n == name) return true;
  return false;
}

template <class T>
constexpr bool is_fixed_string = false;
template <std::size_t N>
constexpr bool is_fixed_string<isup::FixedString<N>> = true;

// Visits the value and a default-constructed twin side by side.
template <class T>
json typed_to_json(T& value, T def) {
  json j = json::object();
  // Default members by name first (visit order is identical).
  std::map<std::string, json> defaults;
  def.visit([&](std::string_view name, auto& member) {
    using M = std::remove_cvref_t<decltype(member)>;
    if constexpr (std::is_same_v<M, isup::Bytes>)
      defaults[std::string(name)] = to_hex(member);
    else if constexpr (is_fixed_string<M>)
      defaults[std::string(name)] = std::string(member.view());
    else
      defaults[std::string(name)] = member;
  });
  value.visit([&](std::string_view name, auto& member) {
    using M = std::remove_cvref_t<decltype(member)>;
    json v;
    if constexpr (std::is_same_v<M, isup::Bytes>)
      v = to_hex(member);
    else if constexpr (is_fixed_string<M>)
      v = std::string(member.view());
    else
      v = member;
    if (omittable(name) && v == defaults[std::string(name)]) return;
    j[std::string(name)] = std::move(v);
  });
  return j;
}

// JSON -> member values. Strings for Bytes are kept alive in `store`.
struct FromJson {
  const json& in;
  std::deque<Bytes>& store;
  std::string error;

  template <class M>
  void operator()(std::string_view name, M& member) {
    if (!error.empty() || !in.contains(std::string(name))) return;
    const json& v = in[std::string(name)];
    const std::string key(name);
    if constexpr (std::is_same_v<M, bool>) {
      if (v.is_boolean())
        member = v.get<bool>();
      else if (v.is_number_unsigned() && v.get<std::uint64_t>() <= 1)
        member = v.get<std::uint64_t>() == 1;
      else
        error = "'" + key + "' must be true or false";
    } else if constexpr (std::is_integral_v<M>) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<M>::max())
        error = "'" + key + "' must be an integer 0.." + std::to_string(std::numeric_limits<M>::max());
      else
        member = static_cast<M>(v.get<std::uint64_t>());
    } else if constexpr (std::is_same_v<M, isup::Bytes>) {
      std::optional<Bytes> b;
      if (v.is_string()) b = from_hex(v.get<std::string>());
      if (!b) {
        error = "'" + key + "' must be a hex string";
        return;
      }
      store.push_back(std::move(*b));
      member = store.back();
    } else if constexpr (is_fixed_string<M>) {
      if (!v.is_string()) {
        error = "'" + key + "' must be a string";
        return;
      }
      auto s = v.get<std::string>();
      for (char c : s)
        if (isup::digit_value(c) < 0) {
          error = "'" + key + "' has a character that is not a digit code: '" + std::string(1, c) + "'";
          return;
        }
      if (!member.assign(s)) error = "'" + key + "' is too long";
    }
  }
};

// Typed handler for one parameter code.
struct Handler {
  // nullopt when the contents do not decode or would not re-encode identically.
  std::optional<json> (*to_json)(isup::Bytes in, Variant v, std::uint8_t code);
  // Returns an error text or empty.
  std::string (*from_json)(const json& in, Variant v, std::uint8_t code, std::deque<Bytes>& store, ParamBytes& out);
};

bool same(const ParamBytes& b, isup::Bytes in) { return std::ranges::equal(b, in); }

template <class T>
Handler typed() {
  return Handler{[](isup::Bytes in, Variant, std::uint8_t) -> std::optional<json> {
                   auto r = T::decode(in);
                   if (!r) return std::nullopt;
                   ParamBytes check;
                   r->encode(check);
                   if (!same(check, in)) return std::nullopt;
                   return typed_to_json(*r, T{});
                 },
                 [](const json& in, Variant, std::uint8_t, std::deque<Bytes>& store, ParamBytes& out) -> std::string {
                   T value{};
                   FromJson fj{in, store, {}};
                   value.visit(fj);
                   if (!fj.error.empty()) return fj.error;
                   value.encode(out);
                   return {};
                 }};
}

Handler number_handler() {
  return Handler{
      [](isup::Bytes in, Variant v, std::uint8_t code) -> std::optional<json> {
        auto kind = isup::number_kind(code, v);
        auto r = isup::Number::decode(*kind, in);
        if (!r) return std::nullopt;
        ParamBytes check;
        r->encode(check);
        if (!same(check, in)) return std::nullopt;
        isup::Number def;
        def.kind = *kind;
        return typed_to_json(*r, def);
      },
      [](const json& in, Variant v, std::uint8_t code, std::deque<Bytes>& store, ParamBytes& out) -> std::string {
        isup::Number n;
        n.kind = *isup::number_kind(code, v);
        FromJson fj{in, store, {}};
        n.visit(fj);
        if (!fj.error.empty()) return fj.error;
        n.encode(out);
        return {};
      }};
}

// Parameter compatibility information: {"entries":[{"parameter":N,"instructions":"hex"},...]}.
Handler pci_handler() {
  return Handler{[](isup::Bytes in, Variant, std::uint8_t) -> std::optional<json> {
                   auto r = isup::ParameterCompatibilityInformation::decode(in);
                   if (!r) return std::nullopt;
                   json entries = json::array();
                   for (const auto& e : r->entries)
                     entries.push_back({{"parameter", e.parameter}, {"instructions", to_hex(e.instructions)}});
                   return json{{"entries", entries}};
                 },
                 [](const json& in, Variant, std::uint8_t, std::deque<Bytes>& store, ParamBytes& out) -> std::string {
                   if (!in.contains("entries") || !in["entries"].is_array()) return "'entries' must be an array";
                   for (const auto& e : in["entries"]) {
                     if (!e.is_object() || !e.contains("parameter") || !e["parameter"].is_number_unsigned() ||
                         e["parameter"].get<std::uint64_t>() > 255)
                       return "each entry needs 'parameter' 0..255";
                     std::optional<Bytes> b;
                     if (e.contains("instructions") && e["instructions"].is_string())
                       b = from_hex(e["instructions"].get<std::string>());
                     if (!b || b->empty()) return "each entry needs 'instructions' as hex";
                     store.push_back(std::move(*b));
                     out.push_back(static_cast<std::uint8_t>(e["parameter"].get<std::uint64_t>()));
                     for (auto x : store.back()) out.push_back(x);
                   }
                   return {};
                 }};
}

const Handler* handler_for(std::uint8_t code, Variant v) {
  static const Handler kNumber = number_handler(), kPci = pci_handler(), kOctet = typed<isup::OctetValue>(),
                       kNci = typed<isup::NatureOfConnectionIndicators>(), kFci = typed<isup::ForwardCallIndicators>(),
                       kBci = typed<isup::BackwardCallIndicators>(),
                       kOfci = typed<isup::OptionalForwardCallIndicators>(),
                       kObci = typed<isup::OptionalBackwardCallIndicators>(), kEvent = typed<isup::EventInformation>(),
                       kHop = typed<isup::HopCounter>(), kFlag = typed<isup::FlagOctet>(),
                       kCgsmt = typed<isup::CircuitGroupSupervisionMessageType>(),
                       kInri = typed<isup::InformationRequestIndicators>(),
                       kInfi = typed<isup::InformationIndicators>(), kRedir = typed<isup::RedirectionInformation>(),
                       kCause = typed<isup::CauseIndicators>(), kRange = typed<isup::RangeAndStatus>(),
                       kString = typed<isup::OctetString>(), kUsi = typed<isup::UserServiceInformation>(),
                       kPdc = typed<isup::PropagationDelayCounter>(),
                       kCug = typed<isup::ClosedUserGroupInterlockCode>(), kCallRef = typed<isup::CallReference>(),
                       kMci = typed<isup::MessageCompatibilityInformation>(),
                       kCgci = typed<isup::CircuitGroupCharacteristics>();
  if (isup::number_kind(code, v)) return &kNumber;
  namespace par = isup::par;
  if (v == Variant::kAnsi) {
    switch (code) {
      case par::kAnsiOriginatingLineInformation:
      case par::kAnsiCircuitValidationResponse: return &kOctet;
      case par::kAnsiCircuitGroupCharacteristics: return &kCgci;
      default: break;
    }
  }
  switch (code) {
    case par::kCallingPartysCategory:
    case par::kTransmissionMediumRequirement:
    case par::kTransmissionMediumRequirementPrime:
    case par::kTransmissionMediumUsed:
    case par::kAutomaticCongestionLevel:
    case par::kFacilityIndicator:
    case par::kCallModificationIndicators: return &kOctet;
    case par::kNatureOfConnectionIndicators: return &kNci;
    case par::kForwardCallIndicators: return &kFci;
    case par::kBackwardCallIndicators: return &kBci;
    case par::kOptionalForwardCallIndicators: return &kOfci;
    case par::kOptionalBackwardCallIndicators: return &kObci;
    case par::kEventInformation: return &kEvent;
    case par::kHopCounter: return &kHop;
    case par::kSuspendResumeIndicators:
    case par::kContinuityIndicators: return &kFlag;
    case par::kCircuitGroupSupervisionMessageType: return &kCgsmt;
    case par::kInformationRequestIndicators: return &kInri;
    case par::kInformationIndicators: return &kInfi;
    case par::kRedirectionInformation: return &kRedir;
    case par::kCauseIndicators: return &kCause;
    case par::kRangeAndStatus: return &kRange;
    case par::kAccessTransport:
    case par::kUserToUserInformation: return &kString;
    case par::kUserServiceInformation:
    case par::kUserServiceInformationPrime: return &kUsi;
    case par::kPropagationDelayCounter: return &kPdc;
    case par::kClosedUserGroupInterlockCode: return &kCug;
    case par::kCallReference: return &kCallRef;
    case par::kMessageCompatibilityInformation: return &kMci;
    case par::kParameterCompatibilityInformation: return &kPci;
    default: return nullptr;
  }
}

std::string key_for(std::uint8_t code, Variant v) {
  auto name = isup::param_name(code, v);
  if (!name.empty()) return std::string(name);
  return "param_" + std::to_string(code);
}

json param_json(const isup::Param& p, Variant v) {
  if (const Handler* h = handler_for(p.code, v)) {
    if (auto j = h->to_json(p.value, v, p.code)) return *j;
  }
  return json{{"code", p.code}, {"hex", to_hex(p.value)}};
}

Result<Variant, std::string> variant_option(const ParsedArgs& a) {
  Variant v = Variant::kItu;
  for (const auto& [k, val] : a.options) {
    if (k != "--variant") continue;
    auto parsed = isup::variant_from_string(val);
    if (!parsed) return Err("unknown variant '" + std::string(val) + "' (itu, etsi, ansi)");
    v = *parsed;
  }
  return v;
}

// --body is a flag; every other option takes a value (parse_cli_args).
Result<std::pair<ParsedArgs, bool>, std::string> parse_args(const CliArgs& args) {
  CliArgs rest;
  bool body = false;
  for (auto a : args) {
    if (a == "--body")
      body = true;
    else
      rest.push_back(a);
  }
  static constexpr std::string_view kKnown[] = {"--variant"};
  auto parsed = parse_cli_args(rest, kKnown);
  if (!parsed) return Err(parsed.error());
  return std::make_pair(std::move(*parsed), body);
}

}  // namespace

std::string isup_to_json(const isup::Message& m, Variant v, isup::Form form) {
  json j;
  j["type"] = std::string(isup::message_acronym(m.type, v));
  j["code"] = m.type;
  if (form == isup::Form::kWithCic) j["cic"] = m.cic;
  json params = json::object();
  auto add = [&](const isup::Param& p) {
    const std::string key = key_for(p.code, v);
    json value = param_json(p, v);
    if (!params.contains(key)) {
      params[key] = std::move(value);
    } else {
      json& slot = params[key];
      if (!slot.is_array()) slot = json::array({slot});
      slot.push_back(std::move(value));
    }
  };
  for (const auto& p : m.fixed) add(p);
  for (const auto& p : m.variable) add(p);
  for (const auto& p : m.optional) add(p);
  j["params"] = std::move(params);
  const auto* l = isup::find_layout(m.type, v);
  if (l && l->opaque_body) j["body"] = to_hex(m.body);
  return j.dump();
}

Result<Bytes, std::string> isup_json_to_bytes(std::string_view text, Variant v, isup::Form form) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(std::string("invalid JSON"));
  if (!j.is_object()) return Err(std::string("expected a JSON object"));
  for (const auto& [k, val] : j.items())
    if (k != "type" && k != "code" && k != "cic" && k != "params" && k != "body") return Err("unknown key '" + k + "'");
  int type = -1;
  if (j.contains("type")) {
    if (!j["type"].is_string()) return Err(std::string("'type' must be a message acronym"));
    type = isup::message_code(j["type"].get<std::string>(), v);
    if (type < 0) return Err("unknown message type '" + j["type"].get<std::string>() + "'");
  }
  if (j.contains("code")) {
    if (!j["code"].is_number_unsigned() || j["code"].get<std::uint64_t>() > 255)
      return Err(std::string("'code' must be 0..255"));
    const int code = static_cast<int>(j["code"].get<std::uint64_t>());
    if (type >= 0 && type != code) return Err(std::string("'type' and 'code' disagree"));
    type = code;
  }
  if (type < 0) return Err(std::string("missing 'type'"));
  const isup::MessageLayout* l = isup::find_layout(static_cast<std::uint8_t>(type), v);
  if (l == nullptr) return Err("unknown message type " + std::to_string(type));
  isup::Message m;
  m.type = static_cast<std::uint8_t>(type);
  if (form == isup::Form::kWithCic) {
    if (!j.contains("cic")) return Err(std::string("missing 'cic'"));
    if (!j["cic"].is_number_unsigned() || j["cic"].get<std::uint64_t>() > isup::max_cic(v))
      return Err("'cic' must be 0.." + std::to_string(isup::max_cic(v)));
    m.cic = static_cast<std::uint16_t>(j["cic"].get<std::uint64_t>());
  }
  std::deque<Bytes> store;
  if (j.contains("body")) {
    std::optional<Bytes> b;
    if (j["body"].is_string()) b = from_hex(j["body"].get<std::string>());
    if (!b) return Err(std::string("'body' must be a hex string"));
    store.push_back(std::move(*b));
    m.body = store.back();
  }
  // Parameters in JSON order; repeated names as arrays.
  std::vector<isup::Param> params;
  if (j.contains("params")) {
    if (!j["params"].is_object()) return Err(std::string("'params' must be an object"));
    for (const auto& [key, value] : j["params"].items()) {
      const json items = value.is_array() ? value : json::array({value});
      for (const auto& item : items) {
        if (!item.is_object()) return Err("parameter '" + key + "' must be an object");
        int code = isup::param_code(key, v);
        if (item.contains("code")) {
          if (!item["code"].is_number_unsigned() || item["code"].get<std::uint64_t>() > 255 ||
              item["code"].get<std::uint64_t>() == 0)
            return Err("parameter '" + key + "': 'code' must be 1..255");
          const int c = static_cast<int>(item["code"].get<std::uint64_t>());
          if (code >= 0 && code != c) return Err("parameter '" + key + "': 'code' disagrees with the name");
          code = c;
        }
        if (code < 0) return Err("unknown parameter '" + key + "'");
        ParamBytes out;
        if (item.contains("hex")) {
          std::optional<Bytes> b;
          if (item["hex"].is_string()) b = from_hex(item["hex"].get<std::string>());
          if (!b) return Err("parameter '" + key + "': 'hex' must be a hex string");
          if (b->size() > 255) return Err("parameter '" + key + "' is longer than 255 octets");
          store.push_back(std::move(*b));
        } else {
          const Handler* h = handler_for(static_cast<std::uint8_t>(code), v);
          if (h == nullptr) return Err("parameter '" + key + "' needs {\"code\":N,\"hex\":\"...\"}");
          auto err = h->from_json(item, v, static_cast<std::uint8_t>(code), store, out);
          if (!err.empty()) return Err("parameter '" + key + "': " + err);
          store.emplace_back(out.begin(), out.end());
        }
        params.push_back(isup::Param{static_cast<std::uint8_t>(code), store.back()});
      }
    }
  }
  // The layout decides which parameters are mandatory; the rest go to the optional part in order.
  std::vector<bool> used(params.size(), false);
  auto take = [&](std::uint8_t code) -> const isup::Param* {
    for (std::size_t i = 0; i < params.size(); ++i)
      if (!used[i] && params[i].code == code) {
        used[i] = true;
        return &params[i];
      }
    return nullptr;
  };
  for (std::size_t i = 0; i < l->n_fixed; ++i) {
    const auto* p = take(l->fixed[i].code);
    if (!p) return Err("missing mandatory parameter '" + key_for(l->fixed[i].code, v) + "'");
    if (p->value.size() != l->fixed[i].size)
      return Err("parameter '" + key_for(p->code, v) + "' must be " + std::to_string(l->fixed[i].size) + " octet(s)");
    m.fixed.push_back(*p);
  }
  for (std::size_t i = 0; i < l->n_variable; ++i) {
    const auto* p = take(l->variable[i]);
    if (!p) return Err("missing mandatory parameter '" + key_for(l->variable[i], v) + "'");
    m.variable.push_back(*p);
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (used[i]) continue;
    if (!l->optional_part)
      return Err(std::string(l->acronym) + " has no optional part (parameter '" + key_for(params[i].code, v) + "')");
    if (!m.optional.push_back(params[i])) return Err(std::string("too many optional parameters"));
  }
  auto enc = isup::encode(m, v, form);
  if (!enc) return Err(std::string(isup::to_string(enc.error())));
  return std::move(*enc);
}

Result<std::string, std::string> decode_isup(const CliArgs& args) {
  auto parsed = parse_args(args);
  if (!parsed) return Err(parsed.error());
  auto& [a, body] = *parsed;
  auto v = variant_option(a);
  if (!v) return Err(v.error());
  auto bytes = from_hex(a.rest);
  if (!bytes) return Err(std::string("invalid hex"));
  const auto form = body ? isup::Form::kBody : isup::Form::kWithCic;
  auto m = isup::decode(*bytes, *v, {.form = form});
  if (!m) return Err(std::string(isup::to_string(m.error())));
  return isup_to_json(*m, *v, form);
}

Result<std::string, std::string> encode_isup(const CliArgs& args) {
  auto parsed = parse_args(args);
  if (!parsed) return Err(parsed.error());
  auto& [a, body] = *parsed;
  auto v = variant_option(a);
  if (!v) return Err(v.error());
  auto out = isup_json_to_bytes(a.rest, *v, body ? isup::Form::kBody : isup::Form::kWithCic);
  if (!out) return Err(out.error());
  return to_hex(*out);
}

}  // namespace isupgw::cli
