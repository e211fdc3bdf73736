// Information element error handling (Q.931 5.8.5-5.8.7, EN 300 403-1 5.8):
// hex in, the decoded message, what was dropped or reported, and the answer.
#include <algorithm>

#include <gtest/gtest.h>

#include "base/hex.h"
#include "q931/codec.h"

namespace isupgw::q931 {
namespace {

Message decoded(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h;
  auto r = decode(b ? *b : Bytes{});
  EXPECT_TRUE(r.ok()) << h << ": " << (r ? "" : r.error().to_string());
  return r ? *r : Message{};
}

std::string encoded(const Message& m) {
  auto r = encode(m);
  EXPECT_TRUE(r.ok());
  return r ? to_hex(*r) : "";
}

// SETUP from the user: BC 80 90 a3, channel 3 exclusive, called 70 04 81 33 30 31 ("301", unknown/E.164).
constexpr std::string_view kSetupHead = "08 02 00 05 05 04 03 80 90 a3 18 03 a9 83 83 ";
constexpr std::string_view kCalled = "70 04 81 33 30 31";

TEST(Q931IeErrors, BadOptionalIeIsDroppedAndAnsweredWithStatus100) {
  // Calling party number 6c 02 21 01: octet 3a with its extension bit 0 and nothing after it.
  auto m = decoded(std::string(kSetupHead) + "6c 02 21 01 " + std::string(kCalled));
  EXPECT_FALSE(m.calling);
  ASSERT_TRUE(m.called);  // the rest of the message is read
  EXPECT_EQ(m.called->digits, "301");
  EXPECT_EQ(m.ie_errors, (std::vector<IeError>{{ie::kCallingPartyNumber, IeError::kInvalidContents}}));
  const IeVerdict v = check_ies(m, Sender::kUser);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kProcessAndStatus, 100, {ie::kCallingPartyNumber}}));  // 5.8.7.2
  auto status = answer_ie_errors(m, v, 6, 2);
  ASSERT_TRUE(status);
  // STATUS, call reference flag 1 (we answer the originator), cause 82 e4 6c: public network serving the
  // local user, 100 invalid IE contents, diagnostic IE 0x6c; call state 6 (call present).
  EXPECT_EQ(encoded(*status), "080280057d080382e46c140106");
}

TEST(Q931IeErrors, RepeatedIeKeepsTheFirstOccurrence) {
  // Called party number twice: "301" then "999" -- the first is handled, the second ignored (5.8.5.2).
  auto m = decoded(std::string(kSetupHead) + std::string(kCalled) + " 70 04 81 39 39 39");
  ASSERT_TRUE(m.called);
  EXPECT_EQ(m.called->digits, "301");
  EXPECT_EQ(m.ie_errors, (std::vector<IeError>{{ie::kCalledPartyNumber, IeError::kRepeated}}));
  EXPECT_EQ(check_ies(m, Sender::kUser).action, IeVerdict::kProcess);  // nothing to answer
  // A third progress indicator: two are permitted, the third ignored.
  auto p = decoded("08 02 80 05 03 1e 02 82 81 1e 02 82 88 1e 02 82 82");
  ASSERT_EQ(p.progress.size(), 2u);
  EXPECT_EQ(p.progress[1].description, 8);
  EXPECT_EQ(p.ie_errors, (std::vector<IeError>{{ie::kProgressIndicator, IeError::kRepeated}}));
  // Sending complete twice.
  auto i = decoded("08 02 00 05 7b a1 a1 70 02 80 38");
  EXPECT_TRUE(i.sending_complete);
  EXPECT_EQ(i.ie_errors, (std::vector<IeError>{{ie::kSendingComplete, IeError::kRepeated}}));
}

TEST(Q931IeErrors, MandatoryIeMissingRejectsSetupWithReleaseComplete96) {
  // SETUP without bearer capability (3.1.14: mandatory both ways).
  auto m = decoded("08 02 00 05 05 18 03 a9 83 83 " + std::string(kCalled));
  const IeVerdict v = check_ies(m, Sender::kUser);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kReject, 96, {ie::kBearerCapability}}));
  auto rc = answer_ie_errors(m, v, 0, 2);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->type, msg::kReleaseComplete);  // 5.8.6.1 a)
  EXPECT_EQ(encoded(*rc), "080280055a080382e004");
  // Channel identification is mandatory in a SETUP from the network only.
  auto no_channel = decoded("08 02 00 05 05 04 03 80 90 a3 " + std::string(kCalled));
  EXPECT_EQ(check_ies(no_channel, Sender::kUser).action, IeVerdict::kProcess);
  EXPECT_EQ(check_ies(no_channel, Sender::kNetwork), (IeVerdict{IeVerdict::kReject, 96, {ie::kChannelIdentification}}));
}

