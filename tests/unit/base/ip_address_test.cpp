#include "base/ip_address.h"

#include <gtest/gtest.h>

namespace isupgw {
namespace {

TEST(ValidIp, AcceptsIpv4AndIpv6Literals) {
  EXPECT_TRUE(valid_ip("127.0.0.1"));
  EXPECT_TRUE(valid_ip("0.0.0.0"));
  EXPECT_TRUE(valid_ip("::"));
  EXPECT_TRUE(valid_ip("::1"));
  EXPECT_TRUE(valid_ip("2001:db8::10"));
  EXPECT_TRUE(valid_ip("::ffff:192.0.2.1"));
}

TEST(ValidIp, RejectsNamesPortsPrefixesAndBrackets) {
  EXPECT_FALSE(valid_ip(""));
  EXPECT_FALSE(valid_ip("localhost"));
  EXPECT_FALSE(valid_ip("256.0.0.1"));
  EXPECT_FALSE(valid_ip("192.0.2.1:5060"));
  EXPECT_FALSE(valid_ip("192.0.2.0/24"));
  EXPECT_FALSE(valid_ip("[::1]"));
  EXPECT_FALSE(valid_ip(" 127.0.0.1"));
}

}  // namespace
}  // namespace isupgw
