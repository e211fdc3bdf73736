// The cause tables against the standards' text. Every expected row is parsed out of
// tests/unit/mapping/data/cause_tables.md, a checked-in copy of the RFC 3398 tables
// (7.2.4.1 SIP status -> cause, 8.2.6.1 cause -> SIP status) and of the Q.1912.5
// differences, as ../shared/spec/mapping.md states them: never from mapping/cause_map.cpp.
// Rows where the code knowingly departs from an (unconfirmed) row are listed under
// "Findings" in that file; the tests pin them so the list cannot go stale.
#include "mapping/cause_map.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace isupgw::mapping {
namespace {

const char* const kTables = ISUPGW_SOURCE_DIR "/tests/unit/mapping/data/cause_tables.md";

struct Row {
  std::string table;       // "rfc3398", "q1912"
  int in = 0;              // cause or status
  std::optional<int> out;  // status or cause; nullopt: none (BYE/CANCEL; own CANCEL)
  std::string text;        // the row as written, for the failure message
};

struct Finding {
  std::optional<int> code;  // what cause_map.cpp gives instead
};

struct Standard {
  std::vector<Row> cause_to_status;     // 8.2.6.1, fixed rows
  std::set<int> cause_rows;             // every cause with a row (also the unconfirmed ones)
  std::optional<int> any_other;         // 8.2.6.1 "any other"
  std::optional<int> rejected_by_user;  // cause 21, location U
  std::vector<Row> status_to_cause;     // 7.2.4.1, fixed rows
  std::set<int> status_rows;            // every status with a row (also "per Warning header")
  std::map<int, int> q1912_status;      // Q.1912.5 note under 2.2
  std::map<int, int> q1912_cause;       // Q.1912.5 note under 2.1
  std::map<std::pair<std::string, int>, Finding> findings;
};

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, '|')) {
    const auto b = cell.find_first_not_of(' ');
    const auto e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  if (!out.empty()) out.erase(out.begin());  // before the first '|'
  return out;
}

std::optional<int> leading_int(const std::string& s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  return std::stoi(s);
}

bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

Standard load() {
  Standard st;
  std::ifstream f(kTables);
  std::string line, section;
  while (std::getline(f, line)) {
    if (line.rfind("#", 0) == 0) {
      section = line;
      continue;
    }
    if (line.rfind("| ", 0) != 0) continue;
    const auto c = cells(line);
    if (has(section, "2.1 ISUP cause")) {
      for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
        const auto cause = leading_int(c[i]);
        const std::string& sip = c[i + 1];
        if (c[i] == "any other") st.any_other = leading_int(sip);
        if (!cause) continue;
        st.cause_rows.insert(*cause);
        if (has(sip, "(unconfirmed)") || has(c[i], "with diagnostic")) continue;  // no diagnostic input here
        if (has(sip, "603 if cause location = user")) st.rejected_by_user = 603;
        st.cause_to_status.push_back({"rfc3398", *cause, leading_int(sip), c[i] + " | " + sip});
      }
    } else if (has(section, "2.2 SIP status")) {
      for (std::size_t i = 0; i + 1 < c.size(); i += 2) {
        const auto status = leading_int(c[i]);
        const std::string& cause = c[i + 1];
        if (!status) continue;
        st.status_rows.insert(*status);
        if (has(cause, "per Warning header")) continue;  // no fixed row
        st.status_to_cause.push_back({"rfc3398", *status, leading_int(cause), c[i] + " | " + cause});
      }
    } else if (has(section, "Q.1912.5 rows (SIP status -> cause)") && c.size() >= 2 && leading_int(c[0])) {
      st.q1912_status[*leading_int(c[0])] = *leading_int(c[1]);
    } else if (has(section, "Q.1912.5 rows (cause -> SIP status)") && c.size() >= 2 && leading_int(c[0])) {
      st.q1912_cause[*leading_int(c[0])] = *leading_int(c[1]);
    } else if (has(section, "Findings") && c.size() >= 4 && leading_int(c[1])) {
      const std::string table = has(c[0], "cause") ? "q1912_cause" : "q1912_status";
      st.findings[{table, *leading_int(c[1])}] = Finding{leading_int(c[3])};
    }
  }
  return st;
}

const Standard& standard() {
  static const Standard st = load();
  return st;
}

