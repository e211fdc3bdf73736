// The SIP user agent core: INVITE sessions over the transaction layer,
// implementing SessionApi for the call engine (sip/session_api.h).
//
//   transport (UDP, TCP, TLS)  ->  transaction layer (RFC 3261 17)
//     ->  dialogs and sessions (12-15, RFC 3262 PRACK, RFC 4028 session
//         timers, RFC 3311 UPDATE)  ->  SessionUser
//
// Two ways to build one: with an io_context and listener configs (the
// daemon, sip-ua), or with an injected TransportLayer and TimerService
// (unit tests and benchmarks feed messages through receive()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/ip_address.h"
#include "base/log.h"
#include "base/timer_service.h"
#include "sip/dialog.h"
#include "sip/digest.h"
#include "sip/invite_session.h"
#include "sip/sdp.h"
#include "sip/session_api.h"
#include "sip/stateless_refusal.h"
#include "sip/tls_options.h"
#include "sip/transaction_layer.h"
#include "sip/transport_layer.h"
#include "sip/transport_listener.h"

namespace isupgw::sip {

class SourceGuard;
class DigestServer;
class TrunkTargets;

// Digest authentication (RFC 3261 22, RFC 7616; sip/ua_auth.cpp).
struct DigestUser {
  std::string username, password;
};
// UAC: the credentials we answer a 401/407 from this peer (a trunk's address) with.
struct DigestClientTrunk {
  std::string host;
  DigestUser user;
};
// UAS: INVITEs from these sources must carry credentials of `user` for `realm`.
struct DigestServerTrunk {
  std::vector<IpPrefix> sources;
  DigestUser user;
  std::string realm;
  std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};  // offered in order
};

// Outbound registration of a trunk (RFC 3261 10.2): REGISTER `aor` at `peer`,
// refreshed at half the granted time, again after a backoff on 403, 5xx or a timeout.
struct RegistrationTarget {
  Peer peer;
  std::string aor;        // "sip:user@domain": From and To
  std::string registrar;  // Request-URI "sip:domain"
  std::uint32_t expires = 3600;
  std::string trunk;          // for logs
  Clock::duration backoff{};  // first retry after a failure (doubles up to 16x); zero: registration_backoff
  // The trunk's peer is a host name: each REGISTER goes to the first of UserAgentOptions::trunk_targets'
  // targets for `trunk` (a target that failed is put last: the next address is tried).
  bool resolve = false;
};

// Outbound registration of one trunk (RFC 3261 10.2), as the management views show it.
enum class RegistrationState : std::uint8_t {
  kRegistering,    // the first REGISTER is out
  kRegistered,     // a binding is held (refreshed at half its time)
  kRetrying,       // the last REGISTER failed: the next one waits its backoff
  kUnregistering,  // stop(): the Expires: 0 REGISTER is out (10.2.2)
  kUnregistered,   // stopped, no binding left
};
std::string_view to_string(RegistrationState s);
struct RegistrationStatus {
  std::string trunk, aor, registrar;  // registrar: the Request-URI of the REGISTERs
  Peer target;                        // where the REGISTERs go
  RegistrationState state = RegistrationState::kRegistering;
  std::uint32_t expires = 0;               // seconds the registrar granted (0: no binding)
  std::string last_status;                 // the last outcome: "200", "403", "timeout"; empty: none yet
  std::optional<Clock::duration> next_in;  // until the next REGISTER (refresh or retry); none: nothing due
};

