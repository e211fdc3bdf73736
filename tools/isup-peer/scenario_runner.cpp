#include "tools/isup-peer/scenario_runner.h"

#include <charconv>

#include "base/hex.h"
#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup::peer {

namespace {

std::optional<std::vector<std::uint8_t>> hex_bytes(std::string_view s) {
  std::vector<std::uint8_t> out;
  if (s.size() % 2) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

std::optional<unsigned> number(const std::map<std::string, std::string>& f, const std::string& key) {
  auto it = f.find(key);
  if (it == f.end()) return std::nullopt;
  unsigned v = 0;
  auto r = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v, 10);
  if (r.ec != std::errc()) return std::nullopt;
  return v;
}

std::string get(const std::map<std::string, std::string>& f, const std::string& key, std::string def = "") {
  auto it = f.find(key);
  return it == f.end() ? def : it->second;
}

template <class T>
std::vector<std::uint8_t> bytes_of(const T& t) {
  ParamBytes b;
  t.encode(b);
  return {b.begin(), b.end()};
}

Number make_number(NumberKind kind, const std::string& digits, unsigned nai) {
  Number n;
  n.kind = kind;
  n.nai = static_cast<std::uint8_t>(nai);
  n.npi = 1;
  // A calling party number the exchange itself provides (Q.763 3.10: screening
  // 00 and 10 are reserved for this parameter).
  if (kind == NumberKind::kCalling) n.screening = 3;
  n.digits.assign(digits);
  return n;
}

// Contents for a mandatory parameter, from the step's keys or a default.
std::vector<std::uint8_t> param_value(std::uint8_t code, std::size_t fixed_size, const Step& st, std::uint8_t type,
                                      Variant v) {
  const auto& f = st.fields;
  const std::string name(param_name(code, v));
  if (auto it = f.find(name); it != f.end())
    if (auto h = hex_bytes(it->second)) return *h;
  switch (code) {
    case par::kNatureOfConnectionIndicators: {
      NatureOfConnectionIndicators nci;
      nci.continuity_check = static_cast<std::uint8_t>(number(f, "cc").value_or(0));
      return bytes_of(nci);
    }
    case par::kForwardCallIndicators: {
      ForwardCallIndicators fci;
      fci.isup_all_the_way = true;
      return bytes_of(fci);
    }
    case par::kCallingPartysCategory: return {static_cast<std::uint8_t>(number(f, "cpc").value_or(10))};
    case par::kTransmissionMediumRequirement: return {static_cast<std::uint8_t>(number(f, "tmr").value_or(0))};
    case par::kUserServiceInformation: return {0x80, 0x90, 0xa2};
    case par::kCalledPartyNumber:
      return bytes_of(make_number(NumberKind::kCalled, get(f, "called", "1234F"), number(f, "nai").value_or(3)));
    case par::kSubsequentNumber: return bytes_of(make_number(NumberKind::kSubsequent, get(f, "digits", "0"), 0));
    case par::kBackwardCallIndicators: {
      BackwardCallIndicators bci;
      bci.called_status = static_cast<std::uint8_t>(number(f, "called_status").value_or(1));
      bci.isup_all_the_way = true;
      return bytes_of(bci);
    }
    case par::kCauseIndicators: {
      CauseIndicators ci;
      ci.location = 2;
      ci.value = static_cast<std::uint8_t>(number(f, "cause").value_or(16));
      return bytes_of(ci);
    }
    case par::kEventInformation: return {static_cast<std::uint8_t>(number(f, "event").value_or(1))};
    case par::kContinuityIndicators: return {static_cast<std::uint8_t>(number(f, "ok").value_or(1) ? 1 : 0)};
    case par::kSuspendResumeIndicators: return {static_cast<std::uint8_t>(number(f, "network").value_or(0) ? 1 : 0)};
    case par::kCircuitGroupSupervisionMessageType: return {static_cast<std::uint8_t>(number(f, "type").value_or(0))};
    case par::kRangeAndStatus: {
      std::vector<std::uint8_t> r{static_cast<std::uint8_t>(number(f, "range").value_or(0))};
      if (auto s = hex_bytes(get(f, "status"))) r.insert(r.end(), s->begin(), s->end());
      (void)type;
      return r;
    }
    default: return std::vector<std::uint8_t>(fixed_size == 0 ? 1 : fixed_size, 0);
  }
}

}  // namespace

