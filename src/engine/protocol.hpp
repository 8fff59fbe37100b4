// What the engine drives on each connection: a protocol (HTTP/1 now; HTTP/2, WebSocket and uWSGI
// later) that takes bytes in, puts bytes out through the connection's Output, and hears about
// room to write, deadlines, the end of input, a graceful stop and the close. Called on the
// event loop's thread only, never while the connection is lent to another thread.
#pragma once

#include <cstddef>
#include <span>

namespace gf::engine {

class Protocol {
 public:
  virtual ~Protocol() = default;

  // Where the next bytes from the client go (never empty). May throw: the connection closes.
  virtual std::span<char> input_space() = 0;
  // `n` bytes landed at the start of the last input_space().
  virtual void on_input(size_t n) = 0;
  // The client ended its sending side.
  virtual void on_input_end() = 0;
  // The output fell to the level asked for with Connection::notify_when_drained().
  virtual void on_drained() = 0;
  // The deadline set with Connection::set_deadline() passed.
  virtual void on_deadline() = 0;
  // The worker stops gracefully: finish what is in progress. (HTTP/1 needs nothing: its
  // keep-alive decision already looks at the engine; HTTP/2 will send GOAWAY here.)
  virtual void on_stop() {}
  // The connection is closing (by the protocol, a broken socket, a stalled write, or the end of
  // the worker): release what the protocol holds. Nothing is called after this.
  virtual void on_close() = 0;
};

}  // namespace gf::engine