std::string row_name(const testing::TestParamInfo<Row>& i, const char* in, const char* out) {
  return std::string(in) + std::to_string(i.param.in) + "_to_" +
         (i.param.out ? out + std::to_string(*i.param.out) : std::string("None"));
}

TEST(CauseTables, ParsedFromTheStandardsText) {
  const auto& st = standard();
  ASSERT_EQ(st.cause_to_status.size(), 32u) << kTables;  // 8.2.6.1: 34 rows, less "any other" and 22 w/ diagnostic
  ASSERT_EQ(st.status_to_cause.size(), 35u) << kTables;  // 7.2.4.1: 37 rows, less 488 and 606 (per Warning)
  EXPECT_EQ(st.any_other, 500);
  EXPECT_EQ(st.rejected_by_user, 603);
  EXPECT_EQ(st.q1912_status.size(), 23u);
  EXPECT_EQ(st.q1912_cause.size(), 11u);
  EXPECT_EQ(st.findings.size(), 11u);
}

// RFC 3398 8.2.6.1 (ISUP -> SIP), every fixed row; both tables (Q.1912.5 differences below).
class IsupCauseToSipStatus : public testing::TestWithParam<Row> {};
TEST_P(IsupCauseToSipStatus, Rfc3398Row) {
  const Row& r = GetParam();
  EXPECT_EQ(sip_status_for_cause(static_cast<std::uint8_t>(r.in), CauseTable::kRfc3398), r.out) << r.text;
}
INSTANTIATE_TEST_SUITE_P(Rfc3398, IsupCauseToSipStatus, testing::ValuesIn(standard().cause_to_status),
                         [](const auto& i) { return row_name(i, "Cause", ""); });

// 8.2.6.1 "any other": every cause 0..127 without a row.
class IsupCauseAnyOther : public testing::TestWithParam<int> {};
TEST_P(IsupCauseAnyOther, Rfc3398AnyOther) {
  EXPECT_EQ(sip_status_for_cause(static_cast<std::uint8_t>(GetParam()), CauseTable::kRfc3398), standard().any_other);
}
std::vector<int> causes_without_row() {
  std::vector<int> out;
  for (int c = 0; c <= 127; ++c)
    if (!standard().cause_rows.count(c)) out.push_back(c);
  return out;
}
INSTANTIATE_TEST_SUITE_P(Rfc3398, IsupCauseAnyOther, testing::ValuesIn(causes_without_row()),
                         [](const auto& i) { return "Cause" + std::to_string(i.param); });

// 8.2.6.1: call rejected by the user (cause location U) -> 603 Decline, else 403.
TEST(IsupCauseToSipStatus, CallRejectedByUser) {
  EXPECT_EQ(sip_status_for_cause(21, CauseTable::kRfc3398, kLocationUser), standard().rejected_by_user);
  EXPECT_EQ(sip_status_for_cause(21, CauseTable::kQ1912_5, kLocationUser), standard().rejected_by_user);
  EXPECT_EQ(sip_status_for_cause(17, CauseTable::kQ1912_5, kLocationUser), 486);
}

// Q.1912.5 (ISUP -> SIP): the RFC 3398 rows with the note's differences applied.
class IsupCauseToSipStatusQ1912 : public testing::TestWithParam<Row> {};
TEST_P(IsupCauseToSipStatusQ1912, Row) {
  const Row& r = GetParam();
  const auto got = sip_status_for_cause(static_cast<std::uint8_t>(r.in), CauseTable::kQ1912_5);
  auto f = standard().findings.find({"q1912_cause", r.in});
  if (f == standard().findings.end()) {
    EXPECT_EQ(got, r.out) << r.text;
  } else {  // a documented finding: the code still gives what the findings table says
    EXPECT_NE(got, r.out) << r.text << ": the code now follows this row; drop it from the findings";
    EXPECT_EQ(got, f->second.code) << r.text;
  }
}
std::vector<Row> q1912_causes() {
  std::map<int, Row> rows;
  for (const auto& r : standard().cause_to_status) rows[r.in] = Row{"q1912", r.in, r.out, r.text};
  for (auto [c, s] : standard().q1912_cause) rows[c] = Row{"q1912", c, s, "Q.1912.5 note: " + std::to_string(c)};
  std::vector<Row> out;
  for (auto& [_, r] : rows) out.push_back(r);
  return out;
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, IsupCauseToSipStatusQ1912, testing::ValuesIn(q1912_causes()),
                         [](const auto& i) { return row_name(i, "Cause", ""); });

