// M3UA codec (RFC 4666 section 3): hex in, fields out, and back to the same hex;
// every decode fault mapped to its ERR Error Code (RFC 4666 3.8.1).
#include "sigtran/m3ua_codec.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "base/hex.h"
#include "tests/unit/sigtran/m3ua_samples.h"

// Counts heap allocations so the DATA fast path can prove it makes none.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // malloc/free pair by design
#endif
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace isupgw::sigtran::m3ua {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) { return *from_hex(h); }

// Decodes, runs `check` on the message, re-encodes and expects the same octets.
template <class F>
void round_trip(std::string_view h, F check) {
  auto bytes = hex(h);
  auto m = decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  check(*m);
  auto again = encode(*m);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(to_hex(*again), to_hex(bytes));
}

ErrorCode decode_error(std::string_view h) {
  auto m = decode(hex(h));
  EXPECT_FALSE(m.ok());
  return m.ok() ? ErrorCode{0} : m.error().error_code();
}

TEST(M3uaCodec, AspUpWithAspIdentifier) {
  round_trip("01 00 03 01 00000010  0011 0008 00000001", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kAspUp);
    EXPECT_EQ(m.asp_identifier, 1u);
    EXPECT_FALSE(m.info_string);
  });
}

TEST(M3uaCodec, BareAspUpAck) {
  round_trip("01 00 03 04 00000008", [](const Message& m) { EXPECT_EQ(m.type, MessageType::kAspUpAck); });
}

TEST(M3uaCodec, BeatHeartbeatDataIsPaddedButLengthExcludesPadding) {
  round_trip("01 00 03 03 00000010  0009 0007 aabbcc 00", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kBeat);
    EXPECT_EQ(*m.heartbeat_data, (std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc}));
  });
}

TEST(M3uaCodec, AspActiveOverrideWithRoutingContext) {
  round_trip("01 00 04 01 00000018  000b 0008 00000001  0006 0008 00000001", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kAspAc);
    EXPECT_EQ(m.traffic_mode_type, 1u);
    EXPECT_EQ(*m.routing_context, std::vector<std::uint32_t>{1});
  });
}

TEST(M3uaCodec, NotifyAsActive) {
  round_trip("01 00 00 01 00000018  000d 0008 0001 0003  0006 0008 00000001", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kNtfy);
    EXPECT_EQ(m.status, (Status{1, 3}));
  });
}

TEST(M3uaCodec, ErrorInvalidRoutingContext) {
  round_trip("01 00 00 00 00000018  000c 0008 00000019  0006 0008 00000005", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kErr);
    EXPECT_EQ(m.error_code, 0x19u);
    EXPECT_EQ(*m.routing_context, std::vector<std::uint32_t>{5});
  });
}

TEST(M3uaCodec, DataCarryingIsupIam) {
  round_trip(
      "01 00 01 01 0000002c  0210 0021 00000001 00000002 05 02 00 07"
      " 0100 01 00 2001 0a 00 02 00 06 0390 2143 6587 000000",
      [](const Message& m) {
        EXPECT_EQ(m.type, MessageType::kData);
        const auto& pd = *m.protocol_data;
        EXPECT_EQ(pd.opc, 1u);
        EXPECT_EQ(pd.dpc, 2u);
        EXPECT_EQ(pd.si, 5);
        EXPECT_EQ(pd.ni, 2);
        EXPECT_EQ(pd.mp, 0);
        EXPECT_EQ(pd.sls, 7);
        EXPECT_EQ(pd.data, testing::sample_iam());
      });
}

TEST(M3uaCodec, DunaWithTwoAffectedPointCodes) {
  round_trip("01 00 02 01 0000001c  0006 0008 0000000a  0012 000c 00000102 08010200", [](const Message& m) {
    EXPECT_EQ(m.type, MessageType::kDuna);
    ASSERT_EQ(m.affected_point_code->size(), 2u);
    EXPECT_EQ((*m.affected_point_code)[1], (MaskedPointCode{8, 0x010200}));
  });
}

