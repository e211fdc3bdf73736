// Timings of the call path for /metrics (issue 16): post-dial delay as the
// gateway sees it (setup received -> first backward progress or answer
// forwarded to the caller) and the time the gateway itself adds to call setup
// (INVITE in -> IAM out, IAM in -> INVITE out; for an ISUP call collected in
// overlap, from the message that completed the number). Measured on the first
// target of a route only: an alternate's attempt includes the failed one's wait.
#pragma once

#include <chrono>

#include "base/histogram.h"

namespace isupgw::engine {

struct CallTimings {
  using ms = std::chrono::milliseconds;
  using us = std::chrono::microseconds;
  Histogram post_dial_delay{{ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2000), ms(3000), ms(5000), ms(8000),
                             ms(13000), ms(20000), ms(30000)}};
  Histogram setup_sip_to_isup{{us(50), us(100), us(250), us(500), us(1000), us(2500), us(5000), us(10000), us(25000),
                               us(50000), us(100000), us(250000)}};
  Histogram setup_isup_to_sip{{us(50), us(100), us(250), us(500), us(1000), us(2500), us(5000), us(10000), us(25000),
                               us(50000), us(100000), us(250000)}};
};

}  // namespace isupgw::engine
