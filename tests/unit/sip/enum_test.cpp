// ENUM (RFC 6116) and the NAPTR rewrite rule (RFC 3402 3.2). The examples are the RFCs' own:
// RFC 6116 2.4 (the domain of +442079460148) and 3.2/5 (the rules of its example zone).
#include <gtest/gtest.h>

#include "sip/enum.h"

namespace isupgw::sip::enum_ {
namespace {

TEST(Enum, DomainOfTheNumber) {
  // RFC 6116 2.4: +442079460148 -> 8.4.1.0.6.4.9.7.0.2.4.4.e164.arpa
  EXPECT_EQ(domain_of("+442079460148", "e164.arpa"), "8.4.1.0.6.4.9.7.0.2.4.4.e164.arpa");
  EXPECT_EQ(domain_of("4930123", "e164.test"), "3.2.1.0.3.9.4.e164.test");
}

TEST(Enum, RulesOfTheRfcs) {
  // RFC 6116 3.2: "!^.*$!sip:info@example.com!"
  EXPECT_EQ(*apply_rule("!^.*$!sip:info@example.com!", "+442079460148"), "sip:info@example.com");
  // RFC 3402 / common deployments: the number kept with a back-reference.
  EXPECT_EQ(*apply_rule("!^\\+(.*)$!sip:\\1@192.0.2.1:5070!", "+4930123"), "sip:4930123@192.0.2.1:5070");
  EXPECT_EQ(*apply_rule("/^\\+49([0-9]{2,3})([0-9]+)$/sip:0\\1-\\2@gw.test/", "+4930123"), "sip:0301-23@gw.test");
  // An escaped delimiter in the replacement; flag i.
  EXPECT_EQ(*apply_rule("!^\\+4(9)!sip:a\\!b-\\1!i", "+49"), "sip:a!b-9");
  EXPECT_EQ(*apply_rule("!^[^0-8]*4[0-9]!X!", "+49"), "X");
  // Only the matched part is replaced (RFC 3402: the ERE need not be anchored).
  EXPECT_EQ(*apply_rule("!30!XX!", "+4930123"), "+49XX123");
}

TEST(Enum, RefusedRules) {
  EXPECT_FALSE(apply_rule("!^(a|b)$!x!", "+49"));  // alternation: not supported, said so
  EXPECT_FALSE(apply_rule("!^.*$!x!q", "+49"));    // unknown flag
  EXPECT_FALSE(apply_rule("!^.*$!x", "+49"));      // missing delimiter
  EXPECT_FALSE(apply_rule("!^(.*$!x!", "+49"));    // unbalanced
  EXPECT_FALSE(apply_rule("!^\\+1!x!", "+49"));    // no match
  EXPECT_FALSE(apply_rule("!a**!x!", "+49"));      // two quantifiers
  // Nested quantifiers that explode a backtracking matcher: refused by the step budget, quickly.
  auto r = apply_rule("!^((((((((.*)*)*)*)*)*)*)*)*1$!x!", "+4930123456789012");
  ASSERT_FALSE(r);
}

dns::Record naptr(std::uint16_t order, std::uint16_t pref, std::string flags, std::string service, std::string re) {
  dns::Record r;
  r.type = dns::RrType::kNaptr;
  r.order = order;
  r.preference = pref;
  r.flags = std::move(flags);
  r.services = std::move(service);
  r.regexp = std::move(re);
  return r;
}

TEST(Enum, SelectsTheFirstSipRecordByOrderThenPreference) {
  std::vector<dns::Record> rs = {naptr(100, 20, "u", "E2U+sip", "!^.*$!sip:second@b.test!"),
                                 naptr(100, 10, "u", "E2U+sip", "!^.*$!sip:first@a.test!"),
                                 naptr(50, 10, "u", "E2U+mailto", "!^.*$!mailto:x@a.test!"),
                                 naptr(10, 10, "u", "E2U+sip", "!^\\+1!sip:nomatch@a.test!")};
  EXPECT_EQ(*select_uri(rs, "+4930123"), "sip:first@a.test");
  EXPECT_FALSE(select_uri({naptr(1, 1, "u", "E2U+sip", "!^.*$!tel:+49!")}, "+49"));  // not sip:
  EXPECT_FALSE(select_uri({naptr(1, 1, "", "E2U+sip", "!^.*$!sip:a@b!")}, "+49"));   // non-terminal
}

}  // namespace
}  // namespace isupgw::sip::enum_
