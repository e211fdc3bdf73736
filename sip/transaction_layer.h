// The transaction layer (RFC 3261 17): owns every client and server
// transaction, matches received messages to them (17.1.3, 17.2.3), detects
// merged requests (8.2.2.2) and passes to its user (the UserAgent) only what
// the transaction machines let through.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sip/invite_client_transaction.h"
#include "sip/invite_server_transaction.h"
#include "sip/non_invite_client_transaction.h"
#include "sip/non_invite_server_transaction.h"
#include "sip/transaction.h"

namespace isupgw::sip {

class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  // A request that opened a new server transaction (never ACK, never a retransmission).
  virtual void on_request(TransactionId tx, const Message& request, const Peer& from) = 0;
  // An ACK matching no INVITE server transaction in Completed/Confirmed: the ACK for a 2xx (17.2.3, 13.2.2.4).
  virtual void on_ack(const Message& ack, const Peer& from) = 0;
  virtual void on_response(TransactionId tx, const Message& response) = 0;
  // A response matching no client transaction, e.g. a 2xx retransmitted after Timer M (17.1.3).
  virtual void on_stray_response(const Message& response, const Peer& from) = 0;
  // Client: Timer B/F or transport error; server: Timer H (no ACK) or transport error.
  virtual void on_transaction_failed(TransactionId tx, EndReason why) = 0;
};

class TransactionLayer final : private TransactionOwner {
 public:
  TransactionLayer(TransactionContext& ctx, TransactionUser& user, Counters& counters);
  ~TransactionLayer() override;
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // A validated message from `from` (transport and source address).
  void receive(const Message& m, const Peer& from);

  // Starts a client transaction for `bytes` (top Via carries `branch`).
  // ACK is never a transaction: send it with TransportLayer directly.
  TransactionId send_request(Method method, std::string_view branch, const Peer& to, std::string bytes);
  // Sends a response in a server transaction. False if the transaction is gone.
  bool respond(TransactionId server_tx, int status, std::string bytes);
  // True when `request` (not ACK) belongs to a server transaction we keep: a retransmission (17.2.3).
  bool has_server_transaction(const Message& request);
  // True while a server transaction has not sent a final response.
  bool proceeding(TransactionId server_tx) const;
  // RFC 3261 9.2: the INVITE server transaction a CANCEL refers to, 0 if none.
  TransactionId invite_for_cancel(const Message& cancel) const;
  // Where responses of a server transaction go (18.2.2, RFC 3581 4).
  static Peer reply_destination(const Message& request, const Peer& from);

  // A stream to `peer` failed (connect, TLS handshake, write): every client
  // transaction towards it ends with a transport error (17.1.4).
  void transport_failed(const Peer& peer);

  std::size_t size() const { return txs_.size(); }
  // Destroys every transaction without reporting (shutdown).
  void clear();

 private:
  struct Entry {
    std::string key;
    std::string merge_key;
    std::unique_ptr<InviteClientTransaction> ict;
    std::unique_ptr<NonInviteClientTransaction> nict;
    std::unique_ptr<InviteServerTransaction> ist;
    std::unique_ptr<NonInviteServerTransaction> nist;
    bool server() const { return ist || nist; }
  };

  TransactionOwner& owner() { return *this; }
  void receive_request(const Message& m, const Peer& from);
  void receive_response(const Message& m, const Peer& from);
  void reject_merged(const Message& m, const Peer& from);

  // TransactionOwner
  void tx_response(TransactionId id, const Message& response) override;
  void tx_failed(TransactionId id, EndReason why) override;
  void tx_ack(TransactionId id, const Message& ack) override;
  void tx_terminated(TransactionId id) override;

  TransactionContext& ctx_;
  TransactionUser& user_;
  TransactionId last_id_ = 0;
  std::unordered_map<TransactionId, Entry> txs_;
  std::unordered_map<std::string, TransactionId> client_;
  std::unordered_map<std::string, TransactionId> server_;
  std::unordered_map<std::string, TransactionId> merge_;
  std::string key_;  // scratch
  std::string loop_key_;
  Counter& rx_retransmissions_;
  Counter& rx_stray_responses_;
  Counter& merged_requests_;
  Counter& loops_;
  Counter& timeouts_;
};

}  // namespace isupgw::sip
