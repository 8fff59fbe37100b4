// A worker's event loop: one Asio io_context on one thread watching the listeners, the worker's
// signal wake-up pipe, a 250 ms sweep timer and an epoll set of client sockets (net::ReadinessSet),
// and feeding what it sees to an Engine. Other threads hand it work with post().
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "engine/engine.hpp"
#include "engine/reactor.hpp"
#include "net/acceptor.hpp"
#include "net/listener.hpp"

namespace gf::engine {

class EventLoop final : public Reactor {
 public:
  using Callbacks = LoopCallbacks;

  // `wakeup_fd` (the worker's signal pipe) and the listeners stay owned by their owners.
  EventLoop(const std::vector<net::Listener>& listeners, int wakeup_fd);
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until stop(): delivers readiness to `engine` and calls `callbacks`.
  void run(Engine& engine, Callbacks callbacks);
  // Runs `work` on the loop's thread on a next turn; callable from any thread.
  void post(std::function<void()> work);

  // Reactor
  void watch(Connection& c, bool writable) override;
  void forget(Connection& c) override;
  void schedule_deferred() override;
  void pause_accepting() override;
  void resume_accepting() override;
  void stop() override;
  int64_t now_ns() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::engine
