// H.248 codec cost per call on the MGC side, the work beside MGCP's CRCX/MDCX/DLCX
// (bench_mgcp BM_CallCycle): the three transactions a call sends (Add TDM + Add $ with
// Local and Remote SDP, Modify with Remote SDP, Subtract of both) built as H248Calls
// builds them and serialized, and the three replies parsed as the Erlang/OTP megaco MG
// writes them (megaco_pretty_text_encoder, captured from scripts/bench-tandem --mg h248).
#include <benchmark/benchmark.h>

#include <string>

#include "media-gw/h248_codec.h"
#include "tests/bench/alloc_counter.h"

namespace {

using namespace isupgw::mediagw::h248;

const std::string kRemoteSdp =
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const std::string kAddReply =
    "MEGACO/3 [127.0.0.95]:45760\nReply = 531735275 {\n\tContext = 1 {\n\t\tAdd = tdm/e1-0/1,\n\t\tAdd = rtp/1 {\n"
    "\t\t\tMedia {\n\t\t\t\tLocal { \nv=0\no=- 1 1 IN IP4 127.0.0.95\ns=-\nc=IN IP4 127.0.0.95\nt=0 0\n"
    "m=audio 40002 RTP/AVP 8\n\n\t\t\t\t}\n\t\t\t}\n\t\t}\n\t}\n}";
const std::string kModifyReply =
    "MEGACO/3 [127.0.0.95]:45760\nReply = 531735276 {\n\tContext = 1 {\n\t\tModify = rtp/1\n\t}\n}";
const std::string kSubtractReply =
    "MEGACO/3 [127.0.0.95]:45760\nReply = 531735277 {\n\tContext = 1 {\n\t\tSubtract = tdm/e1-0/1,\n"
    "\t\tSubtract = rtp/1\n\t}\n}";

Command command(CommandType t, std::string term) {
  Command c;
  c.type = t;
  c.termination_id = std::move(term);
  return c;
}

Message request(std::uint32_t tid, Action a) {
  Message m;
  m.mid = "[127.0.0.95]:54680";
  TransactionRequest r;
  r.id = tid;
  r.actions.push_back(std::move(a));
  m.transactions.emplace_back(std::move(r));
  return m;
}

// The models H248Calls sends for one call (media-gw/h248_calls.cpp).
Message add_request() {
  auto rtp = command(CommandType::kAdd, "$");
  rtp.media = MediaDescriptor{};
  rtp.media->stream.mode = StreamMode::kSendOnly;
  rtp.media->stream.local = "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 8\r\n";
  rtp.media->stream.remote = kRemoteSdp;
  return request(531735275, Action{ContextId::choose(), {command(CommandType::kAdd, "tdm/e1-0/1"), std::move(rtp)}});
}
Message modify_request() {
  auto mf = command(CommandType::kModify, "rtp/1");
  mf.media = MediaDescriptor{};
  mf.media->stream.mode = StreamMode::kSendRecv;
  mf.media->stream.remote = kRemoteSdp;
  return request(531735276, Action{ContextId::of(1), {std::move(mf)}});
}
Message subtract_request() {
  return request(531735277, Action{ContextId::of(1), {command(CommandType::kSubtract, "tdm/e1-0/1"),
                                                      command(CommandType::kSubtract, "rtp/1")}});
}

bool replies_parse() {
  for (const auto* r : {&kAddReply, &kModifyReply, &kSubtractReply}) {
    auto m = parse(*r);
    if (!m || m->transactions.size() != 1 || !std::holds_alternative<TransactionReply>(m->transactions[0]))
      return false;
  }
  return true;
}

// One call's codec work: three requests written, three replies read. Builds the models
// inside the loop, as the client does per transaction.
void call_cycle(benchmark::State& state, Style style) {
  if (!replies_parse()) {
    state.SkipWithError("a sample reply does not parse");
    return;
  }
  std::size_t bytes = 0;
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    for (const auto& m : {add_request(), modify_request(), subtract_request()}) {
      auto s = serialize(m, style);
      bytes += s.size();
      benchmark::DoNotOptimize(s);
    }
    for (const auto* r : {&kAddReply, &kModifyReply, &kSubtractReply}) {
      auto m = parse(*r);
      benchmark::DoNotOptimize(m);
    }
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["heap_allocs"] = static_cast<double>(isupgw::bench::allocations() - before) / n;
  state.counters["bytes_out"] = static_cast<double>(bytes) / n;
}
void BM_CallCyclePretty(benchmark::State& state) { call_cycle(state, Style::kPretty); }
void BM_CallCycleCompact(benchmark::State& state) { call_cycle(state, Style::kCompact); }
BENCHMARK(BM_CallCyclePretty);
BENCHMARK(BM_CallCycleCompact);

void BM_SerializeAdd(benchmark::State& state) {
  const Message m = add_request();
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    auto s = serialize(m, static_cast<Style>(state.range(0)));
    benchmark::DoNotOptimize(s);
  }
  state.counters["heap_allocs"] =
      static_cast<double>(isupgw::bench::allocations() - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SerializeAdd)->Arg(static_cast<int>(Style::kPretty))->Arg(static_cast<int>(Style::kCompact));

void BM_ParseAddReply(benchmark::State& state) {
  if (!replies_parse()) {
    state.SkipWithError("a sample reply does not parse");
    return;
  }
  const std::size_t before = isupgw::bench::allocations();
  for (auto _ : state) {
    auto m = parse(kAddReply);
    benchmark::DoNotOptimize(m);
  }
  state.counters["heap_allocs"] =
      static_cast<double>(isupgw::bench::allocations() - before) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ParseAddReply);

}  // namespace
