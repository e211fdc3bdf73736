// Q.931 message framing (Q.931 4.1-4.5): protocol discriminator, call
// reference, message type, then information elements -- single-octet ones
// (bit 8 set) and variable-length ones (identifier, length, contents).
#include "q931/codec.h"

#include <algorithm>
#include <cstdio>

#include "q931/ie.h"

namespace isupgw::q931 {
namespace {

using Span = std::span<const std::uint8_t>;
CodecError err(Fault f, std::uint8_t ie = 0) { return CodecError{f, ie}; }

// One occurrence of a modelled IE into its slot: a repetition beyond what the
// slot holds is dropped (5.8.5.2: the first occurrences are handled), contents
// that do not parse are dropped (5.8.6.2 / 5.8.7.2), both recorded.
template <class T, class Parse>
void take(std::optional<T>& slot, std::uint8_t id, Parse parse, Message& m) {
  if (slot) return m.ie_errors.push_back(IeError{id, IeError::kRepeated});
  T v{};
  if (!parse(v)) return m.ie_errors.push_back(IeError{id, IeError::kInvalidContents});
  slot = std::move(v);
}
template <class T, class Parse>
void take(std::vector<T>& slots, std::size_t max, std::uint8_t id, Parse parse, Message& m) {
  if (slots.size() == max) return m.ie_errors.push_back(IeError{id, IeError::kRepeated});
  T v{};
  if (!parse(v)) return m.ie_errors.push_back(IeError{id, IeError::kInvalidContents});
  slots.push_back(std::move(v));
}

void parse_ie(std::uint8_t id, Span v, Message& m) {
  switch (id) {
    case ie::kBearerCapability:
      return take(
          m.bearer_capability, id, [&](auto& o) { return ies::parse(v, o); }, m);
    case ie::kCause:
      return take(
          m.causes, 2, id, [&](auto& o) { return ies::parse(v, o); }, m);
    case ie::kCallState:
      return take(
          m.call_state, id, [&](auto& o) { return ies::parse(v, o); }, m);
    case ie::kChannelIdentification:
      return take(
          m.channel_id, id, [&](auto& o) { return ies::parse(v, o); }, m);
    case ie::kProgressIndicator:
      return take(
          m.progress, 2, id, [&](auto& o) { return ies::parse(v, o); }, m);
    case ie::kDisplay:
      return take(
          m.display, id, [&](auto& o) { return ies::parse_ia5(v, o); }, m);
    case ie::kKeypadFacility:
      return take(
          m.keypad, id, [&](auto& o) { return ies::parse_ia5(v, o); }, m);
    case ie::kCallingPartyNumber:
      return take(
          m.calling, id, [&](auto& o) { return ies::parse(v, o, true); }, m);
    case ie::kCalledPartyNumber:
      return take(
          m.called, id, [&](auto& o) { return ies::parse(v, o, false); }, m);
    case ie::kRestartIndicator:
      return take(
          m.restart_class, id, [&](auto& o) { return ies::parse_restart(v, o); }, m);
    default:
      if (!recognised_ie(id)) m.ie_errors.push_back(IeError{id, IeError::kUnrecognised});
      m.other.push_back(RawIe{id, {v.begin(), v.end()}});
      return;
  }
}

bool is_shift(std::uint8_t o) { return (o & 0xf0) == ie::kShift; }

}  // namespace

std::uint8_t CodecError::cause() const {
  switch (fault) {
    case Fault::kTooShort:
    case Fault::kProtocolDiscriminator:
    case Fault::kCallReferenceLength: return 95;  // invalid message, unspecified (5.8.1-5.8.3)
    case Fault::kMessageType: return 97;          // message type non-existent or not implemented
    default: return 100;                          // invalid information element contents (5.8.6.2)
  }
}

std::string CodecError::to_string() const {
  static constexpr std::string_view kNames[] = {"message too short",
                                                "protocol discriminator not 0x08",
                                                "call reference longer than 2 octets",
                                                "escape message type",
                                                "information element runs past the message",
                                                "invalid information element contents",
                                                "information element repeated",
                                                "value out of range"};
  std::string s(kNames[static_cast<int>(fault)]);
  if (ie) {
    char buf[24];
    std::snprintf(buf, sizeof buf, " (IE 0x%02x)", ie);
    s += buf;
  }
  return s + " (cause " + std::to_string(cause()) + ")";
}

Result<Message, CodecError> decode(std::span<const std::uint8_t> b) {
  if (b.size() < 3) return Err(err(Fault::kTooShort));
  if (b[0] != kProtocolDiscriminator) return Err(err(Fault::kProtocolDiscriminator));
  Message m;
  // Octet 2: bits 4-1 the call reference length (4.3).
  const std::size_t crl = b[1] & 0x0f;
  if ((b[1] & 0xf0) || crl > 2) return Err(err(Fault::kCallReferenceLength));
  if (b.size() < 3 + crl) return Err(err(Fault::kTooShort));
  m.call_ref.length = static_cast<std::uint8_t>(crl);
  if (crl > 0) {
    m.call_ref.flag = b[2] & 0x80;
    m.call_ref.value = b[2] & 0x7f;
    if (crl == 2) m.call_ref.value = m.call_ref.value << 8 | b[3];
  }
  std::size_t i = 2 + crl;
  if (b[i] & 0x80) return Err(err(Fault::kMessageType));
  m.type = b[i++];
  while (i < b.size()) {
    const std::uint8_t id = b[i];
    if (is_shift(id)) {  // 4.5.2-4.5.4: codesets 5-7 follow; kept as received
      m.shifted.assign(b.begin() + static_cast<std::ptrdiff_t>(i), b.end());
      break;
    }
    if (id & 0x80) {  // single-octet IE (4.5.1)
      if (id == ie::kSendingComplete) {
        if (m.sending_complete) m.ie_errors.push_back(IeError{id, IeError::kRepeated});
        m.sending_complete = true;
      } else {
        if (!recognised_ie(id)) m.ie_errors.push_back(IeError{id, IeError::kUnrecognised});
        m.other.push_back(RawIe{id, {}});
      }
      ++i;
      continue;
    }
    if (i + 2 > b.size() || i + 2 + b[i + 1] > b.size()) {
      // The last IE runs past the message: its contents are not all there (5.8.6.2 / 5.8.7.2).
      m.ie_errors.push_back(IeError{id, IeError::kInvalidContents});
      break;
    }
    const std::size_t len = b[i + 1];
    parse_ie(id, b.subspan(i + 2, len), m);
    i += 2 + len;
  }
  std::stable_sort(m.other.begin(), m.other.end(), [](const RawIe& x, const RawIe& y) { return x.id < y.id; });
  return m;
}

Result<std::vector<std::uint8_t>, CodecError> encode(const Message& m) {
  const auto& cr = m.call_ref;
  if (cr.length > 2 || (m.type & 0x80)) return Err(err(Fault::kEncode));
  if (cr.length == 0 && (cr.value || cr.flag)) return Err(err(Fault::kEncode));
  if (cr.value >= (cr.length == 0 ? 1u : cr.length == 1 ? 0x80u : 0x8000u)) return Err(err(Fault::kEncode));
  if (m.causes.size() > 2 || m.progress.size() > 2) return Err(err(Fault::kEncode));
  if (!m.shifted.empty() && !is_shift(m.shifted[0])) return Err(err(Fault::kEncode, ie::kShift));
  std::vector<std::uint8_t> out = {kProtocolDiscriminator, cr.length};
  if (cr.length == 1) out.push_back(static_cast<std::uint8_t>((cr.flag ? 0x80 : 0) | cr.value));
  if (cr.length == 2) {
    out.push_back(static_cast<std::uint8_t>((cr.flag ? 0x80 : 0) | cr.value >> 8));
    out.push_back(static_cast<std::uint8_t>(cr.value));
  }
  out.push_back(m.type);

  // Every IE as (identifier, octets), then in ascending identifier order (4.5.1);
  // modelled IEs before raw ones of the same identifier.
  struct Item {
    std::uint8_t id;
    bool single;
    std::vector<std::uint8_t> body;
  };
  std::vector<Item> items;
  bool ok = true;
  auto add = [&](std::uint8_t id, auto&& writer) {
    Item it{id, false, {}};
    ok = ok && writer(it.body);
    if (ok && it.body.size() > 255) ok = false;
    if (!ok) return;
    items.push_back(std::move(it));
  };
  std::uint8_t bad_id = 0;
  auto track = [&](std::uint8_t id) {
    if (ok) bad_id = id;
  };
  if (m.bearer_capability) {
    track(ie::kBearerCapability);
    add(ie::kBearerCapability, [&](auto& o) { return ies::write(*m.bearer_capability, o); });
  }
  for (const auto& c : m.causes) {
    track(ie::kCause);
    add(ie::kCause, [&](auto& o) { return ies::write(c, o); });
  }
  if (m.call_state) {
    track(ie::kCallState);
    add(ie::kCallState, [&](auto& o) { return ies::write(*m.call_state, o); });
  }
  if (m.channel_id) {
    track(ie::kChannelIdentification);
    add(ie::kChannelIdentification, [&](auto& o) { return ies::write(*m.channel_id, o); });
  }
  for (const auto& p : m.progress) {
    track(ie::kProgressIndicator);
    add(ie::kProgressIndicator, [&](auto& o) { return ies::write(p, o); });
  }
  if (m.display) {
    track(ie::kDisplay);
    add(ie::kDisplay, [&](auto& o) { return ies::write_ia5(*m.display, o); });
  }
  if (m.keypad) {
    track(ie::kKeypadFacility);
    add(ie::kKeypadFacility, [&](auto& o) { return ies::write_ia5(*m.keypad, o); });
  }
  if (m.calling) {
    track(ie::kCallingPartyNumber);
    add(ie::kCallingPartyNumber, [&](auto& o) { return ies::write(*m.calling, true, o); });
  }
  if (m.called) {
    track(ie::kCalledPartyNumber);
    add(ie::kCalledPartyNumber, [&](auto& o) { return ies::write(*m.called, false, o); });
  }
  if (m.restart_class) {
    track(ie::kRestartIndicator);
    add(ie::kRestartIndicator, [&](auto& o) { return ies::write_restart(*m.restart_class, o); });
  }
  if (!ok) return Err(err(Fault::kEncode, bad_id));
  std::stable_sort(items.begin(), items.end(), [](const Item& x, const Item& y) { return x.id < y.id; });
  // Raw IEs: each must not be one we model (it would read back into the model).
  auto other = m.other;
  std::stable_sort(other.begin(), other.end(), [](const RawIe& x, const RawIe& y) { return x.id < y.id; });
  std::vector<Item> merged;
  std::size_t k = 0;
  for (const auto& r : other) {
    const bool single = r.id & 0x80;
    if (is_shift(r.id) || r.id == ie::kSendingComplete || (single && !r.contents.empty()) || r.contents.size() > 255)
      return Err(err(Fault::kEncode, r.id));
    switch (r.id) {
      case ie::kBearerCapability:
      case ie::kCause:
      case ie::kCallState:
      case ie::kChannelIdentification:
      case ie::kProgressIndicator:
      case ie::kDisplay:
      case ie::kKeypadFacility:
      case ie::kCallingPartyNumber:
      case ie::kCalledPartyNumber:
      case ie::kRestartIndicator: return Err(err(Fault::kEncode, r.id));
      default: break;
    }
    while (k < items.size() && items[k].id <= r.id) merged.push_back(std::move(items[k++]));
    merged.push_back(Item{r.id, single, r.contents});
  }
  while (k < items.size()) merged.push_back(std::move(items[k++]));

  if (m.sending_complete) out.push_back(ie::kSendingComplete);  // EN 300 403-1 lists it first in SETUP
  for (const auto& it : merged) {
    out.push_back(it.id);
    if (it.single) continue;
    out.push_back(static_cast<std::uint8_t>(it.body.size()));
    out.insert(out.end(), it.body.begin(), it.body.end());
  }
  out.insert(out.end(), m.shifted.begin(), m.shifted.end());
  return out;
}

}  // namespace isupgw::q931
