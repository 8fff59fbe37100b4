// The connection engine: owns every client connection of a worker (RAII) and moves bytes for the
// protocols that speak on them - reading when input is wanted, flushing output as the socket
// takes it, deadlines and stalled writes, lingering closes, the connection cap and the graceful
// stop. It knows nothing of HTTP or Python, and does no waiting itself: a Reactor reports
// readiness (EventLoop in a worker, a fake in the unit tests).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "engine/connection.hpp"
#include "engine/output.hpp"
#include "engine/protocol.hpp"
#include "engine/reactor.hpp"
#include "net/transport.hpp"

namespace gf::engine {

struct EngineLimits {
  size_t max_connections = 1000;         // worker_connections
  int64_t graceful_ns = 30'000'000'000;  // graceful_timeout
  int64_t linger_ns = 2'000'000'000;     // a half-closed connection's goodbye
  int64_t write_timeout_ns = 0;  // a client that takes nothing for this long is cut (0: never)
  OutputLimits output;
};

class Engine {
 public:
  Engine(Reactor& reactor, const EngineLimits& limits);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Takes a new client: `make(connection)` builds the protocol that speaks on it, then its first
  // bytes are read at once (they usually came with the connection, thanks to TCP_DEFER_ACCEPT).
  template <typename MakeProtocol>
  void open(std::unique_ptr<net::Transport> transport, MakeProtocol&& make) {
    Connection& c = add(std::move(transport));
    try {
      c.protocol_ = make(c);
    } catch (...) {
      close(c);
      throw;
    }
    start(c);
  }

  // Below the connection cap and not stopping. Safe from any thread, as are the two below.
  bool accepting() const { return !stopping_ && count_ < limits_.max_connections; }
  size_t connection_count() const { return count_; }
  bool stopping() const { return stopping_; }
  const EngineLimits& limits() const { return limits_; }
  // The clock of the last sweep: what deadlines are measured from.
  int64_t now_ns() const { return now_ns_; }

  // From the reactor, on the loop's thread.
  void on_readable(Connection& c);
  void on_writable(Connection& c);
  void run_deferred();
  // Expires deadlines (about every 250 ms) and ends a graceful stop that ran out of time.
  void sweep();

  // Stops taking clients and lets the connections finish; the reactor is stopped once none is
  // left or graceful_ns has passed.
  void begin_stop();
  // Closes every connection still open (the worker is ending). Lent ones too when
  // `including_lent` (their threads have finished).
  void close_all(bool including_lent);

 private:
  friend class Connection;

  Connection& add(std::unique_ptr<net::Transport> transport);
  void start(Connection& c);
  void read_now(Connection& c);
  void wait_input(Connection& c);
  void want_input(Connection& c);
  void discard_input(Connection& c);
  void pump(Connection& c);
  void notify_when_drained(Connection& c, size_t level);
  void schedule_flush(Connection& c);
  void schedule_turn();
  void restore(Connection& c);
  void linger(Connection& c);
  void close(Connection& c);
  void collect();  // destroys connections closed since the last turn

  Reactor& reactor_;
  EngineLimits limits_;
  std::list<std::unique_ptr<Connection>> open_;
  // Closed during this turn: kept until the next, so that code still on the stack may look at
  // them (closed() says so) without touching freed memory.
  std::vector<std::unique_ptr<Connection>> closed_;
  std::vector<Connection*> deferred_reads_;
  std::vector<Connection*> deferred_flushes_;  // defer_writes: output queued this turn
  bool turn_scheduled_ = false;                // run_deferred() is due
  std::atomic<size_t> count_ = 0;
  std::atomic<bool> stopping_ = false;
  int64_t now_ns_;
  int64_t stop_deadline_ns_ = 0;
};

}  // namespace gf::engine
