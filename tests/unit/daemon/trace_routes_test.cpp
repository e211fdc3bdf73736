// The call trace's routes (issue 17) are the ones mgmt/openapi.yaml lists under `x-isupgw-section: trace`.
#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <string>

#include "base/asio.h"
#include "base/counters.h"
#include "base/log.h"
#include "daemon/trace_output.h"
#include "http/router.h"

namespace isupgw::daemon {
namespace {

TEST(TraceRoutes, AreTheOnesOpenApiListsForTheTraceSection) {
  const YAML::Node doc = YAML::LoadFile(std::string(ISUPGW_SOURCE_DIR) + "/mgmt/openapi.yaml");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& path : doc["paths"]) {
    const auto section = path.second["x-isupgw-section"];
    if (!section || section.as<std::string>() != "trace") continue;
    for (const auto& op : path.second) {
      const auto method = op.first.as<std::string>();
      if (method.starts_with("x-") || method == "parameters" || method == "summary") continue;
      documented.emplace(method, path.first.as<std::string>());
    }
  }

  const auto dir = std::filesystem::temp_directory_path() / ("trace_routes_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  boost::asio::io_context io;
  Logger log([](std::string_view) {});
  Counters counters;
  config::TraceSettings s;
  s.directory = dir.string();
  auto out = TraceOutput::start(io, s, false, log, counters);
  ASSERT_TRUE(out) << out.error();
  http::Router router;
  (*out)->register_routes(router);
  std::set<std::pair<std::string, std::string>> implemented;
  for (const auto& [verb, pattern] : router.routes()) {
    std::string m(boost::beast::http::to_string(verb));
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    implemented.emplace(m, pattern);
  }
  EXPECT_EQ(documented, implemented);
  EXPECT_EQ(implemented.size(), 3u);
  out->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace isupgw::daemon
