// WsgiHandler: one request through the app - environ, call, body, close(), access log - with
// Gunicorn's error handling: 500 before the headers went out, a closed connection after.
#include "python/wsgi/wsgi_handler.hpp"

#include "http/errors.hpp"

#include <chrono>
#include <stdexcept>

#include "http/errors.hpp"
#include "log/error_log.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/gil.hpp"
#include "python/embed/py_exception.hpp"
#include "python/wsgi/access_entry.hpp"
#include "python/wsgi/client_socket.hpp"
#include "python/wsgi/exception_types.hpp"
#include "python/wsgi/response_body.hpp"
#include "python/wsgi/start_response.hpp"
#include "python/wsgi/wsgi_environ.hpp"
#include "python/wsgi/wsgi_input.hpp"

namespace gf::python {
namespace {

constexpr std::string_view kInternalError = "500 Internal Server Error";

// Gunicorn's wording: with the URI while a 500 can still be sent, without it afterwards.
void log_app_error(const PyException& exc, const http::Request& request, bool headers_sent) {
  if (headers_sent)
    log::ErrorLog::get().error("Error handling request\n{}", exc.traceback());
  else
    log::ErrorLog::get().error("Error handling request {}\n{}", request.target, exc.traceback());
}

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

  // Runs `step`; once the call is over (done, or an exception on its way out) its objects are
  // let go and post_request runs.
  template <typename Step>
  Progress finalized_when_done(WsgiCall& call, Step&& step) {
    try {
      const Progress progress = step();
      if (progress == Progress::kDone) finalize(call);
      return progress;
    } catch (...) {
      finalize(call);
      throw;
    }
  }
  Progress begin(WsgiCall& call, bool can_pause);
  Progress run_body(WsgiCall& call, bool can_pause);
  void fail(WsgiCall& call);
  void close_result(WsgiCall& call, bool headers_sent);
  void finalize(WsgiCall& call);
  void make_objects(WsgiCall& call);
  void log_access(const WsgiCall& call) const {
    if (access_log == nullptr) return;
    const http::ResponseSink& response = *call.response_;
    AccessEntry{*call.request_,
                call.summary_,
                call.environ_.get(),
                response.status(),
                response.body_bytes_sent(),
                &response.headers(),
                call.clock_.wall_start,
                call.clock_.start}
        .write_to(*access_log);
  }

  PyObject* app;  // borrowed from the WsgiApp, which outlives the handler
  log::AccessLog* access_log;
  WsgiEnviron environ;
  ResponseBody body;
  ClientSocket sockets;
};

void WsgiHandler::Impl::make_objects(WsgiCall& call) {
  call.input_ = WsgiInput::create(&call.state_);
  call.start_response_ = StartResponse::create(&call.state_);
  if (!call.input_ || !call.start_response_) {
    PyErr_Clear();
    throw std::runtime_error("cannot allocate the WSGI request objects");
  }
  const ConnectionInfo& conn = *call.conn_;
  if (conn.cache == nullptr) {
    call.socket_ = sockets.create(conn.socket_fd, conn.socket_family);
  } else {
    if (!conn.cache->socket)
      conn.cache->socket = sockets.create(conn.socket_fd, conn.socket_family);
    call.socket_ = conn.cache->socket;
  }
}

// The request's Python objects must not reach into it once it is over, even if the app kept
// references to them (a generator, a thread, a global); post_request runs last, as in Gunicorn's
// `finally`.
void WsgiHandler::Impl::finalize(WsgiCall& call) {
  call.paused_ = false;
  call.result_.reset();
  call.cursor_ = BodyCursor{};
  WsgiInput::detach(call.input_.get());
  StartResponse::detach(call.start_response_.get());
  // A cached socket lives on with the connection.
  if (call.conn_ != nullptr && call.conn_->cache == nullptr) sockets.detach(call.socket_.get());
  call.input_.reset();
  call.start_response_.reset();
  call.socket_.reset();
  if (call.hook_request_)
    Hooks::post_request(call.hook_request_.release(), *call.request_, call.environ_.get(),
                        call.hook_has_response_ ? call.response_ : nullptr);
  call.environ_.reset();
  call.state_ = RequestState{};
}

void WsgiHandler::Impl::close_result(WsgiCall& call, bool headers_sent) {
  if (body.close(call.result_.get())) return;
  log_app_error(PyException::fetch(), *call.request_, headers_sent);
  call.outcome_.close_connection = true;
}

static bool is_body_too_large(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const http::BodyTooLarge&) {
    return true;
  } catch (...) {
    return false;
  }
}

