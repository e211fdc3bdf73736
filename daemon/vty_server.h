// The VTY (issue 16): libosmovty's telnet CLI, the one operators of osmo-stp and osmo-mgw use (`show ...`,
// `enable`, `?` help, tab completion). libosmocore's select loop runs in a thread of its own beside the
// gateway's Asio loop, and the two share no state: a command crosses as a typed request posted to the Asio
// loop (mgmt::Model::post), which answers by value through a promise the VTY thread waits on, with a
// timeout. The front end holds no logic: daemon/vty_commands.cpp turns each command line into one of the
// model's queries or actions, daemon/vty_render.cpp lays the answer out as text.
//
// libosmovty keeps its command tables and telnet listener in globals: one VtyServer per process.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "mgmt/model.h"

struct cmd_element;
struct vty;

namespace isupgw::daemon {

class VtyServer {
 public:
  // `timeout`: how long a command waits for the Asio loop's answer (a circuit query waits for the CQR too).
  explicit VtyServer(mgmt::Model& model, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~VtyServer();
  VtyServer(const VtyServer&) = delete;
  VtyServer& operator=(const VtyServer&) = delete;

  // Starts the VTY thread and binds the telnet listener; the bound port (port 0: an ephemeral one), or why not.
  Result<std::uint16_t, std::string> start(const std::string& address, std::uint16_t port);
  // Closes the listener and every session and joins the thread. Any thread but the VTY thread.
  void stop();

  // For the commands (VTY thread): runs `fn` on the Asio loop and waits for its value; nullopt after the
  // timeout (or while stopping).
  template <class T>
  std::optional<T> ask(std::function<T(mgmt::Model&)> fn, std::chrono::milliseconds timeout);
  // The same for the model's asynchronous actions (CQM, reload): `fn` gets a callback to answer with.
  template <class T>
  std::optional<T> ask_async(std::function<void(mgmt::Model&, std::function<void(T)>)> fn,
                             std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout() const { return timeout_; }

  // A command as libosmovty calls it (VTY thread).
  int dispatch(const cmd_element* cmd, struct vty* v, int argc, const char* argv[]);

 private:
  void run(std::string address, std::uint16_t port, std::promise<Result<std::uint16_t, std::string>> started);
  template <class T>
  std::optional<T> wait(std::future<T>& f, std::chrono::milliseconds timeout);

  mgmt::Model& model_;
  std::chrono::milliseconds timeout_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;  // eventfd: stop() wakes the select loop through it
  // The commands libosmovty holds pointers to (installed once; never moved).
  std::unique_ptr<std::vector<cmd_element>> elements_;
};

template <class T>
std::optional<T> VtyServer::wait(std::future<T>& f, std::chrono::milliseconds timeout) {
  // In slices, so that stop() never waits a whole timeout for a loop that no longer runs.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stopping_.load()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return std::nullopt;
    if (f.wait_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50))) ==
        std::future_status::ready) {
      try {
        return f.get();
      } catch (const std::future_error&) {  // the loop went away with the request (broken promise)
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

template <class T>
std::optional<T> VtyServer::ask(std::function<T(mgmt::Model&)> fn, std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  model_.post([p, fn = std::move(fn), &model = model_] { p->set_value(fn(model)); });
  return wait(f, timeout);
}

template <class T>
std::optional<T> VtyServer::ask_async(std::function<void(mgmt::Model&, std::function<void(T)>)> fn,
                                      std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  model_.post([p, fn = std::move(fn), &model = model_] { fn(model, [p](T v) { p->set_value(std::move(v)); }); });
  return wait(f, timeout);
}

}  // namespace isupgw::daemon
