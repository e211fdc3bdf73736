// H.248.1 text codec: text in, fields out. The first messages are the
// registration and the first call of RFC 3525 Appendix A.1.1 (the v1
// examples; the ABNF they use is shared with v3), as printed there apart
// from the erratum's trailing comma.
#include <gtest/gtest.h>

#include "media-gw/h248_codec.h"

namespace isupgw::mediagw::h248 {
namespace {

Message parsed(std::string_view text) {
  auto m = parse(text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? ""
                                 : std::string(to_string(m.error().error)) + " at " + std::to_string(m.error().offset) +
                                       ": " + std::string(text.substr(m.error().offset, 40)));
  return m.ok() ? *m : Message{};
}

ParseError error_of(std::string_view text) {
  auto m = parse(text);
  EXPECT_FALSE(m.ok()) << text;
  return m.ok() ? ParseError::kEmpty : m.error().error;
}

// Both styles of the writer parse back to the same message, and are fixed points.
void expect_round_trip(const Message& m) {
  for (Style s : {Style::kPretty, Style::kCompact}) {
    auto text = serialize(m, s);
    auto back = parse(text);
    ASSERT_TRUE(back.ok()) << text << "\n" << to_string(back.error().error) << " at " << back.error().offset;
    EXPECT_EQ(*back, m) << text;
    EXPECT_EQ(serialize(*back, s), text);
  }
}

TEST(H248Codec, ServiceChangeRegistrationOfRfc3525A11) {
  auto m = parsed(
      "MEGACO/1 [124.124.124.222]:55555\n"
      "Transaction = 9998 {\n"
      "    Context = - {\n"
      "        ServiceChange = ROOT {Services {\n"
      "            Method=Restart,\n"
      "            ServiceChangeAddress=55555, Profile=ResGW/1}\n"
      "        }\n"
      "    }\n"
      "}\n");
  EXPECT_EQ(m.version, 1u);
  EXPECT_EQ(m.mid, "[124.124.124.222]:55555");
  ASSERT_EQ(m.transactions.size(), 1u);
  const auto& t = std::get<TransactionRequest>(m.transactions[0]);
  EXPECT_EQ(t.id, 9998u);
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_EQ(t.actions[0].context, ContextId::null());
  ASSERT_EQ(t.actions[0].commands.size(), 1u);
  const auto& c = t.actions[0].commands[0];
  EXPECT_EQ(c.type, CommandType::kServiceChange);
  EXPECT_EQ(c.termination_id, "ROOT");
  ASSERT_TRUE(c.service_change);
  EXPECT_EQ(c.service_change->method, ServiceChangeMethod::kRestart);
  EXPECT_EQ(c.service_change->address, "55555");
  EXPECT_EQ(c.service_change->profile, "ResGW/1");
  expect_round_trip(m);
}

TEST(H248Codec, ServiceChangeReplyOfRfc3525A11) {
  auto m = parsed(
      "MEGACO/1 [123.123.123.4]:55555\n"
      "Reply = 9998 {\n"
      "   Context = - {ServiceChange = ROOT {\n"
      "       Services {ServiceChangeAddress=55555, Profile=ResGW/1} } }\n"
      "}\n");
  const auto& r = std::get<TransactionReply>(m.transactions.at(0));
  EXPECT_EQ(r.id, 9998u);
  EXPECT_FALSE(r.immediate_ack_required);
  ASSERT_EQ(r.actions.size(), 1u);
  ASSERT_EQ(r.actions[0].replies.size(), 1u);
  const auto& cr = r.actions[0].replies[0];
  EXPECT_EQ(cr.type, CommandType::kServiceChange);
  EXPECT_EQ(cr.termination_id, "ROOT");
  ASSERT_TRUE(cr.service_change);
  EXPECT_FALSE(cr.service_change->method);
  EXPECT_EQ(cr.service_change->address, "55555");
  expect_round_trip(m);
}

TEST(H248Codec, ModifyWithLocalControlAndEventsOfRfc3525A11) {
  auto m = parsed(
      "MEGACO/1 [123.123.123.4]:55555\n"
      "Transaction = 9999 {\n"
      "    Context = - {\n"
      "        Modify = A4444 {\n"
      "            Media { Stream = 1 {\n"
      "                     LocalControl {\n"
      "                         Mode = SendReceive,\n"
      "                         tdmc/gain=2,  ; in dB,\n"
      "                         tdmc/ec=on\n"
      "                     }\n"
      "                 }\n"
      "            },\n"
      "            Events = 2222 {al/of}\n"
      "        }\n"
      "    }\n"
      "}\n");
  const auto& c = std::get<TransactionRequest>(m.transactions.at(0)).actions.at(0).commands.at(0);
  EXPECT_EQ(c.type, CommandType::kModify);
  EXPECT_EQ(c.termination_id, "A4444");
  ASSERT_TRUE(c.media);
  ASSERT_EQ(c.media->streams.size(), 1u);
  EXPECT_EQ(c.media->streams[0].first, 1);
  const auto& s = c.media->streams[0].second;
  EXPECT_EQ(s.mode, StreamMode::kSendRecv);
  ASSERT_EQ(s.local_control.size(), 2u);
  EXPECT_EQ(s.local_control[0], (Property{"tdmc/gain", '=', "2"}));
  EXPECT_EQ(s.local_control[1], (Property{"tdmc/ec", '=', "on"}));
  ASSERT_TRUE(c.events);
  EXPECT_EQ(c.events->request_id, 2222u);
  ASSERT_EQ(c.events->events.size(), 1u);
  EXPECT_EQ(c.events->events[0].name, "al/of");
  expect_round_trip(m);
}

TEST(H248Codec, NotifyWithTimestampedObservedEventOfRfc3525A11) {
  auto m = parsed(
      "MEGACO/1 [124.124.124.222]:55555\n"
      "Transaction = 10000 {\n"
      "   Context = - {\n"
      "       Notify = A4444 {ObservedEvents =2222 {\n"
      "         19990729T22000000:al/of}}\n"
      "   }\n"
      "}\n");
  const auto& c = std::get<TransactionRequest>(m.transactions.at(0)).actions.at(0).commands.at(0);
  EXPECT_EQ(c.type, CommandType::kNotify);
  ASSERT_TRUE(c.observed_events);
  EXPECT_EQ(c.observed_events->request_id, 2222u);
  ASSERT_EQ(c.observed_events->events.size(), 1u);
  EXPECT_EQ(c.observed_events->events[0].timestamp, "19990729T22000000");
  EXPECT_EQ(c.observed_events->events[0].name, "al/of");
  expect_round_trip(m);
}

TEST(H248Codec, AddTdmAndEphemeralRtpInChosenContext) {
  // What our MGC sends to seize a circuit: Add the TDM termination and an
  // RTP termination "$" with a Local descriptor of $ wildcards (7.1.8).
  auto m = parsed(
      "MEGACO/3 [127.0.0.1]:2944\n"
      "Transaction = 10003 {\n"
      "  Context = $ {\n"
      "    Add = tdm/e1-1/17,\n"
      "    Add = $ {\n"
      "      Media {\n"
      "        LocalControl { Mode = ReceiveOnly, ReservedValue = ON },\n"
      "        Local {\n"
      "v=0\n"
      "c=IN IP4 $\n"
      "m=audio $ RTP/AVP 8\n"
      "        }\n"
      "      }\n"
      "    }\n"
      "  }\n"
      "}\n");
  const auto& a = std::get<TransactionRequest>(m.transactions.at(0)).actions.at(0);
  EXPECT_EQ(a.context, ContextId::choose());
  ASSERT_EQ(a.commands.size(), 2u);
  EXPECT_EQ(a.commands[0].termination_id, "tdm/e1-1/17");
  EXPECT_FALSE(a.commands[0].media);
  EXPECT_EQ(a.commands[1].termination_id, "$");
  const auto& s = a.commands[1].media->stream;
  EXPECT_EQ(s.mode, StreamMode::kRecvOnly);
  EXPECT_EQ(s.local_control.at(0), (Property{"ReservedValue", '=', "ON"}));
  EXPECT_EQ(s.local, "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 8");
  EXPECT_FALSE(s.remote);
  expect_round_trip(m);
}

TEST(H248Codec, CompactTokensReadTheSameAsLongOnes) {
  auto compact = parsed(
      "!/3 [192.0.2.7]:2944 P=10003{IA,C=17{A=tdm/e1-1/17,A=rtp/00042{M{L{\n"
      "v=0\r\nc=IN IP4 192.0.2.7\r\nm=audio 4000 RTP/AVP 8\r\n}}},ER=412{\"No termination available\"}}}");
  auto long_form = parsed(
      "MEGACO/3 [192.0.2.7]:2944\nReply = 10003 { ImmAckRequired, Context = 17 { Add = tdm/e1-1/17, "
      "Add = rtp/00042 { Media { Local {\nv=0\r\nc=IN IP4 192.0.2.7\r\nm=audio 4000 RTP/AVP 8\r\n} } },\n"
      "Error = 412 { \"No termination available\" } } }");
  EXPECT_EQ(compact, long_form);
  const auto& r = std::get<TransactionReply>(compact.transactions.at(0));
  EXPECT_TRUE(r.immediate_ack_required);
  const auto& a = r.actions.at(0);
  EXPECT_EQ(a.context, ContextId::of(17));
  ASSERT_EQ(a.replies.size(), 2u);
  EXPECT_EQ(a.replies[1].termination_id, "rtp/00042");
  EXPECT_EQ(a.replies[1].media->stream.local, "v=0\r\nc=IN IP4 192.0.2.7\r\nm=audio 4000 RTP/AVP 8");
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->code, 412);
  EXPECT_EQ(a.error->text, "No termination available");
  expect_round_trip(compact);
}

TEST(H248Codec, SubtractReplyCarriesStatistics) {
  auto m = parsed(
      "MEGACO/3 [192.0.2.7]:2944\nReply = 7 { Context = 5 { Subtract = rtp/1 { Statistics { nt/os = 45123, "
      "nt/dur = 40, rtp/ps = 1245, rtp/pl = 0.5 } }, Subtract = tdm/e1-1/17 } }");
  const auto& a = std::get<TransactionReply>(m.transactions.at(0)).actions.at(0);
  ASSERT_EQ(a.replies.size(), 2u);
  EXPECT_EQ(a.replies[0].type, CommandType::kSubtract);
  ASSERT_EQ(a.replies[0].statistics.size(), 4u);
  EXPECT_EQ(a.replies[0].statistics[0], (Property{"nt/os", '=', "45123"}));
  EXPECT_EQ(a.replies[0].statistics[3], (Property{"rtp/pl", '=', "0.5"}));
  EXPECT_TRUE(a.replies[1].statistics.empty());
  expect_round_trip(m);
}

TEST(H248Codec, PendingResponseAckAndSeveralTransactionsInOneMessage) {
  auto m = parsed(
      "MEGACO/3 <mg1.example.net>:2944\n"
      "Pending = 41 { }\n"
      "TransactionResponseAck { 10, 12-15 }\n"
      "Transaction = 42 { Context = * { AuditValue = ROOT { Audit { } } } }");
  EXPECT_EQ(m.mid, "<mg1.example.net>:2944");
  ASSERT_EQ(m.transactions.size(), 3u);
  EXPECT_EQ(std::get<TransactionPending>(m.transactions[0]).id, 41u);
  const auto& k = std::get<TransactionResponseAck>(m.transactions[1]);
  ASSERT_EQ(k.ranges.size(), 2u);
  EXPECT_EQ(k.ranges[0], std::make_pair(10u, 10u));
  EXPECT_EQ(k.ranges[1], std::make_pair(12u, 15u));
  const auto& t = std::get<TransactionRequest>(m.transactions[2]);
  EXPECT_EQ(t.actions.at(0).context, ContextId::all());
  EXPECT_EQ(t.actions[0].commands.at(0).type, CommandType::kAuditValue);
  EXPECT_TRUE(t.actions[0].commands[0].audit->items.empty());
  expect_round_trip(m);
}

TEST(H248Codec, ServiceChangeForcedWithReasonAndTerminationState) {
  auto m = parsed(
      "MEGACO/3 [192.0.2.7]:2944\nT=55{C=-{SC=tdm/e1-1/*{SV{MT=FO,RE=\"905 Termination taken out of service\","
      "DL=0,V=3,20261206T12000000}}}}\n"
      "T=56{C=-{MF=tdm/e1-1/3{M{TS{SI=OS,BF=OFF}},SG{ct/ct},E=9{ct/cmp{KA}}}}}");
  const auto& c = std::get<TransactionRequest>(m.transactions.at(0)).actions.at(0).commands.at(0);
  EXPECT_EQ(c.termination_id, "tdm/e1-1/*");
  EXPECT_EQ(c.service_change->method, ServiceChangeMethod::kForced);
  EXPECT_EQ(c.service_change->reason_code(), 905);
  EXPECT_EQ(c.service_change->delay, 0u);
  EXPECT_EQ(c.service_change->version, 3u);
  EXPECT_EQ(c.service_change->timestamp, "20261206T12000000");
  const auto& mf = std::get<TransactionRequest>(m.transactions.at(1)).actions.at(0).commands.at(0);
  EXPECT_EQ(mf.media->termination_state->service_state, ServiceState::kOutOfService);
  EXPECT_EQ(mf.media->termination_state->buffer_lockstep, false);
  EXPECT_EQ(mf.signals->signals.at(0).name, "ct/ct");
  EXPECT_EQ(mf.events->events.at(0).name, "ct/cmp");
  EXPECT_EQ(mf.events->events[0].parameters.at(0), (Property{"KA", 0, ""}));
  expect_round_trip(m);
}

TEST(H248Codec, MessageLevelAndTransactionLevelErrors) {
  auto m = parsed("MEGACO/3 [192.0.2.1]:2944 Error = 400 { \"Syntax error in message\" }");
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->code, 400);
  EXPECT_EQ(m.error->text, "Syntax error in message");
  EXPECT_TRUE(m.transactions.empty());
  expect_round_trip(m);
  auto r = parsed("MEGACO/3 [192.0.2.1]:2944 Reply = 3 { Error = 422 { \"Syntax Error in Action\" } }");
  EXPECT_EQ(std::get<TransactionReply>(r.transactions.at(0)).error->code, 422);
  expect_round_trip(r);
}

