// Loads a YAML configuration into the protobuf schema (config/config.proto)
// and validates it, parsing it once into typed Settings (config/settings.h). Every failure is one ConfigError rendered
// "FILE:LINE: reason".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/config.pb.h"
#include "config/settings.h"

namespace isupgw::config {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the whole file is at fault (e.g. unreadable)
  std::string reason;
  std::string to_string() const;
};

struct LoadedConfig {
  config::Config config;
  std::string source;  // file name, or "<embedded default>"
  // Field path ("sip.listeners[1].port") -> 1-based line, for validation messages.
  std::map<std::string, int, std::less<>> lines;
  // The same configuration checked and parsed into values: what the stacks take.
  Settings settings;
};

Result<LoadedConfig, ConfigError> load_config_text(std::string_view yaml, std::string_view source_name);
Result<LoadedConfig, ConfigError> load_config_file(const std::string& path);
// The configuration `isupgw run` uses without --config.
Result<LoadedConfig, ConfigError> load_default_config();
std::string_view default_config_yaml();

}  // namespace isupgw::config
