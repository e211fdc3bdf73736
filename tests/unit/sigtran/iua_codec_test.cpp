// IUA (RFC 4233) codec: hex in, fields out; encode gives the same octets back;
// every fault maps to the ERR code RFC 4233 3.3.3.1 names. The last test hands
// every message type we encode to tshark (SCTP PPID 1) in one run.
#include <gtest/gtest.h>

#include "base/hex.h"
#include "sigtran/iua_codec.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::sigtran::iua {
namespace {

std::vector<std::uint8_t> hex(std::string_view h) {
  auto b = from_hex(h);
  EXPECT_TRUE(b.has_value()) << h;
  return b ? *b : std::vector<std::uint8_t>{};
}

// oracles.md: a raw ETSI SETUP (called 4930999888, calling 4930123456, B channel 3).
constexpr std::string_view kSetup =
    "0802000505040380 90a3 1803a98383 6c0c2181 34393330313233343536 700ba1 34393330393939383838";

// A numeric field's value, whether tshark shows it in decimal or hex.
std::optional<unsigned long> num(const tshark::Dissection& d, std::string_view name) {
  auto v = d.first(name);
  if (!v) return std::nullopt;
  return std::stoul(*v, nullptr, 0);
}

Message decoded(std::string_view h) {
  auto r = decode(hex(h));
  EXPECT_TRUE(r.ok()) << h << ": " << (r ? "" : r.error().to_string());
  return r ? *r : Message{};
}

void roundtrip(std::string_view h) {
  auto bytes = hex(h);
  auto m = decode(bytes);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  auto again = encode(*m);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(to_hex(*again), to_hex(bytes));
}

// RFC 4233 3.3.1.1 Data Indication: IUA Message Header (integer interface
// identifier 1, DLCI SAPI 0 TEI 0), Protocol Data carrying the Q.931 SETUP.
const std::string kDataInd =
    std::string("01000502 00000048 00010008 00000001 00050008 00010000 000e002e") + std::string(kSetup) + "0000";

TEST(IuaCodec, DataIndicationHeaderAndProtocolData) {
  auto m = decoded(kDataInd);
  EXPECT_EQ(m.type, MessageType::kDataIndication);
  ASSERT_TRUE(m.interface_id);
  EXPECT_EQ(std::get<std::uint32_t>(*m.interface_id), 1u);
  ASSERT_TRUE(m.dlci);
  EXPECT_EQ(m.dlci->sapi, 0);
  EXPECT_EQ(m.dlci->tei, 0);
  EXPECT_FALSE(m.dlci->spare);
  ASSERT_TRUE(m.protocol_data);
  EXPECT_EQ(to_hex(*m.protocol_data), to_hex(hex(kSetup)));
  roundtrip(kDataInd);
  EXPECT_EQ(to_hex(*encode(make_data(MessageType::kDataIndication, 1, hex(kSetup)))), to_hex(hex(kDataInd)));
}

TEST(IuaCodec, TextInterfaceIdentifierAndDlci) {
  // Data Request, interface "span1" (5 octets + 3 pad), DLCI SAPI 0 TEI 64 (0x81 = 64 << 1 | 1), spare bit set.
  auto m = decoded("01000501 00000028 00030009 7370616e31000000 00050008 02810000 000e0009 0802000105000000");
  EXPECT_EQ(m.type, MessageType::kDataRequest);
  EXPECT_EQ(std::get<std::string>(*m.interface_id), "span1");
  EXPECT_EQ(m.dlci->sapi, 0);
  EXPECT_EQ(m.dlci->tei, 64);
  EXPECT_TRUE(m.dlci->spare);
  EXPECT_EQ(to_hex(*m.protocol_data), "0802000105");
  roundtrip("01000501 00000028 00030009 7370616e31000000 00050008 02810000 000e0009 0802000105000000");
}

TEST(IuaCodec, EstablishAndReleasePrimitives) {
  // RFC 4233 3.3.1.3 Establish Request: the header alone. DLCI SAPI 0 TEI 0.
  auto e = decoded("01000505 00000018 00010008 00000007 00050008 00010000");
  EXPECT_EQ(e.type, MessageType::kEstablishRequest);
  EXPECT_EQ(std::get<std::uint32_t>(*e.interface_id), 7u);
  for (auto t : {MessageType::kEstablishConfirm, MessageType::kEstablishIndication, MessageType::kReleaseConfirm}) {
    Message m;
    m.type = t;
    m.interface_id = InterfaceId{7u};
    m.dlci = Dlci{};
    auto b = encode(m);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)[2], 5);
    EXPECT_EQ((*b)[3], type_of(t));
    EXPECT_EQ(*decode(*b), m);
  }
  // 3.3.1.4 Release Indication: Reason RELEASE_DM (2) -- the peer answered SABME with DM.
  auto r = decoded("0100050a 00000020 00010008 00000007 00050008 00010000 000f0008 00000002");
  EXPECT_EQ(r.type, MessageType::kReleaseIndication);
  EXPECT_EQ(r.release_reason, release_reason::kDm);
  roundtrip("0100050a 00000020 00010008 00000007 00050008 00010000 000f0008 00000002");
  // Release Request without its Reason: missing parameter.
  auto bad = decode(hex("01000508 00000018 00010008 00000007 00050008 00010000"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), (CodecError{Fault::kMissingParameter, tag::kReleaseReason}));
}

