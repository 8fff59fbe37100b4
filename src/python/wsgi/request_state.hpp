// The per-request link between the handler and the C-level Python objects it hands to the app
// (start_response, write, wsgi.input): they reach the reader and writer only through this.
#pragma once

#include <exception>

#include "http/request_reader.hpp"
#include "http/response_writer.hpp"

namespace gf::python {

// Lives on the handler's stack for one request. Objects the app keeps beyond the request are
// detached (their pointer set to null) and then raise instead of touching a dead request.
struct RequestState {
  http::ResponseWriter* writer = nullptr;
  http::RequestReader* reader = nullptr;
  // A socket or body failure met while the app was running: the handler rethrows it once the
  // app has returned, so the worker drops the connection instead of answering.
  std::exception_ptr io_error;
};

}  // namespace gf::python
