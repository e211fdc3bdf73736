// Routes of the HTTP server (http/server.h), apart from sockets so that a test
// or a fuzz target can drive them with a parsed request: bearer token check
// (RFC 6750 2.1), route match with {name} path parameters, 404/405, and JSON
// errors. Handlers may answer later (an action waiting for the network): they
// call `reply` exactly once, on the event loop.
#pragma once

// Beast's verb.hpp uses std::ostream without including it (Boost 1.74).
#include <ostream>
#include <utility>

#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isupgw::http {

using Verb = boost::beast::http::verb;

struct Request {
  Verb method = Verb::get;
  std::string path;                                        // the target without its query, percent-decoded
  std::map<std::string, std::string, std::less<>> query;   // ?a=b&c=d, percent-decoded
  std::map<std::string, std::string, std::less<>> params;  // {name} segments of the route pattern
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (WWW-Authenticate, Allow, ...)
};

// {"error": {"code": CODE, "message": MESSAGE}} with `status`.
Response json_error(unsigned status, std::string_view code, std::string_view message);
// JSON string literal of `s` (quotes and escapes, RFC 8259 7).
std::string json_quote(std::string_view s);

using Reply = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Reply)>;

class Router {
 public:
  // `pattern`: "/trunk-groups/{group}/circuits"; a {name} segment matches one
  // non-empty path segment. Registering the same verb and pattern twice replaces.
  void add(Verb method, std::string_view pattern, Handler handler);
  // Every registered (verb, pattern), in registration order (the OpenAPI check).
  std::vector<std::pair<Verb, std::string>> routes() const;

  // Empty: no token is asked for. Else every request needs "Authorization: Bearer TOKEN".
  void set_token(std::string token) { token_ = std::move(token); }

  // Checks the token, splits and decodes the target, finds the route, calls it.
  // Bad targets get 400, unknown paths 404, known paths with another verb 405.
  void dispatch(Verb method, std::string_view target, std::string_view authorization, std::string body,
                const Reply& reply) const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::string token_;
};

// Percent-decoding (RFC 3986 2.1); false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace isupgw::http
