#include "daemon/trace_output.h"

#include <chrono>
#include <filesystem>

#include "trace/hep.h"
#include "trace/ladder.h"

namespace isupgw::daemon {

namespace asio = boost::asio;

namespace {

// A SIGTRAN transport whose messages, both ways, are captured before they are handed on.
class TracedTransport final : public sigtran::Transport, public sigtran::TransportHandler {
 public:
  TracedTransport(std::unique_ptr<sigtran::Transport> inner, trace::Capture& capture, trace::Protocol protocol,
                  trace::L4 l4, trace::Address local, trace::Address remote)
      : inner_(std::move(inner)), capture_(capture), protocol_(protocol), l4_(l4), local_(local), remote_(remote) {}

  void set_handler(sigtran::TransportHandler* h) override {
    handler_ = h;
    inner_->set_handler(h ? this : nullptr);
  }
  void start() override { inner_->start(); }
  bool send(std::uint16_t stream, std::span<const std::uint8_t> message) override {
    if (!inner_->send(stream, message)) return false;
    capture_.packet(protocol_, l4_, true, local_, remote_, message, stream);
    return true;
  }
  void close() override { inner_->close(); }
  bool connected() const override { return inner_->connected(); }
  std::uint16_t streams() const override { return inner_->streams(); }
  void set_peer_guard(sigtran::PeerGuard* guard) override { inner_->set_peer_guard(guard); }
  void reject() override { inner_->reject(); }
  std::vector<sigtran::TransportPath> paths() const override { return inner_->paths(); }

  void on_connected() override { handler_->on_connected(); }
  void on_message(std::uint16_t stream, std::span<const std::uint8_t> message) override {
    capture_.packet(protocol_, l4_, false, remote_, local_, message, stream);
    handler_->on_message(stream, message);
  }
  void on_disconnected(std::string_view reason) override { handler_->on_disconnected(reason); }

 private:
  std::unique_ptr<sigtran::Transport> inner_;
  sigtran::TransportHandler* handler_ = nullptr;
  trace::Capture& capture_;
  trace::Protocol protocol_;
  trace::L4 l4_;
  trace::Address local_, remote_;
};

int sip_index(sip::Transport t) { return t == sip::Transport::kUdp ? 0 : t == sip::Transport::kTcp ? 1 : 2; }

}  // namespace

Result<std::unique_ptr<TraceOutput>, std::string> TraceOutput::start(asio::io_context& io,
                                                                     const config::TraceSettings& s, bool ansi,
                                                                     Logger& log, Counters& counters) {
  auto pcap = trace::RollingPcap::open(
      trace::PcapOptions{s.directory, s.base_name, s.rotate_bytes, s.rotate_interval_s, s.max_files});
  if (!pcap) return Err(pcap.error());
  std::unique_ptr<TraceOutput> out(new TraceOutput(io, std::move(*pcap), s, ansi, log, counters));
  if (!s.hep_address.empty()) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(s.hep_address, ec);
    if (ec) return Err("trace.hep: bad address " + s.hep_address);
    out->hep_to_ = asio::ip::udp::endpoint(addr, s.hep_port);
    out->hep_ = std::make_unique<asio::ip::udp::socket>(io);
    out->hep_->open(addr.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
    if (ec) return Err("trace.hep: cannot open a UDP socket: " + ec.message());
    out->hep_->non_blocking(true, ec);
  }
  // Absolute in the log line: a relative directory is the working directory's (the embedded default's).
  std::error_code fs_ec;
  const auto dir = std::filesystem::absolute(s.directory, fs_ec);
  const auto file = std::filesystem::absolute(out->first_file_, fs_ec);
  log.notice(Subsystem::kCore, "trace_files",
             {{"directory", dir.lexically_normal().string()},
              {"file", file.lexically_normal().string()},
              {"hep", s.hep_address.empty() ? std::string("off") : s.hep_address + ":" + std::to_string(s.hep_port)},
              {"keep_calls", s.keep_calls}});
  return out;
}

TraceOutput::TraceOutput(asio::io_context& io, trace::RollingPcap pcap, const config::TraceSettings& s, bool ansi,
                         Logger& log, Counters& counters)
    : io_(io),
      capture_([this] {
        // Past 1 MiB: taken right after the handler that filled it (never between a message and its binding).
        if (flush_posted_) return;
        flush_posted_ = true;
        asio::post(io_, [this] {
          flush_posted_ = false;
          flush();
        });
      }),
      correlator_(ansi),
      first_file_(pcap.path()),
      pcap_(std::make_unique<trace::PcapWriter>(std::move(pcap))),
      store_(s.keep_calls),
      hep_agent_(s.hep_agent_id),
      log_(log),
      messages_(counters.get("trace.messages")),
      tagged_(counters.get("trace.messages_with_call")),
      hep_sent_(counters.get("trace.hep_sent")),
      errors_(counters.get("trace.write_errors")),
      timer_(io),
      ansi_(ansi) {
  arm();
}

TraceOutput::~TraceOutput() {
  timer_.cancel();
  flush();
}

void TraceOutput::arm() {
  timer_.expires_after(std::chrono::milliseconds(100));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    flush();
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    pcap_->tick(now);
    arm();
  });
}

void TraceOutput::flush() {
  capture_.take(batch_);
  if (batch_.records.empty()) return;
  correlator_.resolve(batch_);
  store_.add(batch_);
  for (const auto& r : batch_.records) {
    if (r.kind != trace::Kind::kPacket) continue;
    messages_.inc();
    if (r.call != 0) tagged_.inc();
    if (!hep_ || r.protocol != trace::Protocol::kSip) continue;
    hep_buf_.clear();
    trace::encode_hep3(hep_buf_, r, batch_.data(r), hep_agent_);
    boost::system::error_code ec;
    hep_->send_to(asio::buffer(hep_buf_), hep_to_, 0, ec);
    if (!ec) hep_sent_.inc();
  }
  pcap_->submit(batch_);  // batch_ comes back empty
  if (auto e = pcap_->take_error(); !e.empty()) failed(e);
}

