// Asynchronous DNS queries as an interface: RFC 3263 target resolution and ENUM
// (sip/rfc3263.h, sip/enum_lookup.h) ask it; the daemon's implementation is
// c-ares on the Asio loop (sip/dns_cares.h), unit tests answer from tables.
#pragma once

#include <functional>
#include <string>

#include "sip/dns_message.h"

namespace isupgw::sip::dns {

class Client {
 public:
  using Callback = std::function<void(Result<Answer, std::string>)>;
  virtual ~Client() = default;
  // `cb` runs later on the caller's event loop, never inside query(); not at all once the client is destroyed.
  virtual void query(const std::string& name, RrType type, Callback cb) = 0;
};

}  // namespace isupgw::sip::dns
