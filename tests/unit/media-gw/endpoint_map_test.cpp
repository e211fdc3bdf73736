#include "media-gw/endpoint_map.h"

#include <gtest/gtest.h>

namespace isupgw::mediagw {
namespace {

TEST(EndpointMap, E1TimeslotsPerSpan) {
  E1EndpointPattern p;
  p.domain = "mg1";
  EXPECT_EQ(endpoint_for_cic(p, 1), "ds/e1-0/1@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 31), "ds/e1-0/31@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 32), "ds/e1-1/1@mg1");
  EXPECT_EQ(endpoint_for_cic(p, 0), std::nullopt);
}

TEST(EndpointMap, SkipsTimeslot16WhenAsked) {
  E1EndpointPattern p;
  p.skip_ts16 = true;
  EXPECT_EQ(endpoint_for_cic(p, 15), "ds/e1-0/15@mg");
  EXPECT_EQ(endpoint_for_cic(p, 16), "ds/e1-0/17@mg");
  EXPECT_EQ(endpoint_for_cic(p, 30), "ds/e1-0/31@mg");
  EXPECT_EQ(endpoint_for_cic(p, 31), "ds/e1-1/1@mg");
}

}  // namespace
}  // namespace isupgw::mediagw

namespace isupgw::mediagw {
namespace {

TEST(EndpointPattern, ForwardAndReverse) {
  auto p = EndpointPattern::parse("ds/e1-{span}/{timeslot}@mg1");
  ASSERT_TRUE(p.ok()) << to_string(p.error());
  EXPECT_EQ(p->endpoint_for_cic(1), "ds/e1-0/1@mg1");
  EXPECT_EQ(p->endpoint_for_cic(31), "ds/e1-0/31@mg1");
  EXPECT_EQ(p->endpoint_for_cic(32), "ds/e1-1/1@mg1");
  EXPECT_EQ(p->endpoint_for_cic(0), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-0/1@mg1"), 1u);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/1@mg1"), 32u);
  EXPECT_EQ(p->cic_for_endpoint("DS/E1-1/1@MG1"), 32u);  // case-insensitive names
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/01@mg1"), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/0@mg1"), std::nullopt);   // framing timeslot
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/32@mg1"), std::nullopt);  // no such timeslot
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/1@mg2"), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-x/1@mg1"), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/1@mg1x"), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint(""), std::nullopt);
  for (std::uint32_t cic = 1; cic < 2000; ++cic) ASSERT_EQ(p->cic_for_endpoint(*p->endpoint_for_cic(cic)), cic);
}

TEST(EndpointPattern, OsmoMgwE1NamingSkippingTs16) {
  TrunkLayout l;
  l.first_cic = 100;
  l.first_span = 1;
  l.spans = 2;
  l.skip_ts16 = true;
  auto p = EndpointPattern::parse("ds/e1-{span}/s-{ts}/su64-0@mgw", l);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->endpoint_for_cic(100), "ds/e1-1/s-1/su64-0@mgw");
  EXPECT_EQ(p->endpoint_for_cic(115), "ds/e1-1/s-17/su64-0@mgw");
  EXPECT_EQ(p->endpoint_for_cic(160 - 1), "ds/e1-2/s-31/su64-0@mgw");
  EXPECT_EQ(p->endpoint_for_cic(160), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/s-16/su64-0@mgw"), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-1/s-17/su64-0@mgw"), 115u);
  EXPECT_EQ(p->cic_for_endpoint("ds/e1-0/s-1/su64-0@mgw"), std::nullopt);  // below first_span
}

TEST(EndpointPattern, TimeslotAlignedAndHex) {
  TrunkLayout l;
  l.first_cic = 0 + 1;
  l.numbering = CicNumbering::kTimeslotAligned;
  auto p = EndpointPattern::parse("trunk/{span:x}/{ts:x}@gw", l);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->endpoint_for_cic(1), std::nullopt);  // CIC offset 0 = timeslot 0
  EXPECT_EQ(p->endpoint_for_cic(2), "trunk/0/1@gw");
  EXPECT_EQ(p->endpoint_for_cic(1 + 32 * 11 + 31), "trunk/b/1f@gw");
  EXPECT_EQ(p->cic_for_endpoint("trunk/b/1f@gw"), 1u + 32 * 11 + 31);
  EXPECT_EQ(p->cic_for_endpoint("trunk/B/1F@gw"), 1u + 32 * 11 + 31);
}

