#include "tools/pri-peer/libpri_pbx.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace isupgw::tools::pripeer {

namespace {

// libpri keeps time in gettimeofday() (pri_schedule_next); the rest of us in steady time.
std::optional<SteadyTime> to_steady(const timeval* tv, SteadyTime now) {
  if (!tv) return std::nullopt;
  timeval wall;
  gettimeofday(&wall, nullptr);
  const long long us = (static_cast<long long>(tv->tv_sec) - wall.tv_sec) * 1000000LL + (tv->tv_usec - wall.tv_usec);
  return now + std::chrono::microseconds(std::max(0LL, us));
}

int chan_no(int encoded) { return encoded == -1 ? -1 : encoded & 0xff; }  // the channel number in libpri's encoding (ds1 << 8 | channel)

int parse_int(const std::string& s) { return std::stoi(s); }

// key=value words after position `from`.
std::map<std::string, std::string> options(const std::vector<std::string>& w, std::size_t from) {
  std::map<std::string, std::string> o;
  for (std::size_t i = from; i < w.size(); ++i) {
    const auto eq = w[i].find('=');
    if (eq == std::string::npos)
      o[w[i]] = "";
    else
      o[w[i].substr(0, eq)] = w[i].substr(eq + 1);
  }
  return o;
}

// Type of number + numbering plan as libpri takes them (ISDN/E.164 plan, Q.931 4.5.8).
int plan_for(const std::string& ton) {
  if (ton == "international") return PRI_INTERNATIONAL_ISDN;
  if (ton == "subscriber" || ton == "local") return PRI_LOCAL_ISDN;
  if (ton == "unknown") return PRI_UNKNOWN;
  return PRI_NATIONAL_ISDN;
}

}  // namespace

std::optional<Auto> parse_auto(const std::string& s) {
  if (s == "answer") return Auto::kAnswer;
  if (s == "busy") return Auto::kBusy;
  if (s == "unallocated") return Auto::kUnallocated;
  if (s == "noanswer") return Auto::kNoAnswer;
  if (s == "off") return Auto::kNone;
  return std::nullopt;
}

LibpriPbx::LibpriPbx(const PbxConfig& cfg, int fd, Print print) : cfg_(cfg), fd_(fd), print_(std::move(print)) {
  pri_ = pri_new(fd_, cfg_.node, cfg_.switchtype);
  if (!pri_) {
    print_("FAIL pri_new");
    std::exit(2);
  }
  pri_set_debug(pri_, cfg_.debug);
  // Without overlapdial libpri puts Sending complete in every EuroISDN SETUP (its transmit_sending_complete).
  pri_set_overlapdial(pri_, cfg_.overlap ? 1 : 0);
  // libpri 1.6 has no destructor for a struct pri: it stays reachable until exit (no leak report).
  static auto* kept = new std::vector<struct pri*>;
  kept->push_back(pri_);
}

LibpriPbx::Call* LibpriPbx::by_call(q931_call* c) {
  for (auto& [id, call] : calls_)
    if (call.call == c) return &call;
  return nullptr;
}

LibpriPbx::Call* LibpriPbx::by_id(int id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second;
}

void LibpriPbx::forget(q931_call* c) {
  for (auto it = calls_.begin(); it != calls_.end(); ++it)
    if (it->second.call == c) {
      calls_.erase(it);
      return;
    }
}

bool LibpriPbx::channel_busy(int ch) const {
  const auto now = std::chrono::steady_clock::now();
  return std::any_of(calls_.begin(), calls_.end(), [&](const auto& kv) { return kv.second.channel == ch; }) ||
         std::any_of(clearing_.begin(), clearing_.end(),
                     [&](const auto& kv) { return kv.second.first == ch && now < kv.second.second; });
}

int LibpriPbx::pick_channel() const {
  for (int ch : cfg_.channels)
    if (!channel_busy(ch)) return ch;
  return 0;
}

