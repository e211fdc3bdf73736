// The FSM kit (base/fsm.h) on a small machine: Q.764 2.8.2 maintenance
// blocking of one circuit (BLO/BLA, UBL/UBA, T12/T14 repeat the request).
#include "base/fsm.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace isupgw::fsm {
namespace {

enum class St : std::uint8_t { kUnblocked, kBlocking, kBlocked, kUnblocking };
enum class Ev : std::uint8_t { kBlockReq, kUnblockReq, kBla, kUba, kT12, kT14, kReset };
constexpr std::size_t kStates = 4, kEvents = 7;

std::string_view to_string(St s) {
  switch (s) {
    case St::kUnblocked: return "unblocked";
    case St::kBlocking: return "blocking";
    case St::kBlocked: return "blocked";
    case St::kUnblocking: return "unblocking";
  }
  return "?";
}
std::string_view to_string(Ev e) {
  switch (e) {
    case Ev::kBlockReq: return "block_req";
    case Ev::kUnblockReq: return "unblock_req";
    case Ev::kBla: return "BLA";
    case Ev::kUba: return "UBA";
    case Ev::kT12: return "T12";
    case Ev::kT14: return "T14";
    case Ev::kReset: return "RSC";
  }
  return "?";
}

enum class Act : std::uint8_t { kNone, kSendBlo, kSendUbl, kStopTimers };
using Row = fsm::Row<St, Ev, Act>;
std::string_view to_string(Act a) {
  switch (a) {
    case Act::kNone: return "none";
    case Act::kSendBlo: return "send_blo";
    case Act::kSendUbl: return "send_ubl";
    case Act::kStopTimers: return "stop_timers";
  }
  return "?";
}

constexpr auto kTable = make_table<kStates, kEvents, Row>({
    {in(St::kUnblocked, St::kBlocked), Ev::kBlockReq, St::kBlocking, Act::kSendBlo},
    {St::kBlocking, Ev::kBla, St::kBlocked, Act::kStopTimers},
    {St::kBlocking, Ev::kT12, stay, Act::kSendBlo},
    {in(St::kBlocking, St::kBlocked), Ev::kUnblockReq, St::kUnblocking, Act::kSendUbl},
    {St::kUnblocking, Ev::kUba, St::kUnblocked, Act::kStopTimers},
    {St::kUnblocking, Ev::kT14, stay, Act::kSendUbl},
    {St::kBlocked, Ev::kBla, stay},  // a repeated BLA: absorbed, no action
});

// The table answers osmo_fsm's questions at compile time.
static_assert(kTable.accepts(St::kBlocked) == in(Ev::kBlockReq, Ev::kUnblockReq, Ev::kBla));
static_assert(kTable.successors(St::kBlocking) == in(St::kBlocked, St::kBlocking, St::kUnblocking));
static_assert(kTable.find(St::kUnblocked, Ev::kBla) == nullptr);
static_assert(kTable.find(St::kBlocking, Ev::kT12)->to.stays());
static_assert(kTable.find(St::kBlocked, Ev::kBla)->action == Act::kNone);

struct FsmKit : ::testing::Test {
  std::vector<std::string> lines;
  Logger log{[this](std::string_view l) { lines.emplace_back(l); }};
  Counters counters;
  Options opts{.name = "blocking",
               .counters = "isup.blocking",
               .subsystem = Subsystem::kIsup,
               .transition_level = LogLevel::kDebug,
               .refused_level = LogLevel::kInfo,
               .refused_counter = "isup.blocking.unexpected",
               .label_key = "group",
               .id_key = "cic"};
  Meter<Row> meter{kTable, log, counters, opts};
  std::vector<Act> done;
  Machine<Row> m{meter, St::kUnblocked, Label{"pstn", 17}};

