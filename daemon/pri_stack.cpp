#include "daemon/pri_stack.h"

#include "q931/pri_span.h"
#include "sigtran/iua_link.h"
#include "sigtran/transport_factory.h"

namespace isupgw::daemon {

namespace iua = sigtran::iua;

namespace {
std::string restart_name(q931::RestartState s) {
  switch (s) {
    case q931::RestartState::kNull: return "null";
    case q931::RestartState::kRestartRequest: return "restart_request";
    case q931::RestartState::kRestart: return "restart";
  }
  return "?";
}
}  // namespace

// One span: its association (we are the ASP), the data link's state as the primitives report it, and the
// Q.931 layer on top.
class PriStack::SpanUnit final : public iua::LinkUser {
 public:
  SpanUnit(const config::PriSpanSettings& s, std::unique_ptr<sigtran::Transport> transport, TimerService& timers,
           Logger& log, Counters& counters)
      : name_(s.name),
        transport_(std::move(transport)),
        log_(log),
        counters_(counters),
        meters_(log, counters) {
    std::visit([this](const auto& v) { iid_ = v; }, s.interface);
    iua::LinkConfig lc;
    lc.name = s.name;
    lc.role = iua::Role::kAsp;
    if (const auto* n = std::get_if<std::uint32_t>(&s.interface))
      lc.interface_ids = {*n};
    else
      lc.interface_names = {std::get<std::string>(s.interface)};
    lc.asp_identifier = s.asp_identifier;
    lc.traffic_mode = 1;  // override (RFC 4233 3.3.2.1): one ASP serves the span
    lc.t_beat = s.beat;
    link_ = std::make_unique<iua::Link>(lc, *transport_, meters_, timers, log, counters, *this);

    q931::SpanConfig sc;
    sc.name = s.name;
    sc.side = s.user_side ? q931::Side::kUser : q931::Side::kNetwork;
    sc.timers = s.user_side ? q931::Timers::user() : q931::Timers::network();
    sc.channels = s.channels;
    q931::Span::Hooks h;
    h.send = [this](std::vector<std::uint8_t> b) {
      if (!link_->send_data(iid_, iua::Dlci{}, b)) counters_.get("pri.tx_link_down").inc();
    };
    h.incoming = [this](q931::Span::CallId id, const q931::Message& setup, std::uint8_t channel) {
      if (user_ != nullptr) return user_->on_pri_setup(*span_, id, setup, channel);
      // No call engine (no routes): refused, the channel back to idle.
      log_.notice(Subsystem::kCall, "pri_call_not_interworked",
                  {{"span", name_},
                   {"channel", static_cast<int>(channel)},
                   {"called", setup.called ? setup.called->digits : std::string()}});
      return std::optional<std::uint8_t>(47);
    };
    h.indication = [this](q931::Span::CallId id, const q931::Message& m) {
      if (user_ != nullptr) user_->on_pri_message(*span_, id, m);
    };
    h.released = [this](q931::Span::CallId id, std::uint8_t cause) {
      if (user_ != nullptr) user_->on_pri_released(*span_, id, cause);
    };
    span_ = std::make_unique<q931::Span>(sc, timers, log, counters, std::move(h));
  }
  ~SpanUnit() override {
    span_.reset();
    link_.reset();
  }

  void start() { link_->start(); }
  void set_user(q931::SpanUser* user) { user_ = user; }
  q931::Span* span() { return span_.get(); }
  void stop() { link_->stop(); }

  SpanView view() const {
    SpanView v;
    v.name = name_;
    v.asp_state = std::string(to_string(link_->asp_state()));
    v.data_link = span_->up();
    v.restart = restart_name(span_->restart_state());
    v.channels = span_->config().channels.size();
    v.busy = span_->busy_channels();
    v.calls = span_->calls();
    return v;
  }

  // iua::LinkUser
  void on_link_ready(bool ready) override {
    log_.info(Subsystem::kCall, ready ? "pri_asp_active" : "pri_asp_inactive", {{"span", name_}});
    if (ready) {
      // RFC 4233 3.3.1.3: the ASP asks the SG to establish the data link (a Confirm follows, at once if up).
      link_->send_primitive(iua::MessageType::kEstablishRequest, iid_, iua::Dlci{});
    } else {
      span_->link_down();
    }
  }
  void on_primitive(const iua::Primitive& p) override {
    switch (p.type) {
      case iua::MessageType::kEstablishConfirm:
      case iua::MessageType::kEstablishIndication:
        if (!span_->up()) span_->link_up();
        break;
      case iua::MessageType::kReleaseConfirm:
      case iua::MessageType::kReleaseIndication:
        span_->link_down();
        counters_.get("pri.data_link_released").inc();
        break;
      case iua::MessageType::kDataIndication: span_->receive(p.data); break;
      default: counters_.get("pri.primitive_ignored").inc(); break;
    }
  }

 private:
  std::string name_;
  std::unique_ptr<sigtran::Transport> transport_;
  Logger& log_;
  Counters& counters_;
  iua::LinkMeters meters_;
  iua::InterfaceId iid_;
  std::unique_ptr<iua::Link> link_;
  std::unique_ptr<q931::Span> span_;
  q931::SpanUser* user_ = nullptr;
};

PriStack::PriStack(boost::asio::io_context& io, Logger& log, Counters& counters)
    : io_(io), log_(log), counters_(counters), timers_(io) {}

PriStack::~PriStack() { spans_.clear(); }

Result<std::unique_ptr<PriStack>, std::string> PriStack::create(boost::asio::io_context& io,
                                                                const std::vector<config::PriSpanSettings>& spans,
                                                                Logger& log, Counters& counters) {
  std::unique_ptr<PriStack> s(new PriStack(io, log, counters));
  for (const auto& x : spans) {
    auto t = sigtran::open_transport(io, x.transport, s->clock_, log, counters);
    if (!t) return Err("PRI span '" + x.name + "': " + t.error());
    s->spans_.push_back(std::make_unique<SpanUnit>(x, std::move(t->transport), s->timers_, log, counters));
  }
  return s;
}

void PriStack::start() {
  for (auto& s : spans_) s->start();
}

void PriStack::set_user(q931::SpanUser* user) {
  for (auto& s : spans_) s->set_user(user);
}

std::vector<q931::Span*> PriStack::spans() {
  std::vector<q931::Span*> out;
  for (auto& s : spans_) out.push_back(s->span());
  return out;
}

void PriStack::stop() {
  for (auto& s : spans_) s->stop();
}

std::vector<PriStack::SpanView> PriStack::view() const {
  std::vector<SpanView> out;
  for (const auto& s : spans_) out.push_back(s->view());
  return out;
}

}  // namespace isupgw::daemon
