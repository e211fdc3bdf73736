#include "media-gw/tools/mg_sim_iua.h"

#include <sys/socket.h>
#include <unistd.h>

namespace isupgw::mediagw {

namespace asio = boost::asio;

IuaSimServer::IuaSimServer(asio::io_context& io, IuaSimOptions opt, Logger& log, Counters& counters)
    : io_(io), opt_(std::move(opt)), log_(log), counters_(counters), timers_(io) {}

IuaSimServer::~IuaSimServer() {
  for (auto& [id, d] : dchans_)
    if (d.acceptor) ::unlink(d.path.c_str());
}

std::optional<std::string> IuaSimServer::start() {
  sigtran::TransportSpec spec;
  spec.kind = opt_.sctp ? sigtran::TransportSpec::Kind::kSctp : sigtran::TransportSpec::Kind::kTcp;
  spec.server = true;
  spec.address = opt_.address;
  spec.port = opt_.port;
  spec.ppid = sigtran::iua::kPpid;
  spec.name = "iua-sg";
  auto t = sigtran::open_transport(io_, spec, clock_, log_, counters_);
  if (!t) return t.error();
  transport_ = std::move(*t);
  port_ = transport_.local_port;
  IuaSgConfig cfg;
  cfg.link.name = "iua-sg";
  cfg.link.reconnect = false;
  for (const auto& [id, path] : opt_.lapd) cfg.interfaces.push_back(id);
  sg_ = std::make_unique<IuaSg>(cfg, *transport_.transport, timers_, log_, counters_,
                                [this](std::uint32_t id, std::span<const std::uint8_t> f) { send_frame(id, f); });
  for (const auto& [id, path] : opt_.lapd) {
    Dchan& d = dchans_[id];
    d.id = id;
    d.path = path;
    boost::system::error_code ec;
    ::unlink(path.c_str());
    d.acceptor = std::make_unique<asio::basic_socket_acceptor<Seq>>(io_);
    d.acceptor->open(Seq(AF_UNIX, 0), ec);
    if (!ec) d.acceptor->bind(Seq::endpoint(asio::local::stream_protocol::endpoint(path)), ec);
    if (!ec) d.acceptor->listen(1, ec);
    if (ec) return "cannot listen on " + path + ": " + ec.message();
    accept(d);
  }
  sg_->start();
  return std::nullopt;
}

void IuaSimServer::accept(Dchan& d) {
  d.acceptor->async_accept([this, &d](boost::system::error_code ec, Seq::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      d.socket = std::make_unique<Seq::socket>(std::move(s));  // one PBX per D channel: the last one wins
      log_.info(Subsystem::kM3ua, "mg_sim_pbx_attached", {{"interface", d.id}});
      receive(d);
    }
    accept(d);
  });
}

void IuaSimServer::receive(Dchan& d) {
  auto* sock = d.socket.get();
  sock->async_receive(asio::buffer(d.buf), d.rx_flags, [this, &d, sock](boost::system::error_code ec, std::size_t n) {
    if (ec || d.socket.get() != sock) return;  // closed, or replaced by a newer PBX
    if (n >= 5) sg_->receive_frame(d.id, std::span<const std::uint8_t>(d.buf.data(), n - 2));  // without the FCS
    receive(d);
  });
}

void IuaSimServer::send_frame(std::uint32_t id, std::span<const std::uint8_t> frame) {
  auto it = dchans_.find(id);
  if (it == dchans_.end() || !it->second.socket) return;  // no PBX attached: Q.921 retransmits (T200)
  std::vector<std::uint8_t> b(frame.begin(), frame.end());
  b.push_back(0);
  b.push_back(0);
  boost::system::error_code ec;
  it->second.socket->send(asio::buffer(b), 0, ec);
}

std::string IuaSimServer::status() const {
  std::string s = "asp=" + std::string(to_string(sg_->iua().peer_state()));
  for (const auto& [id, d] : dchans_) s += " " + std::to_string(id) + "=" + std::string(to_string(sg_->lapd_state(id)));
  return s;
}

}  // namespace isupgw::mediagw
