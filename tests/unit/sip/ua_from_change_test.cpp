// RFC 4916 (connected identity) in the UserAgent: after answering, the UAS's identity changes; an UPDATE
// without an offer (RFC 3311 5.1) carries the new From URI (same tag: the same dialog, RFC 3261 12) and the
// P-Asserted-Identity, later requests keep the new From, and tshark decodes the UPDATE.
#include <gtest/gtest.h>

#include "tests/support/tshark_oracle.h"
#include "tests/unit/sip/ua_harness.h"

namespace isupgw::sip::test {
namespace {

std::string header_line(const std::string& wire, std::string_view name) {
  const std::string key = "\r\n" + std::string(name) + ": ";
  const auto at = wire.find(key);
  if (at == std::string::npos) return "";
  const auto start = at + key.size();
  return wire.substr(start, wire.find("\r\n", start) - start);
}

std::string tag_of(const std::string& value) {
  const auto at = value.find(";tag=");
  return at == std::string::npos ? "" : value.substr(at + 5);
}

class FromChange : public Pair {};

TEST_F(FromChange, UpdateCarriesTheNewFromAndPaiThenByeKeepsIt) {
  SessionId uas = 0;
  b.user.invite_hook = [&](SessionId s, const Message&) {
    uas = s;
    b.ua.answer(s);
  };
  const SessionId uac = a.ua.invite(call());
  pump();
  ASSERT_TRUE(a.user.saw("answered 200"));
  const std::string to_tag = tag_of(header_line(sent(b, "200").at(0), "To"));
  ASSERT_FALSE(to_tag.empty());
  ASSERT_TRUE(b.ua.update_identity(uas, "sip:+4930777@192.0.2.2;user=phone",
                                   {{"P-Asserted-Identity", "<sip:+4930777@192.0.2.2;user=phone>"}}));
  pump();
  const auto updates = sent(b, "UPDATE");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(header_line(updates[0], "From"), "<sip:+4930777@192.0.2.2;user=phone>;tag=" + to_tag);
  EXPECT_EQ(header_line(updates[0], "P-Asserted-Identity"), "<sip:+4930777@192.0.2.2;user=phone>");
  EXPECT_EQ(header_line(updates[0], "Content-Length"), "0");  // no offer (RFC 3311 5.1)
  EXPECT_TRUE(b.user.saw("refresh 200"));
  b.ua.bye(uas);
  pump();
  const auto byes = sent(b, "BYE");
  ASSERT_EQ(byes.size(), 1u);
  EXPECT_EQ(header_line(byes[0], "From"), "<sip:+4930777@192.0.2.2;user=phone>;tag=" + to_tag);
  EXPECT_TRUE(a.user.saw("bye"));  // A matched the BYE to the dialog by its tags (RFC 3261 12.2.2)
  (void)uac;
}

TEST_F(FromChange, RefusedWithoutAConfirmedDialog) {
  EXPECT_FALSE(b.ua.update_identity(12345, "sip:x@192.0.2.2", {}));
}

TEST_F(FromChange, TsharkDecodesTheUpdate) {
  if (!tshark::available()) GTEST_FAIL() << "tshark/text2pcap not installed (scripts/setup.sh installs them)";
  SessionId uas = 0;
  b.user.invite_hook = [&](SessionId s, const Message&) {
    uas = s;
    b.ua.answer(s);
  };
  a.ua.invite(call());
  pump();
  ASSERT_TRUE(b.ua.update_identity(uas, "sip:anonymous@anonymous.invalid",
                                   {{"P-Asserted-Identity", "<sip:+4930777@192.0.2.2;user=phone>"}, {"Privacy", "id"}}));
  pump();
  const auto updates = sent(b, "UPDATE");
  ASSERT_EQ(updates.size(), 1u);
  auto d = tshark::dissect(std::vector<std::uint8_t>(updates[0].begin(), updates[0].end()), tshark::Wrap::kSipUdp);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_FALSE(d.malformed) << d.problems() << updates[0];
  EXPECT_TRUE(d.expert.empty()) << d.problems() << updates[0];
  EXPECT_EQ(d.first("sip.Method"), "UPDATE");
  EXPECT_EQ(d.first("sip.from.user"), "anonymous") << d.dump();
  EXPECT_EQ(d.first("sip.from.host"), "anonymous.invalid") << d.dump();
  EXPECT_EQ(d.first("sip.pai.user"), "+4930777") << d.dump();
  EXPECT_EQ(d.first("sip.Privacy"), "id") << d.dump();
}

}  // namespace
}  // namespace isupgw::sip::test
