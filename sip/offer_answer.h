// RFC 3264 offer/answer for the gateway's single audio stream: answer an
// offer with one common codec (PCMA/PCMU by local preference, in the order
// the offer lists them) plus telephone-event (RFC 4733) when both sides have
// it; reject every other stream with port 0; complement the direction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "sip/sdp.h"

namespace isupgw::sip {

enum class OaError : std::uint8_t {
  kNoAudio,             // no audio/RTP stream offered (answer 488)
  kNoCommonCodec,       // audio offered, nothing we can transcode-free accept (488)
  kStreamCountChanged,  // answer m-lines do not match the offer (RFC 3264 6)
  kCodecNotOffered,     // answer picked a codec the offer did not list (RFC 3264 6.1)
  kRejected,            // the audio stream was rejected (port 0)
};
std::string_view describe(OaError e);

struct LocalMedia {
  std::string address;  // our RTP address (media gateway)
  std::uint16_t port = 0;
  std::string addr_type = "IP4";
  std::vector<std::string> codecs = {"PCMA", "PCMU"};  // acceptable encodings, by preference
  bool telephone_event = true;
  int telephone_event_pt = 101;  // used in our offers
  std::string username = "isupgw";
  std::string session_id = "1";
  std::uint64_t session_version = 1;  // RFC 3264 8: +1 with each new offer
  std::optional<std::uint32_t> ptime = 20;
  Direction direction = Direction::kSendRecv;
};

struct Negotiated {
  int payload_type = -1;
  std::string encoding;  // "PCMA"
  std::uint32_t clock_rate = 8000;
  std::optional<int> telephone_event_pt;
  Direction direction = Direction::kSendRecv;  // ours
  std::string remote_address;
  std::uint16_t remote_port = 0;
  std::size_t stream_index = 0;
  // RFC 3264 8.4 legacy hold: c=0.0.0.0
  bool remote_hold = false;
};

// Our offer (one audio stream listing local.codecs with static PTs, plus telephone-event).
Sdp make_offer(const LocalMedia& local);

struct Answer {
  Sdp sdp;
  Negotiated media;
};
Result<Answer, OaError> make_answer(const Sdp& offer, const LocalMedia& local);

// Checks a peer's answer to our offer and returns what was agreed.
Result<Negotiated, OaError> accept_answer(const Sdp& offer, const Sdp& answer, const LocalMedia& local);

// RFC 3264 6.1 / 8: the answer to a new offer inside an established session
// (re-INVITE or UPDATE: hold, retrieval). `ours` is the session description we
// want (our MG's address and codecs, the direction we want); each stream's
// direction becomes the complement of the offered one narrowed by ours
// (offer sendonly -> recvonly, inactive -> inactive). An offer's c=0.0.0.0
// (RFC 2543 hold, RFC 3264 8.4) has the peer receive nothing, so we do not
// send. Streams the offer lacks keep their direction. The origin's version
// is ours; the caller bumps it when the answer differs from the last one
// sent (RFC 3264 8).
Sdp answer_reoffer(const Sdp& ours, const Sdp& offer);

}  // namespace isupgw::sip
