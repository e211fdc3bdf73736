// The four RFC 3261 17 transaction machines' FSM meters, one set per
// TransactionContext (built with it).
#pragma once

#include "sip/invite_client_transaction.h"
#include "sip/invite_server_transaction.h"
#include "sip/non_invite_client_transaction.h"
#include "sip/non_invite_server_transaction.h"

namespace isupgw::sip {

class TransactionMeters {
 public:
  TransactionMeters(Logger& log, Counters& counters);
  fsm::Meter<InviteClientTransaction::Row> ict;
  fsm::Meter<InviteServerTransaction::Row> ist;
  fsm::Meter<NonInviteClientTransaction::Row> nict;
  fsm::Meter<NonInviteServerTransaction::Row> nist;
};

}  // namespace isupgw::sip
