#include "mgmt/rest_api.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "mgmt/json.h"
#include "mgmt/metrics.h"

namespace isupgw::mgmt {

namespace {

using http::Reply;
using http::Request;
using http::Response;
using http::Verb;
using J = nlohmann::json;

Response ok(std::string body, unsigned status = 200) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response error(const Error& e) { return http::json_error(http_status(e.code), to_string(e.code), e.message); }
Response invalid(std::string_view why) { return http::json_error(400, "invalid", why); }

template <class T>
Response answer(const Outcome<T>& o) {
  if (!o) return error(o.error());
  return ok(json::render(*o));
}

// The body of an action: empty or a JSON object (RFC 8259) of the members the
// route knows, nothing else: a member it does not know is refused, never
// ignored (a misspelt "cic" must not widen a block to the whole group).
std::optional<J> body_object(const Request& req, Reply& reply, std::initializer_list<std::string_view> known) {
  if (req.body.empty()) return J::object();
  J j = J::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    reply(invalid("the body must be a JSON object"));
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string names;
      for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
      reply(invalid("unknown member '" + key + "' (known: " + (names.empty() ? "none" : names) + ")"));
      return std::nullopt;
    }
  }
  return j;
}

// An optional integer member within [lo, hi]; false (and a 400 sent) when present but wrong.
bool get_int(const J& j, const char* key, std::int64_t lo, std::int64_t hi, std::optional<std::int64_t>& out,
             Reply& reply) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_number_integer()) {
    reply(invalid(std::string("'") + key + "' must be an integer"));
    return false;
  }
  const auto v = it->get<std::int64_t>();
  if (v < lo || v > hi) {
    reply(invalid(std::string("'") + key + "' must be " + std::to_string(lo) + ".." + std::to_string(hi)));
    return false;
  }
  out = v;
  return true;
}

bool get_bool(const J& j, const char* key, std::optional<bool>& out, Reply& reply) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_boolean()) {
    reply(invalid(std::string("'") + key + "' must be true or false"));
    return false;
  }
  out = it->get<bool>();
  return true;
}

// {"cic": N} or {"first": N, "last": M} or {} (every circuit of the group).
std::optional<CircuitRange> circuit_range(const Request& req, Reply& reply) {
  auto j = body_object(req, reply, {"cic", "first", "last"});
  if (!j) return std::nullopt;
  std::optional<std::int64_t> cic, first, last;
  if (!get_int(*j, "cic", 0, 4095, cic, reply) || !get_int(*j, "first", 0, 4095, first, reply) ||
      !get_int(*j, "last", 0, 4095, last, reply))
    return std::nullopt;
  if (cic && (first || last)) {
    reply(invalid("give either 'cic' or 'first'/'last'"));
    return std::nullopt;
  }
  if (last && !first) {
    reply(invalid("'last' needs 'first'"));
    return std::nullopt;
  }
  CircuitRange r;
  r.group = req.params.at("group");
  if (cic) first = last = cic;
  if (first) r.first = static_cast<std::uint16_t>(*first);
  if (last) r.last = static_cast<std::uint16_t>(*last);
  return r;
}

