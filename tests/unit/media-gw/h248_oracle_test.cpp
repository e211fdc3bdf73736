// Every H.248 message shape the MGC side emits, in both writer styles,
// decoded by tshark in ONE run: same transaction id, commands, termination
// ids and context, nothing malformed, no expert warnings (the SDP of
// Local/Remote goes through Wireshark's SDP dissector too).
#include <gtest/gtest.h>

#include "media-gw/h248_codec.h"
#include "tests/support/tshark_oracle.h"

namespace isupgw::mediagw::h248 {
namespace {

const std::string kSdp =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 16384 RTP/AVP 8\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=ptime:20";

Command cmd(CommandType t, std::string term) {
  Command c;
  c.type = t;
  c.termination_id = std::move(term);
  return c;
}

Message request(std::uint32_t id, ContextId ctx, std::vector<Command> cmds) {
  Message m;
  m.mid = "[127.0.0.1]:2944";
  TransactionRequest t;
  t.id = id;
  t.actions.push_back(Action{ctx, std::move(cmds)});
  m.transactions.push_back(std::move(t));
  return m;
}

std::vector<Message> messages() {
  std::vector<Message> out;
  // open: Add TDM + Add $ RTP with a wildcarded Local descriptor (7.1.8).
  auto rtp = cmd(CommandType::kAdd, "$");
  rtp.media.emplace();
  rtp.media->stream.mode = StreamMode::kRecvOnly;
  rtp.media->stream.local = "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 8";
  out.push_back(request(1001, ContextId::choose(), {cmd(CommandType::kAdd, "tdm/e1-1/17"), rtp}));
  // update: Modify with Remote and a mode.
  auto mod = cmd(CommandType::kModify, "rtp/00042");
  mod.media.emplace();
  mod.media->stream.mode = StreamMode::kSendRecv;
  mod.media->stream.remote = kSdp;
  out.push_back(request(1002, ContextId::of(17), {mod}));
  // continuity: Loopback on the incoming side, ct/ct + ct/cmp on the outgoing side (E.10).
  auto lb = cmd(CommandType::kModify, "tdm/e1-1/18");
  lb.media.emplace();
  lb.media->stream.mode = StreamMode::kLoopback;
  auto ct = cmd(CommandType::kModify, "tdm/e1-1/19");
  ct.signals = SignalsDescriptor{{SignalRequest{"ct/ct", {}}}};
  ct.events = EventsDescriptor{77, {RequestedEvent{"ct/cmp", {}}}};
  out.push_back(request(1003, ContextId::of(18), {lb, ct}));
  // What H248Continuity sends (E.10): the incoming side's Add with ct/rsp made On/Off (7.1.11), the outgoing
  // side's Add with ct/ct and ct/cmp, each in a new context; the Subtract that ends either.
  auto rsp = cmd(CommandType::kAdd, "tdm/e1-0/4");
  rsp.signals = SignalsDescriptor{{SignalRequest{"ct/rsp", {Property{"SY", '=', "OO"}}}}};
  out.push_back(request(1007, ContextId::choose(), {rsp}));
  auto tone = cmd(CommandType::kAdd, "tdm/e1-0/1");
  tone.events = EventsDescriptor{3, {RequestedEvent{"ct/cmp", {}}}};
  tone.signals = SignalsDescriptor{{SignalRequest{"ct/ct", {}}}};
  out.push_back(request(1008, ContextId::choose(), {tone}));
  out.push_back(request(1009, ContextId::of(21), {cmd(CommandType::kSubtract, "tdm/e1-0/1")}));
  // close: Subtract both (or "*").
  out.push_back(request(1004, ContextId::of(17),
                        {cmd(CommandType::kSubtract, "tdm/e1-1/17"), cmd(CommandType::kSubtract, "rtp/00042")}));
  out.push_back(request(1005, ContextId::of(17), {cmd(CommandType::kSubtract, "*")}));
  // keepalive: AuditValue on Root.
  auto av = cmd(CommandType::kAuditValue, "ROOT");
  av.audit = AuditDescriptor{{"Packages"}};
  out.push_back(request(1006, ContextId::null(), {av}));
  // The MGC's replies: ServiceChange accepted, Notify acknowledged, an error.
  Message rep;
  rep.mid = "[127.0.0.1]:2944";
  TransactionReply r;
  r.id = 9001;
  CommandReply sc;
  sc.type = CommandType::kServiceChange;
  sc.termination_id = "ROOT";
  sc.service_change = ServiceChangeDescriptor{};
  sc.service_change->address = "2944";
  sc.service_change->profile = "isupgw/1";
  r.actions.push_back(ActionReply{ContextId::null(), {sc}, std::nullopt});
  rep.transactions.push_back(r);
  out.push_back(rep);
  TransactionReply n;
  n.id = 9002;
  CommandReply nr;
  nr.type = CommandType::kNotify;
  nr.termination_id = "tdm/e1-1/19";
  n.actions.push_back(ActionReply{ContextId::of(18), {nr}, std::nullopt});
  rep.transactions = {n};
  out.push_back(rep);
  TransactionReply e;
  e.id = 9003;
  e.error = ErrorDescriptor{431, "No such termination"};
  rep.transactions = {e};
  out.push_back(rep);
  // An acknowledgement of replies.
  rep.transactions = {TransactionResponseAck{{{501, 501}, {503, 507}}}};
  out.push_back(rep);
  return out;
}

TEST(H248Oracle, EverySerializedMessageDecodesInTshark) {
  if (!tshark::available()) GTEST_FAIL() << "text2pcap/tshark not installed";
  std::vector<Message> msgs;
  std::vector<std::string> texts;
  std::vector<std::vector<std::uint8_t>> payloads;
  for (Style s : {Style::kPretty, Style::kCompact}) {
    for (const auto& m : messages()) {
      auto text = serialize(m, s);
      msgs.push_back(m);
      texts.push_back(text);
      payloads.emplace_back(text.begin(), text.end());
    }
  }
  auto ds = tshark::dissect_many(payloads, tshark::Wrap::kMegacoUdp, {"-d", "udp.port==2944,megaco"});
  ASSERT_EQ(ds.size(), msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const auto& d = ds[i];
    SCOPED_TRACE(texts[i]);
    ASSERT_TRUE(d.ok()) << d.error;
    EXPECT_FALSE(d.malformed) << d.problems() << d.dump();
    EXPECT_TRUE(d.expert.empty()) << d.problems();
    EXPECT_EQ(d.first("megaco.version"), "3") << d.dump();
    EXPECT_EQ(d.first("megaco.mId"), "[127.0.0.1]:2944") << d.dump();
    const auto& t = msgs[i].transactions.at(0);
    if (const auto* rq = std::get_if<TransactionRequest>(&t)) {
      EXPECT_EQ(d.first("megaco.transid"), std::to_string(rq->id)) << d.dump();
      const auto& a = rq->actions.at(0);
      // Wireshark shows "$" as 0xFFFFFFFE and "-" as 0 (the binary encoding's values).
      std::string ctx = a.context.kind == ContextId::Kind::kChoose ? "4294967294"
                        : a.context.kind == ContextId::Kind::kNull ? "0"
                                                                   : std::to_string(a.context.id);
      EXPECT_EQ(d.first("megaco.context"), ctx) << d.dump();
      auto commands = d.all("megaco.command");
      auto terms = d.all("megaco.termid");
      ASSERT_EQ(commands.size(), a.commands.size()) << d.dump();
      ASSERT_EQ(terms.size(), a.commands.size()) << d.dump();
      for (std::size_t j = 0; j < a.commands.size(); ++j) {
        EXPECT_EQ(commands[j], std::string(to_string(a.commands[j].type)));
        const auto& id = a.commands[j].termination_id;
        // Wireshark names the wildcards: "$" is "WildCard any", "*" "WildCard all".
        EXPECT_EQ(terms[j], id == "$" ? "WildCard any" : id == "*" ? "WildCard all" : id);
      }
      for (const auto& c : a.commands) {
        if (c.media && (c.media->stream.local || c.media->stream.remote)) {
          EXPECT_TRUE(d.has("sdp.version")) << d.dump();
          EXPECT_TRUE(d.has("sdp.media.media")) << d.dump();
        }
        if (c.media && c.media->stream.mode) {
          EXPECT_TRUE(d.has("megaco.mode")) << d.dump();
        }
      }
    } else if (const auto* rp = std::get_if<TransactionReply>(&t)) {
      EXPECT_EQ(d.first("megaco.transid"), std::to_string(rp->id)) << d.dump();
      if (rp->error) {
        EXPECT_TRUE(d.has("megaco.error")) << d.dump();
      } else {
        EXPECT_EQ(d.first("megaco.termid"), rp->actions.at(0).replies.at(0).termination_id) << d.dump();
      }
    } else {
      EXPECT_EQ(d.first("megaco.transid"), "501") << d.dump();
    }
  }
}

}  // namespace
}  // namespace isupgw::mediagw::h248
