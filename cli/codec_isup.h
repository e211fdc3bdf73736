// `isupgw decode isup [--variant itu|etsi|ansi] [--body] HEX` and
// `isupgw encode isup [--variant ...] [--body] JSON`: one ISUP message as
//   {"type":"IAM","code":1,"cic":1,"params":{"called_party_number":{"digits":"...","nai":3,...},...}}
// Parameters are keyed by snake_case Q.763 names in wire order (mandatory fixed,
// mandatory variable, optional); a name that repeats holds an array. Parameters
// without a typed form (or whose octets the typed form cannot reproduce exactly)
// are {"code":N,"hex":"..."}, so decode -> encode is byte-identical. The codec
// (isup/) knows nothing of JSON.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/decode.h"
#include "isup/message.h"
#include "isup/variant.h"

namespace isupgw::cli {

std::string isup_to_json(const isup::Message& m, isup::Variant v, isup::Form form);
// JSON -> encoded ISUP octets.
Result<Bytes, std::string> isup_json_to_bytes(std::string_view text, isup::Variant v, isup::Form form);

Result<std::string, std::string> decode_isup(const CliArgs& args);
Result<std::string, std::string> encode_isup(const CliArgs& args);

}  // namespace isupgw::cli
