// libFuzzer target: the interworking rules on hostile input. The first octet
// picks the side: even = a SIP message (INVITE -> IAM on every profile,
// responses -> ACM/CPG, backward bases and causes, BYE/CANCEL -> causes and
// REL bases, INFO -> ISUP or a refusal, overlap), odd = an
// ISUP message in body form (IAM -> INVITE, ACM/CPG -> 18x, REL -> cause).
// Nothing may crash; what the rules build must encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "isup/codes.h"
#include "isup/message.h"
#include "mapping/interworking.h"
#include "mapping/isup_transparency.h"
#include "sip/message.h"

namespace {

using namespace isupgw;
using namespace isupgw::mapping;

void check(bool ok) {
  if (!ok) std::abort();
}

SipProfile profile(SipProfile::Kind kind, bool tel, RedirectionHeader redir, isup::Variant v) {
  SipProfile p;
  p.kind = kind;
  p.host = "192.0.2.10";
  p.tel_uri = tel;
  p.redirection = redir;
  p.variant = v;
  p.global_numbers = !tel;
  return p;
}

void sip_side(std::string_view data) {
  sip::Message m;
  if (!sip::parse_message(data, m).ok()) return;
  for (auto kind : {SipProfile::kSip, SipProfile::kSipI}) {
    for (auto v : {isup::Variant::kItu, isup::Variant::kAnsi}) {
      SipProfile p = profile(kind, v == isup::Variant::kAnsi, RedirectionHeader::kHistoryInfo, v);
      if (m.is_request()) {
        (void)cause_from_request(m);
        (void)release_basis(m, p);
        if (auto info = isup_in_info(m, p); !info) check(info.error().status == 400 || info.error().status == 415);
        if (m.method != sip::Method::kInvite) continue;
        auto r = setup_from_invite(m, p);
        if (r) {
          // What call control would put in an IAM must fit the codec.
          check(r->called.digits.size <= isup::kMaxDigits);
          for (const auto& o : r->optional) check(o.value.size() <= 255 && o.code != 0);
          (void)overlap_digits(r->called, m, p);
        } else {
          check(r.error().status >= 400 && r.error().status <= 699);
        }
      } else {
        (void)backward_from_provisional(m, false, p);
        (void)backward_from_provisional(m, true, p);
        if (auto b = backward_basis(m, p))
          check(b->type == isup::msg::kAcm || b->type == isup::msg::kCpg || b->type == isup::msg::kAnm ||
                b->type == isup::msg::kCon);
        (void)cause_from_response(m, p);
      }
    }
  }
}

void isup_side(std::span<const std::uint8_t> data) {
  for (auto v : {isup::Variant::kItu, isup::Variant::kEtsi, isup::Variant::kAnsi}) {
    isup::DecodeOptions opt;
    opt.form = isup::Form::kBody;
    auto m = isup::decode(data, v, opt);
    if (!m) continue;
    (void)cause_of_isup_body(data, v);
    for (auto redir : {RedirectionHeader::kHistoryInfo, RedirectionHeader::kDiversion}) {
      SipProfile p = profile(SipProfile::kSipI, redir == RedirectionHeader::kDiversion, redir, v);
      if (m->type == isup::msg::kIam) {
        isup::IncomingSetup s;
        s.iam = &*m;
        if (const isup::Param* c = m->find(isup::par::kCalledPartyNumber))
          if (auto n = isup::Number::decode(isup::NumberKind::kCalled, c->value)) s.called = *n;
        if (const isup::Param* c = m->find(isup::par::kCallingPartyNumber))
          if (auto n = isup::Number::decode(isup::NumberKind::kCalling, c->value)) s.calling = *n;
        InviteFields f = invite_from_setup(s, p);
        check(f.request_uri.find('\r') == std::string::npos && f.from.find('\n') == std::string::npos);
        for (const auto& [name, value] : f.headers) check(value.find('\r') == std::string::npos);
        (void)invite_with_more_digits(f, s.called, p);
      } else {
        isup::BackwardIndication ind;
        ind.msg = &*m;
        ind.alerting = data.size() > 1 && (data[1] & 1);
        ind.event = data.size() > 1 ? data[1] : 0;
        (void)provisional_from_backward(ind, false, p);
        (void)provisional_from_backward(ind, true, p);
        (void)info_for_isup(*m, p);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  if ((data[0] & 1) == 0) {
    sip_side(std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()));
  } else {
    isup_side(rest);
  }
  return 0;
}
