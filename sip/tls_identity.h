// RFC 5922 7.1/7.2: does a peer's X.509 certificate carry the identity we
// expect of it (a trunk's domain or address)?
//   - a domain matches a subjectAltName URI "sip:<domain>" (no user part) or a
//     subjectAltName dNSName equal to it, compared case-insensitively and in
//     its entirety: no wildcards (RFC 5922 7.2);
//   - the subject's CN is consulted only when the certificate has no URI or DNS
//     subjectAltName at all (7.1);
//   - an IP literal (our trunks' addresses) matches an iPAddress subjectAltName.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct x509_st;

namespace isupgw::sip {

struct CertificateIdentities {
  std::vector<std::string> sip_uris;      // subjectAltName URI entries
  std::vector<std::string> dns_names;     // subjectAltName dNSName entries
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries, as text
  std::string common_name;                // the subject's (last) CN
};

// The identities a certificate carries (what a log line names on a mismatch).
CertificateIdentities certificate_identities(x509_st* cert);
// RFC 5922 7: `expected` is a domain name or an IPv4/IPv6 literal.
bool identity_matches(const CertificateIdentities& ids, std::string_view expected);
// Short text for logs: "URI:sip:a DNS:b IP:c CN:d".
std::string describe(const CertificateIdentities& ids);

}  // namespace isupgw::sip