TEST(Q931IeErrors, BadMandatoryIeIsCause100) {
  // Bearer capability 04 01 80: octet 4 missing (5.8.6.2).
  auto m = decoded("08 02 00 05 05 04 01 80 18 03 a9 83 83 " + std::string(kCalled));
  EXPECT_FALSE(m.bearer_capability);
  EXPECT_EQ(check_ies(m, Sender::kUser), (IeVerdict{IeVerdict::kReject, 100, {ie::kBearerCapability}}));
  // DISCONNECT whose cause has no value octet: RELEASE with cause 100 (clearing goes on as for cause 31).
  auto d = decoded("08 02 80 05 45 08 01 82");
  const IeVerdict v = check_ies(d, Sender::kNetwork);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kReject, 100, {ie::kCause}}));
  auto rel = answer_ie_errors(d, v, 11, 0);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->type, msg::kRelease);
  EXPECT_EQ(encoded(*rel), "080200054d080380e408");
}

TEST(Q931IeErrors, DisconnectWithoutCauseIsReleaseWith96) {
  auto d = decoded("08 02 80 05 45");
  const IeVerdict v = check_ies(d, Sender::kNetwork);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kReject, 96, {ie::kCause}}));
  EXPECT_EQ(answer_ie_errors(d, v, 11, 0)->type, msg::kRelease);  // 5.8.6.1 b)
}

TEST(Q931IeErrors, OtherMessagesMissingMandatoryAreAnsweredWithStatus) {
  // PROGRESS without progress indicator: STATUS cause 96, no action (5.8.6.1 e).
  auto p = decoded("08 02 80 05 03");
  const IeVerdict v = check_ies(p, Sender::kNetwork);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kReject, 96, {ie::kProgressIndicator}}));
  auto s = answer_ie_errors(p, v, 3, 0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, msg::kStatus);
  EXPECT_EQ(s->call_state->value, 3);
  // STATUS without call state; NOTIFY without notification indicator; RESTART ACKNOWLEDGE without class.
  EXPECT_EQ(check_ies(decoded("08 02 80 05 7d 08 02 80 9e"), Sender::kNetwork).diagnostics,
            std::vector<std::uint8_t>{ie::kCallState});
  EXPECT_EQ(check_ies(decoded("08 02 80 05 6e"), Sender::kNetwork).diagnostics,
            std::vector<std::uint8_t>{ie::kNotificationIndicator});
  EXPECT_EQ(check_ies(decoded("08 02 80 00 4e"), Sender::kNetwork).cause, 96);
}

TEST(Q931IeErrors, UnrecognisedIeIsIgnoredUnlessComprehensionRequired) {
  // 0x7b is not in Table 4-3: kept raw, not acted on, STATUS cause 99 with its identifier (5.8.7.1).
  auto m = decoded(std::string(kSetupHead) + std::string(kCalled) + " 7b 01 00");
  ASSERT_EQ(m.other.size(), 1u);
  EXPECT_EQ(m.ie_errors, (std::vector<IeError>{{0x7b, IeError::kUnrecognised}}));
  EXPECT_EQ(check_ies(m, Sender::kUser), (IeVerdict{IeVerdict::kProcessAndStatus, 99, {0x7b}}));
  // A known IE we do not model (0x7e user-user, 0x1c facility) is recognised: nothing to report.
  EXPECT_TRUE(decoded(std::string(kSetupHead) + "1c 01 91 7e 02 04 41").ie_errors.empty());
  // 0x0b: identifier bits 8-5 0000, "comprehension required" and unknown -> as a missing mandatory IE.
  auto cr = decoded(std::string(kSetupHead) + "0b 01 00 " + std::string(kCalled));
  EXPECT_EQ(check_ies(cr, Sender::kUser), (IeVerdict{IeVerdict::kReject, 96, {0x0b}}));
  EXPECT_EQ(answer_ie_errors(cr, check_ies(cr, Sender::kUser), 0, 2)->type, msg::kReleaseComplete);
}

