// The HTTP router: bearer token (RFC 6750 2.1), route patterns, 404/405 and
// percent-decoding (RFC 3986 2.1), with requests as a server hands them over.
#include "http/router.h"

#include <gtest/gtest.h>

namespace isupgw::http {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router.add(Verb::get, "/trunk-groups/{group}/circuits", [this](const Request& r, Reply reply) {
      seen = r;
      Response res;
      res.body = "ok";
      reply(res);
    });
    router.add(Verb::post, "/trunk-groups/{group}/block", [](const Request&, Reply reply) { reply(Response{}); });
  }
  Response call(Verb v, std::string_view target, std::string_view auth = {}, std::string body = {}) {
    Response out;
    int replies = 0;
    router.dispatch(v, target, auth, std::move(body), [&](Response r) {
      out = std::move(r);
      ++replies;
    });
    EXPECT_EQ(replies, 1);
    return out;
  }
  Router router;
  Request seen;
};

TEST_F(RouterTest, PathParametersAndQueryAreDecoded) {
  auto r = call(Verb::get, "/trunk-groups/to%20hamburg/circuits?from=1&to=a+b");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(seen.params.at("group"), "to hamburg");
  EXPECT_EQ(seen.query.at("from"), "1");
  EXPECT_EQ(seen.query.at("to"), "a b");
}

TEST_F(RouterTest, UnknownPathIs404AndWrongVerbIs405WithAllow) {
  EXPECT_EQ(call(Verb::get, "/nothing").status, 404u);
  auto r = call(Verb::delete_, "/trunk-groups/x/block");
  EXPECT_EQ(r.status, 405u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
  EXPECT_EQ(r.body,
            "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"method DELETE is not allowed here\"}}\n");
}

TEST_F(RouterTest, MalformedTargetsAre400) {
  EXPECT_EQ(call(Verb::get, "/trunk-groups/%4/circuits").status, 400u);
  EXPECT_EQ(call(Verb::get, "/trunk-groups/%zz/circuits").status, 400u);
  EXPECT_EQ(call(Verb::get, "/trunk-groups/x/circuits?a=%").status, 400u);
  EXPECT_EQ(call(Verb::get, "trunk-groups").status, 400u);
  EXPECT_EQ(call(Verb::get, "").status, 400u);
}

TEST_F(RouterTest, TokenIsRequiredOnceSet) {
  router.set_token("0123456789abcdef");
  auto none = call(Verb::get, "/trunk-groups/x/circuits");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.headers.at(0).second, "Bearer");
  auto wrong = call(Verb::get, "/trunk-groups/x/circuits", "Bearer 0123456789abcdeX");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.headers.at(0).second, "Bearer error=\"invalid_token\"");
  EXPECT_EQ(call(Verb::get, "/trunk-groups/x/circuits", "Bearer 0123456789abcde").status, 401u);  // a prefix
  EXPECT_EQ(call(Verb::get, "/trunk-groups/x/circuits", "Basic 0123456789abcdef").status, 401u);
  // RFC 6750 2.1: the scheme is case-insensitive; unknown paths are 401 too (nothing is told before the token).
  EXPECT_EQ(call(Verb::get, "/trunk-groups/x/circuits", "bearer 0123456789abcdef").status, 200u);
  EXPECT_EQ(call(Verb::get, "/nothing", "Bearer wrong").status, 401u);
}

TEST(JsonQuote, EscapesPerRfc8259) { EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\""); }

}  // namespace
}  // namespace isupgw::http
