// The connection engine's reactor on a running asyncio loop (stock asyncio or uvloop): the
// engine's epoll set, the listeners and the worker's wake-up pipe are watched with
// loop.add_reader, the sweep is a loop.call_later chain, deferred work a loop.call_soon. So the
// ASGI worker's connections and the app's coroutines share one loop on one thread, and the
// engine is the same one the gthread worker drives through Asio. GIL held throughout.
#pragma once

#include <Python.h>

#include <memory>
#include <vector>

#include "engine/engine.hpp"
#include "engine/reactor.hpp"
#include "net/listener.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {

class AsyncioReactor final : public engine::Reactor {
 public:
  // `loop` is the asyncio loop (a reference is kept); the listeners and `wakeup_fd` stay owned
  // by their owners.
  AsyncioReactor(PyObject* loop, const std::vector<net::Listener>& listeners, int wakeup_fd);
  ~AsyncioReactor() override;
  AsyncioReactor(const AsyncioReactor&) = delete;
  AsyncioReactor& operator=(const AsyncioReactor&) = delete;

  // Watches everything and runs loop.run_forever() until stop(). Throws std::runtime_error
  // when the loop cannot be set up (the Python error is logged).
  void run(engine::Engine& engine, engine::LoopCallbacks callbacks);

  // engine::Reactor
  void watch(engine::Connection& c, bool writable) override;
  void forget(engine::Connection& c) override;
  void schedule_deferred() override;
  void pause_accepting() override;
  void resume_accepting() override;
  void stop() override;
  int64_t now_ns() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::python
