// Issue 20: a 3xx followed by the gateway (RFC 3261 8.1.3.4) or returned to ISUP (Q.763 3.45, 3.46).
// The reason rows are those of tests/unit/mapping/data/redirection_tables.md (the RFC 4458 cause row:
// "3 unconditional <-> 302"; the RFC 5806 row: "3 <-> unconditional"); History-Info indexing is RFC 7044
// 9.4 (a retarget is a child of the entry it retargets), Diversion order RFC 5806 3 (newest on top).
#include <gtest/gtest.h>

#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/message.h"
#include "mapping/redirection_map.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::invite;

SipProfile trunk(RedirectionHeader h) {
  SipProfile p;
  p.host = "gw";
  p.redirection = h;
  return p;
}

TEST(Retarget, HistoryInfoFirstRedirectIndexesTheOldTargetOne) {
  sip::HeaderList sent = {{"Max-Forwards", "69"}};
  auto h = retarget_headers(sent, "sip:+4930111@gw;user=phone", "sip:+4930222@gw2;user=phone", 302,
                            trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"Max-Forwards", "69"}));
  EXPECT_EQ(h[1].second, "<sip:+4930111@gw;user=phone>;index=1");
  EXPECT_EQ(h[2].second, "<sip:+4930222@gw2;user=phone;cause=302>;index=1.1");
}

TEST(Retarget, HistoryInfoSecondRedirectIsAChildOfTheLast) {
  sip::HeaderList sent = {{"History-Info", "<sip:a@gw>;index=1"}, {"History-Info", "<sip:b@gw;cause=302>;index=1.1"}};
  auto h = retarget_headers(sent, "sip:b@gw", "sip:c@gw?Subject=x", 301, trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].second, "<sip:c@gw;cause=301?Subject=x>;index=1.1.1");  // the cause is a URI parameter (RFC 4458)
}

TEST(Retarget, DiversionNewestOnTop) {
  sip::HeaderList sent = {{"Max-Forwards", "69"}, {"Diversion", "<tel:+4930100>;reason=user-busy;counter=1"}};
  auto h = retarget_headers(sent, "sip:+4930111@gw;user=phone", "sip:+4930222@gw;user=phone", 302,
                            trunk(RedirectionHeader::kDiversion));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[1].second, "<sip:+4930111@gw;user=phone>;reason=unconditional;counter=1");
  EXPECT_EQ(h[2].second, "<tel:+4930100>;reason=user-busy;counter=1");
}

TEST(Retarget, DiversionReasonUnknownForOtherStatuses) {
  auto h = retarget_headers({}, "sip:a@gw", "sip:b@gw", 305, trunk(RedirectionHeader::kDiversion));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].second, "<sip:a@gw>;reason=unknown;counter=1");
}

// What the next gateway makes of our retargeted INVITE: the redirection the ISUP mapping reads back
// (Q.1912.5 CDIV: History-Info/Diversion -> IAM redirecting number, reason, counter).
TEST(Retarget, ReadBackAsIsupRedirection) {
  for (auto kind : {RedirectionHeader::kHistoryInfo, RedirectionHeader::kDiversion}) {
    auto h = retarget_headers({}, "sip:+4930111@gw;user=phone", "sip:+4930222@gw;user=phone", 302, trunk(kind));
    std::vector<std::string> lines;
    for (const auto& [n, v] : h) lines.push_back(n + ": " + v);
    auto inv = invite("sip:+4930222@gw;user=phone", lines);
    Redirection r = redirection_from_sip(inv->m, trunk(kind));
    ASSERT_TRUE(r.redirecting && r.info) << int(kind);
    EXPECT_EQ(r.redirecting->digits.view(), "30111");
    EXPECT_EQ(r.info->redirection_reason, 3);  // unconditional
    EXPECT_EQ(r.info->redirection_counter, 1);
    EXPECT_EQ(r.info->redirecting_indicator, kRedirDiverted);
  }
}

// Q.763 3.46: the redirection number has the called party number's layout; 3.45 the information.
TEST(ReturnedRedirection, NumberAndInformation) {
  auto p = returned_redirection_params("sip:+4930222@192.0.2.9;user=phone", 302, std::nullopt,
                                       trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].code, isup::par::kRedirectionNumber);
  auto n = isup::Number::decode(isup::NumberKind::kCalled, p[0].value);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->digits.view(), "30222");
  EXPECT_EQ(n->nai, 3);  // national (significant) number: our own country
  EXPECT_EQ(p[1].code, isup::par::kRedirectionInformation);
  auto ri = isup::RedirectionInformation::decode(p[1].value);
  ASSERT_TRUE(ri);
  EXPECT_EQ(ri->redirecting_indicator, kRedirDiverted);
  EXPECT_EQ(ri->redirection_reason, 3);
  EXPECT_EQ(ri->original_redirection_reason, 3);
  EXPECT_EQ(ri->redirection_counter, 1);
}

TEST(ReturnedRedirection, CountsOnFromTheIam) {
  isup::RedirectionInformation before;
  before.redirecting_indicator = kRedirDiverted;
  before.original_redirection_reason = 1;
  before.redirection_reason = 1;
  before.redirection_counter = 5;
  auto p = returned_redirection_params("tel:+4930222", 486, before, trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(p.size(), 2u);
  auto ri = isup::RedirectionInformation::decode(p[1].value);
  ASSERT_TRUE(ri);
  EXPECT_EQ(ri->original_redirection_reason, 1);
  EXPECT_EQ(ri->redirection_reason, 1);                       // 486 <-> user busy
  EXPECT_EQ(ri->redirection_counter, kMaxRedirectionCounter);  // 3 bits, at most 5 (Q.763 3.45)
}

TEST(ReturnedRedirection, NothingForANonNumber) {
  EXPECT_TRUE(returned_redirection_params("sip:alice@example.net", 302, std::nullopt,
                                          trunk(RedirectionHeader::kHistoryInfo))
                  .empty());
}

}  // namespace
}  // namespace isupgw::mapping
