// Digest authentication in the user agent (RFC 3261 22, RFC 7616):
//   UAC: a 401/407 to an INVITE, re-INVITE, UPDATE or BYE from a peer we hold
//   credentials for is answered by the same request again with a new branch, a
//   higher CSeq and Authorization / Proxy-Authorization (22.2, 8.1.3.5); a
//   second challenge that is not stale=true means the credentials were refused.
//   A CANCEL is never challenged or re-sent with credentials (22.1): it copies
//   the INVITE it cancels, which carries none of its own.
//   UAS: an INVITE from a source that must authenticate is answered 401 with
//   one challenge per algorithm (SHA-256 first, RFC 7616 3.7), again 401 for a
//   stale, foreign or replayed nonce, 403 for wrong credentials.
#include <openssl/rand.h>

#include "sip/digest_server.h"
#include "sip/ua_session.h"

namespace isupgw::sip {

using namespace ua;

std::optional<std::string> ua::rewrite_request(std::string_view bytes, std::string_view branch, std::uint32_t cseq,
                                               std::string_view name, std::string_view value) {
  Message m;
  if (!parse_message(bytes, m, Framing::kStream)) return std::nullopt;
  struct Edit {
    std::size_t at, len;
    std::string text;
  };
  std::vector<Edit> edits;
  auto offset = [&](std::string_view v) { return static_cast<std::size_t>(v.data() - bytes.data()); };
  bool via = false, replaced = false;
  const Header* cseq_h = nullptr;
  for (const Header& h : m.headers()) {
    if (h.id == HeaderId::kVia && !via) {
      via = true;
      const std::size_t b = h.value.find("branch=");
      if (b == std::string_view::npos) return std::nullopt;
      std::size_t e = h.value.find(';', b);
      if (e == std::string_view::npos) e = h.value.size();
      edits.push_back({offset(h.value) + b + 7, e - b - 7, std::string(branch)});
    } else if (h.id == HeaderId::kCSeq) {
      cseq_h = &h;
      edits.push_back({offset(h.value), h.value.size(), std::to_string(cseq) + " " + std::string(m.method_text)});
    } else if (!name.empty() && grammar::iequals(h.name, name)) {
      edits.push_back({offset(h.value), h.value.size(), std::string(value)});
      replaced = true;
    }
  }
  if (!via || cseq_h == nullptr) return std::nullopt;
  if (!replaced && !name.empty())
    edits.push_back(
        {offset(cseq_h->value) + cseq_h->value.size(), 0, "\r\n" + std::string(name) + ": " + std::string(value)});
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.at > b.at; });
  std::string out(bytes);
  for (const auto& e : edits) out.replace(e.at, e.len, e.text);
  return out;
}

const DigestClientTrunk* UserAgent::credentials_for(const std::string& host) const {
  const DigestClientTrunk* cred = nullptr;
  for (const auto& c : options_.digest_client)
    if (c.host == host) cred = &c;
  return cred;
}

std::optional<DigestChallenge> UserAgent::first_challenge(const Message& r, std::string& why) {
  const std::string_view want = r.status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
  why = "no Digest challenge";
  for (const Header& h : r.headers()) {
    if (!grammar::iequals(h.name, want)) continue;
    auto p = parse_digest_challenge(h.value);
    if (p) return std::move(*p);
    why = p.error();
  }
  return std::nullopt;
}