std::string LibpriPbx::line_for(const char* name, const Call& c) const {
  std::string s = std::string(name) + " call=" + std::to_string(c.id);
  if (c.channel > 0) s += " channel=" + std::to_string(c.channel);
  return s;
}

// libpri's own clearing: pri_hangup() sends DISCONNECT, RELEASE or RELEASE COMPLETE as the call's
// state asks (Q.931 5.3) and frees the call when done. Like chan_dahdi, the B channel is idle to the
// application from then on; libpri's own record is counted by libpri_calls().
// A call gone from the application's view: a load run counts it.
void LibpriPbx::ended(const Call& c) {
  if (!c.load || !load_) return;
  if (c.answered)
    ++load_->answered;
  else
    ++load_->failed;
}

void LibpriPbx::release(Call& c, int cause) {
  // libpri refuses a call still in the call present state by RELEASE COMPLETE for the causes of
  // Q.931 5.3.2 a) (1, 34, 44, 81, 82, 88); for any other it sends DISCONNECT, and only once the
  // call is "alive": after CALL PROCEEDING. So, as chan_dahdi does, the call proceeds first.
  static const std::set<int> release_complete = {1, 34, 44, 81, 82, 88};
  const bool refused = c.incoming && c.state == "present" && release_complete.count(cause);
  if (c.incoming && c.state == "present" && !refused) pri_proceeding(pri_, c.call, c.channel, 0);
  pri_hangup(pri_, c.call, cause);
  // RELEASE COMPLETE ends the call at once; DISCONNECT / RELEASE hold the channel until libpri's clearing ends.
  if (!refused && c.channel > 0)
    clearing_[c.call] = {c.channel, std::chrono::steady_clock::now() + std::chrono::seconds(10)};
  ended(c);
  calls_.erase(c.id);
}

void LibpriPbx::clear_channel(int ch, const char* why) {
  for (auto it = clearing_.begin(); it != clearing_.end();)
    it = ch <= 0 || it->second.first == ch ? clearing_.erase(it) : std::next(it);
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (ch <= 0 || it->second.channel == ch) {
      print_(line_for("CLEARED", it->second) + " reason=" + why);
      pri_destroycall(pri_, it->second.call);  // Q.931 5.5: the restarted channel's call is gone, no message
      ended(it->second);
      it = calls_.erase(it);
    } else {
      ++it;
    }
  }
}

void LibpriPbx::on_readable(SteadyTime now) { handle(pri_check_event(pri_), now); }

void LibpriPbx::on_time(SteadyTime now) {
  if (const timeval* tv = pri_schedule_next(pri_)) {
    timeval wall;
    gettimeofday(&wall, nullptr);
    if (timercmp(&wall, tv, >=)) handle(pri_schedule_run(pri_), now);
  }
  std::vector<int> due;
  for (auto& [id, c] : calls_)
    if ((c.answer_at && now >= *c.answer_at) || (c.hangup_at && now >= *c.hangup_at)) due.push_back(id);
  for (int id : due) {
    Call* c = by_id(id);
    if (!c) continue;
    if (c->hangup_at && now >= *c->hangup_at) {
      c->hangup_at.reset();
      print_(line_for("HANGUP_SENT", *c) + " cause=16");
      release(*c, PRI_CAUSE_NORMAL_CLEARING);
      ++counts_["hungup"];
      continue;
    }
    c->answer_at.reset();
    pri_answer(pri_, c->call, c->channel, 0);
    c->state = "connect";
    ++counts_["answered"];
    if (cfg_.hold.count() > 0) c->hangup_at = now + cfg_.hold;
  }
  load_step(now);
  if (restart_pending_ && now >= restart_deadline_) {
    print_("RESTART_FAIL channel=" + std::to_string(restart_channel_));
    restart_pending_ = false;
    next_restart(now);
  }
}

