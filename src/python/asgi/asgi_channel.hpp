// One ASGI HTTP request between the app and the connection: the C-level `receive` and `send`
// the app awaits, and what happens when the app's coroutine ends (the 500 for an exception, the
// access-log line, post_request). receive() and send() answer with an already-complete
// awaitable whenever they can; only a body still on its way or a congested client makes them
// hand out an asyncio Future, resolved from the connection's events. Everything runs on the
// event loop's thread with the GIL held.
#pragma once

#include <Python.h>

#include <chrono>
#include <cstddef>

#include "http/body_source.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "log/access_log.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {

// What a channel needs from the connection that carries its request (HTTP/1 now, an HTTP/2
// stream later). Called on the loop's thread.
class AsgiStream {
 public:
  virtual ~AsgiStream() = default;
  virtual http::BodySource& body() = 0;
  // Decoded body bytes readable now without waiting.
  virtual size_t body_ready() const = 0;
  // Asks for more body: true when some is readable now (or the body ended); otherwise
  // AsgiChannel::body_arrived() follows.
  virtual bool wait_body() = 0;
  // The body broke off because it grew past limit_request_body.
  virtual bool body_too_large() const = 0;
  // All of the body has arrived: a client leaving from now on must be noticed (gone()).
  virtual void watch_disconnect() = 0;
  virtual http::ResponseSink& response() = 0;
  // The response is congested: AsgiChannel::drained() follows once the client caught up.
  virtual void wait_drained() = 0;
  // The request is over; the connection may serve another one when `keep_alive`.
  virtual void request_over(bool keep_alive) = 0;
};

// Per-process parts every channel shares.
struct AsgiChannelContext {
  log::AccessLog* access_log = nullptr;  // null: access logging off
  PyObject* loop = nullptr;              // the running asyncio loop (borrowed)
  PyObject* create_task = nullptr;       // its create_task (borrowed): one lookup per process
  double disconnect_grace_s = 3;         // asgi_disconnect_grace_period
};

namespace asgi_channel {

// Creates the Python type once (GIL held). False with a Python error set on failure.
bool init_type();
// A new channel for `request` (which must outlive it, as must `stream` until gone()).
PyRef create(const AsgiChannelContext& context, AsgiStream& stream, const http::Request& request,
             const http::PeerInfo& peer);
// Starts the app's coroutine for the request in a Task of its own.
bool start(PyObject* channel, PyObject* app, PyObject* scope, PyObject* run_request);
// Connection events, forwarded by the stream.
void body_arrived(PyObject* channel);
void drained(PyObject* channel);
// The client ended its input (it left, or half-closed and still reads): a receive() waiting for
// the end of the request gets http.disconnect; a response can still be sent.
void input_ended(PyObject* channel);
// The connection is gone (client left, stalled, worker ending): receive() says http.disconnect
// from now on, send() does nothing, and the app's task is cancelled after the grace period.
void gone(PyObject* channel);

}  // namespace asgi_channel
}  // namespace gf::python
