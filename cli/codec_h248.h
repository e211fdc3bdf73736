// `isupgw decode h248 TEXT`: an H.248.1 text message (long or short tokens) as
// one JSON object. `isupgw encode h248 [--style pretty|compact] TEXT`: the
// same message written back by our encoder -- the wire form of H.248 text is
// text, so encode takes text rather than JSON and normalises it (long tokens
// over indented lines, or short tokens without optional white space).
#pragma once

#include <string>

#include "base/result.h"
#include "cli/decode.h"
#include "media-gw/h248_message.h"

namespace isupgw::cli {

std::string h248_to_json(const mediagw::h248::Message& m);

Result<std::string, std::string> decode_h248(const CliArgs& args);
Result<std::string, std::string> encode_h248(const CliArgs& args);

}  // namespace isupgw::cli