// RFC 3398 7.2.4.1 (SIP -> ISUP), every fixed row.
class SipStatusToCauseRfc3398 : public testing::TestWithParam<Row> {};
TEST_P(SipStatusToCauseRfc3398, Row) {
  const Row& r = GetParam();
  auto expected = r.out ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*r.out)) : std::nullopt;
  EXPECT_EQ(cause_for_sip_status(r.in, CauseTable::kRfc3398), expected) << r.text;
}
INSTANTIATE_TEST_SUITE_P(Rfc3398, SipStatusToCauseRfc3398, testing::ValuesIn(standard().status_to_cause),
                         [](const auto& i) { return row_name(i, "Status", "Cause"); });

// Q.1912.5 (SIP -> ISUP), the default table: the RFC 3398 rows with the note's differences applied.
class SipStatusToCauseQ1912 : public testing::TestWithParam<Row> {};
TEST_P(SipStatusToCauseQ1912, Row) {
  const Row& r = GetParam();
  auto expected = r.out ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*r.out)) : std::nullopt;
  const auto got = cause_for_sip_status(r.in, CauseTable::kQ1912_5);
  EXPECT_EQ(cause_for_sip_status(r.in), got) << "Q.1912.5 is the default table";
  auto f = standard().findings.find({"q1912_status", r.in});
  if (f == standard().findings.end()) {
    EXPECT_EQ(got, expected) << r.text;
  } else {
    auto code = f->second.code ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*f->second.code)) : std::nullopt;
    EXPECT_NE(got, expected) << r.text << ": the code now follows this row; drop it from the findings";
    EXPECT_EQ(got, code) << r.text;
  }
}
std::vector<Row> q1912_statuses() {
  std::map<int, Row> rows;
  for (const auto& r : standard().status_to_cause) rows[r.in] = Row{"q1912", r.in, r.out, r.text};
  for (auto [s, c] : standard().q1912_status) rows[s] = Row{"q1912", s, c, "Q.1912.5 note: " + std::to_string(s)};
  std::vector<Row> out;
  for (auto& [_, r] : rows) out.push_back(r);
  return out;
}
INSTANTIATE_TEST_SUITE_P(Q1912_5, SipStatusToCauseQ1912, testing::ValuesIn(q1912_statuses()),
                         [](const auto& i) { return row_name(i, "Status", "Cause"); });

// Where the tables give no fixed row, our choices (cause_map.h says so): 488 and 606 map "per Warning
// header", and without one we use 127; unlisted codes take a class default.
TEST(CauseMap, OurChoiceWhereTheTablesGiveNoRow) {
  for (auto t : {CauseTable::kRfc3398, CauseTable::kQ1912_5}) {
    EXPECT_EQ(cause_for_sip_status(488, t), 127);
    EXPECT_EQ(cause_for_sip_status(606, t), 127);
  }
  EXPECT_EQ(cause_for_sip_status(499, CauseTable::kRfc3398), 127);
  EXPECT_EQ(cause_for_sip_status(599, CauseTable::kRfc3398), 41);
  EXPECT_EQ(cause_for_sip_status(699, CauseTable::kRfc3398), 31);
  EXPECT_EQ(cause_for_sip_status(699, CauseTable::kQ1912_5), 127);
}

// The end-to-end cases of issue 7 survive a SIP -> ISUP -> SIP tandem.
TEST(CauseMap, BusyAndUnallocatedRoundTrip) {
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(486)), 486);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(404)), 404);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(484)), 484);
  EXPECT_EQ(sip_status_for_cause(*cause_for_sip_status(410)), 410);
}

// The code's tables hold no row the standard's text lacks (or contradicts).
TEST(CauseMap, EveryCodeRowIsAStandardRow) {
  const auto& st = standard();
  for (auto [cause, status] : cause_to_status_rows()) {
    EXPECT_TRUE(st.cause_rows.count(cause)) << "cause " << int(cause) << " has no row in 8.2.6.1";
  }
  for (auto [status, cause] : status_to_cause_rows(CauseTable::kRfc3398)) {
    EXPECT_TRUE(st.status_rows.count(status)) << "status " << status << " has no row in 7.2.4.1";
  }
  for (auto [status, cause] : status_to_cause_rows(CauseTable::kQ1912_5)) {
    EXPECT_TRUE(st.status_rows.count(status) || st.q1912_status.count(status)) << status;
  }
}

}  // namespace
}  // namespace isupgw::mapping
