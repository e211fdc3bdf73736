#include "tools/isup-peer/exchange_plan.h"

#include <algorithm>
#include <charconv>

#include "isup/builder.h"
#include "isup/codes.h"

namespace isupgw::isup::peer {

namespace {

std::optional<long> number(std::string_view s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Q.763 3.12 / Q.850 2.1: the cause value of a REL's cause indicators (the
// first mandatory variable parameter); 0 when it cannot be read.
int rel_cause(std::span<const std::uint8_t> d) {
  if (d.size() < 5) return 0;
  const std::size_t at = 3 + d[3];  // pointer relative to its own octet
  if (at + 2 >= d.size() || d[at] < 2) return 0;
  std::size_t value = at + 2;            // octet 1 (location), then the cause value
  if ((d[at + 1] & 0x80) == 0) ++value;  // octet 1a (recommendation) present
  if (value >= d.size() || value > at + d[at]) return 0;
  return d[value] & 0x7f;
}

}  // namespace

Result<Behaviour, std::string> parse_behaviour(std::string_view text) {
  text = trim(text);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return Err(std::string("expected PREFIX:SPEC"));
  Behaviour b;
  b.prefix = std::string(trim(text.substr(0, colon)));
  for (char c : b.prefix)
    if (c < '0' || c > '9') return Err("prefix '" + b.prefix + "' is not digits");
  std::string_view spec = text.substr(colon + 1);
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return Err("expected key=value, got '" + std::string(item) + "'");
    const std::string key(item.substr(0, eq));
    if (key == "connected") {
      b.connected = std::string(item.substr(eq + 1));
      if (b.connected.empty() || b.connected.size() > 16 ||
          !std::all_of(b.connected.begin(), b.connected.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return Err("connected: '" + b.connected + "' is not 1-16 digits");
      continue;
    }
    const auto v = number(item.substr(eq + 1));
    if (!v) return Err(key + ": '" + std::string(item.substr(eq + 1)) + "' is not a number");
    if (key == "acm" && *v <= 1) {
      b.acm = *v == 1;
    } else if (key == "cpg") {
      b.cpg = std::chrono::milliseconds(*v);
    } else if (key == "answer") {
      b.answer = std::chrono::milliseconds(*v);
    } else if (key == "release") {
      b.release = std::chrono::milliseconds(*v);
    } else if (key == "cause" && *v >= 1 && *v <= 127) {
      b.cause = static_cast<int>(*v);
    } else {
      return Err("bad " + key + "=" + std::string(item.substr(eq + 1)) +
                 " (acm=0|1, cpg=MS, answer=MS, release=MS, cause=1..127, connected=DIGITS)");
    }
  }
  if (!b.acm && (b.answer || b.cpg)) return Err(std::string(b.answer ? "answer" : "cpg") + " without ACM");
  return b;
}

Result<std::vector<Behaviour>, std::string> parse_behaviours(std::string_view text, const std::string& file) {
  std::vector<Behaviour> out;
  unsigned line = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line;
    if (const auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    if (trim(l).empty()) continue;
    auto b = parse_behaviour(l);
    if (!b) return Err(file + ":" + std::to_string(line) + ": " + b.error());
    out.push_back(std::move(*b));
  }
  return out;
}

const Behaviour* match(const std::vector<Behaviour>& plan, std::string_view called) {
  if (!called.empty() && called.back() == 'F') called.remove_suffix(1);
  const Behaviour* best = nullptr;
  for (const auto& b : plan)
    if (called.starts_with(b.prefix) && (best == nullptr || b.prefix.size() > best->prefix.size())) best = &b;
  return best;
}

std::int64_t realtime_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- CallLog ---

CallLog::~CallLog() {
  for (const auto& [cic, c] : open_) write(cic, c);
  if (out_) std::fflush(out_);
}

void CallLog::on_message(bool sent, std::span<const std::uint8_t> data, std::int64_t now) {
  if (data.size() < 3) return;
  const auto cic = static_cast<std::uint16_t>((data[0] | (data[1] << 8)) & cic_mask_);
  const std::uint8_t type = data[2];
  if (type == msg::kIam) {
    if (sent) return;  // the exchange only answers calls
    if (auto it = open_.find(cic); it != open_.end()) {
      write(cic, it->second);  // a new IAM on a circuit whose call never saw its RLC
      open_.erase(it);
    }
    open_[cic].iam = now;
    return;
  }
  auto it = open_.find(cic);
  if (it == open_.end()) return;
  Call& c = it->second;
  auto first = [now](std::int64_t& t) {
    if (t == 0) t = now;
  };
  switch (type) {
    case msg::kAcm:
    case msg::kCon:
      if (sent) first(c.acm);
      if (type == msg::kCon && sent) first(c.anm);
      break;
    case msg::kCpg:
      if (sent) first(c.cpg);
      break;
    case msg::kAnm:
      if (sent) first(c.anm);
      break;
    case msg::kRel:
      if (c.rel == 0) {  // the first REL names the side that released (a collision's second is ignored)
        c.rel = now;
        c.cause = rel_cause(data);
        c.released_by = sent ? "peer" : "far";
      }
      break;
    case msg::kRlc:
      c.rlc = now;
      write(cic, c);
      open_.erase(it);
      break;
    default: break;
  }
}

void CallLog::set_numbers(std::uint16_t cic, std::string_view called, std::string_view calling) {
  auto it = open_.find(cic);
  if (it == open_.end()) return;
  auto strip = [](std::string_view s) {
    if (!s.empty() && s.back() == 'F') s.remove_suffix(1);
    return std::string(s);
  };
  it->second.called = strip(called);
  it->second.calling = strip(calling);
}

std::string CallLog::to_json(std::uint16_t cic, const Call& c) {
  auto t = [](std::int64_t v) { return v == 0 ? std::string("null") : std::to_string(v); };
  // Numbers are digits (and * # a-e of BCD): nothing to escape.
  std::string s = "{\"cic\":" + std::to_string(cic) + ",\"called\":\"" + c.called + "\",\"calling\":\"" + c.calling +
                  "\",\"iam\":" + t(c.iam) + ",\"acm\":" + t(c.acm) + ",\"cpg\":" + t(c.cpg) + ",\"anm\":" + t(c.anm) +
                  ",\"rel\":" + t(c.rel) + ",\"rlc\":" + t(c.rlc) +
                  ",\"cause\":" + (c.rel == 0 ? std::string("null") : std::to_string(c.cause)) +
                  ",\"released_by\":" + (c.rel == 0 ? std::string("null") : "\"" + std::string(c.released_by) + "\"") +
                  "}";
  return s;
}

void CallLog::write(std::uint16_t cic, const Call& c) {
  ++written_;
  if (out_ == nullptr) return;
  const std::string line = to_json(cic, c) + "\n";
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);  // a reader may look while the exchange runs; one write(2) per call
}

// --- PlanUser ---

PlanUser::~PlanUser() {
  for (auto& [call, id] : pending_) timers_.cancel(id);
}

void PlanUser::after(CallId call, std::chrono::milliseconds ms, std::function<void()> f) {
  pending_[call] = timers_.start(ms, [this, call, f = std::move(f)] {
    pending_.erase(call);
    f();
  });
}

void PlanUser::on_setup(CallId call, const IncomingSetup& setup) {
  ++setups_;
  if (log_) log_->set_numbers(setup.cic, setup.called.digits.view(), setup.calling ? setup.calling->digits.view() : "");
  const Behaviour* b = match(plan_, setup.called.digits.view());
  if (b == nullptr) return fallback_.on_setup(call, setup);
  if (b->acm) (void)cc_->alert(call);
  if (!b->connected.empty() && setup.iam != nullptr)
    if (const Param* p = setup.iam->find(par::kOptionalForwardCallIndicators); p && p->value.size() == 1 &&
                                                                               (p->value[0] & 0x80) != 0)
      connected_[call] = b->connected;
  std::vector<Step> steps;
  if (b->cpg) steps.push_back({*b->cpg, Act::kCpg});
  if (b->answer) steps.push_back({*b->answer, Act::kAnm});
  if (b->release) steps.push_back({b->answer ? *b->answer + *b->release : *b->release, Act::kRel});
  std::stable_sort(steps.begin(), steps.end(), [](const Step& x, const Step& y) { return x.at < y.at; });
  next(call, std::make_shared<const std::vector<Step>>(std::move(steps)), 0, std::chrono::milliseconds(0), b->cause);
}

void PlanUser::next(CallId call, std::shared_ptr<const std::vector<Step>> steps, std::size_t i,
                    std::chrono::milliseconds now, int cause) {
  if (i >= steps->size()) return;
  const Step s = (*steps)[i];
  after(call, s.at - now, [this, call, steps, i, s, cause] {
    switch (s.act) {
      case Act::kCpg:
        if (!cc_->progress(call, 1, false)) return;  // event 1: ALERTING (Q.763 3.21)
        break;
      case Act::kAnm: {
        auto c = connected_.find(call);
        if (c == connected_.end()) {
          if (!cc_->answer(call)) return;
          break;
        }
        // Q.763 3.16: odd/even + NAI 3 (national), NPI 1 (E.164) + APRI 0 (allowed) + screening 3 (network provided).
        std::vector<std::uint8_t> num = {static_cast<std::uint8_t>((c->second.size() % 2 ? 0x80 : 0) | 0x03), 0x13};
        for (std::size_t k = 0; k < c->second.size(); k += 2)
          num.push_back(static_cast<std::uint8_t>((c->second[k] - '0') |
                                                  (k + 1 < c->second.size() ? (c->second[k + 1] - '0') << 4 : 0)));
        connected_.erase(c);
        MessageBuilder anm(msg::kAnm);
        anm.optional(par::kConnectedNumber, num);
        if (!cc_->answer(call, &anm.message())) return;
        break;
      }
      case Act::kRel: (void)cc_->release(call, cause); return;
    }
    next(call, steps, i + 1, s.at, cause);
  });
}

void PlanUser::on_release(CallId call, const ReleaseIndication& rel) {
  connected_.erase(call);
  auto it = pending_.find(call);
  if (it == pending_.end()) return fallback_.on_release(call, rel);
  timers_.cancel(it->second);
  pending_.erase(it);
}

// --- taps ---

void TapPort::transfer(const MtpLabel& l, std::span<const std::uint8_t> data) {
  if (log_) log_->on_message(true, data, realtime_ms());
  to_.transfer(l, data);
}

void TapUser::on_transfer(const MtpLabel& l, std::span<const std::uint8_t> data) {
  if (log_) log_->on_message(false, data, realtime_ms());
  to_.on_transfer(l, data);
}

}  // namespace isupgw::isup::peer