bool UserAgent::answer_challenge(Session& s, TransactionId tx, const TxRef& ref, const Message& r) {
  if (r.status != 401 && r.status != 407) return false;
  if (ref.purpose != Purpose::kInvite && ref.purpose != Purpose::kReinvite && ref.purpose != Purpose::kUpdate &&
      ref.purpose != Purpose::kBye)
    return false;
  const DigestClientTrunk* cred = credentials_for(s.peer.host);
  if (cred == nullptr) return false;
  std::string why;
  std::optional<DigestChallenge> ch = first_challenge(r, why);
  auto give_up = [&](std::string reason) {
    counters_.get("sip.auth.uac_refused").inc();
    log_.warn(Subsystem::kSip, "auth_refused",
              {{"session", s.id}, {"status", r.status}, {"peer", s.peer.host}, {"reason", reason}});
    return false;
  };
  if (!ch) return give_up(why);
  // 22.2: credentials the server already saw refused, unless it only said the nonce was stale.
  if (ref.auth_tries > 0 && !ch->stale) return give_up("credentials refused");
  if (ref.auth_tries >= 3) return give_up("too many challenges");
  std::string_view bytes;
  if (ref.purpose == Purpose::kInvite) {
    bytes = s.invite_bytes;
  } else if (auto it = challengeable_.find(tx); it != challengeable_.end()) {
    bytes = it->second;
  } else {
    return false;
  }
  Message req;
  if (!parse_message(bytes, req, Framing::kStream)) return false;
  const std::string cnonce = new_tag() + new_tag();
  const auto creds = sip::answer_challenge(*ch, cred->user.username, cred->user.password, req.method_text,
                                           req.request_uri_text, cnonce);
  const std::uint32_t cseq = ++s.dialog.local_cseq;
  const std::string branch = new_branch();
  auto out = rewrite_request(bytes, branch, cseq, r.status == 401 ? "Authorization" : "Proxy-Authorization",
                             format_credentials(creds));
  if (!out) return false;
  const Method method = req.method;
  const Peer peer = ref.purpose == Purpose::kInvite ? s.peer : dialog_peer(s);
  const TransactionId ntx = tx_.send_request(method, branch, peer, *out);
  s.txs.push_back(ntx);
  tx_refs_[ntx] = TxRef{s.id, ref.purpose, 0, static_cast<std::uint8_t>(ref.auth_tries + 1)};
  if (ref.purpose == Purpose::kInvite) {
    s.invite_branch = branch;
    s.invite_bytes = std::move(*out);
    s.invite_tx = ntx;
  } else {
    challengeable_[ntx] = std::move(*out);
    if (s.refresh_tx == tx) s.refresh_tx = ntx;
  }
  counters_.get("sip.auth.uac_answered").inc();
  log_.info(Subsystem::kSip, "auth_answered",
            {{"session", s.id},
             {"status", r.status},
             {"method", req.method_text},
             {"realm", ch->realm},
             {"algorithm", to_string(ch->algorithm)},
             {"stale", ch->stale}});
  return true;
}

bool UserAgent::admit_authenticated(TransactionId tx, const Message& m, const Peer& from) {
  if (options_.digest_server.empty()) return true;
  const auto src = IpPrefix::parse(from.host);
  if (!src) return true;
  const DigestServerTrunk* trunk = nullptr;
  for (const auto& t : options_.digest_server)
    for (const auto& net : t.sources)
      if (trunk == nullptr && net.contains(*src)) trunk = &t;
  if (trunk == nullptr) return true;
  if (!digest_server_) {
    std::array<std::uint8_t, 32> secret{};
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
      for (auto& b : secret) b = static_cast<std::uint8_t>(rng_());
    digest_server_ = std::make_unique<DigestServer>(clock_, secret, options_.nonce_lifetime);
  }
  auto challenge = [&](bool stale) {
    HeaderList h;
    for (auto a : trunk->algorithms)
      h.emplace_back("WWW-Authenticate", format_challenge(digest_server_->challenge(trunk->realm, a, stale)));
    counters_.get("sip.auth.challenged").inc();
    respond_simple(tx, m, from, 401, std::move(h));
    return false;
  };
  std::optional<DigestCredentials> creds;
  for (const Header& h : m.headers()) {
    if (!grammar::iequals(h.name, "Authorization")) continue;
    auto c = parse_digest_credentials(h.value);
    if (!c) {
      counters_.get("sip.auth.malformed").inc();
      respond_simple(tx, m, from, 400,
                     {{"Warning", "399 " + warn_agent(from) + " \"malformed Authorization: " + c.error() + "\""}});
      return false;
    }
    if (c->realm == trunk->realm) {
      creds = std::move(*c);
      break;
    }
  }
  if (!creds) return challenge(false);
  // RFC 7616 3.4.6: the digest covers this request's URI, not another's.
  const bool same_uri = creds->uri == m.request_uri_text;
  auto verdict =
      same_uri ? digest_server_->check(*creds, m.method_text, trunk->realm, trunk->user.username, trunk->user.password)
               : DigestServer::Verdict::kWrong;
  switch (verdict) {
    case DigestServer::Verdict::kOk: counters_.get("sip.auth.accepted").inc(); return true;
    case DigestServer::Verdict::kStale: counters_.get("sip.auth.stale").inc(); return challenge(true);
    case DigestServer::Verdict::kReplay:
      counters_.get("sip.auth.replayed").inc();
      log_.warn(Subsystem::kSip, "auth_replayed", {{"source", from.host}, {"user", creds->username}});
      return challenge(false);
    case DigestServer::Verdict::kBadNonce: counters_.get("sip.auth.bad_nonce").inc(); return challenge(false);
    case DigestServer::Verdict::kWrong: break;
  }
  counters_.get("sip.auth.failed").inc();
  log_.warn(Subsystem::kSip, "auth_failed",
            {{"source", from.host},
             {"user", creds->username},
             {"call_id", std::string(m.call_id)},
             {"reason", same_uri ? "wrong credentials" : "uri is not the Request-URI"}});
  respond_simple(tx, m, from, 403);
  return false;
}

}  // namespace isupgw::sip
