// The channel as a Python type: receive(), send(message) and finished(exc) (called by the
// bridge's run_request when the app's coroutine ends), over an AsgiStream.
#include "python/asgi/asgi_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "http/response_policy.hpp"
#include "http/status_phrases.hpp"
#include "http/target.hpp"
#include "log/error_log.hpp"
#include "python/asgi/asgi_messages.hpp"
#include "python/asgi/ready_awaitable.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/py_exception.hpp"
#include "python/wsgi/access_entry.hpp"
#include "util/unique_fd.hpp"

namespace gf::python {
namespace {

// Body bytes handed to the app in one http.request message at most.
constexpr size_t kMaxBodyChunk = 1024 * 1024;

struct State {
  const AsgiChannelContext* ctx;
  AsgiStream* stream;  // null once the request is over or the connection is gone
  const http::Request* request;
  PyRef receive_waiter;  // a Future receive() handed out, not resolved yet
  PyRef send_waiter;     // likewise for send()
  PyRef task;            // the Task running the app for this request
  PyRef hook_request;    // pre_request's req, for post_request
  EnvironSummary summary;
  std::chrono::system_clock::time_point wall_start;
  std::chrono::steady_clock::time_point start;
  bool started = false;        // http.response.start was sent
  bool response_done = false;  // the last body message was sent
  bool body_done = false;      // the app got the last http.request message
  bool disconnected = false;   // the client is gone (or its output broke)
  bool input_ended = false;    // the client will send nothing more
  bool cancel_scheduled = false;
  bool over = false;  // finished() ran
};

struct Channel {
  PyObject_HEAD State* state;
};

State& state_of(PyObject* self) {
  return *reinterpret_cast<Channel*>(self)->state;
}

void resolve_with(PyRef& waiter, PyObject* value) {
  if (!waiter) return;
  PyRef fut = std::move(waiter);
  PyRef done = PyRef::steal(PyObject_CallMethod(fut.get(), "done", nullptr));
  if (done && !PyObject_IsTrue(done.get())) {
    PyRef ok = PyRef::steal(PyObject_CallMethod(fut.get(), "set_result", "O", value));
    if (ok) return;
  }
  if (PyErr_Occurred()) PyErr_Clear();
}

void resolve(PyRef& waiter, const PyRef& value) {
  if (value) {
    resolve_with(waiter, value.get());
  } else {
    PyErr_Clear();
  }
}

PyRef new_future(const State& s) {
  return PyRef::steal(PyObject_CallMethod(s.ctx->loop, "create_future", nullptr));
}

PyObject* runtime_error(const std::string& text) {
  PyErr_SetString(PyExc_RuntimeError, text.c_str());
  return nullptr;
}

// The client is gone, or writing to it failed: wake whatever waits.
void mark_disconnected(State& s) {
  s.disconnected = true;
  resolve(s.receive_waiter, asgi_messages::disconnect());
  resolve_with(s.send_waiter, Py_None);
}

// The next http.request message if one can be made now; null without an error when the body
// is still on its way (the stream will call body_arrived()).
PyRef read_body_message(State& s) {
  AsgiStream& stream = *s.stream;
  http::BodySource& body = stream.body();
  if (stream.body_ready() == 0 && !body.body_complete()) {
    if (!stream.wait_body()) return PyRef();
    if (stream.body_ready() == 0 && !body.body_complete()) {
      // A broken body (bad chunking): nothing more will come. As in the WSGI workers (and
      // Gunicorn), the connection closes without a response - unless the body only grew past
      // limit_request_body, which the client hears as a 413 if nothing went out yet.
      if (stream.body_too_large() && !stream.response().headers_sent()) {
        try {
          stream.response().send_error(413);
        } catch (const util::IoError&) {
        }
        s.started = s.response_done = true;
      }
      mark_disconnected(s);
      return asgi_messages::disconnect();
    }
  }
  const size_t n = std::min(stream.body_ready(), kMaxBodyChunk);
  PyRef chunk = PyRef::steal(PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(n)));
  if (!chunk) return PyRef();
  try {
    size_t got = 0;
    while (got < n) {
      const size_t step = body.read_body({PyBytes_AS_STRING(chunk.get()) + got, n - got});
      if (step == 0) break;
      got += step;
    }
    if (got < n)
      chunk = PyRef::steal(
          PyBytes_FromStringAndSize(PyBytes_AS_STRING(chunk.get()), static_cast<Py_ssize_t>(got)));
    if (!chunk) return PyRef();
  } catch (const std::exception& e) {
    log::ErrorLog::get().debug("Socket error processing request: {}", e.what());
    mark_disconnected(s);
    return asgi_messages::disconnect();
  }
  const bool more = !(body.body_complete() && stream.body_ready() == 0);
  if (!more) s.body_done = true;
  // All of the body has arrived: from now on a client that leaves is noticed at once.
  if (body.body_complete()) stream.watch_disconnect();
  return asgi_messages::request(chunk.get(), more);
}

PyObject* channel_receive(PyObject* self, PyObject*) {
  State& s = state_of(self);
  if (s.receive_waiter) return runtime_error("receive() is already being awaited");
  PyRef message;
  if (s.stream == nullptr || s.disconnected || s.response_done || (s.body_done && s.input_ended))
    message = asgi_messages::disconnect();
  else if (!s.body_done)
    message = read_body_message(s);
  if (message) return ready_awaitable(message.get()).release();
  if (PyErr_Occurred()) return nullptr;
  // The body is on its way, or all of it was read: wait for it, or for the end of the request.
  s.receive_waiter = new_future(s);
  return PyRef(s.receive_waiter).release();
}

// headers: an iterable of [name, value] byte strings.
PyObject* send_start(State& s, PyObject* message) {
  if (s.started)
    return runtime_error(
        "Unexpected ASGI message 'http.response.start' sent, after response "
        "already started.");
  PyObject* status = PyDict_GetItemString(message, "status");
  const long code = status != nullptr ? PyLong_AsLong(status) : -1;
  if (code < 100 || code > 999) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "invalid ASGI response status");
    return nullptr;
  }
  std::vector<http::HeaderField> headers;
  if (!asgi_messages::to_header_fields(PyDict_GetItemString(message, "headers"), headers))
    return nullptr;
  const std::string_view reason = http::status_phrase(static_cast<int>(code));
  try {
    s.stream->response().start(fmt::format("{} {}", code, reason.empty() ? "Unknown" : reason),
                               std::move(headers));
  } catch (const http::InvalidResponse& e) {
    return runtime_error(e.what());
  }
  s.started = true;
  return ready_awaitable(Py_None).release();
}

