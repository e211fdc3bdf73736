// The REST API over the management model, driven through the router as the
// HTTP server hands requests over: each action puts its Q.764 message on the
// wire (the recording MTP), bad bodies are 400 with a JSON error, model
// errors map to their statuses; /metrics carries the group's circuit gauges.
#include "mgmt/rest_api.h"

#include <gtest/gtest.h>

#include "mgmt/metrics.h"
#include "tests/unit/isup/isup_cc_test_util.h"
#include "tests/unit/mgmt/test_stacks.h"

namespace isupgw::mgmt {
namespace {

using namespace isup;
using http::Response;
using http::Verb;
using isup::testing::CcFixture;
using mgmt::testing::TestStacks;

class RestApiTest : public CcFixture {
 protected:
  RestApiTest() {
    make(1, 8);
    stacks.cc = cc.get();
    stacks.groups = {{"tg1", group}};
    register_rest_api(router, model);
  }
  Response call(Verb v, std::string_view target, std::string body = {}) {
    Response out;
    out.status = 0;
    router.dispatch(v, target, {}, std::move(body), [&](Response r) { out = std::move(r); });
    return out;
  }

  TestStacks stacks{counters, clock};
  Model model{stacks};
  http::Router router;
};

TEST_F(RestApiTest, BlockOneCicSendsBlo) {
  auto r = call(Verb::post, "/trunk-groups/tg1/block", R"({"cic": 5})");
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, "{\"sent\":[\"BLO cic=5\"],\"note\":\"\"}\n");
  expect(msg::kBlo, 5);
}

TEST_F(RestApiTest, ResetTheGroupSendsGrs) {
  auto r = call(Verb::post, "/trunk-groups/tg1/reset");
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(range_status(expect(msg::kGrs, 1)).range, 7);
}

TEST_F(RestApiTest, BadBodiesAre400AndNothingIsSent) {
  for (const char* body :
       {"[1]", "{", "{\"cic\": \"5\"}", "{\"cic\": 70000}", "{\"cic\": 1, \"first\": 1}", "{\"last\": 3}",
        "{\"cic\": -1}", "{\"cic\": 1.5}", "{\"cic\": 5, \"all\": true}", "{\"frist\": 1}"}) {
    auto r = call(Verb::post, "/trunk-groups/tg1/block", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_NE(r.body.find("\"code\":\"invalid\""), std::string::npos) << r.body;
  }
  EXPECT_TRUE(mtp.sent.empty());
}

TEST_F(RestApiTest, ModelErrorsMapToStatuses) {
  EXPECT_EQ(call(Verb::post, "/trunk-groups/nope/block").status, 404u);
  EXPECT_EQ(call(Verb::get, "/trunk-groups/nope/circuits").status, 404u);
  EXPECT_EQ(call(Verb::post, "/trunk-groups/tg1/block", R"({"cic": 99})").status, 404u);
  EXPECT_EQ(call(Verb::get, "/calls/12x").status, 400u);
  // No call engine in these stacks: the drain and release actions are unavailable.
  EXPECT_EQ(call(Verb::post, "/calls/1/release", R"({"cause": 16})").status, 503u);
  EXPECT_EQ(call(Verb::post, "/calls/1/release", R"({"cause": 0})").status, 400u);
  EXPECT_EQ(call(Verb::post, "/trunk-groups/tg1/service", R"({"in_service": false})").status, 503u);
  EXPECT_EQ(call(Verb::post, "/trunk-groups/tg1/service", R"({})").status, 400u);
  auto reload = call(Verb::post, "/reload");
  EXPECT_EQ(reload.status, 400u);
  EXPECT_NE(reload.body.find("cfg.yaml:3: bad"), std::string::npos);
}

TEST_F(RestApiTest, CircuitsShowTheBlockAndMetricsCountIt) {
  ASSERT_EQ(call(Verb::post, "/trunk-groups/tg1/block", R"({"cic": 2})").status, 200u);
  auto r = call(Verb::get, "/trunk-groups/tg1/circuits");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(
      r.body.find("{\"cic\":2,\"call_state\":\"idle\",\"blocking\":\"blocking\",\"local_maintenance_blocked\":true"),
      std::string::npos)
      << r.body;
  auto m = call(Verb::get, "/metrics");
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("isupgw_trunk_group_circuits{trunk_group=\"tg1\",state=\"local_blocked\"} 1\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("isupgw_trunk_group_circuits{trunk_group=\"tg1\",state=\"total\"} 8\n"), std::string::npos);
}

TEST(Metrics, CounterNames) {
  EXPECT_EQ(counter_metric_name("call.completed"), "isupgw_call_completed_total");
  EXPECT_EQ(counter_metric_name("isup.tx.IAM"), "isupgw_isup_tx_IAM_total");
  EXPECT_EQ(counter_metric_name("sip.rx.4xx-5xx"), "isupgw_sip_rx_4xx_5xx_total");
}

}  // namespace
}  // namespace isupgw::mgmt
