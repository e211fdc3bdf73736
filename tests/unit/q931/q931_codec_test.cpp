// Q.931 / DSS1 codec: hex in, fields out, octet groups as Q.931 4.5 draws them;
// encode gives the same octets back. The last test hands one message of every
// basic-call type we encode to tshark (raw Q.931, user DLT 147) in one run.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "q931/codec.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::q931 {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h;
  return b ? *b : std::vector<std::uint8_t>{};
}

// A numeric field's value, whether tshark shows it in decimal or hex.
std::optional<unsigned long> num(const tshark::Dissection& d, std::string_view name) {
  auto v = d.first(name);
  if (!v) return std::nullopt;
  return std::stoul(*v, nullptr, 0);
}

Message decoded(std::string_view h) {
  auto r = decode(hex(h));
  EXPECT_TRUE(r.ok()) << h << ": " << (r ? "" : r.error().to_string());
  if (r) {
    auto again = encode(*r);
    EXPECT_TRUE(again.ok());
    if (again) {
      EXPECT_EQ(to_hex(*again), to_hex(hex(h))) << "re-encoding differs";
    }
  }
  return r ? *r : Message{};
}

// oracles.md: the ETSI SETUP tshark reads as called 4930999888, calling 4930123456, B channel 3.
constexpr std::string_view kSetup =
    "08 02 00 05 05 04 03 80 90 a3 18 03 a9 83 83 6c 0c 21 81 34 39 33 30 31 32 33 34 35 36 70 0b a1 34 39 33 30 "
    "39 39 39 38 38 38";

TEST(Q931Codec, SetupFromTheOracleRecipe) {
  auto m = decoded(kSetup);
  // Header (4.2-4.4): PD 08, call reference length 2, flag 0 (from the originating side), value 5, SETUP.
  EXPECT_EQ(m.call_ref, (CallReference{2, false, 5}));
  EXPECT_EQ(m.type, msg::kSetup);
  EXPECT_EQ(message_name(m.type), "SETUP");
  // 4.5.5 Bearer capability 80 90 a3: ITU-T, speech; circuit mode, 64 kbit/s; layer 1 G.711 A-law.
  ASSERT_TRUE(m.bearer_capability);
  EXPECT_EQ(m.bearer_capability->coding_standard, 0);
  EXPECT_EQ(m.bearer_capability->transfer_capability, 0);
  EXPECT_EQ(m.bearer_capability->transfer_mode, 0);
  EXPECT_EQ(m.bearer_capability->transfer_rate, 0x10);
  EXPECT_EQ(m.bearer_capability->layer1, 3);
  // 4.5.13 Channel identification a9 83 83: PRI, exclusive, not the D channel, as indicated; B channel 3.
  ASSERT_TRUE(m.channel_id);
  EXPECT_TRUE(m.channel_id->primary_rate);
  EXPECT_TRUE(m.channel_id->exclusive);
  EXPECT_FALSE(m.channel_id->d_channel);
  EXPECT_EQ(m.channel_id->selection, 1);
  EXPECT_EQ(m.channel_id->channel_type, 3);
  EXPECT_EQ(m.channel_id->channels, std::vector<std::uint8_t>{3});
  // 4.5.10 Calling party number 21 81: national, ISDN plan; presentation allowed, user-provided verified and passed.
  ASSERT_TRUE(m.calling);
  EXPECT_EQ(m.calling->type, 2);
  EXPECT_EQ(m.calling->plan, 1);
  EXPECT_EQ(m.calling->presentation, 0);
  EXPECT_EQ(m.calling->screening, 1);
  EXPECT_EQ(m.calling->digits, "4930123456");
  // 4.5.8 Called party number a1: national, ISDN plan.
  ASSERT_TRUE(m.called);
  EXPECT_EQ(m.called->type, 2);
  EXPECT_EQ(m.called->plan, 1);
  EXPECT_FALSE(m.called->presentation);
  EXPECT_EQ(m.called->digits, "4930999888");
  EXPECT_FALSE(m.sending_complete);
}