Result<std::vector<std::uint8_t>, std::string> build_message(const Step& st, Variant v) {
  // RAW: the octets after the routing label as written (CIC, type, parameters), so
  // a scenario can send what the codec would refuse to build (unknown message
  // types for the Q.764 2.9.5 procedures, malformed parameters).
  if (st.message == "RAW") {
    auto h = hex_bytes(get(st.fields, "hex"));
    if (!h || h->size() < 3) return Err(std::string("RAW needs hex= with at least CIC and message type"));
    return *h;
  }
  const int type = message_code(st.message, v);
  if (type < 0) return Err("unknown message " + st.message);
  const MessageLayout* l = find_layout(static_cast<std::uint8_t>(type), v);
  if (l == nullptr) return Err("unknown message " + st.message);
  const auto cic = static_cast<std::uint16_t>(number(st.fields, "cic").value_or(1));
  MessageBuilder b(static_cast<std::uint8_t>(type), cic);
  std::vector<std::uint8_t> used;
  for (std::size_t i = 0; i < l->n_fixed; ++i) {
    b.fixed(l->fixed[i].code, param_value(l->fixed[i].code, l->fixed[i].size, st, l->type, v));
    used.push_back(l->fixed[i].code);
  }
  for (std::size_t i = 0; i < l->n_variable; ++i) {
    b.variable(l->variable[i], param_value(l->variable[i], 0, st, l->type, v));
    used.push_back(l->variable[i]);
  }
  if (l->optional_part) {
    if (st.fields.count("calling") && l->type == msg::kIam)
      b.optional(par::kCallingPartyNumber, make_number(NumberKind::kCalling, get(st.fields, "calling"), 3));
    for (const auto& [key, value] : st.fields) {
      const int code = param_code(key, v);
      if (code <= 0 || std::find(used.begin(), used.end(), code) != used.end()) continue;
      auto h = hex_bytes(value);
      if (!h) return Err("parameter " + key + ": bad hex '" + value + "'");
      b.optional(static_cast<std::uint8_t>(code), *h);
    }
  }
  if (!b.ok()) return Err(std::string("too many parameters"));
  auto bytes = encode(b.message(), v);
  if (!bytes) return Err(std::string(to_string(bytes.error())));
  return std::move(*bytes);
}

std::string check_message(const Step& st, std::span<const std::uint8_t> data, Variant v) {
  auto m = decode(data, v);
  if (!m) return "undecodable message: " + std::string(to_string(m.error()));
  const std::string got(message_acronym(m->type, v));
  if (got != st.message) return "expected " + st.message + ", received " + got + " cic " + std::to_string(m->cic);
  for (const auto& [key, want] : st.fields) {
    std::string have;
    if (key == "cic") {
      have = std::to_string(m->cic);
    } else if (key == "cause") {
      const Param* p = m->find(par::kCauseIndicators);
      auto ci =
          p ? CauseIndicators::decode(p->value) : Result<CauseIndicators, DecodeError>(Err(DecodeError::kBadValue));
      have = ci ? std::to_string(ci->value) : "<none>";
    } else if (key == "called" || key == "calling" || key == "digits") {
      const std::uint8_t code = key == "called"    ? par::kCalledPartyNumber
                                : key == "calling" ? par::kCallingPartyNumber
                                                   : par::kSubsequentNumber;
      const NumberKind kind = key == "called"    ? NumberKind::kCalled
                              : key == "calling" ? NumberKind::kCalling
                                                 : NumberKind::kSubsequent;
      const Param* p = m->find(code);
      auto n = p ? Number::decode(kind, p->value) : Result<Number, DecodeError>(Err(DecodeError::kBadValue));
      have = n ? std::string(n->digits.view()) : "<none>";
    } else if (key == "range" || key == "status") {
      const Param* p = m->find(par::kRangeAndStatus);
      auto rs = p ? RangeAndStatus::decode(p->value) : Result<RangeAndStatus, DecodeError>(Err(DecodeError::kBadValue));
      if (!rs) {
        have = "<none>";
      } else if (key == "range") {
        have = std::to_string(rs->range);
      } else {
        have = to_hex(rs->status);
      }
    } else if (key == "event") {
      const Param* p = m->find(par::kEventInformation);
      have = p && !p->value.empty() ? std::to_string(p->value[0] & 0x7f) : "<none>";
    } else if (key == "called_status") {
      const Param* p = m->find(par::kBackwardCallIndicators);
      auto bci = p ? BackwardCallIndicators::decode(p->value)
                   : Result<BackwardCallIndicators, DecodeError>(Err(DecodeError::kBadValue));
      have = bci ? std::to_string(bci->called_status) : "<none>";
    } else if (key == "type") {
      const Param* p = m->find(par::kCircuitGroupSupervisionMessageType);
      have = p && !p->value.empty() ? std::to_string(p->value[0] & 0x03) : "<none>";
    } else if (key == "ok" || key == "network") {
      const Param* p = m->find(key == "ok" ? par::kContinuityIndicators : par::kSuspendResumeIndicators);
      have = p && !p->value.empty() ? std::to_string(p->value[0] & 1) : "<none>";
    } else if (int code = param_code(key, v); code > 0) {
      const Param* p = m->find(static_cast<std::uint8_t>(code));
      have = p ? to_hex(p->value) : "<none>";
    } else {
      return "unknown check '" + key + "'";
    }
    if (have != want) return got + " " + key + ": expected " + want + ", received " + have;
  }
  return {};
}