TEST(M3uaCodec, DupuUserCause) {
  round_trip("01 00 02 05 00000018  0012 0008 00000203  0204 0008 0002 0005", [](const Message& m) {
    EXPECT_EQ(m.user_cause, (UserCause{unavailability::kInaccessible, 5}));
  });
}

TEST(M3uaCodec, SconConcernedDestinationAndCongestionLevel) {
  round_trip("01 00 02 04 00000020  0012 0008 00000203  0206 0008 00000405  0205 0008 00000002", [](const Message& m) {
    EXPECT_EQ(m.concerned_destination, 0x405u);
    EXPECT_EQ(m.congestion_level, 2);
  });
}

TEST(M3uaCodec, RegistrationRequestAndResponse) {
  round_trip(
      "01 00 09 01 0000002c  0207 0024  020a 0008 00000001  020b 0008 00000102  020c 0006 0503 0000"
      "  020e 0008 00000304",
      [](const Message& m) {
        ASSERT_EQ(m.routing_keys.size(), 1u);
        const auto& rk = m.routing_keys[0];
        EXPECT_EQ(rk.local_rk_identifier, 1u);
        ASSERT_EQ(rk.destinations.size(), 1u);
        EXPECT_EQ(rk.destinations[0].dpc.pc, 0x102u);
        EXPECT_EQ(*rk.destinations[0].service_indicators, (std::vector<std::uint8_t>{5, 3}));
      });
  round_trip("01 00 09 02 00000024  0208 001c  020a 0008 00000001  0212 0008 00000000  0006 0008 00000037",
             [](const Message& m) {
               ASSERT_EQ(m.registration_results.size(), 1u);
               EXPECT_EQ(m.registration_results[0], (RegistrationResult{1, 0, 55}));
             });
}

TEST(M3uaCodec, ParametersInAnyOrderAndUnknownTagsSkipped) {
  auto m = decode(hex("01 00 04 01 00000020  0006 0008 00000001  7777 0005 ff000000  000b 0008 00000002"));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->traffic_mode_type, 2u);
  EXPECT_EQ(*m->routing_context, std::vector<std::uint32_t>{1});
}

TEST(M3uaCodec, MissingFinalPaddingAndNonZeroPaddingTolerated) {
  auto m = decode(hex("01 00 03 03 0000000f  0009 0007 aabbcc"));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->heartbeat_data->size(), 3u);
  EXPECT_TRUE(decode(hex("01 00 03 03 00000010  0009 0007 aabbcc ff")).ok());
}

