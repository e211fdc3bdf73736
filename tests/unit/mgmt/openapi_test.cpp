// mgmt/openapi.yaml describes the REST API as it is: every (method, path) it
// lists is a route the server registers, and every route is listed. Paths marked
// `x-isupgw-section` belong to an optional section's routes (tests/unit/daemon/trace_routes_test.cpp).
#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>

#include <set>

#include "mgmt/rest_api.h"
#include "tests/unit/mgmt/test_stacks.h"

namespace isupgw::mgmt {
namespace {

TEST(OpenApi, DocumentedRoutesAreTheImplementedRoutes) {
  const YAML::Node doc = YAML::LoadFile(std::string(ISUPGW_SOURCE_DIR) + "/mgmt/openapi.yaml");
  ASSERT_TRUE(doc["openapi"].as<std::string>().starts_with("3."));
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second) {
      if (path.second["x-isupgw-section"]) break;
      const auto method = op.first.as<std::string>();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      documented.emplace(method, path.first.as<std::string>());
      EXPECT_TRUE(op.second["responses"]) << method << " " << path.first.as<std::string>() << " has no responses";
    }

  ManualClock clock;
  Counters counters;
  testing::TestStacks stacks(counters, clock);
  Model model(stacks);
  http::Router router;
  register_rest_api(router, model);
  std::set<std::pair<std::string, std::string>> implemented;
  for (const auto& [verb, pattern] : router.routes()) {
    std::string m(boost::beast::http::to_string(verb));
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    implemented.emplace(m, pattern);
  }
  EXPECT_EQ(documented, implemented);
  EXPECT_GE(implemented.size(), 18u);
}

}  // namespace
}  // namespace isupgw::mgmt
