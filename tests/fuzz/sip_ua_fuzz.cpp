// libFuzzer target: the whole SIP stack (UserAgent over the transaction
// layer) fed arbitrary datagrams and stream frames. Input: messages separated
// by NUL octets; between messages virtual time advances so that timers
// (retransmissions, 2xx, session timers) fire. The user agent answers every
// INVITE (reliable 183, then 200), so dialogs, PRACK, re-INVITE, BYE and
// CANCEL paths all see fuzzed input. Issue 5 item 7: never stops serving.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/user_agent.h"

namespace {

using namespace isupgw;
using namespace isupgw::sip;

class Answering : public SessionUser {
 public:
  UserAgent* ua = nullptr;
  int n = 0;
  void on_invite(SessionId s, const Message&, const Peer&) override {
    switch (n++ % 3) {
      case 0:
        ua->provisional(s, 183, {}, Body{"application/sdp", "v=0\r\n"}, true);
        ua->answer(s, {}, Body{"application/sdp", "v=0\r\n"});
        break;
      case 1: ua->provisional(s, 180); break;
      default: ua->reject(s, 486); break;
    }
  }
  void on_cancel(SessionId, const Message&) override {}
  void on_provisional(SessionId, const Message&) override {}
  void on_answered(SessionId s, const Message&) override { ua->bye(s); }
  void on_rejected(SessionId, const Message&) override {}
  void on_bye(SessionId, const Message&) override {}
  void on_reoffer(SessionId s, const Message&) override { ua->info(s, {}, {}); }
  void on_ended(SessionId, EndReason) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ManualClock clock;
  ManualTimerService timers(clock);
  Logger log([](std::string_view) {});
  log.set_all_levels(LogLevel::kOff);
  Counters counters;
  MemoryTransportLayer wire("192.0.2.2", 5060);
  Answering user;
  UserAgentOptions o;
  o.session_expires = 90;
  o.random_seed = 1;
  UserAgent ua(wire, timers, user, clock, log, counters, o);
  user.ua = &ua;
  // Our own outgoing call too, so responses have a client transaction to hit.
  OutgoingInvite inv;
  inv.peer = Peer{Transport::kUdp, "192.0.2.9", 5060};
  inv.request_uri = "sip:1@192.0.2.9";
  inv.from = "<sip:2@192.0.2.2>";
  inv.to = "<sip:1@192.0.2.9>";
  ua.invite(inv);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  int i = 0;
  while (!in.empty()) {
    const auto nul = in.find('\0');
    const std::string_view msg = in.substr(0, nul);
    const Transport t = (i++ % 4 == 3) ? Transport::kTcp : Transport::kUdp;
    ua.receive(Peer{t, "192.0.2.9", 5060}, msg);
    timers.advance(std::chrono::milliseconds(700));
    if (nul == std::string_view::npos) break;
    in.remove_prefix(nul + 1);
  }
  timers.advance(std::chrono::seconds(120));
  ua.stop();
  timers.advance(std::chrono::seconds(40));
  return 0;
}