void TraceOutput::failed(const std::string& error) {
  errors_.inc();
  if (errors_.value() % 1000 == 1)
    log_.error(Subsystem::kCore, "trace_write_failed", {{"error", error}, {"errors", errors_.value()}});
}

void TraceOutput::set_sip_local(sip::Transport t, const std::string& address, std::uint16_t port) {
  sip_local_[sip_index(t)] = trace::Address::parse(address, port);
}

std::function<void(const sip::Peer&, std::string_view)> TraceOutput::sip_tap(bool outgoing) {
  return [this, outgoing](const sip::Peer& peer, std::string_view bytes) {
    if (peer.host != last_host_) {
      last_host_ = peer.host;
      last_remote_ = trace::Address::parse(peer.host, 0);
    }
    auto remote = last_remote_;
    remote.port = peer.port;
    const auto& local = sip_local_[sip_index(peer.transport)];
    const auto l4 = peer.transport == sip::Transport::kUdp ? trace::L4::kUdp : trace::L4::kTcp;
    capture_.packet(trace::Protocol::kSip, l4, outgoing, outgoing ? local : remote, outgoing ? remote : local, bytes);
  };
}

std::unique_ptr<sigtran::Transport> TraceOutput::wrap(std::unique_ptr<sigtran::Transport> inner,
                                                      const sigtran::TransportSpec& spec, std::uint16_t local_port) {
  const auto protocol = spec.ppid == trace::kPpidM2pa ? trace::Protocol::kM2pa : trace::Protocol::kM3ua;
  const auto l4 = spec.kind == sigtran::TransportSpec::Kind::kTcp ? trace::L4::kTcp : trace::L4::kSctp;
  const std::uint16_t well_known = protocol == trace::Protocol::kM2pa ? 3565 : 2905;
  trace::Address local, remote;
  if (spec.server) {
    local = trace::Address::parse(spec.address, local_port);
    // The peer is whoever connects: the first allowed peer names it, else the well-known port on the
    // listener's own address.
    remote = trace::Address::parse(spec.address, well_known);
    if (spec.allowed_peers && !spec.allowed_peers->empty()) {
      const auto& p = spec.allowed_peers->front();
      remote.ip = p.net.addr;
      remote.v6 = p.net.v6;
      if (p.port != 0) remote.port = p.port;
    }
  } else {
    remote = trace::Address::parse(spec.address, spec.port);
    local = trace::Address::parse(spec.local_address.empty() ? spec.address : spec.local_address,
                                  spec.local_port != 0 ? spec.local_port : well_known);
  }
  return std::make_unique<TracedTransport>(std::move(inner), capture_, protocol, l4, local, remote);
}

void TraceOutput::tap_mgcp(mediagw::MgcpUdpTransport& t, const mediagw::UdpConfig& udp) {
  // The local port is the bound one (ephemeral in tests): read once, at the first datagram.
  auto local = std::make_shared<std::optional<trace::Address>>();
  const auto mg = trace::Address::parse(udp.mg_address, udp.mg_port);
  t.set_tap([this, &t, local, mg, address = udp.local_address](bool outgoing, std::span<const std::uint8_t> d) {
    if (!*local) *local = trace::Address::parse(address, t.local_port());
    capture_.packet(trace::Protocol::kMgcp, trace::L4::kUdp, outgoing, outgoing ? **local : mg, outgoing ? mg : **local,
                    d);
  });
}

namespace {

std::optional<std::uint64_t> call_id(const std::string& text) {
  std::uint64_t id = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return id;
}

}  // namespace

void TraceOutput::register_routes(http::Router& router) {
  router.add(http::Verb::get, "/ladder", [this](const http::Request&, http::Reply reply) {
    flush();
    http::Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = trace::render_call_index(store_, "/calls/", "/ladder");
    reply(std::move(r));
  });
  router.add(http::Verb::get, "/calls/{id}/ladder", [this](const http::Request& req, http::Reply reply) {
    const std::string& text = req.params.at("id");
    auto id = call_id(text);
    if (!id) return reply(http::json_error(400, "bad_call_id", "call id is a number"));
    flush();
    const auto* msgs = store_.call(*id);
    if (msgs == nullptr) return reply(http::json_error(404, "no_trace", "no trace kept for call " + text));
    http::Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = trace::render_ladder(*id, *msgs, ansi_ ? isup::Variant::kAnsi : isup::Variant::kItu, ansi_);
    reply(std::move(r));
  });
  router.add(http::Verb::get, "/calls/{id}/pcap", [this](const http::Request& req, http::Reply reply) {
    const std::string& text = req.params.at("id");
    auto parsed = call_id(text);
    if (!parsed) return reply(http::json_error(400, "bad_call_id", "call id is a number"));
    const std::uint64_t id = *parsed;
    flush();  // what the call path captured up to now
    auto bytes = store_.pcap(id);
    if (bytes.empty()) return reply(http::json_error(404, "no_trace", "no trace kept for call " + text));
    http::Response r;
    r.content_type = "application/vnd.tcpdump.pcap";
    r.body.assign(bytes.begin(), bytes.end());
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"call-" + text + ".pcapng\"");
    reply(std::move(r));
  });
}

}  // namespace isupgw::daemon
