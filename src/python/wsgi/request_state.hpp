// The per-request link between the handler and the C-level Python objects it hands to the app
// (start_response, write, wsgi.input): they reach the response and the body only through this.
#pragma once

#include <exception>

#include "http/body_source.hpp"
#include "http/response_sink.hpp"

namespace gf::python {

// Lives as long as its request (WsgiCall). Objects the app keeps beyond the request are detached
// (their pointer set to null) and then raise instead of touching a dead request.
struct RequestState {
  http::ResponseSink* writer = nullptr;
  http::BodySource* reader = nullptr;
  // A socket or body failure met while the app was running: the handler rethrows it once the
  // app has returned, so the worker drops the connection instead of answering.
  std::exception_ptr io_error;
};

}  // namespace gf::python