std::optional<SteadyTime> LibpriPbx::next_due(SteadyTime now) const {
  std::optional<SteadyTime> t = to_steady(pri_schedule_next(pri_), now);
  auto take = [&](const std::optional<SteadyTime>& x) {
    if (x && (!t || *x < *t)) t = x;
  };
  for (const auto& [id, c] : calls_) {
    take(c.answer_at);
    take(c.hangup_at);
  }
  if (restart_pending_) take(restart_deadline_);
  if (load_ && load_->started < load_->total) take(load_->next);
  return t;
}

void LibpriPbx::next_restart(SteadyTime now) {
  if (restart_queue_.empty()) {
    print_("RESTARTED");
    return;
  }
  restart_channel_ = restart_queue_.front();
  restart_queue_.pop_front();
  clear_channel(restart_channel_, "restart");
  if (pri_reset(pri_, restart_channel_) != 0) {
    print_("RESTART_FAIL channel=" + std::to_string(restart_channel_));
    next_restart(now);
    return;
  }
  restart_pending_ = true;
  // T316 (2 min, Q.931 table 9-1) is libpri's; a script waits no more than 10 s a channel.
  restart_deadline_ = now + std::chrono::seconds(10);
}

void LibpriPbx::on_ring(const pri_event_ring& r, SteadyTime now) {
  forget(r.call);  // a stale record with a pointer libpri reused
  Call c;
  c.id = next_id_++;
  c.call = r.call;
  c.incoming = true;
  c.called = r.callednum;
  c.state = "present";
  // The network names the B channel (Q.931 5.1.2); "any" or preferred-only: the PBX takes one.
  const int ch = chan_no(r.channel);
  c.channel = (ch > 0 && ch != 0xff && !channel_busy(ch)) ? ch : (r.flexible || ch <= 0 || ch == 0xff ? pick_channel() : ch);
  calls_[c.id] = c;
  ++counts_["rings"];
  print_(line_for("RING", c) + " called=" + r.callednum + " calling=" + r.callingnum +
         " complete=" + std::to_string(r.complete ? 1 : 0));
  if (cfg_.auto_mode == Auto::kNone) return;
  Call& kept = calls_[c.id];
  if (cfg_.overlap && !r.complete && kept.called.size() < cfg_.min_digits) {
    pri_need_more_info(pri_, kept.call, kept.channel, 0);  // SETUP ACKNOWLEDGE: overlap receiving (5.2.4)
    kept.state = "overlap";
    return;
  }
  auto_act(kept, now);
}

void LibpriPbx::auto_act(Call& c, SteadyTime now) {
  switch (cfg_.auto_mode) {
    case Auto::kNone: return;
    case Auto::kBusy:
      print_(line_for("HANGUP_SENT", c) + " cause=17");
      ++counts_["auto_busy"];
      release(c, PRI_CAUSE_USER_BUSY);
      return;
    case Auto::kUnallocated:
      print_(line_for("HANGUP_SENT", c) + " cause=1");
      ++counts_["auto_unallocated"];
      release(c, PRI_CAUSE_UNALLOCATED);
      return;
    case Auto::kAnswer:
    case Auto::kNoAnswer:
      pri_proceeding(pri_, c.call, c.channel, 0);
      pri_acknowledge(pri_, c.call, c.channel, 0);  // ALERTING
      c.state = "alerting";
      if (cfg_.auto_mode == Auto::kAnswer) c.answer_at = now + cfg_.ring_delay;
      return;
  }
}

