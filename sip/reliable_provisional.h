// Reliable provisional responses (RFC 3262) as the UAS sends them: the one
// awaiting its PRACK, retransmitted from T1 doubling until 64*T1 (3).
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/timer_service.h"

namespace isupgw::sip {

struct ReliableProvisional {
  std::uint32_t last_rseq = 0;  // RSeq of the last one sent (the next is +1; the first random, 3)
  std::uint32_t pending = 0;    // RSeq of the one awaiting PRACK (0 = none)
  std::string bytes;            // its wire bytes
  TimerService::Id timer = 0;
  Clock::duration interval{};
  Clock::time_point deadline{};
};

}  // namespace isupgw::sip