TEST(H248Codec, OptionalAndWildcardReplyPrefixes) {
  auto m = parsed("MEGACO/3 [192.0.2.1]:2944 T=1{C=-{O-W-S=tdm/e1-1/*}}");
  const auto& c = std::get<TransactionRequest>(m.transactions.at(0)).actions.at(0).commands.at(0);
  EXPECT_TRUE(c.optional);
  EXPECT_TRUE(c.wildcard_reply);
  EXPECT_EQ(c.type, CommandType::kSubtract);
  expect_round_trip(m);
}

TEST(H248Codec, RefusesWhatIsNotH248Text) {
  EXPECT_EQ(error_of(""), ParseError::kEmpty);
  EXPECT_EQ(error_of("  \n; only a comment\n"), ParseError::kEmpty);
  EXPECT_EQ(error_of("MGCP/1 [1.2.3.4] T=1{C=-{A=x}}"), ParseError::kBadHeader);
  EXPECT_EQ(error_of("MEGACO/3[1.2.3.4] T=1{C=-{A=x}}"), ParseError::kBadHeader);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4]"), ParseError::kEmpty);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{A=x}"), ParseError::kUnterminated);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=4294967296{C=-{A=x}}"), ParseError::kBadNumber);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=abc{A=x}}"), ParseError::kBadContextId);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{Frobnicate=x}}"), ParseError::kUnknownToken);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{A=x{M{L{a}},M{L{b}}}}}"), ParseError::kDuplicate);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{A=x{MX=V18{}}}}"), ParseError::kUnsupported);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{AV=x}}"), ParseError::kBadDescriptor);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] T=1{C=-{A=x{M{O{MO=sideways}}}}}"), ParseError::kBadDescriptor);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] P=1/2{C=-{A=x}}"), ParseError::kUnsupported);
  EXPECT_EQ(error_of("MEGACO/3 [1.2.3.4] ER=12345{}"), ParseError::kBadNumber);
  std::string deep = "MEGACO/3 [1.2.3.4] T=1{";
  for (int i = 0; i < 40; ++i) deep += "C=-{";
  EXPECT_EQ(error_of(deep), ParseError::kTooDeep);
  EXPECT_EQ(error_of(std::string(kMaxMessageSize + 1, ' ')), ParseError::kTooLong);
}

TEST(H248Codec, WritesLongTokensByDefaultAndShortOnesWhenCompact) {
  Message m;
  m.mid = "[127.0.0.1]:2944";
  TransactionRequest t;
  t.id = 5;
  Action a;
  a.context = ContextId::of(9);
  Command c;
  c.type = CommandType::kModify;
  c.termination_id = "rtp/7";
  c.media.emplace();
  c.media->stream.mode = StreamMode::kSendRecv;
  a.commands.push_back(c);
  t.actions.push_back(a);
  m.transactions.push_back(t);
  EXPECT_EQ(serialize(m),
            "MEGACO/3 [127.0.0.1]:2944\n"
            "Transaction = 5 {\n"
            "  Context = 9 {\n"
            "    Modify = rtp/7 {\n"
            "      Media {\n"
            "        LocalControl {\n"
            "          Mode = SendReceive\n"
            "        }\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}\n");
  EXPECT_EQ(serialize(m, Style::kCompact), "!/3 [127.0.0.1]:2944\nT=5{C=9{MF=rtp/7{M{O{MO=SR}}}}}\n");
}

}  // namespace
}  // namespace isupgw::mediagw::h248
