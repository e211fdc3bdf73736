// mg-sim's IUA SG end (media-gw/iua_sg.h) on sockets: the association on TCP
// (the host has no kernel SCTP) or kernel SCTP (in the VM, tests/sctp-vm)
// towards the call agent's ASP, and per PRI interface one Unix SOCK_SEQPACKET
// socket where a PBX (libpri through its I/O callbacks) attaches its D channel:
// one Q.921 frame per packet, followed by the 2 FCS octets libpri writes and
// expects (not checked, sent as zero).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/asio.h"
#include "base/asio_timer_service.h"
#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "media-gw/iua_sg.h"
#include "sigtran/transport_factory.h"

namespace isupgw::mediagw {

struct IuaSimOptions {
  std::string address;  // the association's listening address ("" = no IUA)
  std::uint16_t port = 9900;
  bool sctp = false;                          // kernel SCTP instead of TCP
  std::map<std::uint32_t, std::string> lapd;  // interface identifier -> Unix socket path
};

class IuaSimServer {
 public:
  IuaSimServer(boost::asio::io_context& io, IuaSimOptions opt, Logger& log, Counters& counters);
  ~IuaSimServer();
  // Listens; the error names what could not be opened.
  std::optional<std::string> start();
  std::uint16_t port() const { return port_; }
  // "asp=ASP-ACTIVE 1=7_multiple_frame_established ..."
  std::string status() const;

 private:
  using Seq = boost::asio::generic::seq_packet_protocol;  // AF_UNIX (Boost 1.74 has no local:: one)
  struct Dchan {
    std::uint32_t id = 0;
    std::string path;
    std::unique_ptr<boost::asio::basic_socket_acceptor<Seq>> acceptor;
    std::unique_ptr<Seq::socket> socket;
    std::array<std::uint8_t, 512> buf{};
    boost::asio::socket_base::message_flags rx_flags = 0;  // written by async_receive
  };
  void accept(Dchan& d);
  void receive(Dchan& d);
  void send_frame(std::uint32_t id, std::span<const std::uint8_t> frame);

  boost::asio::io_context& io_;
  IuaSimOptions opt_;
  Logger& log_;
  Counters& counters_;
  SteadyClock clock_;
  AsioTimerService timers_;
  sigtran::OpenedTransport transport_;
  std::unique_ptr<IuaSg> sg_;
  std::map<std::uint32_t, Dchan> dchans_;
  std::uint16_t port_ = 0;
};

}  // namespace isupgw::mediagw
