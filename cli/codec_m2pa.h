// `isupgw decode m2pa [--variant itu|ansi] HEX` / `isupgw encode m2pa [--variant ..] JSON`:
// one M2PA message (RFC 4165) as one JSON object, with the MTP3 message of a
// User Data decoded (Q.704 label and SNM, Q.707 SLTM/SLTA), in the style of
// `decode m3ua`:
//   {"class":11,"type":2,"bsn":16777215,"fsn":16777215,"link_status":1}
//   {"class":11,"type":1,"bsn":..,"fsn":..,"priority":0,
//    "mtp3":{"si":0,"ni":2,"mp":0,"opc":4097,"dpc":2050,"sls":3,"snm":{"message":"COO","h0":1,"h1":1,"slc":3,"fsn":85}}}
// User parts other than SNM/SLT keep their SIF as "data" (hex).
#pragma once

#include <string>

#include "base/result.h"
#include "cli/decode.h"
#include "sigtran/m2pa_codec.h"
#include "sigtran/mtp3_codec.h"

namespace isupgw::cli {

std::string m2pa_to_json(const sigtran::m2pa::Message& m, sigtran::mtp3::Variant v);
Result<sigtran::m2pa::Message, std::string> m2pa_from_json(std::string_view text, sigtran::mtp3::Variant v);

Result<std::string, std::string> decode_m2pa(const CliArgs& args);
Result<std::string, std::string> encode_m2pa(const CliArgs& args);

}  // namespace isupgw::cli