TEST(M3uaCodec, FaultsMapToErrorCodes) {
  EXPECT_EQ(decode_error("02 00 03 01 00000008"), ErrorCode::kInvalidVersion);
  EXPECT_EQ(decode_error("01 00 05 01 00000008"), ErrorCode::kUnsupportedMessageClass);
  EXPECT_EQ(decode_error("01 00 0a 01 00000008"), ErrorCode::kUnsupportedMessageClass);
  EXPECT_EQ(decode_error("01 00 03 07 00000008"), ErrorCode::kUnsupportedMessageType);
  EXPECT_EQ(decode_error("01 00 01 00 00000008"), ErrorCode::kUnsupportedMessageType);
  EXPECT_EQ(decode_error("01 00 01 01 00000008"), ErrorCode::kMissingParameter);
  EXPECT_EQ(decode_error("01 00 02 05 00000010  0012 0008 00000203"), ErrorCode::kMissingParameter);
  EXPECT_EQ(decode_error("01 00 03 01 00000010  0006 0008 00000001"), ErrorCode::kUnexpectedParameter);
  EXPECT_EQ(decode_error("01 00 03 01 00000018  0011 0008 00000001  0011 0008 00000002"),
            ErrorCode::kUnexpectedParameter);
  EXPECT_EQ(decode_error("01 00 03 01 0000000c  0011 0003"), ErrorCode::kParameterFieldError);
  EXPECT_EQ(decode_error("01 00 03 01 0000000c  0011 0008"), ErrorCode::kParameterFieldError);
  EXPECT_EQ(decode_error("01 00 03 01 00000010  0011 0006 0000 0000"), ErrorCode::kParameterFieldError);
  EXPECT_EQ(decode_error("01 00 03 01 0000000a  0011"), ErrorCode::kParameterFieldError);
  EXPECT_EQ(decode_error("01 00 04 01 00000010  000b 0008 00000004"), ErrorCode::kUnsupportedTrafficModeType);
  EXPECT_EQ(decode_error("01 00 01 01 00000024  0006 000c 00000001 00000002  0210 0010 00000001 00000002 05020000"),
            ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(decode_error("01 00 03 01 00000010  0011 0008 00000001 00"), ErrorCode::kProtocolError);  // length
  EXPECT_EQ(decode_error("01 00 03 01 0000"), ErrorCode::kProtocolError);        // truncated header
  std::string info = "01 00 03 01 0000010c 0004 0104 " + std::string(512, '4');  // 256 octets of INFO
  EXPECT_EQ(decode_error(info), ErrorCode::kInvalidParameterValue);
}

TEST(M3uaCodec, EncoderRefusesWhatTheDecoderWouldReject) {
  Message m;
  m.type = MessageType::kAspUp;
  m.routing_context = {{1}};
  EXPECT_EQ(encode(m).error().fault, Fault::kUnexpectedParameter);
  m = Message{};
  m.type = MessageType::kDupu;
  m.affected_point_code = {{{0, 1}}};
  EXPECT_EQ(encode(m).error().fault, Fault::kMissingParameter);
  m = Message{};
  m.type = MessageType::kAspAc;
  m.traffic_mode_type = 9;
  EXPECT_EQ(encode(m).error().fault, Fault::kUnsupportedTrafficMode);
  m = Message{};
  m.type = MessageType::kBeat;
  m.heartbeat_data = std::vector<std::uint8_t>(70000);
  EXPECT_FALSE(encode(m).ok());
}

TEST(M3uaCodec, EverySampleRoundTrips) {
  auto samples = testing::all_samples();
  std::size_t types = 0;
  for (auto t : all_message_types())
    for (const auto& s : samples) types += s.type == t ? 1 : 0;
  EXPECT_GE(types, all_message_types().size());
  for (const auto& s : samples) {
    auto bytes = encode(s);
    ASSERT_TRUE(bytes.ok()) << to_string(s.type) << ": " << bytes.error().to_string();
    EXPECT_EQ(bytes->size() % 4, 0u);
    auto back = decode(*bytes);
    ASSERT_TRUE(back.ok()) << to_string(s.type) << ": " << back.error().to_string();
    EXPECT_EQ(*back, s) << to_string(s.type);
    auto again = encode(*back);
    EXPECT_EQ(*again, *bytes) << to_string(s.type);
  }
}

TEST(M3uaCodec, DataFastPathViewsIntoInputWithoutAllocating) {
  auto bytes = *encode(testing::all_samples()[2]);  // DATA with NA, RC, correlation id
  std::array<std::uint8_t, 128> out{};
  const long before = g_allocations.load();
  auto d = decode_data(bytes);
  auto n = encode_data(*d, out);
  const long after = g_allocations.load();
  EXPECT_EQ(after, before);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->routing_context, 100u);
  EXPECT_EQ(d->correlation_id, 77u);
  EXPECT_GE(d->user_data.data(), bytes.data());
  EXPECT_LT(d->user_data.data(), bytes.data() + bytes.size());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + *n), bytes);
  std::array<std::uint8_t, 16> small{};
  EXPECT_EQ(encode_data(*d, small).error().fault, Fault::kBufferTooSmall);
  EXPECT_EQ(decode_data(hex("01 00 03 01 00000008")).error().error_code(), ErrorCode::kUnsupportedMessageType);
}

TEST(M3uaCodec, MakeErrorCarriesDiagnostic) {
  auto garbage = hex("02 00 03 01 00000008");
  auto m = make_error(ErrorCode::kInvalidVersion, garbage);
  EXPECT_EQ(m.error_code, 1u);
  EXPECT_EQ(*m.diagnostic_information, garbage);
  EXPECT_TRUE(encode(m).ok());
  EXPECT_EQ(to_string(ErrorCode::kInvalidRoutingContext), "invalid routing context");
}

}  // namespace
}  // namespace isupgw::sigtran::m3ua
