// The SG end of IUA (RFC 4233 1.3, 1.4) in the MG simulator: per PRI interface
// one Q.921 data link (q931/lapd_link, network side, SAPI 0 / TEI 0) towards
// the PBX, relayed to one IUA association (sigtran/iua_link, SG role) towards
// the call agent's ASP:
//   the PBX's SABME (DL-ESTABLISH indication)   -> IUA Establish Indication
//   IUA Establish Request -> DL-ESTABLISH request (our SABME; at once when up)
//                                               -> IUA Establish Confirm
//   DL-RELEASE indication / confirm             -> IUA Release Indication / Confirm
//   I frame payload (DL-DATA indication)        -> IUA Data Indication
//   IUA Data Request                            -> I frame (DL-DATA request)
// No sockets: frames leave through a callback and come in by receive_frame().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "base/clock.h"
#include "base/counters.h"
#include "base/log.h"
#include "q931/lapd_link.h"
#include "sigtran/iua_link.h"

namespace isupgw::mediagw {

struct IuaSgConfig {
  sigtran::iua::LinkConfig link;          // the association (its role is set to SG)
  std::vector<std::uint32_t> interfaces;  // integer interface identifiers, one D channel each
  q931::lapd::LinkParams lapd;
};

class IuaSg final : public sigtran::iua::LinkUser {
 public:
  // One Q.921 frame (address, control, information: no flags, no FCS) for the PBX on `interface_id`.
  using SendFrame = std::function<void(std::uint32_t interface_id, std::span<const std::uint8_t> frame)>;

  IuaSg(IuaSgConfig cfg, sigtran::Transport& transport, TimerService& timers, Logger& log, Counters& counters,
        SendFrame send);
  ~IuaSg() override;

  void start() { iua_->start(); }  // the association's transport (listen / connect)
  // A frame from the PBX on `interface_id`; false when it is not a Q.921 frame or the interface is unknown.
  bool receive_frame(std::uint32_t interface_id, std::span<const std::uint8_t> frame);

  q931::lapd::LinkState lapd_state(std::uint32_t interface_id) const;
  sigtran::iua::Link& iua() { return *iua_; }

  // sigtran::iua::LinkUser
  void on_link_ready(bool ready) override;
  void on_primitive(const sigtran::iua::Primitive& p) override;

 private:
  struct Dchan {
    std::uint32_t id = 0;
    std::unique_ptr<q931::lapd::Link> link;
    bool establish_requested = false;  // by the ASP: the next establishment is its Confirm
    bool release_requested = false;
  };
  void on_established(Dchan& d);
  void on_released(Dchan& d);
  void on_data(Dchan& d, std::vector<std::uint8_t> l3);
  bool indicate(sigtran::iua::MessageType type, const Dchan& d, std::span<const std::uint8_t> data = {},
                std::optional<std::uint32_t> reason = {});

  Logger& log_;
  SendFrame send_;
  q931::lapd::Link::Meter lapd_meter_;
  sigtran::iua::LinkMeters iua_meters_;
  std::map<std::uint32_t, Dchan> dchans_;
  std::unique_ptr<sigtran::iua::Link> iua_;
  Counter& to_asp_;
  Counter& from_asp_;
  Counter& dropped_;
};

}  // namespace isupgw::mediagw