void LibpriPbx::handle(pri_event* e, SteadyTime now) {
  if (!e) return;
  switch (e->e) {
    case PRI_EVENT_DCHAN_UP: print_("DCHAN UP"); return;
    case PRI_EVENT_DCHAN_DOWN: print_("DCHAN DOWN"); return;
    case PRI_EVENT_CONFIG_ERR: print_("CONFIG_ERR"); return;
    case PRI_EVENT_RING: on_ring(e->ring, now); return;
    case PRI_EVENT_INFO_RECEIVED: {
      Call* c = by_call(e->ring.call);
      if (!c) return;
      c->called += e->ring.callednum;
      print_(line_for("INFO", *c) + " digits=" + e->ring.callednum + " called=" + c->called +
             " complete=" + std::to_string(e->ring.complete ? 1 : 0));
      if (c->state == "overlap" && (e->ring.complete || c->called.size() >= cfg_.min_digits)) auto_act(*c, now);
      return;
    }
    case PRI_EVENT_KEYPAD_DIGIT: {
      Call* c = by_call(e->digit.call);
      if (c) print_(line_for("KEYPAD", *c) + " digits=" + e->digit.digits);
      return;
    }
    case PRI_EVENT_SETUP_ACK: {
      Call* c = by_call(e->setup_ack.call);
      if (!c) return;
      c->state = "overlap_sending";
      print_(line_for("SETUP_ACK", *c));
      return;
    }
    case PRI_EVENT_PROCEEDING: {
      Call* c = by_call(e->proceeding.call);
      if (!c) return;
      c->state = "proceeding";
      print_(line_for("PROCEEDING", *c));
      return;
    }
    case PRI_EVENT_PROGRESS: {
      Call* c = by_call(e->proceeding.call);
      if (c) print_(line_for("PROGRESS", *c));
      return;
    }
    case PRI_EVENT_RINGING: {
      Call* c = by_call(e->ringing.call);
      if (!c) return;
      c->state = "alerting";
      print_(line_for("RINGING", *c));
      return;
    }
    case PRI_EVENT_ANSWER: {
      Call* c = by_call(e->answer.call);
      if (!c) return;
      c->state = "active";
      c->answered = true;
      ++counts_["answered_out"];
      if (c->load && load_) c->hangup_at = now + load_->hold;
      print_(line_for("ANSWER", *c));
      return;
    }
    case PRI_EVENT_CONNECT_ACK: {
      Call* c = by_call(e->connect_ack.call);
      if (!c) return;
      c->state = "active";
      print_(line_for("CONNECT_ACK", *c));
      return;
    }
    case PRI_EVENT_HANGUP_REQ: {  // DISCONNECT received: libpri asks us to clear (RELEASE)
      Call* c = by_call(e->hangup.call);
      const int cause = e->hangup.cause;
      if (!c) {
        pri_hangup(pri_, e->hangup.call, cause);
        return;
      }
      print_(line_for("HANGUP", *c) + " cause=" + std::to_string(cause) + " by=remote");
      ++counts_["cleared"];
      release(*c, cause);
      return;
    }
    case PRI_EVENT_HANGUP: {  // RELEASE / RELEASE COMPLETE received: pri_hangup() frees libpri's call
      clearing_.erase(e->hangup.call);
      Call* c = by_call(e->hangup.call);
      const int cause = e->hangup.cause;
      if (c) {
        print_(line_for("HANGUP", *c) + " cause=" + std::to_string(cause) + " by=remote");
        ++counts_["cleared"];
        ended(*c);
        calls_.erase(c->id);
      }
      pri_hangup(pri_, e->hangup.call, cause);
      return;
    }
    case PRI_EVENT_HANGUP_ACK: {  // our clearing complete; libpri freed the call
      clearing_.erase(e->hangup.call);
      Call* c = by_call(e->hangup.call);
      if (c) {
        ended(*c);
        calls_.erase(c->id);
      }
      print_("HANGUP_ACK cause=" + std::to_string(e->hangup.cause));
      return;
    }
    case PRI_EVENT_RESTART: {  // libpri acknowledged it already (RESTART ACKNOWLEDGE, Q.931 5.5.2)
      const int ch = chan_no(e->restart.channel);
      const bool all = ch <= 0 || ch == 0xff;
      print_(std::string("RESTART channel=") + (all ? "all" : std::to_string(ch)));
      ++counts_["restarts_in"];
      clear_channel(all ? 0 : ch, "restart");
      return;
    }
    case PRI_EVENT_RESTART_ACK: {
      const int ch = chan_no(e->restartack.channel);
      print_("RESTART_ACK channel=" + std::to_string(ch));
      if (restart_pending_ && ch == restart_channel_) {
        restart_pending_ = false;
        next_restart(now);
      }
      return;
    }
    case PRI_EVENT_NOTIFY: print_("NOTIFY info=" + std::to_string(e->notify.info)); return;
    default: print_(std::string("EVENT ") + pri_event2str(e->e)); return;
  }
}

