// isup-peer: a scriptable ISUP exchange running scenario files (see
// scenario.h), reporting pass/fail like SIPp. Transport: the in-process
// loopback against isupgw's own call control; M3UA/TCP follows once the
// gateway wiring exists.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/counters.h"
#include "base/log.h"
#include "isup/peer/scenario.h"
#include "isup/peer/scenario_runner.h"

using namespace isupgw;
using namespace isupgw::isup;

namespace {

int usage() {
  std::cerr << "usage: isup-peer [--loopback] [--variant itu|etsi|ansi] [--opc PC] [--dpc PC] [--cics FIRST-LAST]\n"
               "                 [--no-answer] [--reset-on-start] [-v] SCENARIO...\n"
               "  --opc   the peer's (this tool's) point code, default 200\n"
               "  --dpc   the exchange under test, default 100\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  peer::LoopbackOptions opt;
  opt.exchange.name = "isup-peer";
  opt.exchange.opc = 100;
  opt.exchange.dpc = 200;
  unsigned first = 1, last = 31;
  bool verbose = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--loopback") {
    } else if (a == "--variant") {
      auto v = variant_from_string(next());
      if (!v) return usage();
      opt.exchange.variant = *v;
    } else if (a == "--opc") {
      opt.exchange.dpc = static_cast<PointCode>(std::stoul(next()));
    } else if (a == "--dpc") {
      opt.exchange.opc = static_cast<PointCode>(std::stoul(next()));
    } else if (a == "--cics") {
      const std::string r = next();
      const auto dash = r.find('-');
      if (dash == std::string::npos) return usage();
      first = static_cast<unsigned>(std::stoul(r.substr(0, dash)));
      last = static_cast<unsigned>(std::stoul(r.substr(dash + 1)));
    } else if (a == "--no-answer") {
      opt.answer = false;
    } else if (a == "--reset-on-start") {
      opt.start_reset = true;
    } else if (a == "-v") {
      verbose = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage();
  opt.exchange.cics.emplace_back(static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last));

  Logger log;
  log.set_all_levels(verbose ? LogLevel::kDebug : LogLevel::kWarn);
  Counters counters;
  unsigned passed = 0, failed = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    if (!in) {
      std::cout << "FAIL " << f << ": cannot read\n";
      ++failed;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto sc = peer::parse_scenario(ss.str(), f);
    if (!sc) {
      std::cout << "FAIL " << f << ":" << sc.error().line << ": " << sc.error().what << "\n";
      ++failed;
      continue;
    }
    auto failures = peer::run_loopback(*sc, opt, log, counters);
    if (failures.empty()) {
      std::cout << "PASS " << f << "\n";
      ++passed;
    } else {
      for (const auto& why : failures) std::cout << "FAIL " << why << "\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
