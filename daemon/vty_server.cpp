#include "daemon/vty_server.h"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <mutex>

#include "daemon/vty_commands.h"

extern "C" {
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>
}

namespace isupgw::daemon {

namespace {

// libosmovty's tables and listener are process-wide: one VTY per process.
std::atomic<bool> g_vty_taken{false};

int trampoline(cmd_element* cmd, struct vty* v, int argc, const char* argv[]) {
  // vty->priv is libosmovty's telnet connection, whose priv is what telnet_init_dynif was given.
  auto* conn = static_cast<telnet_connection*>(v->priv);
  auto* self = conn != nullptr ? static_cast<VtyServer*>(conn->priv) : nullptr;
  if (self == nullptr) return CMD_WARNING;
  return self->dispatch(cmd, v, argc, argv);
}

// The listener telnet_init_dynif bound: the one listening socket in this thread's select loop.
std::optional<std::uint16_t> bound_port() {
  struct rlimit rl {};
  const int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? static_cast<int>(rl.rlim_cur) : 65536;
  for (int fd = 0; fd < max; ++fd) {
    if (osmo_fd_get_by_fd(fd) == nullptr) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl) != 0) continue;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  }
  return std::nullopt;
}

int wake_cb(osmo_fd* ofd, unsigned int) {
  std::uint64_t n = 0;
  if (::read(ofd->fd, &n, sizeof n) < 0) return 0;
  return 0;
}

}  // namespace

VtyServer::VtyServer(mgmt::Model& model, std::chrono::milliseconds timeout) : model_(model), timeout_(timeout) {}

VtyServer::~VtyServer() { stop(); }

Result<std::uint16_t, std::string> VtyServer::start(const std::string& address, std::uint16_t port) {
  if (thread_.joinable()) return Err(std::string("the VTY is already running"));
  if (g_vty_taken.exchange(true)) return Err(std::string("one VTY per process (libosmovty's tables are global)"));
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Err(std::string("eventfd: ") + std::strerror(errno));
  std::promise<Result<std::uint16_t, std::string>> started;
  auto result = started.get_future();
  thread_ = std::thread([this, address, port, p = std::move(started)]() mutable { run(address, port, std::move(p)); });
  auto r = result.get();
  if (!r) {
    thread_.join();
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
  return r;
}

void VtyServer::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  const std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // eventfd writes fail only on overflow: the loop is being woken anyway.
  }
  thread_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

void VtyServer::run(std::string address, std::uint16_t port, std::promise<Result<std::uint16_t, std::string>> started) {
  // Signals are the Asio loop's (SIGTERM, SIGHUP, ...); a session that went away makes write() fail with
  // EPIPE here instead of raising SIGPIPE.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);

  // libosmocore keeps its talloc contexts and select loop per thread: this thread's own.
  osmo_ctx_init("isupgw-vty");
  osmo_select_init();
  void* ctx = talloc_named_const(nullptr, 0, "isupgw-vty");
  // libosmocore's own log calls (telnet connections) need its logging initialised; no target: silent.
  static const log_info no_categories{};
  log_init(&no_categories, ctx);

  static vty_app_info app{};
  app.name = "isupgw";
  app.version = ISUPGW_VERSION;
  app.copyright = "isupgw, SIP <-> SS7 ISUP signalling gateway. GPL-3.0-or-later.\r\n";
  app.tall_ctx = ctx;
  vty_init(&app);

  const auto& commands = vty_commands();
  elements_ = std::make_unique<std::vector<cmd_element>>(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto& e = (*elements_)[i];
    e.string = commands[i].syntax;
    e.doc = commands[i].help;
    e.func = trampoline;
    if (commands[i].enable_only)
      install_element(ENABLE_NODE, &e);
    else
      install_element_ve(&e);
  }

  if (telnet_init_dynif(ctx, this, address.c_str(), port) != 0) {
    started.set_value(Err("cannot bind " + address + ":" + std::to_string(port) + " (TCP)"));
    talloc_free(osmo_ctx);
    osmo_ctx = nullptr;
    return;
  }
  const auto bound = bound_port();
  osmo_fd wake{};
  osmo_fd_setup(&wake, wake_fd_, OSMO_FD_READ, wake_cb, this, 0);
  osmo_fd_register(&wake);
  started.set_value(bound ? Result<std::uint16_t, std::string>(*bound)
                          : Result<std::uint16_t, std::string>(Err(std::string("the VTY listener's port is unknown"))));
  if (!bound) stopping_.store(true);
  while (!stopping_.load()) osmo_select_main(0);
  osmo_fd_unregister(&wake);
  telnet_exit();
  // This thread's own contexts (osmo_ctx_init): nothing refers to them once the thread ends.
  talloc_free(osmo_ctx);
  osmo_ctx = nullptr;
}

int VtyServer::dispatch(const cmd_element* cmd, struct vty* v, int argc, const char* argv[]) {
  const auto index = static_cast<std::size_t>(cmd - elements_->data());
  const auto& commands = vty_commands();
  if (index >= commands.size()) return CMD_WARNING;
  std::vector<std::string> args(argv, argv + argc);
  const std::string text = commands[index].run(*this, args);
  // libosmovty's own line end ("\r\n" on telnet).
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const auto line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    vty_out(v, "%s", line.c_str());
    vty_out_newline(v);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return !text.empty() && text[0] == '%' ? CMD_WARNING : CMD_SUCCESS;
}

}  // namespace isupgw::daemon
