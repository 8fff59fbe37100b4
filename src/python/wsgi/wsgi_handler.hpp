// Runs requests through a WSGI application (PEP 3333): builds the environ, provides
// start_response / wsgi.input / wsgi.file_wrapper as C-level types, streams the result into an
// http::ResponseSink, always closes the iterable, and writes the access-log line. A response
// whose client is slower than the app pauses between chunks and resumes later (WsgiCall).
#pragma once

#include <memory>

#include "config/config.hpp"
#include "http/body_source.hpp"
#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "log/access_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/wsgi/wsgi_call.hpp"

namespace gf::python {

enum class Progress {
  kDone,    // the request is over (answered, or failed and logged); the call is inert again
  kPaused,  // the response is congested: call resume() once the client has caught up
};

class WsgiHandler {
 public:
  // Interns environ keys and builds the constant part of the environ once per process.
  // access_log may be null (access logging off). Must be created with the GIL held.
  WsgiHandler(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log,
              bool multithread);
  ~WsgiHandler();

  // Call with the GIL held. Runs the app for `request` until the response is complete, or - with
  // `can_pause` - until it is congested. App exceptions never escape: before the head is sent
  // the client gets a 500 and the traceback goes to the error log; after, the connection is
  // closed. Throws util::IoError when the client went away (the worker just drops the
  // connection), and http::RequestError for a request the environ cannot represent (SCRIPT_NAME
  // mismatch -> 500). `request`, `body`, `response` and `conn` must outlive a paused call.
  Progress start(WsgiCall& call, const http::Request& request, http::BodySource& body,
                 http::ResponseSink& response, const ConnectionInfo& conn, bool can_pause);
  // Goes on with a paused call (GIL held); same outcomes as start().
  Progress resume(WsgiCall& call);
  // Ends a paused call whose client is gone or stalled (GIL held): the access line for what was
  // sent, the iterable's close(), post_request - as for a response cut short.
  void abandon(WsgiCall& call);

  // Detaches and drops a ConnectionCache's objects (GIL held); a no-op when empty.
  void release_connection(ConnectionCache& cache) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::python
