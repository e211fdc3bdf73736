// DSS1 <-> ISUP / SIP call set-up, overlap and progress (Q.699 with the ISUP <->
// SIP rules of interworking.h). See dss1_map.h for what each rule rests on.
#include "mapping/dss1_map.h"

#include "isup/codes.h"

namespace isupgw::mapping {
namespace {

bool has_pi(const std::vector<q931::ProgressIndicator>& pis, std::uint8_t description) {
  for (const auto& p : pis)
    if (p.description == description) return true;
  return false;
}

q931::ProgressIndicator pi(std::uint8_t description) {
  q931::ProgressIndicator p;
  p.location = 2;  // public network serving the local user (Q.931 4.5.23); we are the network side's agent
  p.description = description;
  return p;
}

}  // namespace

bool inband_available(const std::vector<q931::ProgressIndicator>& pis) {
  return has_pi(pis, progress::kNotEndToEndIsdn) || has_pi(pis, progress::kDestinationNonIsdn) ||
         has_pi(pis, progress::kInbandAvailable);
}

// ---------------------------------------------------------------- call set-up

Result<isup::SetupRequest, std::uint8_t> iam_from_setup(const q931::Message& setup, const PriNumbering& n) {
  if (!setup.bearer_capability) return Err(std::uint8_t{96});  // mandatory information element is missing
  const auto bearer = bearer_from_bc(*setup.bearer_capability);
  if (!bearer) return Err(std::uint8_t{65});  // bearer capability not implemented
  if (!setup.called) return Err(std::uint8_t{96});
  auto called = isup_called_from_dss1(*setup.called, n, setup.sending_complete);
  if (!called) return Err(std::uint8_t{28});  // invalid number format
  isup::SetupRequest req;
  req.called = *called;
  req.calling = isup_calling_from_dss1(setup.calling, n);
  req.transmission_medium = tmr_for(*bearer);
  req.user_service_information = usi_from_bc(*setup.bearer_capability);
  const bool non_isdn_origin = has_pi(setup.progress, progress::kOriginationNonIsdn);
  const bool interworking = non_isdn_origin || has_pi(setup.progress, progress::kNotEndToEndIsdn);
  req.forward.isdn_access = !non_isdn_origin;
  req.forward.interworking = interworking;
  req.forward.isup_all_the_way = !interworking;
  req.forward.isup_preference = 1;  // ISUP not required all the way (basic call)
  return req;
}

q931::Message setup_from_isup(const isup::Number& called, const std::optional<isup::Number>& calling, std::uint8_t tmr,
                              std::span<const std::uint8_t> usi, const isup::ForwardCallIndicators& fci, bool a_law) {
  q931::Message m;
  m.type = q931::msg::kSetup;
  m.bearer_capability = bc_from_isup(usi, tmr, a_law);
  Dss1Called c = dss1_called_from_isup(called);
  m.called = std::move(c.number);
  m.sending_complete = c.complete;
  if (calling) m.calling = dss1_calling_from_isup(*calling);
  if (fci.interworking || !fci.isup_all_the_way) m.progress.push_back(pi(progress::kNotEndToEndIsdn));
  if (!fci.isdn_access) m.progress.push_back(pi(progress::kOriginationNonIsdn));
  if (m.progress.size() > 2) m.progress.resize(2);  // at most two (Q.931 4.5.23)
  return m;
}

isup::SetupRequest request_from_iam(const isup::IncomingSetup& in) {
  isup::SetupRequest req;
  req.called = in.called;
  req.calling = in.calling;
  if (in.calling_category != 0) req.calling_category = in.calling_category;
  req.forward = isup::ForwardCallIndicators{};
  req.forward.isup_all_the_way = true;
  req.forward.isdn_access = true;
  req.transmission_medium = 3;  // 3.1 kHz audio
  req.user_service_information.clear();
  if (in.iam != nullptr) {
    if (const isup::Param* p = in.iam->find(isup::par::kForwardCallIndicators))
      if (auto f = isup::ForwardCallIndicators::decode(p->value)) req.forward = *f;
    if (const isup::Param* p = in.iam->find(isup::par::kTransmissionMediumRequirement))
      if (!p->value.empty()) req.transmission_medium = p->value[0];
    if (const isup::Param* p = in.iam->find(isup::par::kUserServiceInformation))
      req.user_service_information.assign(p->value.begin(), p->value.end());
  }
  return req;
}

q931::Message setup_from_iam(const isup::IncomingSetup& in, bool a_law) {
  const isup::SetupRequest req = request_from_iam(in);
  q931::Message m = setup_from_isup(req.called, req.calling, req.transmission_medium, req.user_service_information,
                                    req.forward, a_law);
  if (!in.complete) m.sending_complete = false;
  return m;
}

Result<q931::Message, Rejection> setup_from_sip(const sip::Message& invite, const SipProfile& profile) {
  auto req = setup_from_invite(invite, profile);
  if (!req) return Err(req.error());
  return setup_from_isup(req->called, req->calling, req->transmission_medium, req->user_service_information,
                         req->forward, profile.a_law);
}

Result<InviteFields, std::uint8_t> invite_from_dss1(const q931::Message& setup, const PriNumbering& n,
                                                    const SipProfile& profile) {
  auto req = iam_from_setup(setup, n);
  if (!req) return Err(req.error());
  isup::IncomingSetup in;
  in.called = req->called;
  in.calling = req->calling;
  in.complete = setup.sending_complete;
  InviteFields f = invite_from_setup(in, profile);
  if (f.release_cause != 0) return Err(f.release_cause);
  f.bearer = *bearer_from_bc(*setup.bearer_capability);  // iam_from_setup accepted it
  f.codecs = codecs_for(f.bearer, profile.a_law);
  f.telephone_event = f.bearer != Bearer::kUdi64;
  return f;
}

// ---------------------------------------------------------------- overlap

bool append_information(q931::PartyNumber& called_so_far, const q931::Message& information) {
  if (information.called) called_so_far.digits += information.called->digits;
  return information.sending_complete;
}

isup::Number sam_from_information(const q931::Message& information) {
  isup::Number out;
  out.kind = isup::NumberKind::kSubsequent;
  if (information.called)
    for (char c : information.called->digits)
      if (c >= '0' && c <= '9') out.digits.push_back(c);
  if (information.sending_complete) out.digits.push_back('F');
  return out;
}

q931::Message information_from_digits(const isup::Number& subsequent, const q931::PartyNumber& setup_called) {
  q931::Message m;
  m.type = q931::msg::kInformation;
  Dss1Called c = dss1_called_from_isup(subsequent);
  q931::PartyNumber p;
  p.type = setup_called.type;
  p.plan = setup_called.plan;
  p.digits = std::move(c.number.digits);
  if (!p.digits.empty()) m.called = std::move(p);
  m.sending_complete = c.complete;
  return m;
}

Result<InviteFields, std::uint8_t> invite_with_more_dss1_digits(const InviteFields& previous,
                                                                const q931::PartyNumber& called_so_far,
                                                                const PriNumbering& n, const SipProfile& profile) {
  auto called = isup_called_from_dss1(called_so_far, n, false);
  if (!called) return Err(std::uint8_t{28});
  return invite_with_more_digits(previous, *called, profile);
}

// ---------------------------------------------------------------- progress

std::optional<IsupBackward> isup_backward_from_dss1(const q931::Message& m, bool acm_sent) {
  IsupBackward b;
  const bool inband = inband_available(m.progress);
  if (m.type == q931::msg::kAlerting) {
    b.indication.alerting = true;
    b.indication.event = acm_sent ? 1 : 0;  // CPG alerting
  } else if (m.type == q931::msg::kProgress) {
    b.indication.event = acm_sent ? (inband ? 3 : 2) : 0;  // CPG in-band information / progress
  } else {
    return std::nullopt;
  }
  b.indication.inband = inband;
  b.bci.called_status = b.indication.alerting ? 1 : 0;  // subscriber free / no indication
  b.bci.interworking = has_pi(m.progress, progress::kNotEndToEndIsdn);
  b.bci.isdn_access = !has_pi(m.progress, progress::kDestinationNonIsdn);
  b.bci.isup_all_the_way = !b.bci.interworking;
  return b;
}

std::optional<ProvisionalFields> provisional_from_dss1(const q931::Message& m, const SipProfile& profile) {
  auto b = isup_backward_from_dss1(m, false);
  if (!b) return std::nullopt;
  return provisional_from_backward(b->indication, false, profile);
}

std::optional<q931::Message> dss1_backward_from_isup(const isup::BackwardIndication& ind,
                                                     const isup::BackwardCallIndicators* bci) {
  q931::Message m;
  const bool alerting = ind.alerting || ind.event == 1;
  m.type = alerting ? q931::msg::kAlerting : q931::msg::kProgress;
  if (bci != nullptr && (bci->interworking || !bci->isup_all_the_way))
    m.progress.push_back(pi(progress::kNotEndToEndIsdn));
  if (bci != nullptr && !bci->isdn_access) m.progress.push_back(pi(progress::kDestinationNonIsdn));
  if ((ind.inband || ind.event == 3) && m.progress.size() < 2) m.progress.push_back(pi(progress::kInbandAvailable));
  if (!alerting && m.progress.empty()) return std::nullopt;  // PROGRESS needs a progress indicator
  return m;
}

std::optional<q931::Message> dss1_backward_from_sip(const sip::Message& response, const SipProfile& profile) {
  const BackwardAction a = backward_from_provisional(response, false, profile);
  if (a.kind == BackwardAction::kNone) return std::nullopt;
  q931::Message m;
  m.type = a.kind == BackwardAction::kAlert ? q931::msg::kAlerting : q931::msg::kProgress;
  if (a.inband) m.progress.push_back(pi(progress::kInbandAvailable));
  if (m.type == q931::msg::kProgress && m.progress.empty()) return std::nullopt;
  return m;
}

}  // namespace isupgw::mapping
