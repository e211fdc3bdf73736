// Messages and parameters IsupCallControl does not recognize (Q.764 2.9.5:
// the compatibility procedure, CFN) and CICs it does not have (2.12: UCIC).
#include "isup/isup_cc.h"

#include <algorithm>
#include <string>

#include "isup/codes.h"
#include "isup/params.h"

namespace isupgw::isup {

void IsupCallControl::unequipped_cic(TrunkGroup& g, std::uint16_t cic, std::uint8_t type) {
  count("isup.rx.unequipped_cic");
  log_.warn(Subsystem::kIsup, "rx.unequipped_cic", {{"group", g.config().name}, {"cic", cic}, {"type", type}});
  // Q.764 2.12: answer with UCIC (national option), never to a UCIC.
  if (!g.config().send_ucic || type == msg::kUcic) return;
  MessageBuilder b(msg::kUcic, cic);
  send_on(g, b);
}

void IsupCallControl::unknown_message(TrunkGroup& g, std::span<const std::uint8_t> data) {
  // Q.764 2.9.5.1: an unrecognized message. Messages added after 1992 carry
  // only an optional part, so the message compatibility information can be
  // found behind the optional-part pointer.
  count("isup.rx.unrecognized_message");
  if (data.size() < 3) return;
  const std::uint16_t cic = static_cast<std::uint16_t>((data[0] | (data[1] << 8)) & max_cic(g.config().variant));
  const std::uint8_t type = data[2];
  log_.warn(Subsystem::kIsup, "rx.unrecognized_message", {{"group", g.config().name}, {"cic", cic}, {"type", type}});
  Circuit* c = g.find(cic);
  if (c == nullptr) {
    unequipped_cic(g, cic, type);
    return;
  }
  std::optional<MessageCompatibilityInformation> mci;
  if (data.size() > 3 && data[3] != 0) {
    std::size_t p = 3 + data[3];
    while (p + 1 < data.size() && data[p] != 0) {
      const std::size_t len = data[p + 1];
      if (p + 2 + len > data.size()) break;
      if (data[p] == par::kMessageCompatibilityInformation) {
        auto d = MessageCompatibilityInformation::decode(data.subspan(p + 2, len));
        if (d) mci = *d;
        break;
      }
      p += 2 + len;
    }
  }
  const std::uint8_t diag[1] = {type};
  if (mci && mci->release_call) {
    release_for_compatibility(*c, cause::kMessageTypeNonExistent);
    return;
  }
  // Without instructions (or discard with notification): CFN cause 97 naming the message type.
  if (!mci || mci->send_notification) send_cause(g, cic, msg::kCfn, cause::kMessageTypeNonExistent, diag);
}

void IsupCallControl::release_for_compatibility(Circuit& c, int cause) {
  const CallId id = c.call().call_id();
  if (id == 0) return;
  if (c.call().release(cause)) user_->on_release(id, ReleaseIndication{cause});
}

bool IsupCallControl::check_parameters(TrunkGroup& g, Circuit& c, const Message& m) {
  // Q.764 2.9.5.2: unrecognized optional parameters, with the instructions of
  // the parameter compatibility information when present.
  const Variant v = g.config().variant;
  std::vector<std::uint8_t> discarded;  // CFN cause 99 diagnostics
  bool notify_discard_message = false;
  bool discard_message = false;
  std::optional<ParameterCompatibilityInformation> pci;
  if (const Param* p = m.find(par::kParameterCompatibilityInformation)) {
    auto d = ParameterCompatibilityInformation::decode(p->value);
    if (d) pci = *d;
  }
  for (const auto& p : m.optional) {
    if (!param_name(p.code, v).empty()) continue;
    count("isup.rx.unrecognized_parameter");
    std::uint8_t ins = 0;
    bool have = false;
    if (pci)
      for (const auto& e : pci->entries)
        if (e.parameter == p.code && !e.instructions.empty()) {
          ins = e.instructions[0];
          have = true;
        }
    if (!have) {  // default: discard the parameter and notify
      discarded.push_back(p.code);
      continue;
    }
    const bool release_call = ins & 0x02, send_notification = ins & 0x04, discard_msg = ins & 0x08,
               discard_param = ins & 0x10;
    if (release_call) {
      if (m.type != msg::kRel && m.type != msg::kRlc) release_for_compatibility(c, cause::kParameterNonExistent);
      return false;
    }
    if (discard_msg) {
      discard_message = true;
      notify_discard_message = notify_discard_message || send_notification;
    } else {
      // Discard the parameter (or pass on, impossible at an end node): it is simply not interpreted.
      (void)discard_param;
      if (send_notification) discarded.push_back(p.code);
    }
  }
  if (m.type == msg::kCfn) return !discard_message;  // never answer a CFN with a CFN
  if (discard_message) {
    if (notify_discard_message) {
      const std::uint8_t diag[1] = {m.type};
      send_cause(g, m.cic, msg::kCfn, cause::kMessageWithParameterDiscarded, diag);
    }
    return false;
  }
  if (!discarded.empty()) send_cause(g, m.cic, msg::kCfn, cause::kParameterNonExistent, discarded);
  return true;
}

}  // namespace isupgw::isup