TEST(EndpointPattern, DistinctErrors) {
  EXPECT_EQ(EndpointPattern::parse("").error(), PatternError::kEmpty);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/{timeslot}").error(), PatternError::kNoDomain);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/{slot}@mg").error(), PatternError::kUnknownPlaceholder);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span/{ts}@mg").error(), PatternError::kUnknownPlaceholder);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/{ts@mg").error(), PatternError::kUnterminatedPlaceholder);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-span}/{ts}@mg").error(), PatternError::kUnterminatedPlaceholder);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-0/{ts}@mg").error(), PatternError::kMissingSpan);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/1@mg").error(), PatternError::kMissingTimeslot);
  EXPECT_EQ(EndpointPattern::parse("{span}/{span}/{ts}@mg").error(), PatternError::kDuplicatePlaceholder);
  EXPECT_EQ(EndpointPattern::parse("ds/{span}{ts}@mg").error(), PatternError::kAdjacentPlaceholders);
  EXPECT_EQ(EndpointPattern::parse("ds/{span}0/{ts}@mg").error(), PatternError::kAdjacentPlaceholders);
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/*@mg").error(), PatternError::kWildcard);
  TrunkLayout bad;
  bad.first_cic = 0;
  EXPECT_EQ(EndpointPattern::parse("ds/e1-{span}/{ts}@mg", bad).error(), PatternError::kBadLayout);
}

TEST(EndpointPattern, CicsCoveredByRsipWildcard) {
  TrunkLayout l;
  l.first_cic = 1;
  l.spans = 2;
  auto p = EndpointPattern::parse("ds/e1-{span}/{ts}@mg1", l);
  ASSERT_TRUE(p.ok());
  auto span1 = p->cics_covered_by("ds/e1-1/*@mg1");
  ASSERT_EQ(span1.size(), 31u);
  EXPECT_EQ(span1.front(), 32u);
  EXPECT_EQ(span1.back(), 62u);
  EXPECT_EQ(p->cics_covered_by("*@mg1").size(), 62u);
  EXPECT_EQ(p->cics_covered_by("ds/*/5@MG1"), (std::vector<std::uint32_t>{5, 36}));
  EXPECT_EQ(p->cics_covered_by("ds/e1-0/7@mg1"), (std::vector<std::uint32_t>{7}));
  EXPECT_TRUE(p->cics_covered_by("*@mg2").empty());
  EXPECT_TRUE(p->cics_covered_by("rtpbridge/*@mg1").empty());
  TrunkLayout unbounded;
  auto q = EndpointPattern::parse("ds/e1-{span}/{ts}@mg1", unbounded);
  EXPECT_EQ(q->cics_covered_by("*@mg1", 100).size(), 100u);
}