TEST(Q931Codec, ClearingMessagesAndCause) {
  // DISCONNECT, call reference flag 1 (from the destination side): cause 82 90 -- public network
  // serving the local user, 16 normal call clearing; progress indicator 82 88 (in-band information).
  auto d = decoded("08 02 80 05 45 08 02 82 90 1e 02 82 88");
  EXPECT_TRUE(d.call_ref.flag);
  EXPECT_EQ(d.type, msg::kDisconnect);
  ASSERT_EQ(d.causes.size(), 1u);
  EXPECT_EQ(d.causes[0].location, 2);
  EXPECT_EQ(d.causes[0].value, 16);
  ASSERT_EQ(d.progress.size(), 1u);
  EXPECT_EQ(d.progress[0].location, 2);
  EXPECT_EQ(d.progress[0].description, 8);
  // RELEASE COMPLETE, cause with octet 3a (recommendation Q.931 = 0) and a diagnostic (IE 0x18).
  auto rc = decoded("08 02 00 05 5a 08 04 02 80 e0 18");
  EXPECT_EQ(rc.causes[0].recommendation, 0);
  EXPECT_EQ(rc.causes[0].value, 0x60);  // 96 mandatory information element is missing
  EXPECT_EQ(rc.causes[0].diagnostics, std::vector<std::uint8_t>{0x18});
  EXPECT_EQ(decoded("08 02 00 05 4d 08 02 80 91").causes[0].value, 17);  // RELEASE, user busy
}

TEST(Q931Codec, RestartPerChannelAndPerInterface) {
  // RESTART on the dummy-free global call reference 0 (flag 0): channel 5 exclusive, class 0 (indicated channels).
  auto r = decoded("08 02 00 00 46 18 03 a9 83 85 79 01 80");
  EXPECT_EQ(r.type, msg::kRestart);
  EXPECT_EQ(r.call_ref.value, 0u);
  EXPECT_EQ(r.restart_class, restart_class::kIndicatedChannels);
  EXPECT_EQ(r.channel_id->channels, std::vector<std::uint8_t>{5});
  // RESTART ACKNOWLEDGE for all channels of the interface: class 7, no channel identification.
  auto a = decoded("08 02 80 00 4e 79 01 87");
  EXPECT_EQ(a.type, msg::kRestartAck);
  EXPECT_EQ(a.restart_class, restart_class::kAllInterfaces);
  EXPECT_FALSE(a.channel_id);
  // Restart indicator with spare bits set: invalid contents, dropped and reported; it is RESTART's
  // mandatory IE, so the message is answered with cause 100 and the IE as diagnostic (5.8.6.2).
  auto bad = decode(hex("08 02 00 00 46 79 01 c0"));
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->restart_class);
  EXPECT_EQ(bad->ie_errors, (std::vector<IeError>{{ie::kRestartIndicator, IeError::kInvalidContents}}));
  EXPECT_EQ(check_ies(*bad, Sender::kUser), (IeVerdict{IeVerdict::kReject, 100, {ie::kRestartIndicator}}));
}

TEST(Q931Codec, StatusOverlapAndOtherMessages) {
  // STATUS: cause 30 (response to STATUS ENQUIRY), call state 10 (active).
  auto s = decoded("08 02 80 05 7d 08 02 80 9e 14 01 0a");
  EXPECT_EQ(s.causes[0].value, 30);
  EXPECT_EQ(s.call_state->value, 10);
  EXPECT_EQ(decoded("08 02 00 05 75").type, msg::kStatusEnquiry);
  // Overlap sending: INFORMATION with sending complete and further called digits.
  auto i = decoded("08 02 00 05 7b a1 70 03 80 38 38");
  EXPECT_TRUE(i.sending_complete);
  EXPECT_EQ(i.called->type, 0);
  EXPECT_EQ(i.called->digits, "88");
  // SETUP ACKNOWLEDGE / CALL PROCEEDING with channel 1 exclusive; preferred channel 7.
  EXPECT_EQ(decoded("08 02 80 05 0d 18 03 a9 83 81").type, msg::kSetupAck);
  auto cp = decoded("08 02 80 05 02 18 03 a1 83 87");
  EXPECT_FALSE(cp.channel_id->exclusive);
  EXPECT_EQ(cp.channel_id->channels, std::vector<std::uint8_t>{7});
  // ALERTING with progress 8, CONNECT, CONNECT ACKNOWLEDGE, PROGRESS, NOTIFY (notification indicator kept raw).
  EXPECT_EQ(decoded("08 02 80 05 01 1e 02 82 88").progress[0].description, 8);
  EXPECT_EQ(decoded("08 02 80 05 07").type, msg::kConnect);
  EXPECT_EQ(decoded("08 02 00 05 0f").type, msg::kConnectAck);
  EXPECT_EQ(decoded("08 02 80 05 03 1e 02 82 82").progress[0].description, 2);
  auto n = decoded("08 02 80 05 6e 27 01 f1");
  ASSERT_EQ(n.other.size(), 1u);
  EXPECT_EQ(n.other[0], (RawIe{ie::kNotificationIndicator, {0xf1}}));
  // Display (IA5).
  EXPECT_EQ(decoded("08 02 80 05 07 28 03 41 42 43").display, "ABC");
}