struct UserAgentOptions {
  std::string user_agent = "isupgw";  // User-Agent / Server, Warning agent
  std::string contact_host;           // empty: the listener's address
  TimerValues timers;                 // T1, T2, T4
  // RFC 4028: interval a UAS asks for when the UAC supports timers but asked
  // for none (0 = none), and the smallest interval accepted (422 below it).
  std::uint32_t session_expires = 0;
  std::uint32_t min_se = 90;
  // Trunk keepalive: OPTIONS to each target every interval (empty: none).
  std::vector<Peer> ping_targets;
  Clock::duration ping_interval = std::chrono::seconds(30);
  // A ping without a final response this long after it was sent has failed (trunk health, issue 18);
  // zero: half the interval, at most Timer F (64*T1). Never later than the next ping.
  Clock::duration ping_timeout{};
  TlsOptions tls;
  std::vector<TrunkTls> trunk_tls;         // per-trunk certificates and verification
  std::size_t max_sessions = 100000;       // new INVITEs beyond it get 503
  std::size_t max_queued_bytes = 1 << 20;  // per stream connection
  // The random value behind each RFC 3261 14.1 glare delay (empty: the
  // generator below); tests pin it to run glare in virtual time.
  std::function<std::uint64_t()> glare_random;
  // Tags, branches and Call-IDs come from a generator seeded with this;
  // 0 = from std::random_device (fixed seeds make fuzzing reproducible).
  std::uint64_t random_seed = 0;
  // Judges every datagram and stream message by its source before parsing
  // (issue 23, sip/source_guard.h); owned by the caller, nullptr: none.
  SourceGuard* source_guard = nullptr;
  std::vector<DigestClientTrunk> digest_client;
  std::vector<RegistrationTarget> registrations;
  Clock::duration registration_backoff = std::chrono::seconds(30);  // first retry; doubles up to 16 times that
  std::vector<DigestServerTrunk> digest_server;
  Clock::duration nonce_lifetime = std::chrono::minutes(5);
  // RFC 3263 4.3: told of each INVITE target that answered 503, timed out or refused (the resolver avoids it).
  std::function<void(const Peer& peer, std::string_view why)> target_failed;
  // Trunks resolved by DNS (sip/rfc3263.h), for registrations with `resolve`; nullptr: none.
  TrunkTargets* trunk_targets = nullptr;
  // Topology hiding (issue 18): towards these peers (trunks with topology_hiding: their address, or their
  // RFC 3263 targets by trunk name) nothing optional names us or our software beyond Via and Contact
  // (RFC 3261 8.1.1.7, 8.1.1.8): no User-Agent or Server, Call-IDs without "@host" (8.1.1.4 allows a bare
  // random word), Warning's agent the pseudonym "isupgw" (20.43).
  std::vector<std::string> hidden_hosts;
  std::vector<std::string> hidden_trunks;
  // Sees every message handed to the sockets (sip-ua --capture, tests).
  std::function<void(const Peer& to, std::string_view bytes)> tx_tap;
  // Sees every complete message a transport delivers, before it is parsed (the daemon's trace).
  std::function<void(const Peer& from, std::string_view bytes)> rx_tap;
};

class AsioTransportLayer;

class UserAgent final : public SessionApi, private TransactionUser {
 public:
  // Daemon: listeners are bound by start().
  UserAgent(boost::asio::io_context& io, std::vector<ListenerConfig> listeners, SessionUser& user, Clock& clock,
            Logger& log, Counters& counters, UserAgentOptions options = {});
  // Tests, benchmarks: no sockets; feed messages with receive().
  UserAgent(TransportLayer& transport, TimerService& timers, SessionUser& user, Clock& clock, Logger& log,
            Counters& counters, UserAgentOptions options = {});
  ~UserAgent() override;
  UserAgent(const UserAgent&) = delete;
  UserAgent& operator=(const UserAgent&) = delete;

  // Binds the listeners (io_context form) and starts the OPTIONS pings.
  std::error_code start();
  // One more listener while running (reload, issue 16; io_context form only).
  std::error_code add_listener(const ListenerConfig& c);
  // Bound port of the first listener of that transport (0 = none).
  std::uint16_t port(Transport t) const;
  // The SIP UDP sockets' receive queues (overload control, issue 19); zeros without an own transport.
  RxQueue rx_queue() const;
  // Graceful shutdown: CANCEL/BYE/503 for every session (on_ended kShutdown
  // to the user), pings stop, registered trunks un-REGISTER (Expires: 0, a
  // challenge answered), listeners close once queued bytes are out.
  void stop();
  bool stopped() const { return stopped_; }
  // stop() sent an un-REGISTER that has no final outcome yet: the daemon waits
  // for it (bounded by its shutdown grace) and the listeners stay open for it.
  bool unregistering() const;
  // Each registering trunk's state (sip/registration.cpp).
  std::vector<RegistrationStatus> registrations() const;

  // One complete message from a transport (a datagram, or one stream frame).
  void receive(const Peer& from, std::string_view bytes);

  // --- SessionApi ---
  SessionId invite(OutgoingInvite req) override;
  void cancel(SessionId s, HeaderList headers = {}) override;
  void provisional(SessionId s, int status, HeaderList headers = {}, Body body = {}, bool reliable = false) override;
  void answer(SessionId s, HeaderList headers = {}, Body body = {}) override;
  void reject(SessionId s, int status, HeaderList headers = {}, Body body = {}) override;
  void bye(SessionId s, HeaderList headers = {}, Body body = {}) override;
  void info(SessionId s, HeaderList headers, Body body) override;

  bool reinvite(SessionId s, Body offer) override;
  bool update_identity(SessionId s, std::string from_uri, HeaderList headers) override;
  void refer_progress(SessionId s, int status, std::string_view reason, bool final) override;  // sip/ua_refer.cpp
  void answer_reoffer(SessionId s, int status, Body answer, HeaderList headers) override;
  DialogIds dialog_ids(SessionId s) const override;