// After the app failed (Python exception pending): close the result, then answer or give up.
void WsgiHandler::Impl::fail(WsgiCall& call) {
  PyException exc = PyException::fetch();  // before close() can run more Python code
  http::ResponseSink& response = *call.response_;
  call.outcome_ = RequestOutcome{true, response.status_code()};
  // Gunicorn logs the access line in a `finally`: a response cut short still gets one, with
  // the status and the bytes that went out.
  if (response.headers_sent()) log_access(call);
  if (call.result_) close_result(call, response.headers_sent());
  // A disconnected client or broken body surfaced in the app as ClientIOError: the worker
  // drops the connection; there is nobody to send a 500 to.
  if (call.state_.io_error) {
    if (!response.headers_sent() && is_body_too_large(call.state_.io_error)) {
      // The body went past limit_request_body while the app read it: the client hears why.
      call.outcome_ = RequestOutcome{true, 413};
      {
        GilRelease unlocked;
        response.send_error(413);
      }
      if (access_log != nullptr)
        AccessEntry{*call.request_,
                    call.summary_,
                    call.environ_.get(),
                    "413 Request Entity Too Large",
                    0,
                    nullptr,
                    call.clock_.wall_start,
                    call.clock_.start}
            .write_to(*access_log);
      return;
    }
    std::rethrow_exception(call.state_.io_error);
  }

  log_app_error(exc, *call.request_, response.headers_sent());
  if (response.headers_sent()) return;  // truncated response: only closing tells the client
  {
    GilRelease unlocked;
    response.send_error(500);
  }
  call.outcome_.status_code = 500;
  // Gunicorn logs the error page through a fresh Response that never sent a byte: "500 0".
  if (access_log != nullptr)
    AccessEntry{*call.request_, call.summary_,          call.environ_.get(), kInternalError, 0,
                nullptr,        call.clock_.wall_start, call.clock_.start}
        .write_to(*access_log);
}

Progress WsgiHandler::Impl::begin(WsgiCall& call, bool can_pause) {
  const http::Request& request = *call.request_;
  // Only when a config file set pre_request or post_request: the default path stays free of
  // extra Python work.
  if (Hooks::request_hooks_active()) {
    bool failed = false;
    call.hook_request_ = PyRef::steal(Hooks::pre_request(request, failed));
    if (failed) {
      // Gunicorn: the exception reaches its handle_error(), which logs it and answers 500.
      call.hook_has_response_ = false;
      log_app_error(PyException::fetch(), request, /*headers_sent=*/false);
      call.outcome_ = RequestOutcome{true, 500};
      GilRelease unlocked;
      call.response_->send_error(500);
      return Progress::kDone;
    }
  }
  // Only the access log reads the clocks: without it, no clock calls per request.
  if (access_log != nullptr)
    call.clock_ = {std::chrono::system_clock::now(), std::chrono::steady_clock::now()};
  make_objects(call);
  call.environ_ =
      environ.build(request, *call.conn_, {call.input_.get(), call.socket_.get()}, call.summary_);

  PyObject* args[] = {call.environ_.get(), call.start_response_.get()};
  call.result_ = PyRef::steal(PyObject_Vectorcall(app, args, 2, nullptr));
  if (!call.result_) {
    fail(call);
    return Progress::kDone;
  }
  return run_body(call, can_pause);
}

Progress WsgiHandler::Impl::run_body(WsgiCall& call, bool can_pause) {
  switch (body.send(call.result_.get(), call.state_, call.cursor_, can_pause)) {
    case BodyStep::kPaused:
      call.paused_ = true;
      return Progress::kPaused;
    case BodyStep::kFailed:
      fail(call);
      return Progress::kDone;
    case BodyStep::kDone:
      break;
  }
  http::ResponseSink& response = *call.response_;
  call.outcome_ = RequestOutcome{response.should_close(), response.status_code()};
  try {
    GilRelease unlocked;
    response.finish();
  } catch (const util::IoError&) {
    log_access(call);
    close_result(call, true);
    throw;
  }
  // Gunicorn's order: response complete, access log, then the iterable's close().
  log_access(call);
  close_result(call, true);
  call.outcome_.close_connection = call.outcome_.close_connection || response.should_close() ||
                                   static_cast<bool>(call.state_.io_error);
  return Progress::kDone;
}

WsgiHandler::WsgiHandler(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log,
                         bool multithread)
    : impl_(std::make_unique<Impl>(app, cfg, access_log, multithread)) {}

WsgiHandler::~WsgiHandler() = default;

Progress WsgiHandler::start(WsgiCall& call, const http::Request& request, http::BodySource& body,
                            http::ResponseSink& response, const ConnectionInfo& conn,
                            bool can_pause) {
  call.request_ = &request;
  call.response_ = &response;
  call.conn_ = &conn;
  call.state_ = RequestState{&response, &body, nullptr};
  call.hook_has_response_ = true;
  call.outcome_ = RequestOutcome{};
  return impl_->finalized_when_done(call, [&] { return impl_->begin(call, can_pause); });
}

Progress WsgiHandler::resume(WsgiCall& call) {
  return impl_->finalized_when_done(call,
                                    [&] { return impl_->run_body(call, /*can_pause=*/true); });
}

void WsgiHandler::abandon(WsgiCall& call) {
  if (!call.paused_) return;
  call.outcome_.close_connection = true;
  impl_->log_access(call);
  impl_->close_result(call, true);
  impl_->finalize(call);
}

void WsgiHandler::release_connection(ConnectionCache& cache) const {
  cache.environ.reset();
  if (!cache.socket) return;
  impl_->sockets.detach(cache.socket.get());
  cache.socket.reset();
}

}  // namespace gf::python
