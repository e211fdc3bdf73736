// TLS settings for SIP over TLS (RFC 3261 26.2.1, OpenSSL through Asio): one
// default set, and per SIP trunk (by the peer's IP address) its own
// certificate, key, CA and whether the peer must present a verified one.
#pragma once

#include <string>
#include <vector>

namespace isupgw::sip {

struct TlsOptions {
  std::string certificate_file;  // PEM chain; required for a TLS listener
  std::string private_key_file;  // PEM
  std::string ca_file;           // PEM; peers are verified against it
  bool verify_peer = false;      // require and verify the peer's certificate (both roles)
};

struct TrunkTls {
  std::string host;  // the trunk's IP address (connections to and from it)
  TlsOptions tls;
};

}  // namespace isupgw::sip
