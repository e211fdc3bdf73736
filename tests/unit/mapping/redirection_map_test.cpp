// Diversion interworking rows (Q.1912.5 CDIV, RFC 4458, RFC 5806, RFC 7044).
#include "mapping/redirection_map.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "isup/builder.h"
#include "isup/codes.h"
#include "tests/unit/mapping/sip_fixture.h"

namespace isupgw::mapping {
namespace {

using testing_support::invite;

// The expected rows of the two reason tables come from tests/unit/mapping/data/redirection_tables.md, a
// verbatim copy of the standard's rows (Q.763 redirection reason <-> RFC 4458 cause, <-> RFC 5806 reason).
const char* const kTables = ISUPGW_SOURCE_DIR "/tests/unit/mapping/data/redirection_tables.md";

struct ReasonRow {
  std::uint8_t reason;
  std::string value;  // RFC 4458 cause (digits) or RFC 5806 reason token
};

// "0 unknown ↔ 404; 1 user busy ↔ 486; ..." / "0 ↔ unknown; ...; 4/5 ↔ deflection; 6 ↔ unavailable (also ...)"
std::vector<ReasonRow> rows_of(const char* item) {
  std::ifstream f(kTables);
  std::string line;
  std::vector<ReasonRow> out;
  const std::string arrow = "\xe2\x86\x94";  // ↔
  while (std::getline(f, line)) {
    if (line.find(item) == std::string::npos) continue;
    std::string rule = line.substr(line.find('|', 2) + 1);
    rule = rule.substr(0, rule.rfind('|'));
    std::stringstream ss(rule);
    std::string entry;
    while (std::getline(ss, entry, ';')) {
      const auto at = entry.find(arrow);
      if (at == std::string::npos) continue;
      std::stringstream value(entry.substr(at + arrow.size()));
      std::string token;
      value >> token;
      for (char c : entry.substr(0, at))  // "4/5" gives two rows
        if (std::isdigit(static_cast<unsigned char>(c))) out.push_back({static_cast<std::uint8_t>(c - '0'), token});
    }
  }
  return out;
}

std::string row_name(const testing::TestParamInfo<ReasonRow>& i) {
  std::string v = i.param.value;
  for (auto& c : v)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return "Reason" + std::to_string(i.param.reason) + "_" + v;
}

TEST(RedirectionTables, ParsedFromTheStandardsText) {
  EXPECT_EQ(rows_of("RFC 4458 cause").size(), 7u) << kTables;
  EXPECT_EQ(rows_of("Diversion reason").size(), 7u) << kTables;  // 0..6, "4/5" being two
}

class RedirectionReasonHistoryCause : public testing::TestWithParam<ReasonRow> {};
TEST_P(RedirectionReasonHistoryCause, BothWays) {
  const int cause = std::stoi(GetParam().value);
  EXPECT_EQ(history_cause_for_reason(GetParam().reason), cause);
  EXPECT_EQ(reason_for_history_cause(cause), GetParam().reason);
}
INSTANTIATE_TEST_SUITE_P(Rfc4458, RedirectionReasonHistoryCause, testing::ValuesIn(rows_of("RFC 4458 cause")),
                         row_name);

TEST(RedirectionReasonHistoryCause, UnknownCauseIsNoDiversion) {
  EXPECT_EQ(reason_for_history_cause(200), std::nullopt);
}

class RedirectionReasonToDiversion : public testing::TestWithParam<ReasonRow> {};
TEST_P(RedirectionReasonToDiversion, Row) { EXPECT_EQ(diversion_reason_for(GetParam().reason), GetParam().value); }
INSTANTIATE_TEST_SUITE_P(Rfc5806, RedirectionReasonToDiversion, testing::ValuesIn(rows_of("Diversion reason")),
                         row_name);

// Back to ISUP (Diversion -> redirection reason): the standard's rows, and our choices where it leaves one:
// "deflection" is 4 or 5 (we take 5, deflection immediate); the reasons ISUP has no value for map to 0 or 3
// "by policy" (we take 0, unknown); tokens compare case-insensitively (RFC 5806 reason is a token).
struct DiversionRow {
  const char* name;
  std::uint8_t reason;
  const char* text;
};
class DiversionToRedirectionReason : public testing::TestWithParam<DiversionRow> {};
TEST_P(DiversionToRedirectionReason, Row) { EXPECT_EQ(reason_for_diversion(GetParam().text), GetParam().reason); }
INSTANTIATE_TEST_SUITE_P(
    Rfc5806, DiversionToRedirectionReason,
    testing::Values(DiversionRow{"Unknown", 0, "unknown"}, DiversionRow{"UserBusy", 1, "user-busy"},
                    DiversionRow{"NoAnswer", 2, "no-answer"}, DiversionRow{"Unconditional", 3, "unconditional"},
                    DiversionRow{"Deflection", 5, "deflection"}, DiversionRow{"Unavailable", 6, "unavailable"},
                    DiversionRow{"TimeOfDay", 0, "time-of-day"}, DiversionRow{"DoNotDisturb", 0, "do-not-disturb"},
                    DiversionRow{"FollowMe", 0, "follow-me"}, DiversionRow{"OutOfService", 0, "out-of-service"},
                    DiversionRow{"Away", 0, "away"}, DiversionRow{"CaseInsensitive", 1, "User-Busy"}),
    [](const auto& i) { return std::string(i.param.name); });

SipProfile trunk(RedirectionHeader h) {
  SipProfile p;
  p.host = "gw";
  p.redirection = h;
  return p;
}

isup::Number redir(const char* digits, std::uint8_t apri = 0) {
  isup::Number n;
  n.kind = isup::NumberKind::kRedirecting;
  n.nai = 3;
  n.npi = 1;
  n.apri = apri;
  n.digits.assign(digits);
  return n;
}

Redirection two_step(std::uint8_t indicator = kRedirDiverted) {
  Redirection r;
  r.original_called = redir("30111");
  r.redirecting = redir("30222");
  isup::RedirectionInformation info;
  info.redirecting_indicator = indicator;
  info.original_redirection_reason = 3;  // unconditional
  info.redirection_reason = 1;           // busy
  info.redirection_counter = 2;
  r.info = info;
  return r;
}

TEST(RedirectionToSip, HistoryInfoEntries) {
  auto h = redirection_headers(two_step(), "sip:+4930333@gw;user=phone", trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].second, "<sip:+4930111@gw;user=phone>;index=1");
  EXPECT_EQ(h[1].second, "<sip:+4930222@gw;user=phone;cause=302>;index=1.1");
  EXPECT_EQ(h[2].second, "<sip:+4930333@gw;user=phone;cause=486>;index=1.1.1");
}

TEST(RedirectionToSip, HistoryInfoPrivacyWhenAllRestricted) {
  auto h = redirection_headers(two_step(kRedirDivertedAllRestricted), "sip:+4930333@gw;user=phone",
                               trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].second, "<sip:+4930111@gw;user=phone?Privacy=history>;index=1");
}