  bool fire(Ev e) {
    return m.fire(e, [this](Act a) { done.push_back(a); });
  }
  bool logged(std::string_view needle) const {
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
};

TEST_F(FsmKit, AcceptedEventMovesRunsTheActionAndIsCounted) {
  log.set_level(Subsystem::kIsup, LogLevel::kDebug);
  EXPECT_TRUE(fire(Ev::kBlockReq));
  EXPECT_EQ(m.state(), St::kBlocking);
  EXPECT_TRUE(fire(Ev::kT12));  // stays, repeats BLO
  EXPECT_EQ(m.state(), St::kBlocking);
  EXPECT_TRUE(fire(Ev::kBla));
  EXPECT_EQ(m.state(), St::kBlocked);
  EXPECT_EQ(done, (std::vector<Act>{Act::kSendBlo, Act::kSendBlo, Act::kStopTimers}));
  EXPECT_EQ(counters.value("isup.blocking.transitions"), 3u);
  EXPECT_EQ(counters.value("isup.blocking.event.block_req"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.event.T12"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.event.BLA"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.unexpected"), 0u);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("isup fsm.transition fsm=blocking group=pstn cic=17 from=unblocked event=block_req "
                          "to=blocking"),
            std::string::npos)
      << lines[0];
  EXPECT_TRUE(logged("from=blocking event=T12 to=blocking"));
}

TEST_F(FsmKit, RefusedEventIsCountedLoggedAndChangesNothing) {
  EXPECT_FALSE(fire(Ev::kUba));  // UBA while unblocked: not in the table
  EXPECT_FALSE(fire(Ev::kReset));
  EXPECT_EQ(m.state(), St::kUnblocked);
  EXPECT_TRUE(done.empty());
  EXPECT_EQ(counters.value("isup.blocking.unexpected"), 2u);
  EXPECT_EQ(counters.value("isup.blocking.unexpected.UBA"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.unexpected.RSC"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.transitions"), 0u);
  ASSERT_EQ(lines.size(), 2u);  // info level: refusals only
  EXPECT_NE(lines[0].find("isup fsm.refused fsm=blocking group=pstn cic=17 state=unblocked event=UBA"),
            std::string::npos)
      << lines[0];
}

TEST_F(FsmKit, RowWithoutActionIsStillATransition) {
  fire(Ev::kBlockReq);
  fire(Ev::kBla);
  done.clear();
  EXPECT_TRUE(fire(Ev::kBla));
  EXPECT_EQ(m.state(), St::kBlocked);
  EXPECT_EQ(done, std::vector<Act>{Act::kNone});
  EXPECT_EQ(counters.value("isup.blocking.event.BLA"), 2u);
}

TEST_F(FsmKit, CountersExistFromWiringOn) {
  // Resolved when the Meter is built: every per-event counter is listed at zero.
  for (const char* n : {"isup.blocking.transitions", "isup.blocking.unexpected", "isup.blocking.event.UBA",
                        "isup.blocking.unexpected.T14"}) {
    bool found = false;
    for (const auto& [name, v] : counters.snapshot())
      if (name == n) found = v == 0;
    EXPECT_TRUE(found) << n;
  }
}

TEST_F(FsmKit, SilentLoggerStillCounts) {
  log.set_level(Subsystem::kIsup, LogLevel::kOff);
  fire(Ev::kBlockReq);
  fire(Ev::kUba);
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(counters.value("isup.blocking.transitions"), 1u);
  EXPECT_EQ(counters.value("isup.blocking.unexpected"), 1u);
}

TEST_F(FsmKit, OptionalLogFieldsAndOwnNames) {
  Options o;
  o.counters = "mgcp.demo";
  o.subsystem = Subsystem::kMgcp;
  o.transition_level = LogLevel::kInfo;
  o.transition_log = "demo_transition";
  o.refused_log = "demo_ignored";
  o.label_key = "mg";
  Meter<Row> plain{kTable, log, counters, o};
  Machine<Row> x{plain, St::kUnblocked, Label{"mg1", 0}};
  x.step(Ev::kBlockReq);
  x.step(Ev::kBlockReq);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("mgcp demo_transition mg=mg1 from=unblocked event=block_req to=blocking"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("mgcp demo_ignored mg=mg1 state=blocking event=block_req"), std::string::npos) << lines[1];
  EXPECT_EQ(counters.value("mgcp.demo.refused"), 1u);
  EXPECT_EQ(counters.value("mgcp.demo.refused.block_req"), 1u);
}

TEST_F(FsmKit, TheActionAndOneExtraFieldOnTheTransitionLine) {
  Options o = opts;
  o.transition_level = LogLevel::kInfo;
  o.log_action = true;
  Meter<Row> with_action{kTable, log, counters, o};
  Machine<Row> x{with_action, St::kUnblocked, Label{"pstn", 3}};
  x.step(Ev::kBlockReq, "cause", 41);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("fsm.transition fsm=blocking group=pstn cic=3 from=unblocked event=block_req to=blocking "
                          "action=send_blo cause=41"),
            std::string::npos)
      << lines[0];
}

// The transition is committed before the action runs: the action may fire
// the next event itself, and sees the new state.
struct Owner {
  using R = fsm::Row<St, Ev, void (Owner::*)()>;
  static const Table<R, kStates, kEvents, 3> kRows;
  Machine<R> m;
  std::vector<St> seen;
  explicit Owner(const Meter<R>& meter) : m(meter, St::kUnblocked) {}
  bool fire(Ev e) {
    return m.fire(e, [this](auto a) {
      if (a) (this->*a)();
    });
  }
  void a_send_blo() {
    seen.push_back(m.state());
    fire(Ev::kBla);  // e.g. an acknowledgement that arrives synchronously
  }
  void a_stop() { seen.push_back(m.state()); }
};
constexpr Table<Owner::R, kStates, kEvents, 3> Owner::kRows = make_table<kStates, kEvents, Owner::R>({
    {St::kUnblocked, Ev::kBlockReq, St::kBlocking, &Owner::a_send_blo},
    {St::kBlocking, Ev::kBla, St::kBlocked, &Owner::a_stop},
    {St::kBlocked, Ev::kUba, stay},
});

TEST_F(FsmKit, MemberFunctionActionsAndNestedEvents) {
  Options o;
  o.counters = "demo";
  Meter<Owner::R> meter2{Owner::kRows, log, counters, o};
  Owner owner(meter2);
  EXPECT_TRUE(owner.fire(Ev::kBlockReq));
  EXPECT_EQ(owner.m.state(), St::kBlocked);
  EXPECT_EQ(owner.seen, (std::vector<St>{St::kBlocking, St::kBlocked}));
  EXPECT_TRUE(owner.fire(Ev::kUba));  // no action
  EXPECT_EQ(counters.value("demo.transitions"), 3u);
}

TEST(FsmTable, FaultsAreRefusedWhenTheTableIsBuilt) {
  // In a constexpr table these are compile errors; at run time make_table throws.
  const Row twice[] = {{St::kUnblocked, Ev::kBla, St::kBlocked}, {in(St::kBlocked, St::kUnblocked), Ev::kBla, stay}};
  EXPECT_THROW((make_table<kStates, kEvents, Row>(twice)), const char*);
  const Row bad_event[] = {{St::kUnblocked, static_cast<Ev>(9), St::kBlocked}};
  EXPECT_THROW((make_table<kStates, kEvents, Row>(bad_event)), const char*);
  const Row bad_state[] = {{St::kUnblocked, Ev::kBla, static_cast<St>(4)}};
  EXPECT_THROW((make_table<kStates, kEvents, Row>(bad_state)), const char*);
  const Row no_state[] = {{Set<St>{}, Ev::kBla, St::kBlocked}};
  EXPECT_THROW((make_table<kStates, kEvents, Row>(no_state)), const char*);
}

TEST(FsmSet, HoldsAndCombinesValues) {
  constexpr auto s = in(St::kBlocked, St::kUnblocking);
  static_assert(s.contains(St::kBlocked) && !s.contains(St::kBlocking));
  static_assert((s | St::kBlocking).contains(St::kBlocking));
  static_assert(Set<St>{}.empty());
}

}  // namespace
}  // namespace isupgw::fsm