TEST(Q931Codec, UnknownAndShiftedIesAreKeptRaw) {
  // An unknown codeset-0 IE (0x7e user-user), a single-octet one (0xd1 repeat indicator), then a locking shift
  // to codeset 6 and a network-specific IE.
  auto m = decoded("08 02 00 05 05 04 03 80 90 a3 7e 02 04 41 d1 96 01 02 aa bb");
  ASSERT_EQ(m.other.size(), 2u);
  EXPECT_EQ(m.other[0], (RawIe{0x7e, {0x04, 0x41}}));
  EXPECT_EQ(m.other[1], (RawIe{0xd1, {}}));
  EXPECT_EQ(to_hex(m.shifted), "960102aabb");
}

TEST(Q931Codec, HeaderErrors) {
  auto fault = [](std::string_view h) {
    auto r = decode(hex(h));
    EXPECT_FALSE(r.ok()) << h;
    return r ? Fault{} : r.error().fault;
  };
  EXPECT_EQ(fault("08 02"), Fault::kTooShort);
  EXPECT_EQ(fault("09 02 00 05 05"), Fault::kProtocolDiscriminator);
  EXPECT_EQ(fault("08 03 00 00 05 05"), Fault::kCallReferenceLength);
  EXPECT_EQ(fault("08 02 00 05"), Fault::kTooShort);
  EXPECT_EQ(fault("08 02 00 05 85"), Fault::kMessageType);
  // IE errors no longer fail the decode (5.8.5-5.8.7): the IE is dropped and reported (Q931IeErrors).
  auto ie_errors = [](std::string_view h) {
    auto r = decode(hex(h));
    EXPECT_TRUE(r.ok()) << h;
    return r ? r->ie_errors : std::vector<IeError>{};
  };
  EXPECT_EQ(ie_errors("08 02 00 05 05 04 05 80 90"),
            (std::vector<IeError>{{ie::kBearerCapability, IeError::kInvalidContents}}));  // runs past the end
  EXPECT_EQ(ie_errors("08 02 00 05 05 70 02 01 31"),
            (std::vector<IeError>{{ie::kCalledPartyNumber, IeError::kInvalidContents}}));  // called with octet 3a
  EXPECT_EQ(ie_errors("08 02 00 05 05 18 01 a9 18 01 a9"),
            (std::vector<IeError>{{ie::kChannelIdentification, IeError::kRepeated}}));
  // The dummy call reference (length 0) decodes.
  EXPECT_EQ(decoded("08 00 7d 08 02 80 9e 14 01 00").call_ref.length, 0);
}

TEST(Q931Codec, EncodeBuildsTheSetupOctetsFromFields) {
  Message m;
  m.call_ref = {2, false, 5};
  m.type = msg::kSetup;
  m.bearer_capability = BearerCapability{0, 0, 0, 0x10, std::nullopt, 3, false, {}};
  m.channel_id = ChannelId{};
  m.channel_id->channels = {3};
  m.calling = PartyNumber{2, 1, 0, 1, "4930123456"};
  m.called = PartyNumber{2, 1, std::nullopt, std::nullopt, "4930999888"};
  auto b = encode(m);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(to_hex(*b), to_hex(hex(kSetup)));
  m.called->presentation = 0;  // octet 3a belongs to the calling number only
  m.called->screening = 0;
  EXPECT_FALSE(encode(m).ok());
}

