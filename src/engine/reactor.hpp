// What the engine needs from an event loop: readiness watching, a next turn, and accepting
// switched on and off. The production loop (EventLoop: Asio + an epoll set) implements it; unit
// tests use a fake and deliver events by hand, so the engine is tested without sockets.
#pragma once

#include <cstdint>
#include <functional>

#include "net/acceptor.hpp"
#include "net/listener.hpp"

namespace gf::engine {

class Connection;

// What a worker type hears from the reactor that runs its loop, besides the engine's events.
struct LoopCallbacks {
  // A new client on `listener` (accepted non-blocking); hand it to the engine.
  std::function<void(const net::Listener& listener, const net::Accepted& client)> accepted;
  // The wake-up descriptor was readable (a signal arrived); it has been drained.
  std::function<void()> signaled;
  // Every sweep (about 250 ms), before the engine's deadlines: heartbeat, parent check.
  std::function<void()> tick;
};

// How often a reactor beats the heartbeat and sweeps the engine's deadlines.
inline constexpr int64_t kSweepIntervalMs = 250;

class Reactor {
 public:
  virtual ~Reactor() = default;

  // Report readiness of `c` to the engine from now on: input always, room to write when
  // `writable`. Called on the first wait and whenever the write interest changes.
  virtual void watch(Connection& c, bool writable) = 0;
  // Stop reporting anything for `c` (it is closing; its token must turn stale).
  virtual void forget(Connection& c) = 0;
  // Call Engine::run_deferred() on a next turn of the loop.
  virtual void schedule_deferred() = 0;
  // The connection cap was reached / left: stop or resume taking new clients.
  virtual void pause_accepting() = 0;
  virtual void resume_accepting() = 0;
  // The engine has nothing left to do (a graceful stop finished or timed out).
  virtual void stop() = 0;
  // The clock deadlines are measured on (monotonic nanoseconds).
  virtual int64_t now_ns() const = 0;
};

}  // namespace gf::engine
