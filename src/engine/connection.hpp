// One client connection as the engine owns it: its transport (closed with the object), its
// output queue, its deadline and where it stands with the event loop; and the protocol that
// speaks on it. Protocols steer it through the calls below, on the event loop's thread.
#pragma once

#include <cstdint>
#include <list>
#include <memory>

#include "engine/output.hpp"
#include "engine/protocol.hpp"
#include "net/transport.hpp"

namespace gf::engine {

class Engine;

class Connection {
 public:
  Connection(Engine& engine, std::unique_ptr<net::Transport> transport, const OutputLimits& limits)
      : engine_(engine), transport_(std::move(transport)), output_(*transport_, limits) {
    output_.set_deferred_hook(&Connection::flush_later, this);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  net::Transport& transport() { return *transport_; }
  Output& output() { return output_; }
  Protocol& protocol() { return *protocol_; }
  Engine& engine() { return engine_; }

  // Read when bytes are (or become) available, then call on_input / on_input_end.
  void want_input();
  // Flush the output as the socket allows; once at most `level` bytes are left, on_drained()
  // (at once if that is already so). Stalling past the write timeout aborts the connection.
  void notify_when_drained(size_t level);
  // on_deadline() `timeout_ns` from now (0: no deadline). Whole sweeps apart, so about 250 ms.
  void set_deadline(int64_t timeout_ns);
  // Hands the connection to another thread (an application thread): the engine delivers no
  // event and expires no deadline until restore(), which must run on the loop's thread.
  void lend() { lent_ = true; }
  void restore();
  bool lent() const { return lent_; }
  // Half-closes and discards what the client still sends until it closes too (or a short
  // linger time passes): closing with unread input would reset the connection and could
  // destroy what was just sent. The output must be empty (see notify_when_drained).
  void linger();
  // Closes now; what is still queued is dropped.
  void close();
  // Resets the connection (RST) instead of ending it politely, and closes: for a client that
  // stalled past a timeout, so nothing is left to trickle out of an orphaned socket.
  void abort();
  bool closed() const { return closed_; }

  // The event loop's handle for this connection in its readiness set (0: not registered).
  uint64_t token = 0;
  bool watching_writes = false;

 private:
  friend class Engine;
  static void flush_later(void* self);

  Engine& engine_;
  std::unique_ptr<net::Transport> transport_;
  Output output_;
  std::unique_ptr<Protocol> protocol_;
  int64_t deadline_ns_ = 0;        // the protocol's (0: none)
  int64_t write_deadline_ns_ = 0;  // while output waits on a stalled client (0: none)
  size_t drain_level_ = 0;
  bool awaiting_drain_ = false;
  bool waiting_input_ = false;    // read as soon as the loop reports bytes
  bool input_drained_ = false;    // the last read came back short and no bytes were reported since
  bool read_scheduled_ = false;   // in the engine's queue of reads for the next turn
  bool flush_scheduled_ = false;  // in the engine's queue of flushes for the next turn
  bool lent_ = false;
  bool lingering_ = false;
  bool closed_ = false;
  std::list<std::unique_ptr<Connection>>::iterator self_;  // in the engine's open list
};

}  // namespace gf::engine
