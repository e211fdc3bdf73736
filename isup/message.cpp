#include "isup/message.h"

#include <algorithm>
#include <cstring>

#include "isup/codes.h"

namespace isupgw::isup {

bool operator==(const Param& a, const Param& b) { return a.code == b.code && std::ranges::equal(a.value, b.value); }

bool operator==(const Message& a, const Message& b) {
  auto same = [](const auto& x, const auto& y) { return std::ranges::equal(x, y); };
  return a.type == b.type && a.cic == b.cic && same(a.fixed, b.fixed) && same(a.variable, b.variable) &&
         same(a.optional, b.optional) && std::ranges::equal(a.body, b.body);
}

const Param* Message::find(std::uint8_t code) const {
  for (const auto& p : fixed)
    if (p.code == code) return &p;
  for (const auto& p : variable)
    if (p.code == code) return &p;
  for (const auto& p : optional)
    if (p.code == code) return &p;
  return nullptr;
}

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::kTruncated: return "truncated message";
    case DecodeError::kBadPointer: return "bad pointer";
    case DecodeError::kLengthMismatch: return "length mismatch";
    case DecodeError::kUnknownMessageType: return "unknown message type";
    case DecodeError::kUnrecognizedParameter: return "unrecognized parameter";
    case DecodeError::kTooManyParameters: return "too many optional parameters";
    case DecodeError::kCicOutOfRange: return "CIC out of range";
    case DecodeError::kBadValue: return "bad parameter value";
  }
  return "?";
}

int release_cause(DecodeError e) {
  switch (e) {
    case DecodeError::kUnknownMessageType: return 97;     // message type non-existent or not implemented
    case DecodeError::kUnrecognizedParameter: return 99;  // parameter non-existent or not implemented
    case DecodeError::kTooManyParameters: return 110;     // message with unrecognized parameter discarded
    default: return 111;                                  // protocol error, unspecified
  }
}

std::string_view to_string(EncodeError e) {
  switch (e) {
    case EncodeError::kUnknownMessageType: return "unknown message type";
    case EncodeError::kMissingParameter: return "missing mandatory parameter";
    case EncodeError::kFixedSizeMismatch: return "fixed parameter has the wrong size";
    case EncodeError::kParameterTooLong: return "parameter longer than 255 octets";
    case EncodeError::kTooManyParameters: return "parameter not allowed by the message layout";
    case EncodeError::kCicOutOfRange: return "CIC out of range";
    case EncodeError::kBufferTooSmall: return "output buffer too small";
    case EncodeError::kPointerOverflow: return "pointer exceeds 255";
    case EncodeError::kBadParameterCode: return "optional parameter code 0";
  }
  return "?";
}

Result<Message, DecodeError> decode(std::span<const std::uint8_t> data, Variant v, DecodeOptions opt) {
  Message m;
  std::size_t pos = 0;
  const std::size_t n = data.size();
  if (opt.form == Form::kWithCic) {
    if (n < 2) return Err(DecodeError::kTruncated);
    unsigned cic = data[0] | (data[1] << 8);
    // Spare bits must be zero (Q.763 1.2; T1.113.3 14-bit CIC).
    if (cic > max_cic(v)) return Err(DecodeError::kCicOutOfRange);
    m.cic = static_cast<std::uint16_t>(cic);
    pos = 2;
  }
  if (pos >= n) return Err(DecodeError::kTruncated);
  m.type = data[pos++];
  const MessageLayout* l = find_layout(m.type, v);
  if (l == nullptr) return Err(DecodeError::kUnknownMessageType);
  if (l->opaque_body) {
    m.body = data.subspan(pos);
    return m;
  }
  // Mandatory fixed part: sizes from the layout, no name or length octets.
  for (std::size_t i = 0; i < l->n_fixed; ++i) {
    const auto& f = l->fixed[i];
    if (n - pos < f.size) return Err(DecodeError::kTruncated);
    m.fixed.push_back(Param{f.code, data.subspan(pos, f.size)});
    pos += f.size;
  }
  // Mandatory variable part: one pointer per parameter, then the optional-part
  // pointer. A pointer counts from its own octet to the parameter's length octet.
  const std::size_t n_ptr = l->n_variable + (l->optional_part ? 1 : 0);
  if (n - pos < n_ptr) return Err(DecodeError::kTruncated);
  const std::size_t ptr_end = pos + n_ptr;
  for (std::size_t i = 0; i < l->n_variable; ++i) {
    const std::size_t at = pos + i;
    if (data[at] == 0) return Err(DecodeError::kBadPointer);
    const std::size_t len_at = at + data[at];
    if (len_at < ptr_end || len_at >= n) return Err(DecodeError::kBadPointer);
    const std::size_t len = data[len_at];
    if (n - (len_at + 1) < len) return Err(DecodeError::kLengthMismatch);
    m.variable.push_back(Param{l->variable[i], data.subspan(len_at + 1, len)});
  }
  if (!l->optional_part) return m;
  const std::size_t opt_ptr_at = pos + l->n_variable;
  if (data[opt_ptr_at] == 0) return m;  // no optional part
  std::size_t p = opt_ptr_at + data[opt_ptr_at];
  if (p < ptr_end || p >= n) return Err(DecodeError::kBadPointer);
  // Optional part: name, length, contents ... until the end-of-optional-parameters octet.
  while (true) {
    if (p >= n) return Err(DecodeError::kTruncated);
    const std::uint8_t code = data[p];
    if (code == par::kEndOfOptional) break;
    if (p + 1 >= n) return Err(DecodeError::kTruncated);
    const std::size_t len = data[p + 1];
    if (n - (p + 2) < len) return Err(DecodeError::kLengthMismatch);
    if (opt.reject_unknown_params && param_name(code, v).empty()) return Err(DecodeError::kUnrecognizedParameter);
    if (!m.optional.push_back(Param{code, data.subspan(p + 2, len)})) return Err(DecodeError::kTooManyParameters);
    p += 2 + len;
  }
  return m;
}