std::string LibpriPbx::command(const std::vector<std::string>& w, SteadyTime now) {
  const std::string& cmd = w[0];
  if (cmd == "call") return call_out(w, false);
  if (cmd == "auto") {  // `auto MODE [ring-delay=MS] [hold=MS]`: the auto mode from now on
    const auto mode = w.size() > 1 ? parse_auto(w[1]) : std::nullopt;
    if (!mode) return "auto answer|busy|unallocated|noanswer|off [ring-delay=MS] [hold=MS]";
    const auto o = options(w, 2);
    cfg_.auto_mode = *mode;
    if (o.count("ring-delay")) cfg_.ring_delay = Ms(parse_int(o.at("ring-delay")));
    if (o.count("hold")) cfg_.hold = Ms(parse_int(o.at("hold")));
    // Said back, so that a script sends its SETUP only once the mode holds.
    print_("AUTO mode=" + w[1] + " ring-delay=" + std::to_string(cfg_.ring_delay.count()) +
           " hold=" + std::to_string(cfg_.hold.count()));
    return {};
  }
  if (cmd == "load") {
    if (w.size() < 3) return "load N NUMBER [rate=R] [hold=MS]";
    if (load_) return "a load run is under way";
    const auto o = options(w, 3);
    Load l;
    l.total = parse_int(w[1]);
    l.number = w[2];
    const double rate = o.count("rate") ? std::stod(o.at("rate")) : 20.0;
    if (l.total <= 0 || rate <= 0) return "load N NUMBER [rate=R] [hold=MS]";
    l.interval = Ms(static_cast<long>(1000.0 / rate));
    l.hold = o.count("hold") ? Ms(parse_int(o.at("hold"))) : Ms(0);
    l.next = now;
    load_ = l;
    load_step(now);
    return {};
  }
  if (cmd == "restart") {
    if (restarting()) return "a restart is under way";
    if (w.size() > 1 && w[1] != "all") {
      restart_queue_.push_back(parse_int(w[1]));
    } else {
      restart_queue_.assign(cfg_.channels.begin(), cfg_.channels.end());
    }
    next_restart(now);
    return {};
  }
  // Commands on a call: `answer [call=N]`, `reject CAUSE [call=N]`, `info DIGITS [call=N]` ...
  // (no call=N: the only call there is).
  static const std::set<std::string> on_call = {"answer", "alert", "proceeding", "more", "busy",
                                                "reject", "hangup", "info"};
  if (!on_call.count(cmd)) return "unknown command";
  std::string arg, id;
  for (std::size_t i = 1; i < w.size(); ++i) {
    if (w[i].rfind("call=", 0) == 0)
      id = w[i].substr(5);
    else
      arg = w[i];
  }
  Call* c = !id.empty() ? by_id(parse_int(id)) : (calls_.size() == 1 ? &calls_.begin()->second : nullptr);
  if (!c) return "no such call";
  if (cmd == "answer") {
    pri_answer(pri_, c->call, c->channel, 0);
    c->state = "connect";
    ++counts_["answered"];
  } else if (cmd == "alert") {
    pri_acknowledge(pri_, c->call, c->channel, 0);
    c->state = "alerting";
  } else if (cmd == "proceeding") {
    pri_proceeding(pri_, c->call, c->channel, 0);
    c->state = "proceeding";
  } else if (cmd == "more") {
    pri_need_more_info(pri_, c->call, c->channel, 0);  // SETUP ACKNOWLEDGE (Q.931 5.2.4)
    c->state = "overlap";
  } else if (cmd == "busy" || cmd == "reject" || cmd == "hangup") {
    if (cmd == "reject" && arg.empty()) return "reject CAUSE [call=N]";
    const int cause = cmd == "busy" ? PRI_CAUSE_USER_BUSY : arg.empty() ? PRI_CAUSE_NORMAL_CLEARING : parse_int(arg);
    print_(line_for("HANGUP_SENT", *c) + " cause=" + std::to_string(cause));
    release(*c, cause);
  } else if (cmd == "info") {
    if (arg.empty()) return "info DIGITS [call=N]";
    for (char d : arg) pri_information(pri_, c->call, d);  // INFORMATION, overlap sending (Q.931 5.1.3)
    c->called += arg;
  }
  return {};
}

