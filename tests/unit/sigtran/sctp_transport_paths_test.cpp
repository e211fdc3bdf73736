// SCTP multi-homing without a kernel SCTP (issue 19): the address arrays
// handed to sctp_bindx / sctp_connectx (RFC 6458 9.1, 9.9: sockaddr_in or
// sockaddr_in6 back to back), their reading back (sctp_getpaddrs, 9.3), and
// the path table that SCTP_PEER_ADDR_CHANGE (6.1.2) drives, with its counters.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

#include "sigtran/sctp_transport_paths.h"

namespace isupgw::sigtran {
namespace {

TEST(SctpAddresses, PacksIpv4BackToBackWithThePort) {
  const std::vector<std::string> in{"10.0.1.1", "10.0.2.1"};
  auto p = pack_addresses(in, 3565);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->family, AF_INET);
  EXPECT_EQ(p->count, 2);
  ASSERT_EQ(p->bytes.size(), 2 * sizeof(sockaddr_in));
  sockaddr_in second{};
  std::memcpy(&second, p->bytes.data() + sizeof(sockaddr_in), sizeof second);
  EXPECT_EQ(second.sin_family, AF_INET);
  EXPECT_EQ(ntohs(second.sin_port), 3565);
  char text[INET_ADDRSTRLEN];
  EXPECT_STREQ(::inet_ntop(AF_INET, &second.sin_addr, text, sizeof text), "10.0.2.1");
  EXPECT_EQ(unpack_addresses(p->bytes.data(), p->count), in);
}

TEST(SctpAddresses, PacksIpv6AndReadsMappedIpv4AsIpv4) {
  const std::vector<std::string> in{"2001:db8::1", "::ffff:192.0.2.9"};
  auto p = pack_addresses(in, 2905);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->family, AF_INET6);
  ASSERT_EQ(p->bytes.size(), 2 * sizeof(sockaddr_in6));
  EXPECT_EQ(unpack_addresses(p->bytes.data(), 2), (std::vector<std::string>{"2001:db8::1", "192.0.2.9"}));
}

TEST(SctpAddresses, RefusesMixedFamiliesAndNonAddresses) {
  std::vector<std::string> mixed{"10.0.0.1", "::1"};
  EXPECT_EQ(pack_addresses(mixed, 1).error(), "'::1' mixes IPv4 and IPv6");
  std::vector<std::string> name{"host.example"};
  EXPECT_EQ(pack_addresses(name, 1).error(), "'host.example' is not an IPv4 or IPv6 address");
  EXPECT_EQ(pack_addresses({}, 1).error(), "no address");
}

TEST(SctpAddresses, UnpackStopsAtAnUnknownFamily) {
  std::vector<std::string> one{"10.0.0.1"};
  auto p = pack_addresses(one, 1);
  ASSERT_TRUE(p);
  p->bytes.resize(p->bytes.size() + sizeof(sockaddr_in6), 0);  // a zero family after it
  EXPECT_EQ(unpack_addresses(p->bytes.data(), 2), one);
}

class PathTableTest : public ::testing::Test {
 protected:
  Counters counters;
  Counter& down = counters.get("sctp.path_down");
  Counter& up = counters.get("sctp.path_up");
  PathTable table{down, up};
};

TEST_F(PathTableTest, OnePathLostAndRegainedIsCountedOnce) {
  table.reset({{"10.0.1.2", true, true}, {"10.0.2.2", true, false}});
  ASSERT_EQ(table.paths().size(), 2u);
  EXPECT_TRUE(table.paths()[0].active && table.paths()[0].primary);
  EXPECT_TRUE(table.paths()[1].active && !table.paths()[1].primary);

  EXPECT_EQ(table.apply("10.0.1.2", PathEvent::kUnreachable), -1);
  EXPECT_EQ(table.apply("10.0.1.2", PathEvent::kUnreachable), 0);  // told twice: one loss
  EXPECT_FALSE(table.paths()[0].active);
  EXPECT_TRUE(table.paths()[0].primary);  // still our primary: data goes on the other path meanwhile
  EXPECT_EQ(down.value(), 1u);
  EXPECT_EQ(table.apply("10.0.1.2", PathEvent::kAvailable), 1);
  EXPECT_EQ(table.apply("10.0.1.2", PathEvent::kConfirmed), 0);
  EXPECT_TRUE(table.paths()[0].active);
  EXPECT_EQ(up.value(), 1u);
}

TEST_F(PathTableTest, ConfirmationIsNotARegainedPath) {
  table.reset({{"10.0.1.2", true, true}, {"10.0.2.2", false, false}});  // the second not yet confirmed
  EXPECT_EQ(table.apply("10.0.2.2", PathEvent::kConfirmed), 0);
  EXPECT_TRUE(table.paths()[1].active);
  EXPECT_EQ(up.value(), 0u);
}

TEST_F(PathTableTest, AddedRemovedAndPrimaryMoves) {
  table.reset({{"10.0.1.2", true, true}});
  table.apply("10.0.2.2", PathEvent::kAdded);
  ASSERT_EQ(table.paths().size(), 2u);
  table.apply("10.0.2.2", PathEvent::kMadePrimary);
  EXPECT_FALSE(table.paths()[0].primary);
  EXPECT_TRUE(table.paths()[1].primary);
  table.apply("10.0.1.2", PathEvent::kRemoved);
  ASSERT_EQ(table.paths().size(), 1u);
  EXPECT_EQ(table.paths()[0].address, "10.0.2.2");
  EXPECT_EQ(table.apply("10.0.9.9", PathEvent::kOther), 0);
  table.clear();
  EXPECT_TRUE(table.paths().empty());
  EXPECT_EQ(down.value() + up.value(), 0u);
}

}  // namespace
}  // namespace isupgw::sigtran
