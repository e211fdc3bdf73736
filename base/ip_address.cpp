#include "base/ip_address.h"

#include <arpa/inet.h>

namespace isupgw {

bool valid_ip(const std::string& address) {
  unsigned char buf[16];
  return inet_pton(AF_INET, address.c_str(), buf) == 1 || inet_pton(AF_INET6, address.c_str(), buf) == 1;
}

}  // namespace isupgw
