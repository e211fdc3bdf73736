// Building a response to a received request (RFC 3261 8.2.6.2): Via (the top
// one stamped with received/rport, 18.2.1 and RFC 3581 4), From, To (with our
// tag when it had none), Call-ID and CSeq copied; Record-Route copied for
// dialog-creating responses (12.1.1).
#pragma once

#include <string>
#include <string_view>

#include "sip/message.h"
#include "sip/serializer.h"
#include "sip/session_api.h"

namespace isupgw::sip {

struct ResponseOptions {
  std::string_view to_tag;         // added to To when the request has no tag
  bool copy_record_route = false;  // 12.1.1: 101-299 to a dialog-creating request
};

OutMessage make_response(const Message& request, const Peer& from, int status, const ResponseOptions& o = {},
                         std::string reason = {});

// The top Via as it goes back: received= when the source address differs
// from sent-by (18.2.1), rport filled in when the client asked (RFC 3581 4).
std::string stamped_via(const Via& via, const Peer& from);

}  // namespace isupgw::sip
