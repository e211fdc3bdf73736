// `isupgw decode q931 HEX` / `isupgw encode q931 JSON`: one Q.931 message as a
// JSON object {"call_reference":{"length":2,"flag":0,"value":5},"message":"SETUP",
// "bearer_capability":{...},"channel_id":{...},"calling":{...},"called":{...}};
// IEs we do not model are {"id":N,"contents":"hex"} under "other", codesets 5-7
// are "shifted" (hex). Keys follow Q.931 4.5's field names in snake_case.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "cli/decode.h"
#include "q931/message.h"

namespace isupgw::cli {

nlohmann::ordered_json q931_to_json_object(const q931::Message& m);
std::string q931_to_json(const q931::Message& m);
Result<q931::Message, std::string> q931_from_json(std::string_view text);

Result<std::string, std::string> decode_q931(const CliArgs& args);
Result<std::string, std::string> encode_q931(const CliArgs& args);

}  // namespace isupgw::cli
