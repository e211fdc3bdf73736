#include "sip/transaction.h"

#include "sip/transaction_meters.h"

namespace isupgw::sip {

TransactionMeters::TransactionMeters(Logger& log, Counters& counters)
    : ict(InviteClientTransaction::make_meter(log, counters)),
      ist(InviteServerTransaction::make_meter(log, counters)),
      nict(NonInviteClientTransaction::make_meter(log, counters)),
      nist(NonInviteServerTransaction::make_meter(log, counters)) {}

TransactionContext::TransactionContext(TimerService& timers_, TransportLayer& transport_, Logger& log_, TimerValues t_,
                                       Counters* counters)
    : timers(timers_),
      transport(transport_),
      log(log_),
      t(t_),
      own_counters_(counters ? nullptr : std::make_unique<Counters>()),
      meters_(std::make_unique<TransactionMeters>(log_, counters ? *counters : *own_counters_)) {}

TransactionContext::~TransactionContext() = default;

}  // namespace isupgw::sip
