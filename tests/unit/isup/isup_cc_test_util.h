// Test harness for ISUP call control: a recording fake MtpPort, a recording
// CallControlUser / ContinuityCheck, virtual time, and helpers that build the
// peer's messages and decode what call control sent.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "isup/builder.h"
#include "isup/codes.h"
#include "isup/isup_cc.h"
#include "isup/params.h"

namespace isupgw::isup::testing {

struct Sent {
  MtpLabel label;
  std::vector<std::uint8_t> bytes;
};

class FakeMtp : public MtpPort {
 public:
  void transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override {
    sent.push_back(Sent{label, {data.begin(), data.end()}});
  }
  std::deque<Sent> sent;
};

class RecordingUser : public CallControlUser {
 public:
  void on_setup(CallId call, const IncomingSetup& s) override {
    last_call = call;
    last_setup_complete = s.complete;
    last_called = std::string(s.called.digits.view());
    last_calling = s.calling ? std::string(s.calling->digits.view()) : "";
    events.push_back("setup:" + last_called);
    last_iam_uui = last_iam_atp = 0;
    if (s.iam) {
      if (const Param* p = s.iam->find(par::kUserToUserInformation)) last_iam_uui = p->value.size();
      if (const Param* p = s.iam->find(par::kAccessTransport)) last_iam_atp = p->value.size();
    }
    if (on_setup_hook) on_setup_hook(call);
  }
  void on_more_digits(CallId, std::string_view digits, bool complete) override {
    events.push_back("digits:" + std::string(digits) + (complete ? ":complete" : ""));
  }
  void on_progress(CallId, const BackwardIndication& ind) override {
    events.push_back(std::string(ind.alerting ? "alerting" : "progress") + (ind.inband ? ":inband" : ""));
  }
  void on_answer(CallId, const Message& m) override {
    events.push_back("answer");
    last_answer_type = m.type;
  }
  void on_release(CallId call, const ReleaseIndication& r) override {
    events.push_back("release:" + std::to_string(r.cause));
    released.push_back(call);
    last_location = r.location;
    last_rel_received = r.rel != nullptr;
  }
  void on_suspend(CallId, bool network, const Message&) override {
    events.push_back(network ? "suspend:network" : "suspend:user");
  }
  void on_resume(CallId, bool network, const Message&) override {
    events.push_back(network ? "resume:network" : "resume:user");
  }
  void on_information_request(CallId, const InformationRequestIndicators& i) override {
    events.push_back(std::string("inr") + (i.calling_party_address ? ":calling" : ""));
  }
  void on_information(CallId, const InformationIndicators& i, const Message&) override {
    events.push_back("inf:" + std::to_string(i.calling_party_address_response));
  }
  void on_user_to_user(CallId, const Message& m) override {
    const Param* p = m.find(par::kUserToUserInformation);
    events.push_back("uui:" + std::to_string(p ? p->value.size() : 0));
  }
  void on_facility(CallId, const Message&) override { events.push_back("facility"); }
  void on_query_response(GroupId, std::uint16_t cic, std::span<const std::uint8_t> states) override {
    events.push_back("cqr:" + std::to_string(cic) + ":" + std::to_string(states.size()));
    last_states.assign(states.begin(), states.end());
  }
  std::string pop() {
    if (events.empty()) return "<none>";
    auto e = events.front();
    events.pop_front();
    return e;
  }
  std::deque<std::string> events;
  std::vector<CallId> released;
  std::vector<std::uint8_t> last_states;
  std::uint8_t last_answer_type = 0;
  std::uint8_t last_location = 0;
  bool last_rel_received = false;
  CallId last_call = 0;
  bool last_setup_complete = false;
  std::string last_called, last_calling;
  std::size_t last_iam_uui = 0, last_iam_atp = 0;  // contents of the IAM's UUI / access transport
  std::function<void(CallId)> on_setup_hook;
};

class RecordingContinuity : public ContinuityCheck {
 public:
  void connect_loop(GroupId, std::uint16_t cic) override { events.push_back("loop:" + std::to_string(cic)); }
  void disconnect_loop(GroupId, std::uint16_t cic) override { events.push_back("unloop:" + std::to_string(cic)); }
  void start_test(GroupId, std::uint16_t cic) override { events.push_back("test:" + std::to_string(cic)); }
  std::deque<std::string> events;
};

inline Number digits_number(NumberKind kind, std::string_view d, std::uint8_t nai = 3) {
  Number n;
  n.kind = kind;
  n.nai = nai;
  n.npi = 1;
  n.digits.assign(d);
  return n;
}

// One exchange under test: OPC 100, peer DPC 200 by default (the peer, with
// the higher point code, controls the even CICs; we control the odd ones).
class CcFixture : public ::testing::Test {
 protected:
  static constexpr PointCode kOpc = 100, kDpc = 200;

