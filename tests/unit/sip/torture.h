// The RFC 4475-style corpus under tests/unit/sip/torture/: one message per NAME.sip.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace isupgw::sip::test {

// The file's bytes; empty if it cannot be read.
inline std::string load_torture(const std::string& name) {
  std::string path = ISUPGW_SOURCE_DIR;
  path.append("/tests/unit/sip/torture/").append(name).append(".sip");
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace isupgw::sip::test
