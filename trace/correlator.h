// Tags each captured message with its call (issue 17), off the call path: walks a batch in capture order,
// keeping what the engine's bindings said across batches.
//  - SIP: by Call-ID; the first binding of a Call-ID wins (an RFC 3578 overlap INVITE keeps its call).
//    kBindLastInvite names the INVITE request sent last (the engine binds right after it sent it).
//  - ISUP: by circuit (the two point codes, either direction, and the CIC). A binding takes the IAM
//    captured just before it (sent or received: the engine binds once it knows the circuit); after the
//    call's end only REL and RLC still belong to it (a reset of the idle circuit does not).
//  - MGCP: by CallId (C:) after kBindLastCrcx took the CRCX sent last; responses by transaction id;
//    after the end only DLCX and responses.
// State is bounded: a SIP Call-ID and an MGCP CallId are forgotten 64*T1 (32 s) after their call ended
// (the DLCX and its answer come well before); circuits are as many as the circuits; transaction ids are
// kept for the last 65536.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "trace/capture.h"

namespace isupgw::trace {

// Lookups by std::string_view into the batch, without building a std::string (C++20 heterogeneous lookup).
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

class Correlator {
 public:
  // `ansi`: M2PA links carry ANSI MTP3 (24-bit point codes).
  explicit Correlator(bool ansi = false) : ansi_(ansi) {}
  // Sets Record::call on the batch's packets (0: no call).
  void resolve(Batch& batch);
  // Call-IDs and MGCP CallIds held (bounded: see above).
  std::size_t sip_call_ids() const { return sip_.size(); }
  std::size_t mgcp_call_ids() const { return mgcp_.size(); }

 private:
  using Circuit = std::tuple<std::uint32_t, std::uint32_t, std::uint16_t>;
  struct Owner {
    std::uint64_t call = 0;
    bool ended = false;
  };
  struct CallKeys {
    std::vector<std::string> sip;
    std::vector<Circuit> circuits;
    std::vector<std::string> mgcp;
  };
  static Circuit circuit(std::uint32_t a, std::uint32_t b, std::uint16_t cic) {
    return a < b ? Circuit{a, b, cic} : Circuit{b, a, cic};
  }
  void tag(Batch& b, std::size_t index, std::uint64_t call);
  void expire(std::int64_t now_us);

  bool ansi_;
  TextMap<std::uint64_t> sip_;
  std::map<Circuit, Owner> circuits_;
  TextMap<Owner> mgcp_;
  TextMap<std::uint64_t> transactions_;
  std::deque<std::string> transaction_order_;
  std::unordered_map<std::uint64_t, CallKeys> calls_;
  std::deque<std::pair<std::int64_t, std::string>> sip_expiry_;
  std::deque<std::tuple<std::int64_t, std::string, std::uint64_t>> mgcp_expiry_;  // when, CallId, its call
};

}  // namespace isupgw::trace
