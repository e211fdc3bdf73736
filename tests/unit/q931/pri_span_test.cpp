// q931/pri_span without a peer: octets in, octets out, virtual time.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "base/timer_service.h"
#include "q931/codec.h"
#include "q931/pri_span.h"

namespace isupgw::q931 {
namespace {

// 4.3: a call reference is free again once its call is in the Null state; the peer may reuse it at once
// (before the span has swept the finished call away).
TEST(PriSpan, ReferenceReusedRightAfterRelease) {
  Logger log{[](std::string_view) {}};
  Counters counters;
  ManualClock clock;
  ManualTimerService timers{clock};
  std::vector<Message> sent;
  int offered = 0;
  SpanConfig sc;
  sc.channels = {1, 2, 3};
  sc.restart_on_link_up = false;
  Span::Hooks h;
  h.send = [&](std::vector<std::uint8_t> b) {
    auto m = decode(b);
    ASSERT_TRUE(m.ok());
    sent.push_back(*m);
  };
  h.incoming = [&](Span::CallId, const Message&, std::uint8_t) -> std::optional<std::uint8_t> {
    ++offered;
    return 17;  // user busy
  };
  Span span(sc, timers, log, counters, std::move(h));
  span.link_up();
  Message setup;
  setup.call_ref = CallReference{2, false, 5};
  setup.bearer_capability = BearerCapability{};
  setup.bearer_capability->layer1 = 3;
  setup.channel_id = ChannelId{};
  setup.channel_id->channels = {2};
  auto bytes = encode(setup);
  ASSERT_TRUE(bytes.ok());
  span.receive(*bytes);
  span.receive(*bytes);  // the same reference again, before any timer ran
  EXPECT_EQ(offered, 2);
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& m : sent) {
    EXPECT_EQ(m.type, msg::kReleaseComplete);
    EXPECT_EQ(m.call_ref, (CallReference{2, true, 5}));
    ASSERT_EQ(m.causes.size(), 1u);
    EXPECT_EQ(m.causes[0].value, 17);
  }
  timers.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(span.calls(), 0u);
  EXPECT_TRUE(span.busy_channels().empty());
}

}  // namespace
}  // namespace isupgw::q931