std::string LibpriPbx::call_out(const std::vector<std::string>& w, bool load) {
  if (w.size() < 2) return "call NUMBER [calling=N] [channel=N] [ton=national|international|subscriber|unknown] [overlap]";
  const auto o = options(w, 2);
  Call c;
  c.id = next_id_++;
  c.incoming = false;
  c.called = w[1];
  c.channel = o.count("channel") ? parse_int(o.at("channel")) : pick_channel();
  if (c.channel <= 0) return "no idle B channel";
  if (channel_busy(c.channel)) return "B channel " + std::to_string(c.channel) + " busy";
  c.call = pri_new_call(pri_);
  if (!c.call) return "pri_new_call failed (D channel down?)";
  const int plan = plan_for(o.count("ton") ? o.at("ton") : "national");
  std::string called = w[1], calling = o.count("calling") ? o.at("calling") : "";
  pri_sr* sr = pri_sr_new();
  pri_sr_set_channel(sr, c.channel, 1, 0);  // exclusive (Q.931 4.5.13)
  pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
  pri_sr_set_called(sr, called.data(), plan, o.count("overlap") ? 0 : 1);
  if (!calling.empty()) pri_sr_set_caller(sr, calling.data(), nullptr, plan, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
  const int rc = pri_setup(pri_, c.call, sr);
  pri_sr_free(sr);
  if (rc != 0) {
    pri_destroycall(pri_, c.call);
    return "pri_setup failed";
  }
  c.state = "setup";
  c.load = load;
  calls_[c.id] = c;
  ++counts_["calls_out"];
  print_(line_for("CALLING", c) + " called=" + called);
  return {};
}

void LibpriPbx::load_step(SteadyTime now) {
  if (!load_) return;
  while (load_->started < load_->total && now >= load_->next) {
    ++load_->started;
    load_->next += load_->interval;
    const std::string err = call_out({"call", load_->number}, true);
    if (!err.empty()) {  // no idle B channel, D channel down: the attempt fails here
      ++load_->failed;
      print_("LOAD attempt=" + std::to_string(load_->started) + " failed: " + err);
    }
  }
  if (load_->started == load_->total && load_->answered + load_->failed == load_->total) {
    print_("LOAD done calls=" + std::to_string(load_->total) + " answered=" + std::to_string(load_->answered) +
           " failed=" + std::to_string(load_->failed));
    load_.reset();
  }
}

int LibpriPbx::libpri_calls() const {
  char* info = pri_dump_info_str(pri_);
  if (!info) return -1;
  int n = -1;
  if (const char* p = std::strstr(info, "Total active-calls:")) n = std::atoi(p + std::strlen("Total active-calls:"));
  std::free(info);
  return n;
}

std::vector<std::string> LibpriPbx::status() const {
  std::vector<std::string> out;
  std::string s = "STATUS channels=" + std::to_string(cfg_.channels.size()) + " busy=" +
                  std::to_string(calls_.size()) + " idle=" + std::to_string(cfg_.channels.size() - calls_.size()) +
                  " libpri_calls=" + std::to_string(libpri_calls());
  for (const auto& [k, v] : counts_) s += " " + k + "=" + std::to_string(v);
  out.push_back(s);
  for (const auto& [id, c] : calls_)
    out.push_back("BUSY channel=" + std::to_string(c.channel) + " call=" + std::to_string(id) + " state=" + c.state +
                  " dir=" + (c.incoming ? "in" : "out"));
  return out;
}

}  // namespace isupgw::tools::pripeer
