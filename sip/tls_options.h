// TLS settings for SIP over TLS (RFC 3261 26.2.1, OpenSSL through Asio): one
// default set, and per SIP trunk (by the peer's IP address) its own
// certificate, key, CA, whether the peer must present a verified one, and the
// identity that certificate must carry (RFC 5922).
#pragma once

#include <string>
#include <vector>

namespace isupgw::sip {

struct TlsOptions {
  std::string certificate_file;  // PEM chain; required for a TLS listener
  std::string private_key_file;  // PEM
  std::string ca_file;           // PEM; peers are verified against it
  bool verify_peer = false;      // require and verify the peer's certificate (both roles)
  // RFC 5922 7: with verify_peer, the domain or IP literal the peer's
  // certificate must name (sip/tls_identity.h); also sent as SNI (RFC 6066 3)
  // when it is a name. Empty: the chain alone is checked.
  std::string peer_identity;
  // NSS key log file (SSLKEYLOGFILE) the session secrets are appended to, so
  // that tshark can decrypt a capture; tests and troubleshooting only.
  std::string keylog_file;
};

struct TrunkTls {
  std::string host;  // the trunk's IP address (connections to and from it)
  TlsOptions tls;
};

}  // namespace isupgw::sip