TEST(Q931IeErrors, ClearingMessagesGetNoStatus) {
  // RELEASE with a bad progress indicator and an unrecognised IE (7b): acted on, no STATUS (5.8.7); the
  // RELEASE COMPLETE that answers it carries cause 99 with the unrecognised IE's identifier (5.8.7.1 b).
  auto r = decoded("08 02 80 05 4d 08 02 80 90 1e 01 82 7b 01 00");
  ASSERT_EQ(r.causes.size(), 1u);
  EXPECT_EQ(r.causes[0].value, 16);
  EXPECT_EQ(r.ie_errors.size(), 2u);
  const IeVerdict rv = check_ies(r, Sender::kNetwork);
  EXPECT_EQ(rv, (IeVerdict{IeVerdict::kProcessAndClear, 99, {0x7b}}));
  auto rlc = answer_ie_errors(r, rv, 0, 0);
  ASSERT_TRUE(rlc);
  // RELEASE COMPLETE, call reference flag 0 (the RELEASE came with flag 1), cause 80 e3 7b: user, cause 99.
  EXPECT_EQ(encoded(*rlc), "080200055a080380e37b");
  // RELEASE COMPLETE rejected (comprehension-required unknown IE) has no answer: taken as cause 31.
  auto rc = decoded("08 02 80 05 5a 0b 01 00");
  const IeVerdict v = check_ies(rc, Sender::kNetwork);
  EXPECT_EQ(v.action, IeVerdict::kReject);
  EXPECT_FALSE(answer_ie_errors(rc, v, 0, 0));
  // RELEASE COMPLETE with an unrecognised IE: no action (5.8.7.1 c).
  EXPECT_EQ(check_ies(decoded("08 02 80 05 5a 7b 01 00"), Sender::kNetwork).action, IeVerdict::kProcess);
}

TEST(Q931IeErrors, DisconnectWithUnrecognisedIeIsAnsweredByReleaseWithCause99) {
  // 5.8.7.1 a): DISCONNECT (cause 16, normal) with the unknown IE 7b -> RELEASE, cause 99, diagnostic 7b.
  auto d = decoded("08 02 80 05 45 08 02 80 90 7b 01 00");
  const IeVerdict v = check_ies(d, Sender::kNetwork);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kProcessAndClear, 99, {0x7b}}));
  auto rel = answer_ie_errors(d, v, 12, 2);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->type, msg::kRelease);
  ASSERT_EQ(rel->causes.size(), 1u);
  EXPECT_EQ(rel->causes[0].value, 99);
  EXPECT_EQ(rel->causes[0].diagnostics, (Bytes{0x7b}));
}

TEST(Q931IeErrors, CauseDiagnosticsStayWithinTheCauseIe) {
  // A STATUS for 40 unrecognised IEs names the first 27: the Cause IE is at most 32 octets (4.5.12).
  IeVerdict v{IeVerdict::kProcessAndStatus, 99, {}};
  for (std::uint8_t id = 0x50; id < 0x50 + 40; ++id) v.diagnostics.push_back(id);
  auto m = decoded("08 02 80 05 7b 14 01 0a");  // INFORMATION with a call state IE, any message will do
  auto status = answer_ie_errors(m, v, 10, 2);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->causes[0].diagnostics.size(), 27u);
  auto bytes = encode(*status);
  ASSERT_TRUE(bytes.ok());
  // Cause IE: identifier, length 29 (octet 3, 4 and 27 diagnostics) = 31 octets.
  const auto& b = *bytes;
  auto at = std::find(b.begin() + 5, b.end(), ie::kCause);
  ASSERT_NE(at, b.end());
  EXPECT_EQ(at[1], 29);
}

TEST(Q931IeErrors, AnswerToTheDummyCallReferenceHasNoFlag) {
  // RESTART on the dummy call reference (length 0) without its mandatory restart indicator: the STATUS
  // that answers it (cause 96, diagnostic 79) is on the dummy call reference too, which has no flag (4.3).
  auto m = decoded("08 00 46");
  const IeVerdict v = check_ies(m, Sender::kNetwork);
  EXPECT_EQ(v, (IeVerdict{IeVerdict::kReject, 96, {ie::kRestartIndicator}}));
  auto status = answer_ie_errors(m, v, 0, 2);
  ASSERT_TRUE(status);
  EXPECT_EQ(encoded(*status),
            "0800"
            "7d"
            "080382e079"
            "140100");
}

TEST(Q931IeErrors, TruncatedLastIeIsABadIe) {
  // Display 28 05 41 42: the length runs past the message; what came before is kept.
  auto m = decoded("08 02 80 05 07 1e 02 82 88 28 05 41 42");
  ASSERT_EQ(m.progress.size(), 1u);
  EXPECT_FALSE(m.display);
  EXPECT_EQ(m.ie_errors, (std::vector<IeError>{{ie::kDisplay, IeError::kInvalidContents}}));
  EXPECT_EQ(check_ies(m, Sender::kNetwork), (IeVerdict{IeVerdict::kProcessAndStatus, 100, {ie::kDisplay}}));
}

TEST(Q931IeErrors, HeaderErrorsStillFailTheDecode) {
  EXPECT_EQ(decode(*from_hex("09 02 00 05 05")).error().fault, Fault::kProtocolDiscriminator);   // 5.8.1
  EXPECT_EQ(decode(*from_hex("08 03 00 00 05 05")).error().fault, Fault::kCallReferenceLength);  // 5.8.3.1
  EXPECT_EQ(decode(*from_hex("08 02")).error().fault, Fault::kTooShort);
}

}  // namespace
}  // namespace isupgw::q931
