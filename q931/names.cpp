// Names of the basic-call message types (Q.931 Table 4-2).
#include <array>
#include <utility>

#include "q931/message.h"

namespace isupgw::q931 {
namespace {
constexpr std::array<std::pair<std::uint8_t, std::string_view>, 16> kNames = {{
    {msg::kAlerting, "ALERTING"},
    {msg::kCallProceeding, "CALL PROCEEDING"},
    {msg::kProgress, "PROGRESS"},
    {msg::kSetup, "SETUP"},
    {msg::kConnect, "CONNECT"},
    {msg::kSetupAck, "SETUP ACKNOWLEDGE"},
    {msg::kConnectAck, "CONNECT ACKNOWLEDGE"},
    {msg::kDisconnect, "DISCONNECT"},
    {msg::kRestart, "RESTART"},
    {msg::kRelease, "RELEASE"},
    {msg::kRestartAck, "RESTART ACKNOWLEDGE"},
    {msg::kReleaseComplete, "RELEASE COMPLETE"},
    {msg::kNotify, "NOTIFY"},
    {msg::kStatusEnquiry, "STATUS ENQUIRY"},
    {msg::kInformation, "INFORMATION"},
    {msg::kStatus, "STATUS"},
}};
}  // namespace

std::string_view message_name(std::uint8_t type) {
  for (const auto& [t, n] : kNames)
    if (t == type) return n;
  return "?";
}

std::optional<std::uint8_t> message_type_from_name(std::string_view name) {
  for (const auto& [t, n] : kNames)
    if (n == name) return t;
  return std::nullopt;
}

}  // namespace isupgw::q931