// After the last body byte: the response is complete, and a receive() waiting for the end of
// the request learns it.
void response_complete(State& s) {
  s.response_done = true;
  resolve(s.receive_waiter, asgi_messages::disconnect());
}

// A body message (`kind`) is in order: after http.response.start, before the response ended.
bool body_allowed(const State& s, std::string_view kind) {
  if (!s.started)
    runtime_error(fmt::format("Expected ASGI message 'http.response.start', but got '{}'.", kind));
  else if (s.response_done)
    runtime_error("Unexpected ASGI message sent, after response already completed.");
  return s.started && !s.response_done;
}

PyObject* send_body(State& s, PyObject* message) {
  if (!body_allowed(s, "http.response.body")) return nullptr;
  PyObject* body = PyDict_GetItemString(message, "body");
  PyObject* more_obj = PyDict_GetItemString(message, "more_body");
  const int more = more_obj != nullptr ? PyObject_IsTrue(more_obj) : 0;
  if (more < 0) return nullptr;
  Py_buffer view{};
  if (body != nullptr && PyObject_GetBuffer(body, &view, PyBUF_SIMPLE) < 0) return nullptr;
  http::ResponseSink& response = s.stream->response();
  try {
    if (body != nullptr)
      response.write({static_cast<const char*>(view.buf), static_cast<size_t>(view.len)});
    if (!more) {
      response.finish();
      response_complete(s);
    }
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    mark_disconnected(s);
  }
  if (body != nullptr) PyBuffer_Release(&view);
  if (more && !s.disconnected && response.congested()) {
    s.send_waiter = new_future(s);
    if (!s.send_waiter) return nullptr;
    s.stream->wait_drained();
    return PyRef(s.send_waiter).release();
  }
  return ready_awaitable(Py_None).release();
}

