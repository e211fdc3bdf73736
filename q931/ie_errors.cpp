// Information element error handling (Q.931 5.8.5-5.8.7, EN 300 403-1 5.8):
// which IEs are recognised and mandatory, and what a receiver answers.
#include <algorithm>

#include "q931/codec.h"
#include "q931/ie.h"

namespace isupgw::q931 {

bool recognised_ie(std::uint8_t id) {
  if (id & 0x80) {
    // Single octet (Table 4-3): 1001 shift, 1010 0000 more data, 1010 0001 sending complete,
    // 1011 congestion level, 1101 repeat indicator.
    const std::uint8_t hi = id & 0xf0;
    return hi == 0x90 || id == 0xa0 || id == 0xa1 || hi == 0xb0 || hi == 0xd0;
  }
  switch (id) {
    case 0x00:  // segmented message
    case 0x04:  // bearer capability
    case 0x08:  // cause
    case 0x0d:  // extended facility (Q.932)
    case 0x10:  // call identity
    case 0x14:  // call state
    case 0x18:  // channel identification
    case 0x1c:  // facility (Q.932)
    case 0x1e:  // progress indicator
    case 0x20:  // network-specific facilities
    case 0x27:  // notification indicator
    case 0x28:  // display
    case 0x29:  // date/time
    case 0x2c:  // keypad facility
    case 0x34:  // signal
    case 0x40:  // information rate
    case 0x42:  // end-to-end transit delay
    case 0x43:  // transit delay selection and indication
    case 0x44:  // packet layer binary parameters
    case 0x45:  // packet layer window size
    case 0x46:  // packet size
    case 0x47:  // closed user group
    case 0x4a:  // reverse charge indication
    case 0x4c:  // connected number (Q.951)
    case 0x4d:  // connected subaddress (Q.951)
    case 0x6c:  // calling party number
    case 0x6d:  // calling party subaddress
    case 0x70:  // called party number
    case 0x71:  // called party subaddress
    case 0x74:  // redirecting number
    case 0x76:  // redirection number (Q.952)
    case 0x78:  // transit network selection
    case 0x79:  // restart indicator
    case 0x7c:  // low layer compatibility
    case 0x7d:  // high layer compatibility
    case 0x7e:  // user-user
    case 0x7f:  // escape for extension
      return true;
    default: return false;
  }
}

namespace {

bool present(const Message& m, std::uint8_t id) {
  switch (id) {
    case ie::kBearerCapability: return m.bearer_capability.has_value();
    case ie::kCause: return !m.causes.empty();
    case ie::kCallState: return m.call_state.has_value();
    case ie::kChannelIdentification: return m.channel_id.has_value();
    case ie::kProgressIndicator: return !m.progress.empty();
    case ie::kRestartIndicator: return m.restart_class.has_value();
    default: return std::any_of(m.other.begin(), m.other.end(), [&](const RawIe& r) { return r.id == id; });
  }
}

// Mandatory IEs of the basic-call messages (EN 300 403-1 / Q.931 3.1, 3.3),
// those a receiver can tell without the call's context: the cause of RELEASE and
// RELEASE COMPLETE is mandatory only in the first clearing message (3.1.9 note),
// call control's to judge.
std::vector<std::uint8_t> mandatory(std::uint8_t type, Sender from) {
  switch (type) {
    case msg::kProgress: return {ie::kProgressIndicator};  // 3.1.11
    case msg::kSetup:                                      // 3.1.14: channel identification M network -> user
      if (from == Sender::kNetwork) return {ie::kBearerCapability, ie::kChannelIdentification};
      return {ie::kBearerCapability};
    case msg::kDisconnect: return {ie::kCause};              // 3.1.5
    case msg::kStatus: return {ie::kCause, ie::kCallState};  // 3.1.16
    case msg::kNotify: return {ie::kNotificationIndicator};  // 3.1.10
    case msg::kRestart: return {ie::kRestartIndicator};      // 3.3.1
    case msg::kRestartAck: return {ie::kRestartIndicator};   // 3.3.2
    default: return {};
  }
}

bool clearing(std::uint8_t type) {
  return type == msg::kDisconnect || type == msg::kRelease || type == msg::kReleaseComplete;
}

bool has_error(const Message& m, std::uint8_t id, IeError::Kind kind) {
  return std::any_of(m.ie_errors.begin(), m.ie_errors.end(),
                     [&](const IeError& e) { return e.id == id && e.kind == kind; });
}

void add_unique(std::vector<std::uint8_t>& v, std::uint8_t id) {
  if (std::find(v.begin(), v.end(), id) == v.end()) v.push_back(id);
}

}  // namespace

IeVerdict check_ies(const Message& m, Sender from) {
  IeVerdict v;
  // 5.8.6: mandatory IEs missing (96) or with bad contents (100, dropped by the decoder).
  std::vector<std::uint8_t> missing, bad_mandatory;
  for (std::uint8_t id : mandatory(m.type, from)) {
    if (present(m, id)) continue;
    if (has_error(m, id, IeError::kInvalidContents))
      bad_mandatory.push_back(id);
    else
      missing.push_back(id);
  }
  // 5.8.7.1: an unrecognised "comprehension required" IE counts as a missing mandatory one.
  std::vector<std::uint8_t> unrecognised, bad_optional;
  for (const auto& e : m.ie_errors) {
    if (e.kind == IeError::kUnrecognised) {
      if (!(e.id & 0x80) && comprehension_required(e.id))
        add_unique(missing, e.id);
      else
        add_unique(unrecognised, e.id);
    } else if (e.kind == IeError::kInvalidContents &&
               std::find(bad_mandatory.begin(), bad_mandatory.end(), e.id) == bad_mandatory.end()) {
      add_unique(bad_optional, e.id);
    }
  }
  if (!missing.empty()) return IeVerdict{IeVerdict::kReject, 96, missing};
  if (!bad_mandatory.empty()) return IeVerdict{IeVerdict::kReject, 100, bad_mandatory};
  // 5.8.7: no STATUS for the clearing messages; the valid IEs are acted on either way. 5.8.7.1 a), b):
  // unrecognised IEs in a DISCONNECT or RELEASE give cause 99 in the RELEASE / RELEASE COMPLETE that
  // answers it; c) a RELEASE COMPLETE needs no answer.
  if (clearing(m.type)) {
    if (!unrecognised.empty() && m.type != msg::kReleaseComplete)
      return IeVerdict{IeVerdict::kProcessAndClear, 99, unrecognised};
    return v;
  }
  if (!bad_optional.empty()) return IeVerdict{IeVerdict::kProcessAndStatus, 100, bad_optional};
  if (!unrecognised.empty()) return IeVerdict{IeVerdict::kProcessAndStatus, 99, unrecognised};
  return v;
}

std::optional<Message> answer_ie_errors(const Message& received, const IeVerdict& v, std::uint8_t call_state,
                                        std::uint8_t location) {
  if (v.action == IeVerdict::kProcess) return std::nullopt;
  Message out;
  out.call_ref = received.call_ref;
  // 4.3: the answer's flag is the other side's; the dummy call reference (length 0) has none.
  if (received.call_ref.length != 0) out.call_ref.flag = !received.call_ref.flag;
  Cause c;
  c.location = location;
  c.value = v.cause;
  // 4.5.12: the Cause IE is at most 32 octets (identifier, length, octets 3, 3a, 4): 27 for diagnostics.
  constexpr std::size_t kMaxDiagnostics = 27;
  c.diagnostics.assign(v.diagnostics.begin(), v.diagnostics.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                          v.diagnostics.size(), kMaxDiagnostics)));
  out.causes.push_back(std::move(c));
  auto status = [&] {
    out.type = msg::kStatus;
    out.call_state = CallState{0, call_state};
    return out;
  };
  if (v.action == IeVerdict::kProcessAndStatus) return status();
  if (v.action == IeVerdict::kProcessAndClear) {  // 5.8.7.1 a), b)
    if (received.type == msg::kDisconnect)
      out.type = msg::kRelease;
    else if (received.type == msg::kRelease)
      out.type = msg::kReleaseComplete;
    else
      return std::nullopt;
    return out;
  }
  switch (received.type) {  // 5.8.6.1 a)-e), 5.8.6.2
    case msg::kSetup: out.type = msg::kReleaseComplete; return out;
    case msg::kDisconnect: out.type = msg::kRelease; return out;
    case msg::kRelease: out.type = msg::kReleaseComplete; return out;
    case msg::kReleaseComplete: return std::nullopt;
    default: return status();
  }
}

}  // namespace isupgw::q931
