// isupgw — SIP <-> ISUP signalling gateway daemon and tools.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "cli/ctl.h"
#include "cli/decode.h"
#include "config/loader.h"
#include "daemon/runtime.h"
#include "tools/sim_exchange.h"

namespace {

using namespace isupgw;
using namespace isupgw::cli;
using namespace isupgw::daemon;

// The simulated exchange of ss7.simulated_exchanges (tools/): the embedded
// default configuration's far end.
class Simulator final : public ExchangeSimulator {
 public:
  explicit Simulator(std::unique_ptr<tools::SimExchange> x) : x_(std::move(x)) {}
  void start() override { x_->start(); }
  void stop() override { x_->stop(); }

 private:
  std::unique_ptr<tools::SimExchange> x_;
};

Result<std::unique_ptr<ExchangeSimulator>, std::string> make_simulator(boost::asio::io_context& io,
                                                                       const config::SimulatedExchangeSettings& cfg,
                                                                       Logger& log, Counters& counters) {
  auto x = tools::SimExchange::create(io, cfg, log, counters);
  if (!x) return Err(x.error());
  return std::unique_ptr<ExchangeSimulator>(std::make_unique<Simulator>(std::move(*x)));
}

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

void usage(FILE* out) {
  std::fprintf(out,
               "usage: isupgw COMMAND [ARGS]\n"
               "\n"
               "commands:\n"
               "  run [--config FILE]     run the gateway (no FILE: the embedded default)\n"
               "  check-config FILE...    validate configuration files; errors as FILE:LINE: reason\n"
               "  default-config          print the embedded default configuration (YAML)\n"
               "  ctl [OPTIONS] COMMAND   ask a running gateway (management API); ctl --help\n"
               "  decode PROTOCOL [OPTIONS] HEX   decode one message to JSON\n"
               "  encode PROTOCOL [OPTIONS] JSON  encode one message from JSON to HEX\n"
               "\n"
               "protocols:\n");
  for (const auto& c : codecs())
    std::fprintf(out, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  if (codecs().empty()) std::fprintf(out, "  (none yet)\n");
  std::fprintf(out,
               "\n"
               "  version                 print the version\n"
               "  help                    this text\n");
}

int cmd_run(const std::vector<std::string_view>& args) {
  std::string path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--config" || args[i] == "-c") && i + 1 < args.size()) {
      path = std::string(args[++i]);
    } else if (args[i].starts_with("--config=")) {
      path = std::string(args[i].substr(9));
    } else {
      std::fprintf(stderr, "isupgw run: unexpected argument '%.*s'\n", static_cast<int>(args[i].size()),
                   args[i].data());
      return kExitUsage;
    }
  }
  auto loaded = path.empty() ? config::load_default_config() : config::load_config_file(path);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().to_string().c_str());
    return kExitFailure;
  }
  Logger log;
  Runtime runtime(std::move(*loaded), path, log, make_simulator);
  return runtime.run();
}

int cmd_check_config(const std::vector<std::string_view>& args) {
  if (args.empty()) {
    std::fprintf(stderr, "isupgw check-config: no FILE given\n");
    return kExitUsage;
  }
  int rc = kExitOk;
  for (auto a : args) {
    auto loaded = config::load_config_file(std::string(a));
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().to_string().c_str());
      rc = kExitFailure;
    } else {
      std::printf("%.*s: ok\n", static_cast<int>(a.size()), a.data());
    }
  }
  return rc;
}

// decode/encode: dispatch to the codec's entry; it parses its own options.
int cmd_codec(std::string_view verb, const std::vector<std::string_view>& args) {
  if (args.size() < 2) {
    std::fprintf(stderr, "isupgw %.*s: usage: %.*s PROTOCOL [OPTIONS] %s\n", static_cast<int>(verb.size()), verb.data(),
                 static_cast<int>(verb.size()), verb.data(), verb == "decode" ? "HEX" : "JSON");
    return kExitUsage;
  }
  for (const auto& c : codecs()) {
    if (c.name != args[0]) continue;
    auto fn = verb == "decode" ? c.decode : c.encode;
    if (fn == nullptr) {
      std::fprintf(stderr, "isupgw %.*s: %.*s has no %.*s support\n", static_cast<int>(verb.size()), verb.data(),
                   static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(verb.size()), verb.data());
      return kExitUsage;
    }
    auto out = fn(CliArgs(args.begin() + 1, args.end()));
    if (!out) {
      std::fprintf(stderr, "isupgw %.*s %.*s: %s\n", static_cast<int>(verb.size()), verb.data(),
                   static_cast<int>(c.name.size()), c.name.data(), out.error().c_str());
      return kExitFailure;
    }
    std::printf("%s\n", out->c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "isupgw %.*s: unknown protocol '%.*s'\n", static_cast<int>(verb.size()), verb.data(),
               static_cast<int>(args[0].size()), args[0].data());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return kExitUsage;
  }
  const std::string_view cmd = args.front();
  const std::vector<std::string_view> rest(args.begin() + 1, args.end());
  if (cmd == "run") return cmd_run(rest);
  if (cmd == "check-config") return cmd_check_config(rest);
  if (cmd == "decode" || cmd == "encode") return cmd_codec(cmd, rest);
  if (cmd == "ctl") return ctl_main(rest);
  if (cmd == "default-config") {
    std::fwrite(config::default_config_yaml().data(), 1, config::default_config_yaml().size(), stdout);
    return kExitOk;
  }
  if (cmd == "version" || cmd == "--version") {
    std::printf("isupgw %s\n", ISUPGW_VERSION);
    return kExitOk;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return kExitOk;
  }
  std::fprintf(stderr, "isupgw: unknown command '%.*s'\n\n", static_cast<int>(cmd.size()), cmd.data());
  usage(stderr);
  return kExitUsage;
}
