// IP address literals as the configuration accepts them (SIP trunks and
// listeners, M3UA/M2PA endpoints, media gateways).
#pragma once

#include <string>

namespace isupgw {

// True for an IPv4 dotted-quad or an IPv6 literal (inet_pton(3) AF_INET or
// AF_INET6); host names, brackets, ports and prefixes are not addresses.
bool valid_ip(const std::string& address);

}  // namespace isupgw