std::optional<std::uint64_t> call_id(const Request& req) {
  const auto& s = req.params.at("id");
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

unsigned http_status(Error::Code c) {
  switch (c) {
    case Error::Code::kNotFound: return 404;
    case Error::Code::kInvalid: return 400;
    case Error::Code::kConflict: return 409;
    case Error::Code::kUnavailable: return 503;
    case Error::Code::kTimeout: return 504;
  }
  return 500;
}

void register_rest_api(http::Router& router, Model& m) {
  // --- queries ---
  router.add(Verb::get, "/m3ua-links", [&m](const Request&, Reply reply) { reply(ok(json::render(m.m3ua_links()))); });
  router.add(Verb::get, "/linksets", [&m](const Request&, Reply reply) { reply(ok(json::render(m.linksets()))); });
  router.add(Verb::get, "/trunk-groups",
             [&m](const Request&, Reply reply) { reply(ok(json::render(m.trunk_groups()))); });
  router.add(Verb::get, "/trunk-groups/{group}/circuits",
             [&m](const Request& req, Reply reply) { reply(answer(m.circuits(req.params.at("group")))); });
  router.add(Verb::get, "/calls", [&m](const Request&, Reply reply) { reply(ok(json::render(m.calls()))); });
  router.add(Verb::get, "/calls/{id}", [&m](const Request& req, Reply reply) {
    auto id = call_id(req);
    if (!id) return reply(invalid("a call id is a decimal number"));
    reply(answer(m.call(*id)));
  });
  router.add(Verb::get, "/sip-trunks", [&m](const Request&, Reply reply) { reply(ok(json::render(m.sip_trunks()))); });
  router.add(Verb::get, "/media-gateways",
             [&m](const Request&, Reply reply) { reply(ok(json::render(m.media_gateways()))); });
  router.add(Verb::get, "/counters", [&m](const Request&, Reply reply) { reply(ok(json::render(m.counters()))); });
  router.add(Verb::get, "/metrics", [&m](const Request&, Reply reply) {
    Response r;
    r.content_type = std::string(kMetricsContentType);
    r.body = render_metrics(m);
    reply(std::move(r));
  });

  // --- actions ---
  router.add(Verb::post, "/trunk-groups/{group}/block", [&m](const Request& req, Reply reply) {
    if (auto r = circuit_range(req, reply)) reply(answer(m.block(*r)));
  });
  router.add(Verb::post, "/trunk-groups/{group}/unblock", [&m](const Request& req, Reply reply) {
    if (auto r = circuit_range(req, reply)) reply(answer(m.unblock(*r)));
  });
  router.add(Verb::post, "/trunk-groups/{group}/reset", [&m](const Request& req, Reply reply) {
    if (auto r = circuit_range(req, reply)) reply(answer(m.reset(*r)));
  });
  router.add(Verb::post, "/trunk-groups/{group}/query", [&m](const Request& req, Reply reply) {
    if (auto r = circuit_range(req, reply)) m.query(*r, [reply](Outcome<QueryTable> t) { reply(answer(t)); });
  });
  router.add(Verb::post, "/trunk-groups/{group}/validate", [&m](const Request& req, Reply reply) {
    if (auto r = circuit_range(req, reply))
      m.validate(*r, [reply](Outcome<ValidationReport> v) { reply(answer(v)); });
  });
  router.add(Verb::post, "/trunk-groups/{group}/service", [&m](const Request& req, Reply reply) {
    auto j = body_object(req, reply, {"in_service"});
    if (!j) return;
    std::optional<bool> in_service;
    if (!get_bool(*j, "in_service", in_service, reply)) return;
    if (!in_service) return reply(invalid("'in_service' (true or false) is required"));
    reply(answer(m.set_trunk_group_service(req.params.at("group"), *in_service)));
  });
  router.add(Verb::post, "/sip-trunks/{trunk}/service", [&m](const Request& req, Reply reply) {
    auto j = body_object(req, reply, {"in_service", "retry_after"});
    if (!j) return;
    std::optional<bool> in_service;
    std::optional<std::int64_t> retry_after;
    if (!get_bool(*j, "in_service", in_service, reply) || !get_int(*j, "retry_after", 0, 86400, retry_after, reply))
      return;
    if (!in_service) return reply(invalid("'in_service' (true or false) is required"));
    reply(answer(
        m.set_sip_trunk_service(req.params.at("trunk"), *in_service, std::chrono::seconds(retry_after.value_or(60)))));
  });
  router.add(Verb::post, "/calls/{id}/release", [&m](const Request& req, Reply reply) {
    auto id = call_id(req);
    if (!id) return reply(invalid("a call id is a decimal number"));
    auto j = body_object(req, reply, {"cause"});
    if (!j) return;
    std::optional<std::int64_t> cause;
    if (!get_int(*j, "cause", 1, 127, cause, reply)) return;
    reply(answer(m.release_call(*id, static_cast<int>(cause.value_or(16)))));
  });
  router.add(Verb::post, "/reload",
             [&m](const Request&, Reply reply) { m.reload([reply](Outcome<ReloadReport> r) { reply(answer(r)); }); });
}

}  // namespace isupgw::mgmt
