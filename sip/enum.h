// ENUM (RFC 6116): the domain of an E.164 number (digits reversed, dot-separated,
// under a suffix such as e164.arpa, 2.4), and the NAPTR rewrite of RFC 3402 3.2
// ("delim ERE delim replacement delim flags") applied to the number
// ("+" and its digits, the Application Unique String of RFC 6116 3.2) giving the URI.
//
// The regular expressions come from DNS, i.e. from anyone: std::regex is
// recursive and exponential on nested quantifiers (a 255-octet pattern can hang
// or overflow the stack), so the rewrite has its own backtracking matcher for the
// POSIX ERE subset ENUM zones use -- anchors ^ $, literals, '.', bracket
// expressions [..] with ranges and ^, groups ( ) with back-references \1..\9 in
// the replacement, quantifiers * + ? {n,m} -- with a hard budget of steps
// (kRegexSteps): a pattern that needs more is refused, never run to the end.
// Alternation '|' is refused. Flag "i": case-insensitive.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sip/dns_client.h"

namespace isupgw::sip::enum_ {

inline constexpr std::size_t kRegexSteps = 100000;

// "+4930123" under "e164.arpa" -> "3.2.1.0.3.9.4.e164.arpa"; the digits only are used.
std::string domain_of(std::string_view e164, std::string_view suffix);

// RFC 3402 3.2: `rule` applied to `aus`; the error says why the rule was refused or did not match.
Result<std::string, std::string> apply_rule(std::string_view rule, std::string_view aus);

// RFC 6116 3.4: among NAPTR records of the number's domain, the terminal ("u" flag) records for
// E2U+sip (or E2U+sip:... / the legacy "sip+E2U"), by order then preference, the first whose rule
// matches; its URI must be sip: or sips:.
Result<std::string, std::string> select_uri(const std::vector<dns::Record>& naptr, std::string_view aus);

// The lookup on a dns::Client: the URI for `e164` ("+" optional) or why there is none.
void lookup(dns::Client& dns, std::string_view e164, std::string_view suffix,
            std::function<void(Result<std::string, std::string>)> done);

}  // namespace isupgw::sip::enum_