ScenarioRunner::ScenarioRunner(Scenario sc, MtpPort& port, TimerService& timers, Logger& log, MtpLabel label, Variant v)
    : sc_(std::move(sc)), port_(port), timers_(timers), log_(log), label_(label), variant_(v), timer_(timers) {}

void ScenarioRunner::start() { run(); }

void ScenarioRunner::fail(const Step& st, std::string what) {
  log_.error(Subsystem::kIsup, "peer.step_failed", {{"scenario", sc_.name}, {"line", st.line}, {"what", what}});
  failures_.push_back(sc_.name + ":" + std::to_string(st.line) + ": " + what);
  finish();
}

void ScenarioRunner::finish() {
  done_ = true;
  timer_.cancel();
}

void ScenarioRunner::on_transfer(const MtpLabel&, std::span<const std::uint8_t> data) {
  ++received_;
  inbox_.emplace_back(data.begin(), data.end());
  if (!done_ && waiting_ && pc_ < sc_.steps.size() && sc_.steps[pc_].kind == Step::Kind::kExpect) {
    waiting_ = false;
    timer_.cancel();
    run();
  }
}

void ScenarioRunner::run() {
  if (running_) return;  // re-entered from a synchronous transport
  running_ = true;
  while (!done_ && !waiting_) {
    if (pc_ >= sc_.steps.size()) {
      finish();
      break;
    }
    const Step& st = sc_.steps[pc_];
    switch (st.kind) {
      case Step::Kind::kSend: {
        auto bytes = build_message(st, variant_);
        if (!bytes) {
          fail(st, bytes.error());
          break;
        }
        MtpLabel l = label_;
        l.sls = static_cast<std::uint8_t>((*bytes)[0] & 0x0f);
        ++sent_;
        ++pc_;
        port_.transfer(l, *bytes);
        break;
      }
      case Step::Kind::kExpect: {
        if (inbox_.empty()) {
          waiting_ = true;
          timer_.arm(st.duration, [this, &st] {
            waiting_ = false;
            fail(st, "timeout waiting for " + st.message);
          });
          break;
        }
        auto msg = std::move(inbox_.front());
        inbox_.pop_front();
        if (auto why = check_message(st, msg, variant_); !why.empty()) {
          fail(st, why);
          break;
        }
        ++pc_;
        break;
      }
      case Step::Kind::kWait:
        waiting_ = true;
        timer_.arm(st.duration, [this] {
          waiting_ = false;
          ++pc_;
          run();
        });
        break;
      case Step::Kind::kLoop:
        loops_.push_back(Frame{pc_ + 1, st.count});
        if (st.count == 0) {
          // Skip to the matching end.
          int depth = 0;
          for (std::size_t i = pc_; i < sc_.steps.size(); ++i) {
            if (sc_.steps[i].kind == Step::Kind::kLoop) ++depth;
            if (sc_.steps[i].kind == Step::Kind::kEnd && --depth == 0) {
              pc_ = i;
              break;
            }
          }
          break;
        }
        ++pc_;
        break;
      case Step::Kind::kEnd:
        if (!loops_.empty() && loops_.back().left > 1) {
          --loops_.back().left;
          pc_ = loops_.back().start;
        } else {
          if (!loops_.empty()) loops_.pop_back();
          ++pc_;
        }
        break;
    }
  }
  running_ = false;
}

