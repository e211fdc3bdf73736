// sctp_probe: proves the VM harness end to end with a project-built binary.
// Connects to an M3UA SG over kernel SCTP from a fixed local port (osmo-stp matches
// static ASPs by address and port), sends ASPUP and ASPAC(RC) with PPID 3 and waits
// for their acks, skipping unsolicited NTFY/DAVA/DUNA (RFC 4666 4.3.4.1, 4.3.4.3).
//   sctp_probe LOCAL_PORT REMOTE_PORT ROUTING_CONTEXT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

constexpr std::uint32_t kPpidM3ua = 3;

bool send_m3ua(int fd, std::uint8_t cls, std::uint8_t type, const std::vector<std::uint8_t>& params) {
  std::vector<std::uint8_t> m = {1, 0, cls, type, 0, 0, 0, 0};
  m.insert(m.end(), params.begin(), params.end());
  const std::uint32_t len = m.size();
  m[4] = len >> 24, m[5] = len >> 16, m[6] = len >> 8, m[7] = len;
  return sctp_sendmsg(fd, m.data(), m.size(), nullptr, 0, htonl(kPpidM3ua), 0, 0, 0, 0) ==
         static_cast<ssize_t>(m.size());
}

// Waits for class/type; prints and skips anything else.
bool expect(int fd, std::uint8_t cls, std::uint8_t type, const char* what) {
  for (int i = 0; i < 10; ++i) {
    std::uint8_t buf[2048];
    sctp_sndrcvinfo info{};
    int flags = 0;
    ssize_t n = sctp_recvmsg(fd, buf, sizeof buf, nullptr, nullptr, &info, &flags);
    if (n <= 0) {
      std::perror("sctp_recvmsg");
      return false;
    }
    if (flags & MSG_NOTIFICATION) continue;
    if (n < 8) continue;
    std::printf("  rx class=%u type=%u len=%zd ppid=%u stream=%u\n", buf[2], buf[3], n, ntohl(info.sinfo_ppid),
                info.sinfo_stream);
    if (buf[2] == cls && buf[3] == type) {
      std::printf("PASS %s\n", what);
      return true;
    }
  }
  std::printf("FAIL %s\n", what);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sctp_probe LOCAL_PORT REMOTE_PORT ROUTING_CONTEXT\n");
    return 2;
  }
  const int lport = std::atoi(argv[1]), rport = std::atoi(argv[2]);
  const std::uint32_t rc = std::strtoul(argv[3], nullptr, 10);
  int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
  if (fd < 0) {
    std::perror("socket(IPPROTO_SCTP)");
    return 1;
  }
  sctp_initmsg init{};
  init.sinit_num_ostreams = 2;
  init.sinit_max_instreams = 2;
  setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init);
  sockaddr_in local{}, remote{};
  local.sin_family = remote.sin_family = AF_INET;
  local.sin_addr.s_addr = remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  local.sin_port = htons(lport);
  remote.sin_port = htons(rport);
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    std::perror("bind/connect");
    return 1;
  }
  int passed = 0, failed = 0;
  auto count = [&](bool ok) { ok ? ++passed : ++failed; };
  count(send_m3ua(fd, 3, 1, {}) && expect(fd, 3, 4, "ASPUP -> ASPUP_ACK"));
  const std::vector<std::uint8_t> rc_param = {0x00,
                                              0x06,
                                              0x00,
                                              0x08,
                                              static_cast<std::uint8_t>(rc >> 24),
                                              static_cast<std::uint8_t>(rc >> 16),
                                              static_cast<std::uint8_t>(rc >> 8),
                                              static_cast<std::uint8_t>(rc)};
  count(send_m3ua(fd, 4, 1, rc_param) && expect(fd, 4, 3, "ASPAC(RC) -> ASPAC_ACK"));
  count(send_m3ua(fd, 3, 2, {}) && expect(fd, 3, 5, "ASPDN -> ASPDN_ACK"));
  close(fd);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
