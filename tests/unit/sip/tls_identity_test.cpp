// RFC 5922 7.1/7.2: which identities a certificate carries and which of them count.
#include "sip/tls_identity.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace isupgw::sip {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

// A certificate with subject CN `cn` and subjectAltName `san` ("" = none), as openssl x509 -extfile writes it.
Cert make(const char* cn, const char* san) {
  Cert x(X509_new());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  if (*san != '\0') {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san);
    EXPECT_NE(ext, nullptr) << san;
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  return x;
}

bool matches(const char* cn, const char* san, const char* expected) {
  auto x = make(cn, san);
  return identity_matches(certificate_identities(x.get()), expected);
}

TEST(TlsIdentity, SanUriSipDomain) {
  EXPECT_TRUE(matches("other", "URI:sip:carrier.example.net", "carrier.example.net"));
  EXPECT_TRUE(matches("other", "URI:sip:Carrier.Example.NET", "carrier.example.net"));  // host is case-insensitive
  // 7.2: a URI with a user part names a user, not the domain.
  EXPECT_FALSE(matches("carrier.example.net", "URI:sip:alice@carrier.example.net", "carrier.example.net"));
}

TEST(TlsIdentity, SanDnsName) {
  EXPECT_TRUE(matches("x", "DNS:carrier.example.net", "carrier.example.net"));
  EXPECT_FALSE(matches("x", "DNS:other.example.net", "carrier.example.net"));
  // 7.2: no wildcard matching.
  EXPECT_FALSE(matches("x", "DNS:*.example.net", "carrier.example.net"));
}

TEST(TlsIdentity, CommonNameOnlyWithoutSan) {
  EXPECT_TRUE(matches("carrier.example.net", "", "carrier.example.net"));
  // 7.1: a DNS or URI subjectAltName present: the CN no longer counts.
  EXPECT_FALSE(matches("carrier.example.net", "DNS:other.example.net", "carrier.example.net"));
  // An iPAddress entry alone is neither: the CN still counts for a name.
  EXPECT_TRUE(matches("carrier.example.net", "IP:192.0.2.1", "carrier.example.net"));
}

TEST(TlsIdentity, IpLiteralNeedsIpAddressEntry) {
  EXPECT_TRUE(matches("x", "IP:127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(matches("127.0.0.1", "DNS:localhost", "127.0.0.1"));
  EXPECT_FALSE(matches("127.0.0.1", "", "127.0.0.1"));  // a CN never stands for an address
  EXPECT_TRUE(matches("x", "IP:2001:db8::1", "2001:db8:0::1"));
}

TEST(TlsIdentity, Describe) {
  auto x = make("gw", "URI:sip:a.example, DNS:b.example, IP:192.0.2.7");
  EXPECT_EQ(describe(certificate_identities(x.get())), "URI:sip:a.example DNS:b.example IP:192.0.2.7 CN:gw");
}

}  // namespace
}  // namespace isupgw::sip