std::size_t encoded_size(const Message& m, Form form) {
  std::size_t size = (form == Form::kWithCic ? 2 : 0) + 1 + m.body.size();
  for (const auto& p : m.fixed) size += p.value.size();
  for (const auto& p : m.variable) size += 2 + p.value.size();  // pointer + length + contents
  size += 1;                                                    // optional-part pointer (upper bound)
  for (const auto& p : m.optional) size += 2 + p.value.size();
  if (!m.optional.empty()) size += 1;  // end of optional parameters
  return size;
}

Result<std::size_t, EncodeError> encode(const Message& m, Variant v, std::span<std::uint8_t> out, Form form) {
  const MessageLayout* l = find_layout(m.type, v);
  if (l == nullptr) return Err(EncodeError::kUnknownMessageType);
  std::size_t pos = 0;
  auto room = [&](std::size_t k) { return out.size() - pos >= k; };
  if (form == Form::kWithCic) {
    if (m.cic > max_cic(v)) return Err(EncodeError::kCicOutOfRange);
    if (!room(2)) return Err(EncodeError::kBufferTooSmall);
    out[pos++] = static_cast<std::uint8_t>(m.cic & 0xff);
    out[pos++] = static_cast<std::uint8_t>(m.cic >> 8);
  }
  if (!room(1)) return Err(EncodeError::kBufferTooSmall);
  out[pos++] = m.type;
  if (l->opaque_body) {
    if (!m.fixed.empty() || !m.variable.empty() || !m.optional.empty()) return Err(EncodeError::kTooManyParameters);
    if (!room(m.body.size())) return Err(EncodeError::kBufferTooSmall);
    std::ranges::copy(m.body, out.begin() + static_cast<std::ptrdiff_t>(pos));
    return pos + m.body.size();
  }
  if (!m.body.empty()) return Err(EncodeError::kTooManyParameters);
  if (m.fixed.size() < l->n_fixed || m.variable.size() < l->n_variable) return Err(EncodeError::kMissingParameter);
  if (m.fixed.size() > l->n_fixed || m.variable.size() > l->n_variable) return Err(EncodeError::kTooManyParameters);
  if (!l->optional_part && !m.optional.empty()) return Err(EncodeError::kTooManyParameters);
  auto put = [&](std::span<const std::uint8_t> bytes) {
    std::ranges::copy(bytes, out.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += bytes.size();
  };
  for (std::size_t i = 0; i < l->n_fixed; ++i) {
    if (m.fixed[i].value.size() != l->fixed[i].size) return Err(EncodeError::kFixedSizeMismatch);
    if (!room(l->fixed[i].size)) return Err(EncodeError::kBufferTooSmall);
    put(m.fixed[i].value);
  }
  const std::size_t n_ptr = l->n_variable + (l->optional_part ? 1 : 0);
  if (!room(n_ptr)) return Err(EncodeError::kBufferTooSmall);
  const std::size_t ptr_at = pos;
  pos += n_ptr;
  for (std::size_t i = 0; i < l->n_variable; ++i) {
    const auto& p = m.variable[i];
    if (p.value.size() > 255) return Err(EncodeError::kParameterTooLong);
    const std::size_t ptr = pos - (ptr_at + i);
    if (ptr > 255) return Err(EncodeError::kPointerOverflow);
    if (!room(1 + p.value.size())) return Err(EncodeError::kBufferTooSmall);
    out[ptr_at + i] = static_cast<std::uint8_t>(ptr);
    out[pos++] = static_cast<std::uint8_t>(p.value.size());
    put(p.value);
  }
  if (!l->optional_part) return pos;
  const std::size_t opt_ptr_at = ptr_at + l->n_variable;
  if (m.optional.empty()) {
    out[opt_ptr_at] = 0;
    return pos;
  }
  const std::size_t ptr = pos - opt_ptr_at;
  if (ptr > 255) return Err(EncodeError::kPointerOverflow);
  out[opt_ptr_at] = static_cast<std::uint8_t>(ptr);
  for (const auto& p : m.optional) {
    if (p.code == par::kEndOfOptional) return Err(EncodeError::kBadParameterCode);
    if (p.value.size() > 255) return Err(EncodeError::kParameterTooLong);
    if (!room(2 + p.value.size())) return Err(EncodeError::kBufferTooSmall);
    out[pos++] = p.code;
    out[pos++] = static_cast<std::uint8_t>(p.value.size());
    put(p.value);
  }
  if (!room(1)) return Err(EncodeError::kBufferTooSmall);
  out[pos++] = par::kEndOfOptional;
  return pos;
}

Result<std::vector<std::uint8_t>, EncodeError> encode(const Message& m, Variant v, Form form) {
  std::vector<std::uint8_t> out(encoded_size(m, form));
  auto r = encode(m, v, out, form);
  if (!r) return Err(r.error());
  out.resize(*r);
  return out;
}

}  // namespace isupgw::isup
