// isup-peer scenarios: a scriptable ISUP exchange (like SIPp for SIP).
//
// One step per line; '#' starts a comment:
//   send   <MSG> [cic=N] [key=value ...]       build and send a message
//   expect <MSG> [cic=N] [timeout=5s] [key=value ...]   wait for a message, check fields
//   wait   <duration>                            e.g. 500ms, 2s
//   loop   <N> ... end                           repeat the enclosed steps N times
// Message names are Q.763 acronyms (IAM, ACM, REL, ...). Keys: called, calling,
// digits (SAM), cause, range, status (hex), type (CGB/CGU message type
// indicator), event (CPG), ok (COT), network (SUS/RES), cc (IAM continuity
// check indicator), called_status (ACM/CON), and any Q.763 parameter name
// (snake case, e.g. user_to_user_information=0102) with hex contents.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace isupgw::isup::peer {

struct Step {
  enum class Kind { kSend, kExpect, kWait, kLoop, kEnd };
  Kind kind = Kind::kSend;
  std::string message;  // acronym
  std::map<std::string, std::string> fields;
  std::chrono::milliseconds duration{0};  // wait, or expect timeout
  unsigned count = 0;                     // loop
  unsigned line = 0;
};

struct Scenario {
  std::string name;
  std::vector<Step> steps;
};

struct ParseError {
  unsigned line = 0;
  std::string what;
};

Result<Scenario, ParseError> parse_scenario(std::string_view text, std::string name = "scenario");
// "500ms", "2s", "1.5s", "3" (seconds).
Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view s);

}  // namespace isupgw::isup::peer
