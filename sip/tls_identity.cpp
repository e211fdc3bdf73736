#include "sip/tls_identity.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "base/ip_address.h"
#include "sip/grammar.h"
#include "sip/uri.h"

namespace isupgw::sip {

namespace {

std::string text_of(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string ip_text_of(const ASN1_OCTET_STRING* s) {
  const unsigned char* p = ASN1_STRING_get0_data(s);
  const int n = ASN1_STRING_length(s);
  if (n == 4)
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "." + std::to_string(p[2]) + "." + std::to_string(p[3]);
  if (n == 16) {
    std::array<std::uint8_t, 16> b{};
    std::copy(p, p + 16, b.begin());
    return ip_text(std::span<const std::uint8_t>(b.data(), b.size()));
  }
  return {};
}

}  // namespace

CertificateIdentities certificate_identities(x509_st* cert) {
  CertificateIdentities out;
  if (cert == nullptr) return out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
      if (g->type == GEN_URI) out.sip_uris.push_back(text_of(g->d.uniformResourceIdentifier));
      if (g->type == GEN_DNS) out.dns_names.push_back(text_of(g->d.dNSName));
      if (g->type == GEN_IPADD) out.ip_addresses.push_back(ip_text_of(g->d.iPAddress));
    }
    GENERAL_NAMES_free(names);
  }
  if (X509_NAME* subject = X509_get_subject_name(cert)) {
    int last = -1;
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i))
      last = i;
    if (last >= 0) out.common_name = text_of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, last)));
  }
  return out;
}

bool identity_matches(const CertificateIdentities& ids, std::string_view expected) {
  if (expected.empty()) return false;
  if (valid_ip(std::string(expected))) {
    auto want = IpPrefix::parse(std::string(expected));
    for (const auto& a : ids.ip_addresses)
      if (auto got = IpPrefix::parse(a); got && want && got->contains(*want) && want->contains(*got)) return true;
    return false;
  }
  // 7.2: a URI entry names the domain when it is a SIP URI without user part.
  for (const auto& u : ids.sip_uris) {
    auto uri = parse_uri(u);
    if (uri && uri->scheme == Scheme::kSip && uri->user.empty() && grammar::iequals(uri->host, expected)) return true;
  }
  for (const auto& d : ids.dns_names)
    if (grammar::iequals(d, expected)) return true;  // entire name; "*." is not special (7.2)
  // 7.1: CN only when no URI or DNS subjectAltName is present.
  if (ids.sip_uris.empty() && ids.dns_names.empty()) return grammar::iequals(ids.common_name, expected);
  return false;
}

std::string describe(const CertificateIdentities& ids) {
  std::string out;
  auto add = [&](std::string_view kind, const std::string& v) {
    if (!out.empty()) out += ' ';
    out += kind;
    out += ':';
    out += v;
  };
  for (const auto& u : ids.sip_uris) add("URI", u);
  for (const auto& d : ids.dns_names) add("DNS", d);
  for (const auto& a : ids.ip_addresses) add("IP", a);
  if (!ids.common_name.empty()) add("CN", ids.common_name);
  return out;
}

}  // namespace isupgw::sip