  CcFixture() : log_([this](std::string_view line) { log_lines.emplace_back(line); }) {
    log_.set_all_levels(LogLevel::kDebug);
  }

  // Builds the engine with one group of CICs first..last.
  void make(unsigned first = 1, unsigned last = 8, Variant v = Variant::kItu,
            std::function<void(TrunkGroupConfig&)> tweak = {}, IsupRecoveryConfig rec = {}) {
    cc = std::make_unique<IsupCallControl>(mtp, user, timers, log_, counters, rec);
    cc->set_continuity(&cot);
    TrunkGroupConfig cfg;
    cfg.name = "tg1";
    cfg.opc = kOpc;
    cfg.dpc = kDpc;
    cfg.variant = v;
    cfg.cics.emplace_back(static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last));
    if (tweak) tweak(cfg);
    variant = v;
    auto id = cc->add_group(std::move(cfg));
    ASSERT_TRUE(id);
    group = *id;
  }

  // Advances virtual time, firing timers at their exact deadlines.
  void advance(Clock::duration d) { timers.advance(d); }
  void advance_s(double s) { advance(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s))); }

  // The peer sends a message.
  void inject(const MessageBuilder& b) {
    ASSERT_TRUE(b.ok());
    auto bytes = encode(b.message(), variant);
    ASSERT_TRUE(bytes) << to_string(bytes.error());
    inject_raw(*bytes);
  }
  void inject_raw(const std::vector<std::uint8_t>& bytes) {
    MtpLabel l;
    l.opc = kDpc;
    l.dpc = kOpc;
    cc->on_transfer(l, bytes);
  }
  void inject_simple(std::uint8_t type, std::uint16_t cic) {
    MessageBuilder b(type, cic);
    inject(b);
  }

  // Pops the next message call control sent and checks its type and CIC.
  Message expect(std::uint8_t type, std::uint16_t cic) {
    EXPECT_FALSE(mtp.sent.empty()) << "expected " << message_acronym(type, variant) << " cic " << cic;
    if (mtp.sent.empty()) return Message{};
    last_ = std::move(mtp.sent.front());
    mtp.sent.pop_front();
    EXPECT_EQ(last_.label.opc, kOpc);
    EXPECT_EQ(last_.label.dpc, kDpc);
    EXPECT_EQ(last_.label.si, 5);
    auto m = decode(last_.bytes, variant);
    EXPECT_TRUE(m) << "undecodable output";
    if (!m) return Message{};
    EXPECT_EQ(message_acronym(m->type, variant), message_acronym(type, variant));
    EXPECT_EQ(m->cic, cic);
    return *m;  // views into last_, valid until the next expect()
  }
  void expect_nothing() {
    EXPECT_TRUE(mtp.sent.empty()) << "unexpected " << (mtp.sent.empty() ? "" : sent_name(mtp.sent.front()));
  }
  std::string sent_name(const Sent& s) {
    auto m = decode(s.bytes, variant);
    return m ? std::string(message_acronym(m->type, variant)) + " cic " + std::to_string(m->cic) : "?";
  }
  static int cause(const Message& m) {
    const Param* p = m.find(par::kCauseIndicators);
    if (!p) return -1;
    auto ci = CauseIndicators::decode(p->value);
    return ci ? ci->value : -1;
  }
  static RangeAndStatus range_status(const Message& m) {
    const Param* p = m.find(par::kRangeAndStatus);
    auto rs = p ? RangeAndStatus::decode(p->value) : Result<RangeAndStatus, DecodeError>(Err(DecodeError::kBadValue));
    return rs ? *rs : RangeAndStatus{};
  }

  // Peer messages.
  void peer_iam(std::uint16_t cic, std::string_view called = "1234F", std::uint8_t cc_ind = 0,
                std::function<void(MessageBuilder&)> extra = {}) {
    MessageBuilder b(msg::kIam, cic);
    NatureOfConnectionIndicators nci;
    nci.continuity_check = cc_ind;
    b.fixed(par::kNatureOfConnectionIndicators, nci);
    ForwardCallIndicators fci;
    fci.isup_all_the_way = true;
    b.fixed(par::kForwardCallIndicators, fci);
    b.fixed(par::kCallingPartysCategory, OctetValue{10});
    if (variant == Variant::kAnsi) {
      const std::uint8_t usi[] = {0x80, 0x90, 0xa2};
      b.variable(par::kUserServiceInformation, usi);
    } else {
      b.fixed(par::kTransmissionMediumRequirement, OctetValue{0});
    }
    b.variable(par::kCalledPartyNumber, digits_number(NumberKind::kCalled, called));
    b.optional(par::kCallingPartyNumber, digits_number(NumberKind::kCalling, "5550001"));
    if (extra) extra(b);
    inject(b);
  }
  void peer_acm(std::uint16_t cic, std::uint8_t called_status = 1) {
    MessageBuilder b(msg::kAcm, cic);
    BackwardCallIndicators bci;
    bci.called_status = called_status;
    b.fixed(par::kBackwardCallIndicators, bci);
    inject(b);
  }
  void peer_rel(std::uint16_t cic, std::uint8_t cause_value = 16) {
    MessageBuilder b(msg::kRel, cic);
    CauseIndicators ci;
    ci.location = 2;
    ci.value = cause_value;
    b.variable(par::kCauseIndicators, ci);
    inject(b);
  }
  void peer_cot(std::uint16_t cic, bool ok) {
    MessageBuilder b(msg::kCot, cic);
    b.fixed(par::kContinuityIndicators, FlagOctet{ok, 0});
    inject(b);
  }
  void peer_group(std::uint8_t type, std::uint16_t cic, std::uint8_t range, std::vector<std::uint8_t> status,
                  int cgsmti = -1) {
    MessageBuilder b(type, cic);
    if (cgsmti >= 0)
      b.fixed(par::kCircuitGroupSupervisionMessageType,
              CircuitGroupSupervisionMessageType{static_cast<std::uint8_t>(cgsmti), 0});
    b.variable(par::kRangeAndStatus, RangeAndStatus{range, status});
    inject(b);
  }

  // Our outgoing call on the first circuit we control.
  CallId setup_call(std::string_view called = "4321F") {
    SetupRequest req;
    req.called = digits_number(NumberKind::kCalled, called);
    req.calling = digits_number(NumberKind::kCalling, "5550002");
    auto r = cc->setup(group, std::move(req));
    EXPECT_TRUE(r);
    return r ? *r : 0;
  }
  const Circuit& circ(std::uint16_t cic) { return *cc->circuit(group, cic); }
  std::uint64_t counter(std::string_view n) { return counters.value(n); }

  ManualClock clock;
  ManualTimerService timers{clock};
  Counters counters;
  FakeMtp mtp;
  RecordingUser user;
  RecordingContinuity cot;
  std::vector<std::string> log_lines;
  Logger log_;
  std::unique_ptr<IsupCallControl> cc;
  GroupId group = 0;
  Variant variant = Variant::kItu;
  Sent last_;
};

}  // namespace isupgw::isup::testing
