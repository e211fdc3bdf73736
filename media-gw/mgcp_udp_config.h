// Where the MGCP/H.248 UDP socket binds and which MG it talks to, apart from
// the socket (mgcp_udp.h): the configuration's settings carry it without Asio.
#pragma once

#include <cstdint>
#include <string>

namespace isupgw::mediagw {

struct UdpConfig {
  std::string local_address = "127.0.0.1";
  std::uint16_t local_port = 0;  // 0 = ephemeral
  std::string mg_address = "127.0.0.1";
  std::uint16_t mg_port = 2427;
};

}  // namespace isupgw::mediagw
