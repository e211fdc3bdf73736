// libFuzzer target: an Accounting-Response (RFC 2866 3) checked against a fixed Accounting-Request -- any
// datagram a socket may deliver. The check must answer (accept or refuse) without reading outside the input;
// accepting needs the right Code, Identifier, Length and Response Authenticator.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "cdr/radius_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace isupgw::cdr::radius;
  static const auto request = [] {
    Accounting a;
    a.session_id = "1";
    a.nas_identifier = "fuzz";
    return encode_request(a, 7, "secret");
  }();
  auto r = check_response(std::span(data, size), request, "secret");
  if (r.ok() && (size < 20 || data[0] != kAccountingResponse || data[1] != 7)) std::abort();
  return 0;
}
