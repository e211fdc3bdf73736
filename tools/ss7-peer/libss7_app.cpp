#include "tools/ss7-peer/libss7_app.h"

#include <poll.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

namespace isupgw::tools::ss7peer {

namespace {

// libss7's callbacks carry no user pointer; one app per process.
Libss7App* g_app = nullptr;
bool g_verbose = false;
std::vector<std::string>* g_show = nullptr;

void on_message(struct ss7* /*ss7*/, char* m) {
  if (g_verbose) std::cerr << "libss7: " << m;
}
void on_error(struct ss7* /*ss7*/, char* m) { std::cerr << "libss7 error: " << m; }
int hangup_cb(struct ss7* /*ss7*/, int cic, unsigned int dpc, int cause, int do_hangup) {
  return g_app ? g_app->on_hangup(cic, dpc, cause, do_hangup) : SS7_CIC_NOT_EXISTS;
}
void call_null_cb(struct ss7* /*ss7*/, struct isup_call* c, int /*lock*/) {
  if (g_app) g_app->on_call_null(c);
}
void show_cb(int /*fd*/, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void show_cb(int /*fd*/, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (g_show) {
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    g_show->push_back(s);
  }
}

int to_int(const std::string& s) { return static_cast<int>(std::stol(s, nullptr, 10)); }

}  // namespace

Libss7App::Libss7App(const AppConfig& cfg, int fd, Print print) : cfg_(cfg), fd_(fd), print_(std::move(print)) {
  g_app = this;
  g_verbose = cfg.verbose;
  ss7_set_message(on_message);
  ss7_set_error(on_error);
  ss7_set_hangup(hangup_cb);
  ss7_set_call_null(call_null_cb);
  ss7_ = ss7_new(cfg.ansi ? SS7_ANSI : SS7_ITU);
  if (cfg.verbose) ss7_set_debug(ss7_, SS7_DEBUG_MTP2 | SS7_DEBUG_MTP3 | SS7_DEBUG_ISUP);
  ss7_set_network_ind(ss7_, SS7_NI_NAT);
  ss7_set_pc(ss7_, cfg.opc);
  ss7_add_link(ss7_, SS7_TRANSPORT_DAHDIDCHAN, fd, cfg.slc, cfg.dpc);
}

Libss7App::~Libss7App() {
  if (ss7_) ss7_destroy(ss7_);
  g_app = nullptr;
}

void Libss7App::start() { ss7_start(ss7_); }

void Libss7App::poll() {
  pollfd p{fd_, POLLIN, 0};
  while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
    if (ss7_read(ss7_, fd_) <= 0) break;
    p.revents = 0;
  }
  ss7_schedule_run(ss7_);
  if (ss7_pollflags(ss7_, fd_) & POLLOUT) ss7_write(ss7_, fd_);
  while (ss7_event* e = ss7_check_event(ss7_)) handle(e);
  while (!reevent_.empty()) {
    const auto [cic, opc] = reevent_.front();
    reevent_.erase(reevent_.begin());
    print_("event DUAL_SEIZURE cic=" + std::to_string(cic) + " backed_off=1");
    if (auto* c = call_for(cic, false, false)) {
      isup_clear_callflags(ss7_, c, ISUP_SENT_IAM);  // our IAM is given up (T7 stopped), as chan_dahdi does
      isup_event_iam(ss7_, c, static_cast<int>(opc));
    }
    while (ss7_event* e = ss7_check_event(ss7_)) handle(e);
  }
}

std::vector<std::string> Libss7App::calls() const {
  std::vector<std::string> lines;
  g_show = &lines;
  isup_show_calls(ss7_, show_cb, 1);
  g_show = nullptr;
  if (!lines.empty()) lines.erase(lines.begin());  // the header line
  return lines;
}

int Libss7App::on_hangup(int cic, unsigned dpc, int /*cause*/, int do_hangup) {
  if (!have(cic)) return SS7_CIC_NOT_EXISTS;
  // Q.764 2.10.1.4: dual seizure where the other exchange controls the circuit. libss7 gives up its
  // own call and asks its application (chan_dahdi does this when its channel has hung up) to take
  // the other exchange's IAM again: done on the next poll, outside libss7's receive path.
  if (do_hangup == SS7_HANGUP_REEVENT_IAM) {
    reevent_.push_back({cic, dpc});
    return SS7_CIC_USED;
  }
  // No channels behind the circuits: a CIC of ours is idle once libss7 asks (Q.764 2.9.3 reset).
  return SS7_CIC_IDLE;
}

void Libss7App::on_call_null(struct isup_call* c) {
  for (auto it = calls_.begin(); it != calls_.end(); ++it)
    if (it->second == c) {
      calls_.erase(it);
      return;
    }
}

void Libss7App::keep(int cic, struct isup_call* c) {
  if (c) calls_[cic] = c;
}

void Libss7App::clear_if_done(int cic) {
  auto it = calls_.find(cic);
  if (it == calls_.end()) return;
  if (isup_free_call_if_clear(ss7_, it->second) == nullptr) calls_.erase(it);
}

struct isup_call* Libss7App::call_for(int cic, bool create, bool outgoing) {
  auto it = calls_.find(cic);
  if (it != calls_.end()) return it->second;
  if (!create) return nullptr;
  struct isup_call* c = isup_new_call(ss7_, cic, cfg_.dpc, outgoing ? 1 : 0);
  keep(cic, c);
  return c;
}

void Libss7App::handle(ss7_event* e) {
  std::ostringstream o;
  o << "event ";
  int cic = -1;
  switch (e->e) {
    case SS7_EVENT_UP: o << "UP"; break;
    case SS7_EVENT_DOWN: o << "DOWN"; break;
    case MTP2_LINK_UP: o << "MTP2_UP"; break;
    case MTP2_LINK_DOWN: o << "MTP2_DOWN"; break;
    case ISUP_EVENT_IAM:
      cic = e->iam.cic;
      keep(cic, e->iam.call);
      o << "IAM cic=" << cic << " called=" << e->iam.called_party_num << " calling=" << e->iam.calling_party_num
        << " cpc=" << int(e->iam.calling_party_cat);
      break;
    case ISUP_EVENT_SAM:
      cic = e->sam.cic;
      o << "SAM cic=" << cic << " called=" << e->sam.called_party_num;
      break;
    case ISUP_EVENT_ACM:
      cic = e->acm.cic;
      keep(cic, e->acm.call);
      o << "ACM cic=" << cic << " called_status=" << int(e->acm.called_party_status_ind);
      break;
    case ISUP_EVENT_CPG:
      cic = e->cpg.cic;
      o << "CPG cic=" << cic << " event=" << int(e->cpg.event);
      break;
    case ISUP_EVENT_ANM:
      cic = e->anm.cic;
      o << "ANM cic=" << cic;
      break;
    case ISUP_EVENT_CON:
      cic = e->con.cic;
      o << "CON cic=" << cic;
      break;
    case ISUP_EVENT_REL:
      cic = e->rel.cic;
      keep(cic, e->rel.call);
      o << "REL cic=" << cic << " cause=" << e->rel.cause;
      isup_rlc(ss7_, e->rel.call);  // Q.764 2.3.1 c): RLC on REL, always
      break;
    case ISUP_EVENT_RLC:
      cic = e->rlc.cic;
      keep(cic, e->rlc.call);
      o << "RLC cic=" << cic;
      break;
    case ISUP_EVENT_RSC:
      cic = e->rsc.cic;
      keep(cic, e->rsc.call);
      o << "RSC cic=" << cic;
      isup_rlc(ss7_, e->rsc.call);  // Q.764 2.9.3.1
      break;
    case ISUP_EVENT_GRS: {
      cic = e->grs.startcic;
      keep(cic, e->grs.call);
      o << "GRS cic=" << cic << " end=" << e->grs.endcic;
      unsigned char state[255] = {};
      isup_gra(ss7_, e->grs.call, e->grs.endcic, state);  // Q.764 2.9.3.2: none blocked here
      break;
    }
    case ISUP_EVENT_GRA:
      cic = e->gra.startcic;
      keep(cic, e->gra.call);
      o << "GRA cic=" << cic << " end=" << e->gra.endcic;
      break;
    case ISUP_EVENT_BLO:
      cic = e->blo.cic;
      keep(cic, e->blo.call);
      o << "BLO cic=" << cic;
      isup_bla(ss7_, e->blo.call);
      break;
    case ISUP_EVENT_BLA:
      cic = e->bla.cic;
      keep(cic, e->bla.call);
      o << "BLA cic=" << cic;
      break;
    case ISUP_EVENT_UBL:
      cic = e->ubl.cic;
      keep(cic, e->ubl.call);
      o << "UBL cic=" << cic;
      isup_uba(ss7_, e->ubl.call);
      break;
    case ISUP_EVENT_UBA:
      cic = e->uba.cic;
      keep(cic, e->uba.call);
      o << "UBA cic=" << cic;
      break;
    case ISUP_EVENT_CGB:
      cic = e->cgb.startcic;
      keep(cic, e->cgb.call);
      o << "CGB cic=" << cic << " end=" << e->cgb.endcic << " type=" << e->cgb.type;
      isup_cgba(ss7_, e->cgb.call, e->cgb.endcic, e->cgb.status);
      break;
    case ISUP_EVENT_CGU:
      cic = e->cgu.startcic;
      keep(cic, e->cgu.call);
      o << "CGU cic=" << cic << " end=" << e->cgu.endcic << " type=" << e->cgu.type;
      isup_cgua(ss7_, e->cgu.call, e->cgu.endcic, e->cgu.status);
      break;
    case ISUP_EVENT_CGBA:
      cic = e->cgba.startcic;
      keep(cic, e->cgba.call);
      o << "CGBA cic=" << cic << " end=" << e->cgba.endcic;
      break;
    case ISUP_EVENT_CGUA:
      cic = e->cgua.startcic;
      keep(cic, e->cgua.call);
      o << "CGUA cic=" << cic << " end=" << e->cgua.endcic;
      break;
    case ISUP_EVENT_UCIC:
      cic = e->ucic.cic;
      o << "UCIC cic=" << cic;
      break;
    case ISUP_EVENT_CVT:
      // ANSI circuit validation test: libss7 decodes it and leaves the answer to the
      // application; its isup_cvr() sends the CIC and type only (no T1.113.3 indicators),
      // so this peer answers only on the `cvr` command.
      cic = e->cvt.cic;
      keep(cic, e->cvt.call);
      o << "CVT cic=" << cic;
      break;
    default: o << ss7_event2str(e->e); break;
  }
  print_(o.str());
  if (cic >= 0) clear_if_done(cic);
}

std::string Libss7App::command(const std::vector<std::string>& w) {
  const std::string& verb = w[0];
  auto arg = [&](std::size_t i, int dflt) { return i < w.size() ? to_int(w[i]) : dflt; };
  if (w.size() < 2) return "needs a CIC";
  const int cic = to_int(w[1]);
  if (verb == "call") {
    if (w.size() < 3) return "call CIC CALLED [CALLING]";
    struct isup_call* c = call_for(cic, true, true);
    if (!c) return "libss7 refused a call on CIC " + w[1];
    isup_set_called(c, w[2].c_str(), SS7_NAI_NATIONAL, ss7_);
    if (w.size() > 3)
      isup_set_calling(c, w[3].c_str(), SS7_NAI_NATIONAL, SS7_PRESENTATION_ALLOWED, SS7_SCREENING_USER_PROVIDED);
    isup_set_calling_party_category(c, 10);  // ordinary calling subscriber (Q.763 3.11)
    isup_iam(ss7_, c);
    return {};
  }
  if (verb == "group-reset" || verb == "group-block" || verb == "group-unblock") {
    const int range = arg(2, 0);
    struct isup_call* c = call_for(cic, true, false);
    if (!c) return "no call object";
    unsigned char state[255] = {};
    for (int i = 0; i <= range && i < 255; ++i) state[i] = 1;
    if (verb == "group-reset") isup_grs(ss7_, c, cic + range);
    if (verb == "group-block") isup_cgb(ss7_, c, cic + range, state, 0);  // type 0: maintenance (Q.763 3.13)
    if (verb == "group-unblock") isup_cgu(ss7_, c, cic + range, state, 0);
    return {};
  }
  if (verb == "cvr") {  // libss7's CVR (CIC and type only)
    isup_cvr(ss7_, cic, cfg_.dpc);
    return {};
  }
  if (verb == "reset" || verb == "block" || verb == "unblock") {
    struct isup_call* c = call_for(cic, true, false);
    if (!c) return "no call object";
    if (verb == "reset") isup_rsc(ss7_, c);
    if (verb == "block") isup_blo(ss7_, c);
    if (verb == "unblock") isup_ubl(ss7_, c);
    return {};
  }
  struct isup_call* c = call_for(cic, false, false);
  if (!c) return "no call on CIC " + w[1];
  if (verb == "acm")
    isup_acm(ss7_, c);
  else if (verb == "cpg")
    isup_cpg(ss7_, c, arg(2, 1));  // 1: alerting (Q.763 3.21)
  else if (verb == "answer")
    isup_anm(ss7_, c);
  else if (verb == "connect")
    isup_con(ss7_, c);
  else if (verb == "release")
    isup_rel(ss7_, c, arg(2, 16));
  else
    return "unknown command " + verb;
  return {};
}

}  // namespace isupgw::tools::ss7peer