TEST(IuaCodec, UnitDataAndTeiManagement) {
  auto u = decoded("01000504 00000024 00010008 00000001 00050008 00010000 000e0009 0802000105000000");
  EXPECT_EQ(u.type, MessageType::kUnitDataIndication);
  // 3.3.3.3 TEI Status Confirm: TEI Status 1 (unassigned).
  auto t = decoded("01000003 00000020 00010008 00000001 00050008 00010000 00100008 00000001");
  EXPECT_EQ(t.type, MessageType::kTeiStatusConfirm);
  EXPECT_EQ(t.tei_status, tei_status::kUnassigned);
  // RFC 5133: TEI Query Request is MGMT type 8; type 5 (RFC 4233's old number) is not an IUA message.
  EXPECT_EQ(decoded("01000008 00000018 00010008 00000001 00050008 00010000").type, MessageType::kTeiQueryRequest);
  auto five = decode(hex("01000005 00000018 00010008 00000001 00050008 00010000"));
  ASSERT_FALSE(five.ok());
  EXPECT_EQ(five.error().error_code(), ErrorCode::kUnsupportedMessageType);
}

TEST(IuaCodec, AspsmAndAsptmShareM3uaNumbering) {
  // ASPUP with ASP Identifier 0x11223344 and INFO "pri" (RFC 4233 3.3.2.1).
  auto up = decoded("01000301 00000018 00110008 11223344 00040007 70726900");
  EXPECT_EQ(up.type, MessageType::kAspUp);
  EXPECT_EQ(up.asp_identifier, 0x11223344u);
  EXPECT_EQ(up.info_string, "pri");
  roundtrip("01000301 00000018 00110008 11223344 00040007 70726900");
  // ASPAC: Traffic Mode Type override, integer interface identifiers 1 and 2, a range 10..13 (3.3.2.7).
  auto ac = decoded("01000401 00000028 000b0008 00000001 0001000c 00000001 00000002 0008000c 0000000a 0000000d");
  EXPECT_EQ(ac.type, MessageType::kAspAc);
  EXPECT_EQ(ac.traffic_mode_type, 1u);
  EXPECT_EQ(ac.interface_ids, (std::vector<std::uint32_t>{1, 2}));
  ASSERT_EQ(ac.interface_ranges.size(), 1u);
  EXPECT_EQ(ac.interface_ranges[0], (InterfaceIdRange{10, 13}));
  roundtrip("01000401 00000028 000b0008 00000001 0001000c 00000001 00000002 0008000c 0000000a 0000000d");
  // ASPIA ACK with two text identifiers (one parameter each).
  auto ia = decoded("01000404 00000018 00030006 61310000 00030006 62320000");
  EXPECT_EQ(ia.interface_names, (std::vector<std::string>{"a1", "b2"}));
  // NTFY AS-ACTIVE (3.3.3.2) and BEAT.
  auto n = decoded("01000001 00000010 000d0008 00010003");
  EXPECT_EQ(n.status, (Status{common::status::kTypeAsStateChange, common::status::kAsActive}));
  EXPECT_EQ(decoded("01000303 00000010 00090008 01020304").heartbeat_data, hex("01020304"));
  // The shared numbering: the same octets name the same ASPSM/ASPTM/MGMT messages in M3UA.
  static_assert(static_cast<std::uint16_t>(MessageType::kAspAcAck) == 0x0403);
  static_assert(static_cast<std::uint16_t>(MessageType::kNtfy) == 0x0001);
}

TEST(IuaCodec, FaultsMapToErrorCodes) {
  auto code = [](std::string_view h) {
    auto r = decode(hex(h));
    EXPECT_FALSE(r.ok()) << h;
    return r ? ErrorCode{} : r.error().error_code();
  };
  EXPECT_EQ(code("02000301 00000008"), ErrorCode::kInvalidVersion);
  EXPECT_EQ(code("01000101 00000008"), ErrorCode::kUnsupportedMessageClass);  // M3UA DATA is not IUA
  EXPECT_EQ(code("0100050b 00000008"), ErrorCode::kUnsupportedMessageType);
  EXPECT_EQ(code("01000401 00000010 000b0008 00000004"), ErrorCode::kUnsupportedTrafficHandlingMode);
  // A QPTM header with both an integer and a text identifier.
  EXPECT_EQ(code("01000505 00000020 00010008 00000001 00030005 61000000 00050008 00010000"),
            ErrorCode::kInvalidInterfaceIdentifier);
  // Two integer identifiers in a QPTM header.
  EXPECT_EQ(code("01000505 0000001c 0001000c 00000001 00000002 00050008 00010000"),
            ErrorCode::kInvalidInterfaceIdentifier);
  // Missing DLCI, bad DLCI EA bits, a DLCI in ASPUP, a short message, length mismatch.
  EXPECT_EQ(code("01000505 00000010 00010008 00000001"), ErrorCode::kProtocolError);
  EXPECT_EQ(code("01000505 00000018 00010008 00000001 00050008 00000000"), ErrorCode::kProtocolError);
  EXPECT_EQ(code("01000301 00000010 00050008 00010000"), ErrorCode::kProtocolError);
  EXPECT_EQ(code("010003"), ErrorCode::kProtocolError);
  EXPECT_EQ(code("01000301 0000000c"), ErrorCode::kProtocolError);
  // A tag IUA does not define is skipped.
  EXPECT_EQ(decoded("01000301 00000010 7f000008 00000000").type, MessageType::kAspUp);
  // ERR for a fault carries the offending octets.
  auto e = make_error(ErrorCode::kInvalidInterfaceIdentifier, hex("01000505"));
  auto b = encode(e);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(to_hex(*b), to_hex(hex("01000000 00000018 000c0008 00000002 00070008 01000505")));
}

