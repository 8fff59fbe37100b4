// WsgiHandler: one request through the app - environ, call, body, close(), access log - with
// Gunicorn's error handling: 500 before the headers went out, a closed connection after.
#include "python/wsgi/wsgi_handler.hpp"

#include <chrono>
#include <stdexcept>

#include "log/error_log.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/gil.hpp"
#include "python/embed/py_exception.hpp"
#include "python/wsgi/access_entry.hpp"
#include "python/wsgi/client_socket.hpp"
#include "python/wsgi/exception_types.hpp"
#include "python/wsgi/request_state.hpp"
#include "python/wsgi/response_body.hpp"
#include "python/wsgi/start_response.hpp"
#include "python/wsgi/wsgi_environ.hpp"
#include "python/wsgi/wsgi_input.hpp"

namespace gf::python {
namespace {

constexpr std::string_view kInternalError = "500 Internal Server Error";

struct Clock {
  std::chrono::system_clock::time_point wall_start;  // %(t)s
  std::chrono::steady_clock::time_point start;       // request duration
};

// The per-request Python objects must not reach into this request once it is over, even if
// the app kept references to them (a generator, a thread, a global).
class RequestObjects {
 public:
  RequestObjects(RequestState& state, const ClientSocket& sockets, const ConnectionInfo& conn)
      : sockets_(sockets),
        cached_socket_(conn.cache != nullptr),
        input(WsgiInput::create(&state)),
        start_response(StartResponse::create(&state)),
        socket(socket_for(sockets, conn)) {
    if (!input || !start_response) {
      PyErr_Clear();
      throw std::runtime_error("cannot allocate the WSGI request objects");
    }
  }
  ~RequestObjects() {
    WsgiInput::detach(input.get());
    StartResponse::detach(start_response.get());
    if (!cached_socket_) sockets_.detach(socket.get());  // else it lives on with the connection
  }
  RequestObjects(const RequestObjects&) = delete;
  RequestObjects& operator=(const RequestObjects&) = delete;

 private:
  static PyRef socket_for(const ClientSocket& sockets, const ConnectionInfo& conn) {
    if (conn.cache == nullptr) return sockets.create(conn.socket_fd, conn.socket_family);
    if (!conn.cache->socket)
      conn.cache->socket = sockets.create(conn.socket_fd, conn.socket_family);
    return conn.cache->socket;
  }

  const ClientSocket& sockets_;
  bool cached_socket_;

 public:
  PyRef input;
  PyRef start_response;
  PyRef socket;
};

}  // namespace

struct WsgiHandler::Impl {
  Impl(WsgiApp& app, const config::Config& cfg, log::AccessLog* log, bool multithread)
      : app(app.callable()),
        access_log(log),
        environ(cfg, multithread),
        body(ResponseBody::sendfile_setting(cfg)) {
    // Every Python type and exception class exists before the first request, so worker threads
    // never race to create them.
    WsgiInput::type();
    StartResponse::init_types();
    client_io_error_type();
    invalid_response_type();
  }

  // After the app failed (Python exception pending): close the result, then answer or give up.
  RequestOutcome fail(PyObject* result, RequestState& state, const http::RequestHead& request,
                      const EnvironSummary& summary, PyObject* env, const Clock& clock);
  void close_result(PyObject* result, const http::RequestHead& request, bool headers_sent,
                    RequestOutcome& outcome);
  void log_access(const http::RequestHead& request, const EnvironSummary& summary, PyObject* env,
                  const http::ResponseWriter& writer, const Clock& clock) const {
    if (access_log == nullptr) return;
    AccessEntry{
        request,           summary,          env,        writer.status(), writer.body_bytes_sent(),
        &writer.headers(), clock.wall_start, clock.start}
        .write_to(*access_log);
  }