  std::size_t sessions() const { return sessions_.size(); }
  std::size_t transactions() const { return tx_.size(); }

  // --- Management (issue 16) ---
  // A session's dialog identity (RFC 3261 12: Call-ID and tags, empty until
  // known) and its peer; nullopt once the session is gone.
  struct SessionInfo {
    std::string call_id, local_tag, remote_tag;
    Peer peer;
    bool uac = false;
  };
  std::optional<SessionInfo> session_info(SessionId s) const;
  // The OPTIONS keepalive of a ping target (RFC 3261 11): -1 no answer yet,
  // 0 down, 1 up; nullopt when `p` is not a ping target.
  std::optional<int> ping_state(const Peer& p) const;

 private:
  struct Session;
  struct StoredRequest;
  enum class Purpose : std::uint8_t {
    kInvite,
    kCancel,
    kBye,
    kPrack,
    kReinvite,
    kUpdate,
    kInfo,
    kPing,
    kRegister,
    kNotify
  };
  struct TxRef {
    SessionId session = 0;
    Purpose purpose = Purpose::kInvite;
    std::size_t ping = 0;
    std::uint8_t auth_tries = 0;  // times this request was re-sent with credentials
  };

  // TransactionUser
  void on_request(TransactionId tx, const Message& request, const Peer& from) override;
  void on_ack(const Message& ack, const Peer& from) override;
  void on_response(TransactionId tx, const Message& response) override;
  void on_stray_response(const Message& response, const Peer& from) override;
  void on_transaction_failed(TransactionId tx, EndReason why) override;

  void init();
  // Admission before the transaction layer (issue 18): true when `m` was answered statelessly (a new INVITE
  // the user refused, or a retransmission of one) or was the ACK of such an answer.
  bool screened(const Message& m, const Peer& from);
  // Digest (sip/ua_auth.cpp): UAC re-sends a challenged request with credentials (true: done so);
  // UAS admits an INVITE or answers it 401/403 (false: answered).
  bool answer_challenge(Session& s, TransactionId tx, const TxRef& ref, const Message& r);
  // RFC 3263 4.3: the INVITE again to the session's next target; false when there is none or it is too late.
  bool fail_over(Session& s, std::string_view why);
  // Our credentials for a trunk's host (the last configured wins), or null.
  const DigestClientTrunk* credentials_for(const std::string& host) const;
  // The first Digest challenge of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) we can parse: the
  // server's order is its preference (RFC 7616 3.7). Without one, `why` says what was wrong.
  static std::optional<DigestChallenge> first_challenge(const Message& r, std::string& why);
  bool admit_authenticated(TransactionId tx, const Message& m, const Peer& from);
  // Outbound registration (sip/registration.cpp).
  void send_register(std::size_t i, std::string credentials_header = {}, std::string credentials = {});
  void on_register_response(std::size_t i, const TxRef& ref, const Message& r);
  void register_failed(std::size_t i, std::string_view reason);
  void close_when_unregistered();
  // Topology hiding (sip/topology_hiding.cpp).
  bool hidden(const Peer& p) const;
  void add_agent(OutMessage& m, HeaderId id, const Peer& p) const;  // User-Agent / Server unless hidden
  std::string warn_agent(const Peer& p) const;
  std::string new_call_id(const Peer& p);
  // Requests.
  void on_new_invite(TransactionId tx, const Message& m, const Peer& from);
  void on_cancel_request(TransactionId tx, const Message& m, const Peer& from);
  void on_in_dialog(Session& s, TransactionId tx, const Message& m, const Peer& from);
  void on_refresh_request(Session& s, TransactionId tx, const Message& m, const Peer& from);
  void answer_refresh(Session& s, TransactionId tx, const Message& m, const Peer& from, std::optional<Body> answer);
  void refuse_reoffer(Session& s, TransactionId tx, const Message& m, const Peer& from, int status, HeaderList headers);
  void on_prack(Session& s, TransactionId tx, const Message& m, const Peer& from);
  bool prack_once(Session& s, const Message& provisional);  // UAC, RFC 3262 4
  void answer_options(TransactionId tx, const Message& m, const Peer& from);
  void respond_simple(TransactionId tx, const Message& m, const Peer& from, int status, HeaderList extra = {});
  // RFC 3515 REFER in a dialog: the engine's answer, then NOTIFY 100 Trying after a 202 (sip/ua_refer.cpp).
  void on_refer_request(Session& s, TransactionId tx, const Message& m, const Peer& from);
  // Responses.
  void on_invite_response(Session& s, const Message& r);
  void on_reinvite_response(Session& s, TransactionId tx, const Message& r);
  Body session_sdp(Session& s, std::optional<std::string_view> offer);
  std::string stamp_sdp(Session& s, Sdp out);
  void on_ping_result(std::size_t index, bool up);
  void send_ack_2xx(Session& s, const Message& r);

