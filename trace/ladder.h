// The ladder page of a call (issue 17): one self-contained HTML page (inline style and script, no external
// resource) with an SVG sequence diagram across four lanes -- SIP side, gateway, ISUP side, MG -- one arrow
// per captured message in capture order, each clickable to its decoded fields: SIP and MGCP as their text,
// ISUP (from its M3UA or M2PA envelope) as `isupgw decode isup` prints it (cli/codec_isup.h). Pure: bytes
// in, HTML out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isup/variant.h"
#include "trace/call_store.h"

namespace isupgw::trace {

// The page of call `id` (`msgs` in capture order). `ansi`: M2PA carries ANSI MTP3.
std::string render_ladder(std::uint64_t id, const std::vector<StoredMessage>& msgs, isup::Variant variant,
                          bool ansi = false);
// The kept calls, most recent first, each linking to `link_prefix` + ID + `link_suffix`.
std::string render_call_index(const CallStore& store, const std::string& link_prefix, const std::string& link_suffix);
// The arrow's label: SIP method or status, ISUP acronym, M3UA/M2PA management, MGCP verb or code.
std::string message_label(const StoredMessage& m, isup::Variant variant, bool ansi = false);

}  // namespace isupgw::trace
