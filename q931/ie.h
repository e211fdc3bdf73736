// Q.931 information element contents <-> value types (Q.931 4.5); internal to
// the codec (codec.cpp walks the message, these parse one IE's contents).
// A parser returns false when the contents are not the octet groups the
// clause describes (wrong extension bits, spare bits set, too short).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "q931/message.h"

namespace isupgw::q931::ies {

using Bytes = std::vector<std::uint8_t>;
using Span = std::span<const std::uint8_t>;

bool parse(Span v, BearerCapability& out);
bool parse(Span v, ChannelId& out);
bool parse(Span v, PartyNumber& out, bool calling);
bool parse(Span v, Cause& out);
bool parse(Span v, ProgressIndicator& out);
bool parse(Span v, CallState& out);
bool parse_ia5(Span v, std::string& out);
bool parse_restart(Span v, std::uint8_t& restart_class);

// Each returns false for a value that does not fit its field.
bool write(const BearerCapability& b, Bytes& out);
bool write(const ChannelId& c, Bytes& out);
bool write(const PartyNumber& p, bool calling, Bytes& out);
bool write(const Cause& c, Bytes& out);
bool write(const ProgressIndicator& p, Bytes& out);
bool write(const CallState& s, Bytes& out);
bool write_ia5(const std::string& s, Bytes& out);
bool write_restart(std::uint8_t restart_class, Bytes& out);

}  // namespace isupgw::q931::ies

namespace isupgw::q931 {
// An identifier Q.931 Table 4-3 (codeset 0) or Q.932/Q.951/Q.952 assigns; the
// others are "unrecognised" (5.8.7.1).
bool recognised_ie(std::uint8_t id);
// Bits 8-5 of a variable-length codeset 0 identifier 0000: "comprehension required" (Table 4-3 note).
inline bool comprehension_required(std::uint8_t id) { return (id & 0xf0) == 0; }

}  // namespace isupgw::q931
