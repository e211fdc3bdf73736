#include "sigtran/m2pa_link.h"

namespace isupgw::sigtran::m2pa {
namespace {
// Sequence numbers within half the space ahead count as "after" (serial number arithmetic).
constexpr std::uint32_t kHalf = 1u << 23;
bool at_or_before(std::uint32_t a, std::uint32_t b) { return seq_distance(b, a) < kHalf; }
}  // namespace

Link::Link(LinkConfig cfg, Transport& transport, const LinkFsm::Meter& meter, TimerService& timers, Logger& log,
           Counters& counters, LinkUser& user)
    : cfg_(std::move(cfg)),
      transport_(transport),
      log_(log),
      user_(user),
      // Per link, named "<linkset>/<slc>" as SS7 engineers name links.
      tx_msu_(counters.get("m2pa.link." + cfg_.name + ".tx_msu")),
      rx_msu_(counters.get("m2pa.link." + cfg_.name + ".rx_msu")),
      rx_duplicates_(counters.get("m2pa.link." + cfg_.name + ".rx_duplicates")),
      rx_out_of_sequence_(counters.get("m2pa.link." + cfg_.name + ".rx_out_of_sequence")),
      rx_decode_errors_(counters.get("m2pa.link." + cfg_.name + ".rx_decode_errors")),
      tx_refused_(counters.get("m2pa.link." + cfg_.name + ".tx_refused")),
      fsm_(
          cfg_.name, cfg_.timers, meter, timers, log, counters, [this](LinkState s) { send_status(s); },
          [this](LinkFsm::Report r, std::string_view why) { on_report(r, why); }),
      reconnect_(timers) {
  fsm_.set_emergency(cfg_.emergency);
  transport_.set_handler(this);
}

Link::~Link() { transport_.set_handler(nullptr); }

void Link::start() {
  // Also the restart after a failure, once MTP3 has retrieved what it needs.
  started_ = true;
  if (transport_.connected())
    on_connected();
  else if (in_disconnect_)
    arm_reconnect();  // not from inside the transport's callback
  else
    transport_.start();
}

void Link::stop() {
  started_ = false;
  reconnect_.cancel();
  fsm_.handle(LinkFsmEvent::kStop);
}

void Link::shutdown() {
  stop();
  transport_.close();
}

void Link::reset_sequence() {
  // RFC 4165 4.1.2: both sequence numbers start at 2**24-1 on alignment.
  tx_fsn_ = kInitialSeq;
  rx_fsn_ = kInitialSeq;
  unacked_.clear();
  sequence_known_ = false;
}

void Link::on_connected() {
  if (!started_) return;
  if (fsm_.state() != LinkFsmState::kOutOfService) return;
  reset_sequence();
  fsm_.handle(LinkFsmEvent::kStart);
}

void Link::on_disconnected(std::string_view reason) {
  log_.warn(Subsystem::kM3ua, "m2pa_transport_down", {{"link", cfg_.name}, {"reason", reason}});
  in_disconnect_ = true;
  fsm_.handle(LinkFsmEvent::kCommDown);
  in_disconnect_ = false;
  if (started_) arm_reconnect();  // connect / accept again, paced
}

void Link::arm_reconnect() {
  reconnect_.arm(cfg_.reconnect_delay, [this] {
    if (started_ && !transport_.connected()) transport_.start();
  });
}

void Link::send_status(LinkState s) {
  if (!transport_.connected()) return;
  Message m;
  m.type = MessageType::kLinkStatus;
  m.state = s;
  m.bsn = rx_fsn_;
  m.fsn = tx_fsn_;
  buf_.clear();
  encode(m, buf_);
  transport_.send(kStreamLinkStatus, buf_);
}

void Link::send_ack() {
  // RFC 4165 4.2.2: an empty User Data carries the BSN; its FSN is the last one sent, not advanced.
  UserDataView u;
  u.bsn = rx_fsn_;
  u.fsn = tx_fsn_;
  std::uint8_t out[kHeaderSize];
  if (encode_user_data(u, out)) transport_.send(kStreamUserData, out);
}

bool Link::send_msu(std::span<const std::uint8_t> msu, std::uint8_t priority) {
  if (!fsm_.in_service() || unacked_.size() >= cfg_.max_unacked || msu.empty()) {
    tx_refused_.inc();
    return false;
  }
  tx_fsn_ = seq_next(tx_fsn_);
  UserDataView u;
  u.bsn = rx_fsn_;
  u.fsn = tx_fsn_;
  u.priority = priority;
  u.data = msu;
  buf_.resize(encoded_size(u));
  (void)encode_user_data(u, buf_);
  transport_.send(kStreamUserData, buf_);
  unacked_.push_back({tx_fsn_, priority, std::vector<std::uint8_t>(msu.begin(), msu.end())});
  fsm_.set_ack_timer(true);
  tx_msu_.inc();
  return true;
}

std::vector<std::vector<std::uint8_t>> Link::retrieve(std::uint32_t peer_last_accepted) {
  std::vector<std::vector<std::uint8_t>> out;
  for (auto& p : unacked_)
    if (!at_or_before(p.fsn, peer_last_accepted)) out.push_back(std::move(p.msu));
  unacked_.clear();
  log_.info(
      Subsystem::kM3ua, "m2pa_retrieved",
      {{"link", cfg_.name}, {"peer_bsn", std::to_string(peer_last_accepted)}, {"count", std::to_string(out.size())}});
  return out;
}

std::vector<std::vector<std::uint8_t>> Link::retrieve_low7(std::uint8_t low7) {
  // Candidates: the FSN just before the buffer (everything unacknowledged is missing) and each buffered one.
  const std::uint32_t before = unacked_.empty() ? tx_fsn_ : ((unacked_.front().fsn - 1) & kSeqMask);
  std::uint32_t match = before;
  for (const auto& p : unacked_)
    if ((p.fsn & 0x7f) == (low7 & 0x7f)) match = p.fsn;
  return retrieve(match);
}

bool Link::fsn_reasonable(std::uint32_t peer_last_accepted) const {
  const std::uint32_t oldest_before = unacked_.empty() ? tx_fsn_ : ((unacked_.front().fsn - 1) & kSeqMask);
  return seq_distance(peer_last_accepted, oldest_before) <= seq_distance(tx_fsn_, oldest_before);
}

void Link::acknowledge(std::uint32_t bsn) {
  bool progress = false;
  while (!unacked_.empty() && at_or_before(unacked_.front().fsn, bsn)) {
    unacked_.pop_front();
    progress = true;
  }
  if (progress) fsm_.set_ack_timer(false);
  if (!unacked_.empty()) fsm_.set_ack_timer(true);
  if (progress) user_.on_link_acknowledged(*this);
}

bool Link::acknowledged(std::uint32_t fsn) const {
  // Acknowledged: the oldest unacknowledged message comes after it.
  return unacked_.empty() || !at_or_before(unacked_.front().fsn, fsn);
}

void Link::on_user_data(const UserDataView& u) {
  if (fsm_.state() == LinkFsmState::kAlignedReady) fsm_.handle(LinkFsmEvent::kRxUserData);
  if (!fsm_.in_service()) return;
  acknowledge(u.bsn);
  if (u.data.empty()) return;  // acknowledgement only
  if (u.fsn == seq_next(rx_fsn_)) {
    rx_fsn_ = u.fsn;
    rx_msu_.inc();
    send_ack();
    user_.on_link_msu(*this, u.data);
    return;
  }
  if (at_or_before(u.fsn, rx_fsn_)) {
    rx_duplicates_.inc();  // already delivered
    return;
  }
  // A gap cannot happen on a reliable, ordered stream: the link has failed (RFC 4165 4.2.3).
  rx_out_of_sequence_.inc();
  log_.warn(Subsystem::kM3ua, "m2pa_out_of_sequence",
            {{"link", cfg_.name}, {"expected", std::to_string(seq_next(rx_fsn_))}, {"fsn", std::to_string(u.fsn)}});
  fsm_.handle(LinkFsmEvent::kStop);
}

void Link::on_message(std::uint16_t, std::span<const std::uint8_t> bytes) {
  auto h = peek_header(bytes);
  if (h && h->message_type == static_cast<std::uint8_t>(MessageType::kUserData)) {
    auto u = decode_user_data(bytes);
    if (!u) {
      rx_decode_errors_.inc();
      return;
    }
    on_user_data(*u);
    return;
  }
  auto m = decode(bytes);
  if (!m) {
    rx_decode_errors_.inc();
    log_.warn(Subsystem::kM3ua, "m2pa_decode_error", {{"link", cfg_.name}, {"fault", to_string(m.error())}});
    return;
  }
  if (fsm_.in_service()) acknowledge(m->bsn);
  fsm_.on_link_status(m->state);
}

void Link::on_report(LinkFsm::Report r, std::string_view reason) {
  switch (r) {
    case LinkFsm::Report::kInService:
      sequence_known_ = true;
      log_.notice(Subsystem::kM3ua, "m2pa_link_in_service", {{"link", cfg_.name}, {"slc", std::to_string(cfg_.slc)}});
      user_.on_link_in_service(*this);
      break;
    case LinkFsm::Report::kOutOfService:
    case LinkFsm::Report::kAlignmentFailed:
      // The link stays idle (sequence numbers and retransmission buffer kept) until MTP3
      // has retrieved what it needs and restarts it with start() (Q.704 3.3, 5.4).
      started_ = false;
      reconnect_.cancel();
      log_.warn(Subsystem::kM3ua, "m2pa_link_out_of_service",
                {{"link", cfg_.name}, {"slc", std::to_string(cfg_.slc)}, {"reason", reason}});
      // MTP3 retrieves the retransmission buffer (changeover), then restarts the link (Q.704 3.3).
      user_.on_link_out_of_service(*this, reason);
      break;
    case LinkFsm::Report::kRemoteOutage: user_.on_link_remote_outage(*this, true); break;
    case LinkFsm::Report::kRemoteRecovered: user_.on_link_remote_outage(*this, false); break;
  }
}

}  // namespace isupgw::sigtran::m2pa
