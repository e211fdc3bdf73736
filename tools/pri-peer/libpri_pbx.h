// The PBX in pri-peer: one libpri `struct pri` (Asterisk's Q.921 + Q.931 and
// its ISDN call control) on one D channel. What this class adds is only what
// libpri leaves to its application (chan_dahdi's part): which B channel a call
// takes, freeing calls once libpri reports them cleared, clearing the calls of
// a restarted channel, the commands a script gives and the auto modes (answer,
// busy, unallocated, no answer; overlap receiving up to N digits; hold for H ms).
// Every event is printed, one line each: `NAME key=value...` (see pri_peer_main.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include <libpri.h>
}

namespace isupgw::tools::pripeer {

using SteadyTime = std::chrono::steady_clock::time_point;
using Ms = std::chrono::milliseconds;

enum class Auto { kNone, kAnswer, kBusy, kUnallocated, kNoAnswer };
// "answer", "busy", "unallocated", "noanswer", "off"; nullopt for anything else.
std::optional<Auto> parse_auto(const std::string& s);

struct PbxConfig {
  int node = PRI_CPE;  // PRI_CPE (user side) or PRI_NETWORK
  int switchtype = PRI_SWITCH_EUROISDN_E1;
  std::vector<int> channels;  // the B channels (E1: 1-15, 17-31)
  Auto auto_mode = Auto::kNone;
  Ms ring_delay{0};          // auto answer: ALERTING at once, CONNECT after this
  Ms hold{0};                // auto answer: libpri clears an answered call after this (0: the far end clears)
  // Overlap sending and receiving (libpri's overlapdial: Sending complete only when the number is,
  // INFORMATION digits reported); auto modes send SETUP ACK until the called number has min_digits.
  bool overlap = false;
  std::size_t min_digits = 0;
  int debug = 0;               // pri_set_debug flags
};

class LibpriPbx {
 public:
  using Print = std::function<void(const std::string& line)>;
  // `fd`: the D channel (a SOCK_SEQPACKET socket, one Q.921 frame + 2 FCS octets a datagram).
  LibpriPbx(const PbxConfig& cfg, int fd, Print print);
  LibpriPbx(const LibpriPbx&) = delete;
  LibpriPbx& operator=(const LibpriPbx&) = delete;

  int fd() const { return fd_; }
  // The D channel is readable: one frame to libpri.
  void on_readable(SteadyTime now);
  // Due libpri timers and our own deadlines (ring delay, hold, restart sequence).
  void on_time(SteadyTime now);
  // The earliest time on_time() has something to do.
  std::optional<SteadyTime> next_due(SteadyTime now) const;
  // A script command. Empty string: done; else the error.
  std::string command(const std::vector<std::string>& words, SteadyTime now);
  // `STATUS ...` and one `BUSY channel=C call=N state=S` line per busy channel.
  std::vector<std::string> status() const;
  // libpri's own count of call records (pri_dump_info_str "Total active-calls").
  int libpri_calls() const;
  std::size_t busy_channels() const { return calls_.size(); }
  bool restarting() const { return !restart_queue_.empty() || restart_pending_; }
  bool loading() const { return load_.has_value(); }

 private:
  struct Call {
    int id = 0;
    q931_call* call = nullptr;
    int channel = 0;  // B channel number (0 until known)
    bool incoming = false;
    std::string state;
    std::string called;
    std::optional<SteadyTime> answer_at, hangup_at;
    bool load = false;      // one of a `load` run's calls
    bool answered = false;
  };
  // `load N NUMBER [rate=R] [hold=MS]`: N calls from libpri at R a second, each cleared by libpri
  // H ms after the answer; ends with `LOAD done calls=N answered=A failed=F`.
  struct Load {
    int total = 0, started = 0, answered = 0, failed = 0;
    std::string number;
    Ms interval{50};
    Ms hold{0};
    SteadyTime next{};
  };
  std::string call_out(const std::vector<std::string>& w, bool load);
  void load_step(SteadyTime now);
  void ended(const Call& c);
  void handle(pri_event* e, SteadyTime now);
  void on_ring(const pri_event_ring& r, SteadyTime now);
  void auto_act(Call& c, SteadyTime now);
  Call* by_call(q931_call* c);
  Call* by_id(int id);
  void forget(q931_call* c);
  void release(Call& c, int cause);
  int pick_channel() const;
  bool channel_busy(int ch) const;
  void clear_channel(int ch, const char* why);  // every call on B channel ch (0: all) freed
  void next_restart(SteadyTime now);
  std::string line_for(const char* name, const Call& c) const;

  PbxConfig cfg_;
  int fd_;
  Print print_;
  struct pri* pri_ = nullptr;
  std::map<int, Call> calls_;  // by our call id
  // Calls the application has hung up whose clearing libpri has not finished: their B channel is not
  // hunted again until RELEASE (COMPLETE) came (Q.931 5.3.3 / 5.3.4: the channel is released then), at
  // most until the deadline (T305 + 2 x T308 with room).
  std::map<q931_call*, std::pair<int, SteadyTime>> clearing_;
  int next_id_ = 1;
  // `restart` (the whole interface): libpri 1.6 restarts one channel at a time (class "indicated
  // channel", Q.931 5.5.1; its RESTART has one outstanding at once), so the channels go in turn.
  std::deque<int> restart_queue_;
  bool restart_pending_ = false;
  int restart_channel_ = 0;
  SteadyTime restart_deadline_{};
  std::map<std::string, long> counts_;
  std::optional<Load> load_;
};

}  // namespace isupgw::tools::pripeer
