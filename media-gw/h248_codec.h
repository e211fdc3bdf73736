// H.248.1 v3 text codec (Annex B): text <-> message model (h248_message.h).
//
// Input: long and short tokens (B.3: "Transaction" or "T", "Context" or "C",
// ...) in any letter case, any LWSP and ";" comments, "MEGACO" or "!". The
// parser never throws and never reads outside the given text; a fault is a
// ParseFailure {error, offset}.
//
// Output: long tokens by default, indented over several lines, as the
// examples of H.248.1 Appendix I print them -- what an operator reads in a
// trace (tshark shows the text as it is). Style::kCompact writes the short
// tokens without optional white space (about a third of the size) for an MG
// that wants small datagrams. Either form parses back to the same Message,
// and the writer's output is a fixed point of parse + serialize.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "media-gw/h248_message.h"
#include "media-gw/h248_syntax.h"

namespace isupgw::mediagw::h248 {

enum class Style : std::uint8_t { kPretty, kCompact };

Result<Message, ParseFailure> parse(std::string_view text);
std::string serialize(const Message& m, Style style = Style::kPretty);

}  // namespace isupgw::mediagw::h248
