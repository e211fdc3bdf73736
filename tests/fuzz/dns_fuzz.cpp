// libFuzzer target: a DNS response as c-ares hands it over (any bytes a name server may send). parse_answer
// must accept or refuse without reading outside the input; what it accepts then drives the RFC 3263 target
// selection (every query of a resolution answered with it), which must end with targets that are addresses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <span>

#include "base/ip_address.h"
#include "base/timer_service.h"
#include "sip/rfc3263.h"

namespace {

using namespace isupgw;

class Echo final : public sip::dns::Client {
 public:
  explicit Echo(sip::dns::Answer a) : a_(std::move(a)) {}
  void query(const std::string&, sip::dns::RrType, Callback cb) override {
    if (++asked_ > 64) return;  // one resolution asks a bounded number of questions; stop a runaway
    q_.push_back([cb, a = a_] { cb(a); });
  }
  void run() {
    while (!q_.empty()) {
      auto f = std::move(q_.front());
      q_.pop_front();
      f();
    }
  }

 private:
  sip::dns::Answer a_;
  int asked_ = 0;
  std::deque<std::function<void()>> q_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = sip::dns::parse_answer(std::span(data, size));
  if (!r) return 0;
  for (const auto& rec : r->records) {
    if (rec.name.size() > 253 || rec.target.size() > 253) std::abort();
    if ((rec.type == sip::dns::RrType::kA || rec.type == sip::dns::RrType::kAaaa) && !valid_ip(rec.address))
      std::abort();
  }
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  Counters counters;
  Echo dns(*r);
  for (auto t : {sip::Transport::kUdp, sip::Transport::kTcp}) {
    sip::Rfc3263Resolver res(dns, timers, clock, log, counters, {}, {{"t", "trunk.test", 0, t}});
    res.start();
    dns.run();
    for (const auto& p : res.targets("t"))
      if (!valid_ip(p.host)) std::abort();
  }
  return 0;
}
