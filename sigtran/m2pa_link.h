// One M2PA signalling link (RFC 4165) over a sigtran Transport: the link state
// machine (m2pa_link_fsm.h) plus the User Data procedures of RFC 4165 4.2:
// FSN assignment, acknowledgement through BSN (piggy-backed or an empty User
// Data), in-sequence delivery, and the retransmission buffer of unacknowledged
// messages that MTP3 retrieves on changeover (Q.704 5.4, RFC 4165 4.2.4).
// Link Status goes on stream 0, User Data on stream 1 (RFC 4165 1.3.3); over
// TCP (tests) the stream is ignored and the M3UA-style length framing applies
// unchanged, since the M2PA common header has the same layout.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "base/one_shot_timer.h"
#include "sigtran/m2pa_codec.h"
#include "sigtran/m2pa_link_fsm.h"
#include "sigtran/transport.h"

namespace isupgw::sigtran::m2pa {

class Link;

// MTP3's view of a link (Q.704 clause 3 indications).
class LinkUser {
 public:
  virtual ~LinkUser() = default;
  virtual void on_link_in_service(Link& link) = 0;
  virtual void on_link_out_of_service(Link& link, std::string_view reason) = 0;
  // One MTP3 message (SIO + SIF), in sequence, each exactly once.
  virtual void on_link_msu(Link& link, std::span<const std::uint8_t> msu) = 0;
  virtual void on_link_remote_outage(Link& /*link*/, bool /*outage*/) {}
  // The peer's BSN acknowledged further messages (RFC 4165 4.2.2).
  virtual void on_link_acknowledged(Link& /*link*/) {}
};

struct LinkConfig {
  std::string name = "link";  // "<linkset>/<slc>" in logs
  std::uint8_t slc = 0;       // signalling link code (Q.704 2.3.5)
  LinkTimers timers;
  bool emergency = false;          // prove with Proving Emergency (Q.703 7.3)
  std::size_t max_unacked = 4096;  // retransmission buffer bound; beyond: send refused (congestion)
  Clock::duration reconnect_delay = std::chrono::seconds(1);  // after a transport loss
};

class Link final : public TransportHandler {
 public:
  // `meter`: LinkFsm::make_meter(), shared by the links of a link set.
  Link(LinkConfig cfg, Transport& transport, const LinkFsm::Meter& meter, TimerService& timers, Logger& log,
       Counters& counters, LinkUser& user);
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Brings the transport up (client: connect; server: accept) and aligns once it is.
  // After a failure the link stays idle until start() is called again (MTP3 restarts
  // it after changeover, so nothing is reset before retrieval).
  void start();
  // Takes the link out of service (Out of Service sent, transport kept).
  void stop();
  // stop(), then closes the transport (daemon shutdown).
  void shutdown();
  bool in_service() const { return fsm_.in_service(); }
  LinkFsmState state() const { return fsm_.state(); }
  void set_emergency(bool e) { fsm_.set_emergency(e); }
  const LinkConfig& config() const { return cfg_; }
  std::uint8_t slc() const { return cfg_.slc; }
  // The association's SCTP paths (issue 19: multi-homing), for status.
  std::vector<TransportPath> paths() const { return transport_.paths(); }

  // MTP3 -> peer: assigns the next FSN and keeps a copy until the peer's BSN covers it.
  // False when out of service or the retransmission buffer is full.
  bool send_msu(std::span<const std::uint8_t> msu, std::uint8_t priority = 0);

  // Changeover (Q.704 5.4 with 24-bit M2PA numbers, RFC 4165 4.2.4):
  // the FSN of the last message accepted from the peer (sent in XCO/XCA) ...
  std::uint32_t last_accepted_fsn() const { return rx_fsn_; }
  // False when the numbers no longer describe the link's last traffic phase: they were reset
  // for a new alignment (or the link never was in service). MTP3 then cannot tell the peer
  // its last accepted FSN and uses the emergency changeover messages (Q.704 5.6.1).
  bool sequence_known() const { return sequence_known_; }
  // Q.704 5.7.1: the peer's last accepted FSN is reasonable if it lies between the FSN before
  // the oldest unacknowledged message and the last FSN sent.
  bool fsn_reasonable(std::uint32_t peer_last_accepted) const;
  // ... and, given the peer's last accepted FSN, the messages it has not received,
  // in order. The buffer is emptied.
  std::vector<std::vector<std::uint8_t>> retrieve(std::uint32_t peer_last_accepted);
  // The same for a peer that sends the classic COO/COA (Q.704 5.4.1): only the 7 low
  // bits of its last accepted FSN. Unambiguous while fewer than 128 messages are unacknowledged.
  std::vector<std::vector<std::uint8_t>> retrieve_low7(std::uint8_t peer_last_accepted_low7);
  std::size_t unacked() const { return unacked_.size(); }
  // The FSN of the last User Data sent, and whether the peer has acknowledged a given one.
  std::uint32_t last_sent_fsn() const { return tx_fsn_; }
  bool acknowledged(std::uint32_t fsn) const;

  // TransportHandler
  void on_connected() override;
  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override;
  void on_disconnected(std::string_view reason) override;

 private:
  void send_status(LinkState s);
  void arm_reconnect();
  void send_ack();
  void on_report(LinkFsm::Report r, std::string_view reason);
  void on_user_data(const UserDataView& u);
  void acknowledge(std::uint32_t bsn);
  void reset_sequence();

  LinkConfig cfg_;
  Transport& transport_;
  Logger& log_;
  LinkUser& user_;
  Counter& tx_msu_;
  Counter& rx_msu_;
  Counter& rx_duplicates_;
  Counter& rx_out_of_sequence_;
  Counter& rx_decode_errors_;
  Counter& tx_refused_;
  LinkFsm fsm_;
  bool started_ = false;
  bool in_disconnect_ = false;
  OneShotTimer reconnect_;              // transport restarted after a loss, paced
  std::uint32_t tx_fsn_ = kInitialSeq;  // FSN of the last User Data sent
  std::uint32_t rx_fsn_ = kInitialSeq;  // FSN of the last User Data accepted (our BSN)
  bool sequence_known_ = false;         // in service since the last reset_sequence()
  struct Pending {
    std::uint32_t fsn;
    std::uint8_t priority;
    std::vector<std::uint8_t> msu;
  };
  std::deque<Pending> unacked_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace isupgw::sigtran::m2pa
