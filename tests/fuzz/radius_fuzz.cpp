// libFuzzer target for the RADIUS accounting inputs:
// - an Accounting-Response (RFC 2866 3) checked against a fixed Accounting-Request -- any datagram a socket
//   may deliver. The check must answer (accept or refuse) without reading outside the input; accepting needs
//   the right Code, Identifier, Length and Response Authenticator;
// - the same bytes as the spool file's text (cdr/radius_spool_format.h), as a crash or a disk may leave it:
//   every record read back writes the same line again, and nothing past the last newline is taken.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "cdr/radius_packet.h"
#include "cdr/radius_spool_format.h"

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

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto spool = parse_spool(text);
  if (spool.whole_bytes > size || (spool.whole_bytes > 0 && text[spool.whole_bytes - 1] != '\n')) std::abort();
  for (const auto& rec : spool.pending) {
    const std::string line = spool_line(rec);
    const auto again = parse_spool(line);
    if (again.pending.size() != 1 || spool_line(again.pending[0]) != line) std::abort();
    encode_request(rec.acct, 1, "secret");  // whatever the file held encodes
  }
  return 0;
}