TEST(IuaCodec, EncoderRefusesWhatTheMessageDoesNotAllow) {
  Message m;
  m.type = MessageType::kAspUp;
  m.dlci = Dlci{};
  EXPECT_EQ(encode(m).error(), (CodecError{Fault::kUnexpectedParameter, tag::kDlci}));
  Message d = make_data(MessageType::kDataRequest, 1, {0x08});
  d.dlci->sapi = 64;
  EXPECT_EQ(encode(d).error().fault, Fault::kInvalidParameterValue);
  Message names;
  names.type = MessageType::kEstablishRequest;
  names.dlci = Dlci{};
  EXPECT_EQ(encode(names).error(), (CodecError{Fault::kMissingParameter, tag::kInterfaceIdInteger}));
  EXPECT_EQ(message_type_from_string("DATA_REQ"), MessageType::kDataRequest);
  EXPECT_EQ(all_message_types().size(), 26u);
}

// tshark (the oracle): each message type we encode, in one run, decodes to the
// same class/type with nothing malformed; the Data Indication's Q.931 is read
// as the SETUP it carries.
TEST(IuaOracle, TsharkDecodesEveryMessageWeEncode) {
  if (!tshark::available()) GTEST_SKIP() << "tshark/text2pcap not installed";
  std::vector<Message> msgs;
  for (auto t : all_message_types()) {
    Message m;
    m.type = t;
    const int c = class_of(t);
    if (c == common::cls::kQptm || (c == 0 && type_of(t) >= 2)) {
      m.interface_id = InterfaceId{3u};
      m.dlci = Dlci{0, 0, false};
    }
    switch (t) {
      case MessageType::kErr: m.error_code = 2; break;
      case MessageType::kNtfy: m.status = Status{1, 3}; break;
      case MessageType::kTeiStatusConfirm:
      case MessageType::kTeiStatusIndication: m.tei_status = 0; break;
      case MessageType::kAspUp: m.asp_identifier = 9; break;
      case MessageType::kBeat:
      case MessageType::kBeatAck: m.heartbeat_data = std::vector<std::uint8_t>{1, 2, 3}; break;
      case MessageType::kAspAc:
        m.traffic_mode_type = 1;
        m.interface_ids = {3, 4};
        break;
      case MessageType::kDataRequest:
      case MessageType::kDataIndication:
      case MessageType::kUnitDataRequest:
      case MessageType::kUnitDataIndication: m.protocol_data = hex(kSetup); break;
      case MessageType::kReleaseRequest:
      case MessageType::kReleaseIndication: m.release_reason = release_reason::kOther; break;
      default: break;
    }
    msgs.push_back(m);
  }
  std::vector<std::vector<std::uint8_t>> payloads;
  for (const auto& m : msgs) {
    auto b = encode(m);
    ASSERT_TRUE(b.ok()) << to_string(m.type) << ": " << b.error().to_string();
    payloads.push_back(*b);
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kIua, tshark::q931_options());
  ASSERT_EQ(ds.size(), msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& d = ds[i];
    SCOPED_TRACE(std::string(to_string(msgs[i].type)));
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems();
    EXPECT_TRUE(d.expert.empty()) << d.problems();
    EXPECT_EQ(num(d, "iua.message_class"), class_of(msgs[i].type));
    EXPECT_EQ(num(d, "iua.message_type"), type_of(msgs[i].type));
    if (msgs[i].dlci) {
      EXPECT_EQ(num(d, "iua.int_interface_identifier"), 3u);
      EXPECT_EQ(num(d, "iua.dlci_sapi"), 0u);
      EXPECT_EQ(num(d, "iua.dlci_tei"), 0u);
    }
    if (msgs[i].protocol_data) {
      EXPECT_EQ(num(d, "q931.message_type"), 5u);
      EXPECT_EQ(d.first("q931.called_party_number.digits"), "4930999888");
    }
    if (msgs[i].release_reason) {
      EXPECT_EQ(num(d, "iua.release_reason"), 3u);
    }
    if (msgs[i].asp_identifier) {
      EXPECT_EQ(num(d, "iua.asp_identifier"), 9u);
    }
  }
}

}  // namespace
}  // namespace isupgw::sigtran::iua