AutoAnswerUser::~AutoAnswerUser() {
  if (timers_)
    for (auto& [call, id] : pending_) timers_->cancel(id);
}

std::optional<int> AutoAnswerUser::release_cause_for(std::string_view called) {
  if (!called.empty() && called.back() == 'F') called.remove_suffix(1);
  if (called.size() != 5 || !called.starts_with("99")) return std::nullopt;
  int cause = 0;
  for (char c : called.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    cause = cause * 10 + (c - '0');
  }
  if (cause < 1 || cause > 127) return std::nullopt;
  return cause;
}

void AutoAnswerUser::later(CallId call, std::chrono::milliseconds after, std::function<void()> f) {
  auto id = timers_->start(after, [this, call, f = std::move(f)] {
    pending_.erase(call);
    f();
  });
  pending_[call] = id;
}

void AutoAnswerUser::on_setup(CallId call, const IncomingSetup& setup) {
  ++setups_;
  if (!answer_ || cc_ == nullptr) return;
  (void)cc_->alert(call);
  if (auto cause = release_cause_for(setup.called.digits.view())) {
    // Released after the ACM (a busy or unallocated subscriber seen after alerting began).
    if (timers_)
      later(call, std::chrono::milliseconds(0), [this, call, c = *cause] { (void)cc_->release(call, c); });
    else
      (void)cc_->release(call, *cause);
    return;
  }
  if (timers_ && ring_.count() > 0) {
    later(call, ring_, [this, call] {
      if (cc_->answer(call)) ++answered_;
    });
    return;
  }
  if (cc_->answer(call)) ++answered_;
}

void AutoAnswerUser::on_release(CallId call, const ReleaseIndication&) {
  auto it = pending_.find(call);
  if (it == pending_.end()) return;
  if (timers_) timers_->cancel(it->second);
  pending_.erase(it);
}

// --- loopback ---

namespace {

struct Pending {
  MtpUser* to;
  MtpLabel label;
  std::vector<std::uint8_t> bytes;
};

class LoopbackPort final : public MtpPort {
 public:
  LoopbackPort(std::deque<Pending>& q, MtpUser*& to) : q_(q), to_(to) {}
  void transfer(const MtpLabel& label, std::span<const std::uint8_t> data) override {
    q_.push_back(Pending{to_, label, {data.begin(), data.end()}});
  }

 private:
  std::deque<Pending>& q_;
  MtpUser*& to_;
};

}  // namespace

std::vector<std::string> run_loopback(const Scenario& sc, const LoopbackOptions& opt, Logger& log, Counters& counters) {
  ManualClock clock;
  ManualTimerService timers(clock);
  std::deque<Pending> q;
  MtpUser* to_peer = nullptr;
  MtpUser* to_exchange = nullptr;
  LoopbackPort exchange_port(q, to_peer), peer_port(q, to_exchange);
  AutoAnswerUser user(opt.answer);
  IsupRecoveryConfig rec;
  rec.reset_on_start = opt.start_reset;
  IsupCallControl cc(exchange_port, user, timers, log, counters, rec);
  user.set_call_control(&cc);
  auto g = cc.add_group(opt.exchange);
  if (!g) return {"bad exchange configuration: " + std::string(to_string(g.error()))};
  MtpLabel label;
  label.opc = opt.exchange.dpc;
  label.dpc = opt.exchange.opc;
  label.ni = opt.exchange.ni;
  ScenarioRunner runner(sc, peer_port, timers, log, label, opt.exchange.variant);
  to_peer = &runner;
  to_exchange = &cc;
  cc.start();
  runner.start();
  const auto deadline = clock.now() + opt.max_time;
  while (!runner.done()) {
    if (!q.empty()) {
      Pending p = std::move(q.front());
      q.pop_front();
      p.to->on_transfer(p.label, p.bytes);
      continue;
    }
    auto next = timers.next_deadline();
    if (!next || *next > deadline) break;
    timers.advance(*next - clock.now());  // to the next deadline, firing what falls due
  }
  if (!runner.done()) return {sc.name + ": did not finish"};
  return runner.failures();
}

}  // namespace isupgw::isup::peer