// http.response.pathsend: the file goes out with sendfile, not through Python.
PyObject* send_path(State& s, PyObject* message) {
  if (!body_allowed(s, "http.response.pathsend")) return nullptr;
  PyObject* path = PyDict_GetItemString(message, "path");
  if (path == nullptr) return runtime_error("http.response.pathsend needs a 'path'");
  PyObject* converted = nullptr;
  if (!PyUnicode_FSConverter(path, &converted)) return nullptr;
  PyRef encoded = PyRef::steal(converted);
  util::UniqueFd file(::open(PyBytes_AS_STRING(encoded.get()), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!file || ::fstat(file.get(), &st) < 0) {
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    return nullptr;
  }
  try {
    s.stream->response().send_file(file.get(), 0, static_cast<size_t>(st.st_size));
    s.stream->response().finish();
    response_complete(s);
  } catch (const util::IoError& e) {
    log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
    mark_disconnected(s);
  }
  return ready_awaitable(Py_None).release();
}

PyObject* channel_send(PyObject* self, PyObject* message) {
  State& s = state_of(self);
  if (!PyDict_Check(message)) {
    PyErr_SetString(PyExc_TypeError, "an ASGI message must be a dict");
    return nullptr;
  }
  if (s.send_waiter) return runtime_error("send() is already being awaited");
  PyObject* type = PyDict_GetItemString(message, "type");
  const char* kind = type != nullptr && PyUnicode_Check(type) ? PyUnicode_AsUTF8(type) : nullptr;
  if (kind == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "an ASGI message needs a 'type'");
    return nullptr;
  }
  const std::string_view k(kind);
  if (k != "http.response.start" && k != "http.response.body" && k != "http.response.pathsend")
    return runtime_error(fmt::format("Unexpected ASGI message type '{}'", k));
  // A client that left: what the app still sends goes nowhere (as under uvicorn).
  if (s.stream == nullptr || s.disconnected) return ready_awaitable(Py_None).release();
  if (k == "http.response.start") return send_start(s, message);
  if (k == "http.response.body") return send_body(s, message);
  return send_path(s, message);
}

void log_access(const State& s) {
  if (s.ctx->access_log == nullptr || s.stream == nullptr) return;
  const http::ResponseSink& response = s.stream->response();
  AccessEntry{
      *s.request,          s.summary,    nullptr, response.status(), response.body_bytes_sent(),
      &response.headers(), s.wall_start, s.start}
      .write_to(*s.ctx->access_log);
}

// finished(exc): the app's coroutine ended; exc is what it raised, None when it returned, False
// when the server cancelled it.
PyObject* channel_finished(PyObject* self, PyObject* exc) {
  State& s = state_of(self);
  if (s.over) Py_RETURN_NONE;
  s.over = true;
  resolve(s.receive_waiter, asgi_messages::disconnect());
  resolve_with(s.send_waiter, Py_None);
  bool keep_alive = false;
  if (s.stream != nullptr) {
    http::ResponseSink& response = s.stream->response();
    const bool cancelled = exc == Py_False;
    if (cancelled) {
      // Nothing to report: the client left, or the worker stopped before the app was done.
    } else if (exc != Py_None) {
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
      PyException error = PyException::fetch();
      if (s.started)
        log::ErrorLog::get().error("Error handling request\n{}", error.traceback());
      else
        log::ErrorLog::get().error("Error handling request {}\n{}", s.request->target,
                                   error.traceback());
    } else if (exc == Py_None && !s.started && !s.disconnected) {
      log::ErrorLog::get().error("ASGI callable returned without starting response.");
    } else if (exc == Py_None && !s.response_done && !s.disconnected) {
      log::ErrorLog::get().error("ASGI callable returned without completing response.");
    }
    // Nothing went out yet (the head waits for the first body bytes): the client can still get
    // a 500 for an app that failed or never answered, as from the WSGI workers.
    const bool failed = exc != Py_None || !s.started;
    if (failed && !cancelled && !s.disconnected && !response.headers_sent()) {
      try {
        response.send_error(500);
      } catch (const util::IoError&) {
      }
    }
    log_access(s);
    keep_alive = exc == Py_None && s.response_done && !s.disconnected && !response.should_close();
  }
  if (s.hook_request)
    Hooks::post_request(s.hook_request.release(), *s.request, nullptr,
                        s.stream != nullptr ? &s.stream->response() : nullptr);
  s.task.reset();
  if (AsgiStream* stream = std::exchange(s.stream, nullptr)) stream->request_over(keep_alive);
  Py_RETURN_NONE;
}