TEST(RedirectionToSip, DiversionTopIsLastDivertingUser) {
  auto h = redirection_headers(two_step(), "sip:+4930333@gw;user=phone", trunk(RedirectionHeader::kDiversion));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"Diversion",
                                                       "<sip:+4930222@gw;user=phone>;reason=user-busy;counter=1"}));
  EXPECT_EQ(h[1].second, "<sip:+4930111@gw;user=phone>;reason=unconditional;counter=1");
}

TEST(RedirectionToSip, DiversionPrivacyFull) {
  Redirection r;
  r.redirecting = redir("30222", 1);
  auto h = redirection_headers(r, "sip:x@gw", trunk(RedirectionHeader::kDiversion));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].second, "<sip:+4930222@gw;user=phone>;reason=unknown;counter=1;privacy=full");
}

TEST(RedirectionToSip, NothingWithoutNumbers) {
  EXPECT_TRUE(redirection_headers({}, "sip:x@gw", trunk(RedirectionHeader::kHistoryInfo)).empty());
}

TEST(RedirectionFromSip, HistoryInfo) {
  auto inv = invite("sip:+4930333@gw;user=phone", {"History-Info: <sip:+4930111@gw;user=phone>;index=1",
                                                   "History-Info: <sip:+4930222@gw;user=phone;cause=302>;index=1.1, "
                                                   "<sip:+4930333@gw;user=phone;cause=486>;index=1.1.1"});
  Redirection r = redirection_from_sip(inv->m, trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_TRUE(r.original_called && r.redirecting && r.info);
  EXPECT_EQ(r.original_called->digits.view(), "30111");
  EXPECT_EQ(r.redirecting->digits.view(), "30222");
  EXPECT_EQ(r.info->redirecting_indicator, kRedirDiverted);
  EXPECT_EQ(r.info->redirection_reason, 1);
  EXPECT_EQ(r.info->original_redirection_reason, 3);
  EXPECT_EQ(r.info->redirection_counter, 2);
}

TEST(RedirectionFromSip, HistoryInfoWithoutCauseIsNoDiversion) {
  auto inv = invite("sip:+4930333@gw;user=phone", {"History-Info: <sip:+4930333@gw;user=phone>;index=1"});
  EXPECT_FALSE(redirection_from_sip(inv->m, trunk(RedirectionHeader::kHistoryInfo)).present());
}

TEST(RedirectionFromSip, Diversion) {
  auto inv =
      invite("sip:+4930333@gw;user=phone", {"Diversion: <sip:+4930222@gw;user=phone>;reason=no-answer;counter=1",
                                            "Diversion: <tel:+4930111>;reason=unconditional;counter=1;privacy=full"});
  Redirection r = redirection_from_sip(inv->m, trunk(RedirectionHeader::kHistoryInfo));
  ASSERT_TRUE(r.original_called && r.redirecting && r.info);
  EXPECT_EQ(r.redirecting->digits.view(), "30222");
  EXPECT_EQ(r.original_called->digits.view(), "30111");
  EXPECT_EQ(r.info->redirection_reason, 2);
  EXPECT_EQ(r.info->original_redirection_reason, 3);
  EXPECT_EQ(r.info->redirection_counter, 2);
  EXPECT_EQ(r.info->redirecting_indicator, kRedirDivertedAllRestricted);
}

// Q.763 3.45: the counter is 3 bits, at most 5 redirections.
TEST(RedirectionFromSip, CounterCappedAtFive) {
  auto inv = invite("sip:+4930333@gw;user=phone", {"Diversion: <tel:+4930222>;reason=user-busy;counter=9"});
  Redirection r = redirection_from_sip(inv->m, trunk(RedirectionHeader::kDiversion));
  ASSERT_TRUE(r.info);
  EXPECT_EQ(r.info->redirection_counter, kMaxRedirectionCounter);
  EXPECT_FALSE(r.original_called.has_value());
}

TEST(RedirectionIsup, ParamsRoundTripThroughAnIam) {
  Redirection in = two_step();
  isup::MessageBuilder b(isup::msg::kIam, 1);
  for (const auto& p : redirection_params(in)) b.optional(p.code, p.value);
  ASSERT_EQ(b.message().optional.size(), 3u);
  EXPECT_EQ(b.message().optional[0].code, isup::par::kOriginalCalledNumber);
  EXPECT_EQ(b.message().optional[1].code, isup::par::kRedirectingNumber);
  EXPECT_EQ(b.message().optional[2].code, isup::par::kRedirectionInformation);
  Redirection out = redirection_from_iam(b.message());
  ASSERT_TRUE(out.original_called && out.redirecting && out.info);
  EXPECT_EQ(*out.original_called, *in.original_called);
  EXPECT_EQ(*out.redirecting, *in.redirecting);
  EXPECT_EQ(out.info->redirection_counter, 2);
  EXPECT_EQ(out.info->redirection_reason, 1);
}

// ISUP -> SIP -> ISUP keeps numbers, reasons and counter.
TEST(RedirectionIsup, HistoryInfoRoundTrip) {
  SipProfile p = trunk(RedirectionHeader::kHistoryInfo);
  auto h = redirection_headers(two_step(), "sip:+4930333@gw;user=phone", p);
  std::vector<std::string> lines;
  for (const auto& [n, v] : h) lines.push_back(n + ": " + v);
  auto inv = invite("sip:+4930333@gw;user=phone", lines);
  Redirection r = redirection_from_sip(inv->m, p);
  ASSERT_TRUE(r.info);
  EXPECT_EQ(r.original_called->digits.view(), "30111");
  EXPECT_EQ(r.redirecting->digits.view(), "30222");
  EXPECT_EQ(r.info->redirection_reason, 1);
  EXPECT_EQ(r.info->original_redirection_reason, 3);
  EXPECT_EQ(r.info->redirection_counter, 2);
}

}  // namespace
}  // namespace isupgw::mapping
