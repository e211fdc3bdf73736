// libFuzzer target: the YAML configuration loader (YAML -> protobuf -> validation).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = isupgw::config::load_config_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!r.ok()) (void)r.error().to_string();
  return 0;
}