  PyObject* app;  // borrowed from the WsgiApp, which outlives the handler
  log::AccessLog* access_log;
  WsgiEnviron environ;
  ResponseBody body;
  ClientSocket sockets;
};

// Gunicorn's wording: with the URI while a 500 can still be sent, without it afterwards.
static void log_app_error(const PyException& exc, const http::RequestHead& request,
                          bool headers_sent) {
  if (headers_sent)
    log::ErrorLog::get().error("Error handling request\n{}", exc.traceback());
  else
    log::ErrorLog::get().error("Error handling request {}\n{}", request.target, exc.traceback());
}

void WsgiHandler::Impl::close_result(PyObject* result, const http::RequestHead& request,
                                     bool headers_sent, RequestOutcome& outcome) {
  if (body.close(result)) return;
  log_app_error(PyException::fetch(), request, headers_sent);
  outcome.close_connection = true;
}

RequestOutcome WsgiHandler::Impl::fail(PyObject* result, RequestState& state,
                                       const http::RequestHead& request,
                                       const EnvironSummary& summary, PyObject* env,
                                       const Clock& clock) {
  PyException exc = PyException::fetch();  // before close() can run more Python code
  http::ResponseWriter& writer = *state.writer;
  RequestOutcome outcome{true, writer.status_code()};
  // Gunicorn logs the access line in a `finally`: a response cut short still gets one, with
  // the status and the bytes that went out.
  if (writer.headers_sent()) log_access(request, summary, env, writer, clock);
  if (result != nullptr) close_result(result, request, writer.headers_sent(), outcome);
  // A disconnected client or broken body surfaced in the app as ClientIOError: the worker
  // drops the connection; there is nobody to send a 500 to.
  if (state.io_error) std::rethrow_exception(state.io_error);

  log_app_error(exc, request, writer.headers_sent());
  if (writer.headers_sent()) return outcome;  // truncated response: only closing tells the client

  std::string page = http::ResponseWriter::error_page(500, "");
  {
    GilRelease unlocked;
    writer.send_raw(page);
  }
  outcome.status_code = 500;
  // Gunicorn logs the error page through a fresh Response that never sent a byte: "500 0".
  if (access_log != nullptr)
    AccessEntry{request, summary, env, kInternalError, 0, nullptr, clock.wall_start, clock.start}
        .write_to(*access_log);
  return outcome;
}

WsgiHandler::WsgiHandler(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log,
                         bool multithread)
    : impl_(std::make_unique<Impl>(app, cfg, access_log, multithread)) {}

WsgiHandler::~WsgiHandler() = default;

namespace {
// post_request runs however handle() ends (Gunicorn calls it in a `finally`).
struct PostRequestHook {
  PyObject* req = nullptr;  // owned until handed to post_request
  const http::RequestHead& request;
  const http::ResponseWriter* writer;  // null: `resp` is None (the app was never called)
  PyRef environ;
  ~PostRequestHook() {
    if (req != nullptr) Hooks::post_request(req, request, environ.get(), writer);
  }
};
}  // namespace

void WsgiHandler::release_connection(ConnectionCache& cache) const {
  cache.environ.reset();
  if (!cache.socket) return;
  impl_->sockets.detach(cache.socket.get());
  cache.socket.reset();
}

RequestOutcome WsgiHandler::handle(const http::RequestHead& request, http::RequestReader& body,
                                   http::ResponseWriter& writer, const ConnectionInfo& conn) {
  // Only when a config file set pre_request or post_request: the default path stays free of
  // extra Python work.
  PostRequestHook hook{nullptr, request, &writer, PyRef()};
  if (Hooks::request_hooks_active()) {
    bool failed = false;
    hook.req = Hooks::pre_request(request, failed);
    if (failed) {
      // Gunicorn: the exception reaches its handle_error(), which logs it and answers 500.
      hook.writer = nullptr;
      log_app_error(PyException::fetch(), request, /*headers_sent=*/false);
      std::string page = http::ResponseWriter::error_page(500, "");
      GilRelease unlocked;
      writer.send_raw(page);
      return RequestOutcome{true, 500};
    }
  }
  // Only the access log reads the clocks: without it, no clock calls per request.
  Clock clock;
  if (impl_->access_log != nullptr)
    clock = {std::chrono::system_clock::now(), std::chrono::steady_clock::now()};
  RequestState state{&writer, &body, nullptr};
  RequestObjects objects(state, impl_->sockets, conn);
  EnvironSummary summary;
  PyRef env =
      impl_->environ.build(request, conn, {objects.input.get(), objects.socket.get()}, summary);
  if (hook.req != nullptr) hook.environ = env;

  PyObject* args[] = {env.get(), objects.start_response.get()};
  PyRef result = PyRef::steal(PyObject_Vectorcall(impl_->app, args, 2, nullptr));
  if (!result || !impl_->body.send(result.get(), state))
    return impl_->fail(result.get(), state, request, summary, env.get(), clock);

  RequestOutcome outcome{writer.should_close(), writer.status_code()};
  try {
    GilRelease unlocked;
    writer.finish();
  } catch (const util::IoError&) {
    impl_->log_access(request, summary, env.get(), writer, clock);
    impl_->close_result(result.get(), request, true, outcome);
    throw;
  }
  // Gunicorn's order: response complete, access log, then the iterable's close().
  impl_->log_access(request, summary, env.get(), writer, clock);
  impl_->close_result(result.get(), request, true, outcome);
  outcome.close_connection =
      outcome.close_connection || writer.should_close() || static_cast<bool>(state.io_error);
  return outcome;
}

}  // namespace gf::python