void channel_dealloc(PyObject* self) {
  delete reinterpret_cast<Channel*>(self)->state;
  Py_TYPE(self)->tp_free(self);
}

PyMethodDef channel_methods[] = {
    {"receive", channel_receive, METH_NOARGS, "ASGI receive(): the next event of the request."},
    {"send", channel_send, METH_O, "ASGI send(message)."},
    {"finished", channel_finished, METH_O, "The app's coroutine ended (exception or None)."},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject channel_type = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "greenfork.asgi.Channel";
  t.tp_basicsize = sizeof(Channel);
  t.tp_dealloc = channel_dealloc;
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_methods = channel_methods;
  t.tp_doc = "One ASGI HTTP request's receive and send.";
  return t;
}();

// Gives the app asgi_disconnect_grace_period to notice that its client left, then cancels
// what it still runs for the request.
void cancel_after_grace(State& s) {
  if (!s.task || s.over || s.cancel_scheduled) return;
  s.cancel_scheduled = true;
  PyRef cancel = PyRef::steal(PyObject_GetAttrString(s.task.get(), "cancel"));
  PyRef handle = cancel ? PyRef::steal(PyObject_CallMethod(s.ctx->loop, "call_later", "dO",
                                                           s.ctx->disconnect_grace_s, cancel.get()))
                        : PyRef();
  if (!handle) PyErr_Clear();
}

}  // namespace

namespace asgi_channel {

bool init_type() {
  static const bool ready = PyType_Ready(&channel_type) == 0 && asgi_messages::init();
  return ready;
}

PyRef create(const AsgiChannelContext& context, AsgiStream& stream, const http::Request& request,
             const http::PeerInfo& peer) {
  auto* channel = PyObject_New(Channel, &channel_type);
  if (channel == nullptr) return PyRef();
  channel->state = new State{.ctx = &context, .stream = &stream, .request = &request};
  State& s = *channel->state;
  if (context.access_log != nullptr) {
    // Only the access log reads the clocks: without it, no clock calls per request.
    s.wall_start = std::chrono::system_clock::now();
    s.start = std::chrono::steady_clock::now();
    s.summary.path_info = http::percent_decode(request.path);
    s.summary.remote_addr = request.proxy ? request.proxy->client_addr.value_or("") : peer.addr;
  }
  return PyRef::steal(reinterpret_cast<PyObject*>(channel));
}

bool start(PyObject* channel, PyObject* app, PyObject* scope, PyObject* run_request) {
  State& s = state_of(channel);
  if (Hooks::request_hooks_active()) {
    bool failed = false;
    s.hook_request = PyRef::steal(Hooks::pre_request(*s.request, failed));
    if (failed) {
      // Gunicorn: the hook's exception is handled like the app's, with a 500.
      PyException error = PyException::fetch();
      PyRef done = PyRef::steal(channel_finished(channel, error.value()));
      return true;
    }
  }
  PyRef coro =
      PyRef::steal(PyObject_CallFunctionObjArgs(run_request, app, scope, channel, nullptr));
  if (!coro) return false;
  s.task = PyRef::steal(PyObject_CallOneArg(s.ctx->create_task, coro.get()));
  return static_cast<bool>(s.task);
}

void body_arrived(PyObject* channel) {
  State& s = state_of(channel);
  if (!s.receive_waiter || s.stream == nullptr) return;
  PyRef message = read_body_message(s);
  if (message) {
    resolve(s.receive_waiter, message);
  } else if (PyErr_Occurred()) {
    PyErr_Clear();
    mark_disconnected(s);
  }
}

void input_ended(PyObject* channel) {
  State& s = state_of(channel);
  s.input_ended = true;
  if (s.body_done) resolve(s.receive_waiter, asgi_messages::disconnect());
  // Most often the client left; one that only half-closed gets what the app answers within
  // the grace period.
  cancel_after_grace(s);
}

void drained(PyObject* channel) {
  resolve_with(state_of(channel).send_waiter, Py_None);
}

void gone(PyObject* channel) {
  State& s = state_of(channel);
  s.stream = nullptr;
  mark_disconnected(s);
  cancel_after_grace(s);
}

}  // namespace asgi_channel
}  // namespace gf::python
