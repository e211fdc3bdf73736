#include "sip/dns_cares.h"

#include <ares.h>

#include <mutex>

namespace isupgw::sip::dns {

namespace asio = boost::asio;

struct CaresClient::Impl {
  explicit Impl(asio::io_context& io) : io(io), timer(io) {}

  // One watched socket: c-ares owns the fd; the descriptor only waits on it
  // and is released (never closes it) when c-ares stops watching.
  struct Watch {
    Watch(asio::io_context& io, int fd) : fd(fd), d(io, fd) {}
    int fd;
    asio::posix::stream_descriptor d;
    bool read = false, write = false, reading = false, writing = false, gone = false;
  };

  struct Pending {
    Impl* self;
    Callback cb;
  };

  asio::io_context& io;
  asio::steady_timer timer;
  ares_channel channel = nullptr;
  std::map<int, std::shared_ptr<Watch>> watches;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Impl*>(data);
    auto it = self->watches.find(fd);
    if (!readable && !writable) {
      if (it != self->watches.end()) {
        it->second->gone = true;
        it->second->d.release();
        self->watches.erase(it);
      }
      return;
    }
    if (it == self->watches.end()) it = self->watches.emplace(fd, std::make_shared<Watch>(self->io, fd)).first;
    it->second->read = readable != 0;
    it->second->write = writable != 0;
    self->arm(it->second);
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if (w->read && !w->reading) {
      w->reading = true;
      w->d.async_wait(asio::posix::stream_descriptor::wait_read, [this, w, a = alive](boost::system::error_code ec) {
        if (!*a) return;
        w->reading = false;
        if (ec || w->gone) return;
        ares_process_fd(channel, w->fd, ARES_SOCKET_BAD);
        if (!w->gone) arm(w);
        schedule();
      });
    }
    if (w->write && !w->writing) {
      w->writing = true;
      w->d.async_wait(asio::posix::stream_descriptor::wait_write, [this, w, a = alive](boost::system::error_code ec) {
        if (!*a) return;
        w->writing = false;
        if (ec || w->gone) return;
        ares_process_fd(channel, ARES_SOCKET_BAD, w->fd);
        if (!w->gone) arm(w);
        schedule();
      });
    }
  }

  // c-ares' next retransmission or timeout, as a timer on the loop.
  void schedule() {
    timeval max{1, 0}, tv{};
    if (ares_timeout(channel, &max, &tv) == nullptr) return;
    timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer.async_wait([this, a = alive](boost::system::error_code ec) {
      if (ec || !*a) return;
      ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      if (!watches.empty()) schedule();
    });
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
    Result<Answer, std::string> r = Err(std::string(ares_strerror(status)));
    if (abuf != nullptr && alen > 0 && (status == ARES_SUCCESS || status == ARES_ENODATA || status == ARES_ENOTFOUND))
      r = parse_answer({abuf, static_cast<std::size_t>(alen)});
    else if (status == ARES_ENODATA || status == ARES_ENOTFOUND)
      r = Answer{status == ARES_ENOTFOUND ? 3 : 0, {}};
    // Later on the loop: ares_query may answer inside the call (e.g. a bad name).
    asio::post(p->self->io, [cb = std::move(p->cb), r = std::move(r), a = p->self->alive]() mutable {
      if (*a) cb(std::move(r));
    });
  }
};

namespace {
std::once_flag library_once;
}

Result<std::unique_ptr<CaresClient>, std::string> CaresClient::create(asio::io_context& io, const CaresOptions& opt) {
  std::call_once(library_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
  auto impl = std::make_unique<Impl>(io);
  ares_options o{};
  o.sock_state_cb = &Impl::on_sock_state;
  o.sock_state_cb_data = impl.get();
  o.timeout = opt.timeout_ms;
  o.tries = opt.tries;
  const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (int rc = ares_init_options(&impl->channel, &o, mask); rc != ARES_SUCCESS)
    return Err(std::string("c-ares: ") + ares_strerror(rc));
  if (!opt.servers.empty()) {
    std::string csv;
    for (const auto& s : opt.servers) csv += (csv.empty() ? "" : ",") + s;
    if (int rc = ares_set_servers_ports_csv(impl->channel, csv.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(impl->channel);
      return Err(std::string("c-ares: servers '") + csv + "': " + ares_strerror(rc));
    }
  }
  return std::unique_ptr<CaresClient>(new CaresClient(std::move(impl)));
}

CaresClient::CaresClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CaresClient::~CaresClient() {
  *impl_->alive = false;
  impl_->timer.cancel();
  ares_destroy(impl_->channel);  // pending queries end with ARES_EDESTRUCTION (dropped); sockets released
  for (auto& [fd, w] : impl_->watches) w->d.release();
}

void CaresClient::query(const std::string& name, RrType type, Callback cb) {
  auto* p = new Impl::Pending{impl_.get(), std::move(cb)};
  ares_query(impl_->channel, name.c_str(), 1 /* C_IN */, static_cast<int>(type), &Impl::on_answer, p);
  impl_->schedule();
}

}  // namespace isupgw::sip::dns
