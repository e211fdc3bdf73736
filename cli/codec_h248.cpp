#include "cli/codec_h248.h"

#include <array>
#include <nlohmann/json.hpp>

#include "media-gw/h248_codec.h"

namespace isupgw::cli {

using json = nlohmann::ordered_json;
namespace h = mediagw::h248;

namespace {

json props(const std::vector<h::Property>& ps) {
  json a = json::array();
  for (const auto& p : ps) {
    json j{{"name", p.name}};
    if (p.relation != 0) {
      if (p.relation != '=') j["relation"] = std::string(1, p.relation);
      j["value"] = p.value;
    }
    a.push_back(std::move(j));
  }
  return a;
}

json stream(const h::StreamParms& s) {
  json j = json::object();
  if (s.mode) j["mode"] = h::to_string(*s.mode);
  if (!s.local_control.empty()) j["local_control"] = props(s.local_control);
  if (s.local) j["local"] = *s.local;
  if (s.remote) j["remote"] = *s.remote;
  if (!s.statistics.empty()) j["statistics"] = props(s.statistics);
  return j;
}

json media(const h::MediaDescriptor& m) {
  json j = stream(m.stream);
  if (m.termination_state) {
    json t = json::object();
    if (m.termination_state->service_state) t["service_state"] = h::to_string(*m.termination_state->service_state);
    if (m.termination_state->buffer_lockstep) t["buffer"] = *m.termination_state->buffer_lockstep ? "LockStep" : "OFF";
    if (!m.termination_state->properties.empty()) t["properties"] = props(m.termination_state->properties);
    j["termination_state"] = std::move(t);
  }
  if (!m.streams.empty()) {
    json a = json::array();
    for (const auto& [id, s] : m.streams) {
      json sj = stream(s);
      sj["stream"] = id;
      a.push_back(std::move(sj));
    }
    j["streams"] = std::move(a);
  }
  return j;
}

json named(const std::string& name, const std::vector<h::Property>& ps) {
  json j{{"name", name}};
  if (!ps.empty()) j["parameters"] = props(ps);
  return j;
}

json error(const h::ErrorDescriptor& e) { return json{{"code", e.code}, {"text", e.text}}; }

json services(const h::ServiceChangeDescriptor& d) {
  json j = json::object();
  if (d.method) j["method"] = h::to_string(*d.method);
  if (d.reason) j["reason"] = *d.reason;
  if (d.delay) j["delay"] = *d.delay;
  if (d.address) j["address"] = *d.address;
  if (d.profile) j["profile"] = *d.profile;
  if (d.version) j["version"] = *d.version;
  if (d.mgc_id) j["mgc_id"] = *d.mgc_id;
  if (d.timestamp) j["timestamp"] = *d.timestamp;
  if (d.incomplete) j["incomplete"] = true;
  return j;
}

template <class C>
void descriptors(json& j, const C& c) {
  if (c.media) j["media"] = media(*c.media);
  if (c.events) {
    json e = json::object();
    if (c.events->request_id) e["request_id"] = *c.events->request_id;
    json a = json::array();
    for (const auto& r : c.events->events) a.push_back(named(r.name, r.parameters));
    e["events"] = std::move(a);
    j["events"] = std::move(e);
  }
  if (c.signals) {
    json a = json::array();
    for (const auto& s : c.signals->signals) a.push_back(named(s.name, s.parameters));
    j["signals"] = std::move(a);
  }
  if (c.observed_events) {
    json a = json::array();
    for (const auto& e : c.observed_events->events) {
      json ej = named(e.name, e.parameters);
      if (!e.timestamp.empty()) ej["timestamp"] = e.timestamp;
      a.push_back(std::move(ej));
    }
    j["observed_events"] = json{{"request_id", c.observed_events->request_id}, {"events", std::move(a)}};
  }
  if (c.service_change) j["services"] = services(*c.service_change);
  if (!c.statistics.empty()) j["statistics"] = props(c.statistics);
  if (c.error) j["error"] = error(*c.error);
}

json command(const h::Command& c) {
  json j{{"command", h::to_string(c.type)}, {"termination", c.termination_id}};
  if (c.optional) j["optional"] = true;
  if (c.wildcard_reply) j["wildcard_reply"] = true;
  if (c.audit) j["audit"] = c.audit->items;
  descriptors(j, c);
  return j;
}

json command_reply(const h::CommandReply& r) {
  json j{{"command", h::to_string(r.type)}, {"termination", r.termination_id}};
  descriptors(j, r);
  if (!r.packages.empty()) j["packages"] = r.packages;
  return j;
}

json transaction(const h::Transaction& t) {
  if (const auto* r = std::get_if<h::TransactionRequest>(&t)) {
    json a = json::array();
    for (const auto& act : r->actions) {
      json cs = json::array();
      for (const auto& c : act.commands) cs.push_back(command(c));
      a.push_back(json{{"context", h::to_string(act.context)}, {"commands", std::move(cs)}});
    }
    return json{{"transaction", "request"}, {"id", r->id}, {"actions", std::move(a)}};
  }
  if (const auto* r = std::get_if<h::TransactionReply>(&t)) {
    json j{{"transaction", "reply"}, {"id", r->id}};
    if (r->immediate_ack_required) j["immediate_ack_required"] = true;
    if (r->error) j["error"] = error(*r->error);
    json a = json::array();
    for (const auto& act : r->actions) {
      json cs = json::array();
      for (const auto& c : act.replies) cs.push_back(command_reply(c));
      json aj{{"context", h::to_string(act.context)}, {"replies", std::move(cs)}};
      if (act.error) aj["error"] = error(*act.error);
      a.push_back(std::move(aj));
    }
    if (!r->error) j["actions"] = std::move(a);
    return j;
  }
  if (const auto* p = std::get_if<h::TransactionPending>(&t)) return json{{"transaction", "pending"}, {"id", p->id}};
  json a = json::array();
  for (const auto& [first, last] : std::get<h::TransactionResponseAck>(t).ranges) a.push_back(json{first, last});
  return json{{"transaction", "response_ack"}, {"ranges", std::move(a)}};
}

Result<std::pair<h::Message, h::Style>, std::string> read(const CliArgs& args) {
  static constexpr std::array<std::string_view, 1> kKnown{"--style"};
  auto parsed = parse_cli_args(args, kKnown);
  if (!parsed) return Err(parsed.error());
  h::Style style = h::Style::kPretty;
  for (const auto& [k, v] : parsed->options) {
    if (v == "compact") {
      style = h::Style::kCompact;
    } else if (v != "pretty") {
      return Err(std::string("--style is pretty or compact"));
    }
  }
  auto m = h::parse(parsed->rest);
  if (!m) {
    return Err(std::string(h::to_string(m.error().error)) + " at offset " + std::to_string(m.error().offset));
  }
  return std::make_pair(std::move(*m), style);
}

}  // namespace

std::string h248_to_json(const h::Message& m) {
  json j{{"version", m.version}, {"mid", m.mid}};
  if (m.error) {
    j["error"] = error(*m.error);
  } else {
    json a = json::array();
    for (const auto& t : m.transactions) a.push_back(transaction(t));
    j["transactions"] = std::move(a);
  }
  return j.dump();
}

Result<std::string, std::string> decode_h248(const CliArgs& args) {
  auto r = read(args);
  if (!r) return Err(r.error());
  // Text the parser accepted may still hold bytes that are not UTF-8 (quoted strings, SDP): JSON cannot carry
  // them, and nlohmann refuses them with an exception -- reported here as an error like any other.
  try {
    return h248_to_json(r->first);
  } catch (const json::type_error& e) {
    return Err(std::string("the message holds bytes that are not UTF-8; cannot print it as JSON (") + e.what() + ")");
  }
}

Result<std::string, std::string> encode_h248(const CliArgs& args) {
  auto r = read(args);
  if (!r) return Err(r.error());
  auto text = h::serialize(r->first, r->second);
  if (!text.empty() && text.back() == '\n') text.pop_back();  // the CLI prints its own line end
  return text;
}

}  // namespace isupgw::cli