// tshark reads every basic-call message we encode: the same type, call reference,
// numbers, cause and channel, nothing malformed.
TEST(Q931Oracle, TsharkDecodesEveryMessageWeEncode) {
  if (!tshark::available()) GTEST_SKIP() << "tshark/text2pcap not installed";
  const std::uint8_t types[] = {msg::kSetup,         msg::kSetupAck,        msg::kCallProceeding, msg::kAlerting,
                                msg::kProgress,      msg::kConnect,         msg::kConnectAck,     msg::kDisconnect,
                                msg::kRelease,       msg::kReleaseComplete, msg::kInformation,    msg::kStatus,
                                msg::kStatusEnquiry, msg::kRestart,         msg::kRestartAck,     msg::kNotify};
  std::vector<Message> msgs;
  for (auto t : types) {
    Message m;
    m.type = t;
    m.call_ref = {2, t != msg::kSetup && t != msg::kInformation, 0x1234};
    switch (t) {
      case msg::kSetup:
        m.sending_complete = true;
        m.bearer_capability = BearerCapability{0, 0, 0, 0x10, std::nullopt, 3, false, {}};
        m.channel_id = ChannelId{};
        m.channel_id->channels = {17};
        m.calling = PartyNumber{1, 1, 1, 3, "493012345"};
        m.called = PartyNumber{2, 1, std::nullopt, std::nullopt, "30999888"};
        m.display = "Alice";
        break;
      case msg::kSetupAck:
      case msg::kCallProceeding:
        m.channel_id = ChannelId{};
        m.channel_id->channels = {17};
        break;
      case msg::kAlerting:
      case msg::kProgress: m.progress.push_back(ProgressIndicator{0, 2, 8}); break;
      case msg::kDisconnect:
      case msg::kRelease:
      case msg::kReleaseComplete: m.causes.push_back(Cause{0, 2, std::nullopt, 17, {}}); break;
      case msg::kInformation: m.called = PartyNumber{0, 1, std::nullopt, std::nullopt, "5"}; break;
      case msg::kStatus:
        m.causes.push_back(Cause{0, 0, std::nullopt, 30, {}});
        m.call_state = CallState{0, 10};
        break;
      case msg::kRestart:
      case msg::kRestartAck:
        m.call_ref = {2, t == msg::kRestartAck, 0};
        m.channel_id = ChannelId{};
        m.channel_id->channels = {17};
        m.restart_class = restart_class::kIndicatedChannels;
        break;
      case msg::kNotify: m.other.push_back(RawIe{ie::kNotificationIndicator, {0xf1}}); break;
      default: break;
    }
    msgs.push_back(m);
  }
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& m : msgs) {
    auto b = encode(m);
    ASSERT_TRUE(b.ok()) << message_name(m.type) << ": " << b.error().to_string();
    payloads.push_back(*b);
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kQ931Raw, tshark::q931_options());
  ASSERT_EQ(ds.size(), msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& m = msgs[i];
    const auto& d = ds[i];
    SCOPED_TRACE(std::string(message_name(m.type)));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems();
    EXPECT_TRUE(d.expert.empty()) << d.problems() << d.dump();
    EXPECT_EQ(num(d, "q931.message_type"), m.type);
    EXPECT_EQ(num(d, "q931.call_ref_len"), 2u);
    if (m.calling) {
      EXPECT_EQ(d.first("q931.calling_party_number.digits"), m.calling->digits);
    }
    if (m.called) {
      EXPECT_EQ(d.first("q931.called_party_number.digits"), m.called->digits);
    }
    if (!m.causes.empty()) {
      EXPECT_EQ(num(d, "q931.cause_value"), m.causes[0].value);
    }
    if (m.channel_id) {
      EXPECT_EQ(num(d, "q931.channel.number"), 17u);
    }
  }
}

}  // namespace
}  // namespace isupgw::q931
