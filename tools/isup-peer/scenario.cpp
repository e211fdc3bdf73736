#include "tools/isup-peer/scenario.h"

#include <charconv>
#include <sstream>

namespace isupgw::isup::peer {

Result<std::chrono::milliseconds, std::string> parse_duration(std::string_view s) {
  double scale = 1000;
  if (s.ends_with("ms")) {
    scale = 1;
    s.remove_suffix(2);
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
  }
  try {
    std::size_t used = 0;
    const double v = std::stod(std::string(s), &used);
    if (used != s.size() || v < 0) return Err(std::string("bad duration"));
    return std::chrono::milliseconds(static_cast<long long>(v * scale + 0.5));
  } catch (...) {
    return Err(std::string("bad duration"));
  }
}

Result<Scenario, ParseError> parse_scenario(std::string_view text, std::string name) {
  Scenario sc;
  sc.name = std::move(name);
  std::istringstream in{std::string(text)};
  std::string line;
  unsigned n = 0;
  int depth = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string verb;
    if (!(words >> verb)) continue;
    Step st;
    st.line = n;
    if (verb == "send" || verb == "expect") {
      st.kind = verb == "send" ? Step::Kind::kSend : Step::Kind::kExpect;
      if (!(words >> st.message)) return Err(ParseError{n, verb + " needs a message name"});
      if (st.kind == Step::Kind::kExpect) st.duration = std::chrono::milliseconds(10'000);
      std::string kv;
      while (words >> kv) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return Err(ParseError{n, "expected key=value, got '" + kv + "'"});
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        if (key == "timeout") {
          auto d = parse_duration(value);
          if (!d) return Err(ParseError{n, "bad timeout '" + value + "'"});
          st.duration = *d;
        } else {
          st.fields[key] = value;
        }
      }
    } else if (verb == "wait") {
      std::string d;
      if (!(words >> d)) return Err(ParseError{n, "wait needs a duration"});
      auto v = parse_duration(d);
      if (!v) return Err(ParseError{n, "bad duration '" + d + "'"});
      st.kind = Step::Kind::kWait;
      st.duration = *v;
    } else if (verb == "loop") {
      int count = 0;
      if (!(words >> count) || count < 0) return Err(ParseError{n, "loop needs a count"});
      st.kind = Step::Kind::kLoop;
      st.count = static_cast<unsigned>(count);
      ++depth;
    } else if (verb == "end") {
      if (depth == 0) return Err(ParseError{n, "end without loop"});
      st.kind = Step::Kind::kEnd;
      --depth;
    } else {
      return Err(ParseError{n, "unknown step '" + verb + "'"});
    }
    sc.steps.push_back(std::move(st));
  }
  if (depth != 0) return Err(ParseError{n, "loop without end"});
  return sc;
}

}  // namespace isupgw::isup::peer
