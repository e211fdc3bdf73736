// Issue 20: the SIP trunk's redirect, max_redirects and redirection_header settings.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace isupgw::config {
namespace {

std::string error_of(std::string_view yaml) {
  auto r = load_config_text(yaml, "r.yaml");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << yaml;
  return r.ok() ? std::string() : r.error().to_string();
}

TEST(RedirectConfig, LoadsEnumsAndLimit) {
  auto r = load_config_text(
      "sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, redirect: follow, max_redirects: 2,"
      " redirection_header: diversion}\n    - {name: b, address: 192.0.2.2, redirect: isup}\n",
      "r.yaml");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->config.sip().trunks(0).redirect(), SIP_REDIRECT_FOLLOW);
  EXPECT_EQ(r->config.sip().trunks(0).max_redirects(), 2u);
  EXPECT_EQ(r->config.sip().trunks(0).redirection_header(), REDIRECTION_HEADER_DIVERSION);
  EXPECT_EQ(r->config.sip().trunks(1).redirect(), SIP_REDIRECT_ISUP);
}

TEST(RedirectConfig, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, max_redirects: 2}\n"),
            "r.yaml:3: max_redirects needs redirect: follow");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, redirect: follow, max_redirects: 11}\n"),
            "r.yaml:3: max_redirects 11 is over 10");
  EXPECT_EQ(error_of("sip:\n  trunks:\n    - {name: a, address: 192.0.2.1, redirect: forward}\n"),
            "r.yaml:3: 'sip.trunks[0].redirect': 'forward' is not one of: refuse, follow, isup");
}

}  // namespace
}  // namespace isupgw::config
