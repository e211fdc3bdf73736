#include "media-gw/mgcp_message.h"

#include <array>
#include <utility>

namespace isupgw::mediagw::mgcp {
namespace {

constexpr std::array<std::string_view, kVerbCount> kVerbNames = {"EPCF", "CRCX", "MDCX", "DLCX", "RQNT",
                                                                 "NTFY", "AUEP", "AUCX", "RSIP"};

constexpr std::array<std::string_view, 5> kRestartNames = {"graceful", "forced", "restart", "disconnected",
                                                           "cancel-graceful"};

constexpr std::array<std::string_view, 10> kModeNames = {"sendonly", "recvonly", "sendrecv", "confrnce", "inactive",
                                                         "loopback", "conttest", "netwloop", "netwtest", "data"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view to_string(Verb v) { return kVerbNames[static_cast<std::size_t>(v)]; }

std::optional<Verb> verb_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kVerbNames.size(); ++i)
    if (iequals(s, kVerbNames[i])) return static_cast<Verb>(i);
  return std::nullopt;
}

const std::string* find_param(const Parameters& ps, std::string_view code) {
  for (const auto& p : ps)
    if (iequals(p.name, code)) return &p.value;
  return nullptr;
}

void set_param(Parameters& ps, std::string_view code, std::string value) {
  for (auto& p : ps)
    if (iequals(p.name, code)) {
      p.value = std::move(value);
      return;
    }
  ps.push_back(Parameter{std::string(code), std::move(value)});
}

CodeClass code_class(std::uint16_t code) {
  if (code == 0) return CodeClass::kAck;
  switch (code / 100) {
    case 1: return CodeClass::kProvisional;
    case 2: return CodeClass::kSuccess;
    case 4: return CodeClass::kTransient;
    case 5: return CodeClass::kPermanent;
    case 8: return CodeClass::kPackage;
    default: return CodeClass::kOther;
  }
}

std::string_view code_text(std::uint16_t code) {
  switch (code) {
    case 0: return "response acknowledgement";
    case 100: return "transaction being executed";
    case 101: return "transaction queued";
    case 200: return "OK";
    case 250: return "connection deleted";
    case 400: return "transient error";
    case 401: return "phone already off hook";
    case 402: return "phone already on hook";
    case 403: return "insufficient resources now";
    case 404: return "insufficient bandwidth now";
    case 405: return "endpoint restarting";
    case 406: return "transaction time-out";
    case 407: return "transaction aborted";
    case 409: return "internal overload";
    case 410: return "no endpoint available";
    case 500: return "endpoint unknown";
    case 501: return "endpoint not ready";
    case 502: return "insufficient resources";
    case 503: return "all-of wildcard too complicated";
    case 504: return "unknown or unsupported command";
    case 505: return "unsupported RemoteConnectionDescriptor";
    case 506: return "cannot satisfy LocalConnectionOptions and RemoteConnectionDescriptor";
    case 507: return "unsupported functionality";
    case 508: return "unknown quarantine handling";
    case 509: return "error in RemoteConnectionDescriptor";
    case 510: return "protocol error";
    case 511: return "unrecognized extension";
    case 512: return "cannot detect requested event";
    case 513: return "cannot generate requested signal";
    case 514: return "cannot send announcement";
    case 515: return "incorrect connection-id";
    case 516: return "unknown call-id";
    case 517: return "unsupported or invalid mode";
    case 518: return "unsupported or unknown package";
    case 519: return "no digit map";
    case 520: return "endpoint restarting";
    case 521: return "endpoint redirected";
    case 522: return "no such event or signal";
    case 523: return "unknown action";
    case 524: return "LocalConnectionOptions inconsistency";
    case 525: return "unknown extension in LocalConnectionOptions";
    case 526: return "insufficient bandwidth";
    case 527: return "missing RemoteConnectionDescriptor";
    case 528: return "incompatible protocol version";
    case 529: return "internal hardware failure";
    case 530: return "CAS signaling protocol error";
    case 531: return "failure of a grouping of trunks";
    case 532: return "unsupported values in LocalConnectionOptions";
    case 533: return "response too large";
    case 534: return "codec negotiation failure";
    case 535: return "packetization period not supported";
    case 536: return "unknown or unsupported RestartMethod";
    case 537: return "unknown or unsupported digit map extension";
    case 538: return "event/signal parameter error";
    case 539: return "invalid or unsupported command parameter";
    case 540: return "per endpoint connection limit exceeded";
    case 541: return "invalid or unsupported LocalConnectionOptions";
    default: return "";
  }
}

std::string_view to_string(RestartMethod m) { return kRestartNames[static_cast<std::size_t>(m)]; }

std::optional<RestartMethod> restart_method_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kRestartNames.size(); ++i)
    if (iequals(s, kRestartNames[i])) return static_cast<RestartMethod>(i);
  return std::nullopt;
}

std::string_view to_string(ConnectionMode m) { return kModeNames[static_cast<std::size_t>(m)]; }

std::optional<ConnectionMode> connection_mode_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kModeNames.size(); ++i)
    if (iequals(s, kModeNames[i])) return static_cast<ConnectionMode>(i);
  return std::nullopt;
}

}  // namespace isupgw::mediagw::mgcp