TEST(Wildcards, AnyOfAndAllOf) {
  EXPECT_TRUE(is_wildcard("rtpbridge/*@mgw"));
  EXPECT_TRUE(is_wildcard("ds/e1-0/$@mg"));
  EXPECT_TRUE(is_wildcard("*@mg"));
  EXPECT_FALSE(is_wildcard("rtpbridge/1a@mgw"));
  EXPECT_FALSE(is_wildcard("ds/e1-0/1@*"));  // a '*' domain is not an endpoint wildcard
  EXPECT_EQ(endpoint_domain("rtpbridge/1a@mgw"), "mgw");
  EXPECT_TRUE(endpoint_matches("ds/e1-0/*@mg", "ds/e1-0/12@MG"));
  EXPECT_TRUE(endpoint_matches("$@mg", "ds/e1-0/12@mg"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0/*@mg", "ds/e1-1/12@mg"));
  EXPECT_FALSE(endpoint_matches("nodomain", "ds/e1-1/12@mg"));
  // "$" (any of) stands for exactly one term when it is not the whole local name.
  EXPECT_TRUE(endpoint_matches("ds/$/12@mg", "ds/e1-3/12@mg"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0/$@mg", "ds/e1-0/12/x@mg"));
}

// RFC 3435 2.1.2 as an RSIP names the endpoints that restarted: a final "*"
// covers every name below it; names compare case-insensitively.
TEST(Wildcards, FinalAllOfCoversDeeperTerms) {
  EXPECT_TRUE(endpoint_matches("*@mg1", "ds/e1-0/5@mg1"));
  EXPECT_TRUE(endpoint_matches("*@MG1", "rtpbridge/1a@mg1"));
  EXPECT_TRUE(endpoint_matches("ds/e1-0/*@mg1", "ds/e1-0/5@mg1"));
  EXPECT_TRUE(endpoint_matches("ds/e1-0/*@mg", "ds/e1-0/12/x@mg"));
  EXPECT_TRUE(endpoint_matches("ds/*@mg", "ds/e1-0/12@mg"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0/*@mg1", "ds/e1-1/5@mg1"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0/*@mg", "ds/e1-0@mg"));  // "*" stands for at least one term
  EXPECT_TRUE(endpoint_matches("ds/*/5@mg1", "ds/e1-1/5@mg1"));
  EXPECT_FALSE(endpoint_matches("ds/*/5@mg1", "ds/e1-1/5/2@mg1"));  // a middle "*" is one term
  EXPECT_TRUE(endpoint_matches("ds/e1-0/5@mg1", "ds/e1-0/5@mg1"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0/5@mg1", "ds/e1-0/6@mg1"));
  EXPECT_FALSE(endpoint_matches("*@mg2", "ds/e1-0/5@mg1"));
  EXPECT_FALSE(endpoint_matches("ds/e1-0@mg1", "ds/e1-0/5@mg1"));
  EXPECT_FALSE(endpoint_matches("nodomain", "ds/e1-0/5@mg1"));
}

// One RTP bridge per circuit: osmo-mgw numbers rtpbridge endpoints in hex from 1.
TEST(EndpointPattern, OneEndpointPerCic) {
  TrunkLayout l;
  l.first_cic = 1;
  auto p = EndpointPattern::parse("rtpbridge/{cic:x}@mgw", l);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->by_cic());
  EXPECT_EQ(p->endpoint_for_cic(1), "rtpbridge/1@mgw");
  EXPECT_EQ(p->endpoint_for_cic(16), "rtpbridge/10@mgw");
  EXPECT_EQ(p->endpoint_for_cic(31), "rtpbridge/1f@mgw");
  EXPECT_EQ(p->endpoint_for_cic(0), std::nullopt);
  EXPECT_EQ(p->cic_for_endpoint("rtpbridge/1F@MGW"), 31u);
  EXPECT_EQ(p->cic_for_endpoint("rtpbridge/01f@mgw"), std::nullopt);  // not the canonical spelling
  EXPECT_EQ(p->cic_for_endpoint("rtpbridge/1f/2@mgw"), std::nullopt);
  EXPECT_EQ(p->cics_covered_by("rtpbridge/1*@mgw", 40), std::vector<std::uint32_t>{});
  EXPECT_EQ(p->cics_covered_by("rtpbridge/*@mgw", 40).size(), 40u);
  EXPECT_EQ(p->cics_covered_by("rtpbridge/a@mgw"), std::vector<std::uint32_t>{10});
  auto dec = EndpointPattern::parse("rtp/{cic}@mg");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->endpoint_for_cic(16), "rtp/16@mg");
  EXPECT_EQ(dec->cic_for_endpoint("rtp/16@mg"), 16u);
  EXPECT_EQ(EndpointPattern::parse("rtp/{cic}/{ts}@mg").error(), PatternError::kMixedPlaceholders);
  EXPECT_EQ(EndpointPattern::parse("rtp/{cic}-{cic}@mg").error(), PatternError::kDuplicatePlaceholder);
  EXPECT_FALSE(EndpointPattern::parse("ds/e1-{span}/{ts}@mg")->by_cic());
}

}  // namespace
}  // namespace isupgw::mediagw
