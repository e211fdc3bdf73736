// The application side of libss7 in ss7-peer: one `struct ss7` (libss7's own
// MTP3, ISUP and call control) on one signalling link, the descriptor given by
// ss7-peer (its end of the socketpair). What this class adds is only what
// libss7 leaves to its application (chan_dahdi's part): answering RSC/GRS/BLO/
// UBL/CGB/CGU and REL with their acknowledgements, freeing calls when clear,
// and the commands a script gives. Every event libss7 reports is printed, one
// line each, as `event NAME key=value...`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include <libss7.h>
}

namespace isupgw::tools::ss7peer {

struct AppConfig {
  bool ansi = false;
  unsigned opc = 0;
  unsigned dpc = 0;
  int slc = 0;
  int first_cic = 1;  // the circuits this exchange has (others: SS7_CIC_NOT_EXISTS to libss7)
  int last_cic = 31;
  bool verbose = false;
};

class Libss7App {
 public:
  using Print = std::function<void(const std::string& line)>;
  // `fd`: libss7's end of the socketpair (non-blocking).
  Libss7App(const AppConfig& cfg, int fd, Print print);
  ~Libss7App();
  Libss7App(const Libss7App&) = delete;
  Libss7App& operator=(const Libss7App&) = delete;

  void start();
  // One slice: frames in, due timers, one signal unit out (libss7's DAHDIDCHAN always asks
  // for POLLOUT, so each slice writes one unit: the pacing), events out.
  void poll();
  // A script command ("call 5 1234 5550001", "answer 5", ...). Empty string: done; else the error.
  std::string command(const std::vector<std::string>& words);
  // libss7's own view: the calls on its list (isup_show_calls), one line each.
  std::vector<std::string> calls() const;

  // libss7 callbacks (plain C function pointers, no user data: routed through one instance).
  int on_hangup(int cic, unsigned dpc, int cause, int do_hangup);
  void on_call_null(struct isup_call* c);

 private:
  void handle(ss7_event* e);
  void keep(int cic, struct isup_call* c);
  void clear_if_done(int cic);
  struct isup_call* call_for(int cic, bool create, bool outgoing);
  bool have(int cic) const { return cic >= cfg_.first_cic && cic <= cfg_.last_cic; }

  AppConfig cfg_;
  int fd_;
  Print print_;
  struct ss7* ss7_ = nullptr;
  std::map<int, struct isup_call*> calls_;  // our handle per CIC while libss7 keeps the call
  struct Reevent {
    int cic;
    unsigned opc;
  };
  std::vector<Reevent> reevent_;  // IAMs to take again after a dual seizure we lost
};

}  // namespace isupgw::tools::ss7peer
