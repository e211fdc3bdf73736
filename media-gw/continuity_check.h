// Continuity check of TDM circuits through their media gateway (Q.764 2.1.8,
// Q.724 7.4; MGCP RFC 3435 with the trunk package of RFC 3660).
//
// The ISUP side asks, per circuit endpoint:
//  - incoming exchange: connect_loop() / disconnect_loop(): a connection in
//    mode "loopback" returns the check tone to the far exchange;
//  - outgoing exchange: start_test(): a connection in mode "conttest", the
//    check tone requested with S: T/co1 and its outcome with R: T/oc, T/of
//    (operation complete / failed). No outcome within T24 (< 2 s, Q.764
//    annex A) is a failure. The result is reported once, then the test
//    connection is deleted.
//
// One state machine per endpoint, a table on the FSM kit (base/fsm.h): every
// transition is counted (mgcp.cot.*) and logged (cot.transition), an event its
// state does not accept is counted and logged (cot.ignored). No sockets: commands go through MgcpClient; NTFYs come
// back through on_notify() (wire MgcpClient::on_notify to it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/counters.h"
#include "base/fsm.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "media-gw/mgcp_client.h"

namespace isupgw::mediagw {

struct ContinuityConfig {
  Clock::duration t24 = std::chrono::seconds(2);  // Q.764 annex A: T24 < 2 s
};

enum class CotState : std::uint8_t {
  kIdle,
  kLoopConnecting,  // incoming: CRCX M: loopback sent
  kLooped,          // incoming: loop in place
  kTestConnecting,  // outgoing: CRCX M: conttest sent
  kToneRequested,   // outgoing: RQNT S: T/co1 R: T/oc,T/of sent, waiting for NTFY (T24 running)
  kDeleting,        // DLCX sent
};
inline constexpr std::size_t kCotStates = static_cast<std::size_t>(CotState::kDeleting) + 1;
std::string_view to_string(CotState s);

enum class CotEvent : std::uint8_t {
  kConnectLoop,
  kDisconnectLoop,
  kStartTest,
  kCreated,       // CRCX 2xx
  kCreateFailed,  // CRCX error or timeout
  kPassed,        // NTFY O: T/oc
  kFailed,        // NTFY O: T/of, RQNT refused
  kT24,           // no outcome in time
  kDeleted,       // DLCX answered (any outcome)
};
inline constexpr std::size_t kCotEvents = static_cast<std::size_t>(CotEvent::kDeleted) + 1;
std::string_view to_string(CotEvent e);

class ContinuityChecker {
 public:
  using Done = std::function<void(bool passed)>;
  // The table's actions (continuity_check.cpp).
  enum class Action : std::uint8_t {
    kCrcxLoop,
    kCrcxTest,
    kLoopReady,       // honour a disconnect requested while connecting
    kMarkDisconnect,  // remember to delete the loop once it exists
    kDlcx,
    kRqnt,  // request the check tone and its outcome, start T24
    kReportPassDlcx,
    kReportFailDlcx,
    kReportFailForget,  // nothing was created: report and forget
    kForget,
  };
  using Row = fsm::Row<CotState, CotEvent, Action>;

  ContinuityChecker(MgcpClient& client, TimerService& timers, Logger& log, Counters& counters,
                    ContinuityConfig cfg = {});
  ~ContinuityChecker();
  ContinuityChecker(const ContinuityChecker&) = delete;
  ContinuityChecker& operator=(const ContinuityChecker&) = delete;

  void connect_loop(const std::string& endpoint);
  void disconnect_loop(const std::string& endpoint);
  // `done` is called exactly once (not from inside this call).
  void start_test(const std::string& endpoint, Done done);
  // An NTFY received by the client; true if it reported a test of ours.
  bool on_notify(const mgcp::Command& ntfy);

  CotState state(std::string_view endpoint) const;
  std::size_t active() const { return circuits_.size(); }

 private:
  struct Circuit {
    explicit Circuit(const fsm::Meter<Row>& meter) : m(meter, CotState::kIdle) {}
    fsm::Machine<Row> m;  // labelled with the endpoint (the map's key) once inserted
    std::string call_id;
    std::string connection_id;
    std::string request_id;
    bool disconnect_pending = false;  // disconnect_loop() while the CRCX was in flight
    bool outgoing = false;
    TimerService::Id t24 = 0;
    Done done;
    std::uint64_t generation = 0;  // guards callbacks of an earlier use of the endpoint
  };

  void fire(const std::string& endpoint, CotEvent ev);
  Circuit& add(const std::string& endpoint);
  void send_crcx(const std::string& endpoint, Circuit& c, mgcp::ConnectionMode mode);
  void send_rqnt(const std::string& endpoint, Circuit& c);
  void send_dlcx(const std::string& endpoint, Circuit& c);
  void report(Circuit& c, bool passed);
  Circuit* find(const std::string& endpoint, std::uint64_t generation);

  MgcpClient& client_;
  TimerService& timers_;
  Logger& log_;
  ContinuityConfig cfg_;
  fsm::Meter<Row> meter_;
  Counter& loops_;
  Counter& passed_;
  Counter& failed_;
  Counter& busy_;
  std::map<std::string, Circuit, std::less<>> circuits_;
  std::uint64_t next_generation_ = 1;
  std::uint64_t next_id_ = 1;
};

}  // namespace isupgw::mediagw