  // UAS responses to the INVITE.
  OutMessage invite_response(Session& s, int status);
  void add_capabilities(OutMessage& m) const;
  void send_reject(Session& s, int status, const HeaderList& headers, const Body& body);
  void start_2xx(Session& s, std::string bytes, const Message& request, const Peer& from);
  void retransmit_2xx(SessionId id);
  // Reliable provisionals (RFC 3262 3).
  void add_reliable_headers(Session& s, OutMessage& r);
  void start_reliable(Session& s, const std::string& bytes);
  void stop_reliable(Session& s);
  void retransmit_reliable(SessionId id);

  // Requests we send.
  std::string new_branch();
  std::string new_tag();
  std::string via(Transport t, std::string_view branch) const;
  std::string contact(Transport t) const;
  Transport dialog_transport(const Session& s) const;
  Peer dialog_peer(const Session& s) const;
  TransactionId send_in_dialog(Session& s, std::string method, Purpose purpose, const HeaderList& headers,
                               const Body& body, std::uint32_t cseq = 0);
  void send_cancel(Session& s);
  void send_bye(Session& s, const HeaderList& headers, const Body& body = {});
  void end_with_bye(Session& s, const HeaderList& headers, EndReason why);
  // Our re-INVITE/UPDATE (14, RFC 3311) and its 14.1 glare retry.
  void send_refresh_request(Session& s);
  void glare_timer_fired(SessionId id);
  void send_refresh(SessionId id);

  // Session timers (RFC 4028).
  void start_session_timer(Session& s, std::uint32_t interval, bool we_refresh);
  void session_timer_fired(SessionId id);

  // Sessions.
  Session* find(SessionId id);
  Session* find_dialog(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag);
  void index_dialog(Session& s);
  void stop_timers(Session& s);
  void end(SessionId id);  // forget a session (cancels its timers)
  // Posted on_ended; the session is forgotten now, or when the response to
  // the BYE just sent comes (bye_sent).
  void notify_ended(SessionId id, EndReason why, bool bye_sent = false);
  void defer(std::function<void()> fn);
  void send_ping(std::size_t index);
  Clock::duration ping_timeout() const;

  std::unique_ptr<AsioTransportLayer> owned_transport_;
  std::unique_ptr<TimerService> owned_timers_;
  TransportLayer* transport_;
  TimerService* timers_;
  SessionUser& user_;
  Clock& clock_;
  Logger& log_;
  Counters& counters_;
  UserAgentOptions options_;
  std::unique_ptr<InviteMeter> invite_meter_;  // the session table's counters, shared by every session
  TransactionContext ctx_;
  TransactionLayer tx_;
  std::mt19937_64 rng_;
  std::uint64_t branch_seq_ = 0;
  SessionId last_session_ = 0;
  std::unordered_map<SessionId, std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::string, SessionId> dialogs_;
  std::unordered_map<TransactionId, TxRef> tx_refs_;
  // In-dialog requests that may be challenged, kept until their final response (only with digest_client).
  std::unordered_map<TransactionId, std::string> challengeable_;
  std::unique_ptr<DigestServer> digest_server_;
  struct PingState {
    int up = -1;  // unknown
    TimerService::Id timer = 0;
    TimerService::Id timeout = 0;   // ping_timeout of the outstanding ping
    TransactionId outstanding = 0;  // the ping without a final response yet (0: none)
  };
  std::vector<PingState> pings_;
  struct RegState {
    std::string call_id, from_tag;
    std::uint32_t cseq = 0;
    bool registered = false;
    bool unregistering = false;   // stop(): Expires 0 sent, no refresh, no retry
    TransactionId tx = 0;         // the REGISTER in flight: an answer to an older one is ignored
    std::uint32_t granted = 0;    // seconds of the binding held
    std::string last_status;      // for the management views
    Clock::time_point next_at{};  // when `timer` fires
    std::uint8_t auth_tries = 0;
    unsigned failures = 0;
    TimerService::Id timer = 0;
    Peer peer;  // where the last REGISTER went (a resolved trunk: one of its targets)
  };
  std::vector<RegState> regs_;
  RecentRefusals refusals_;
  bool stopped_ = false;
  // Shared with deferred callbacks so that none runs after destruction.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  Counter& rx_unparseable_;
  Counter& rx_bad_requests_;
  Counter& rx_bad_requests_unanswered_;
  Counter& rx_responses_dropped_;
  Counter& sessions_in_;
  Counter& sessions_out_;
  Counter& glare_;
  Counter& stateless_refusals_;
  Counter& stateless_resent_;
  Counter& stateless_acks_;
};

}  // namespace isupgw::sip
