// One finished request as the access log sees it: adapts the request head, the environ (for
// %({name}e)s) and the response to log::AccessRecord and writes the line without the GIL.
#pragma once

#include <Python.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "log/access_log.hpp"
#include "python/wsgi/wsgi_environ.hpp"

namespace gf::python {

struct AccessEntry {
  const http::Request& request;
  const EnvironSummary& summary;
  PyObject* environ;  // may be null
  std::string_view status;
  std::optional<uint64_t> body_bytes;
  const std::vector<http::HeaderField>* response_headers;  // may be null
  std::chrono::system_clock::time_point start;
  std::chrono::steady_clock::time_point started;

  // Requires the GIL (released around the write). Logging failures are swallowed: a full disk
  // must not turn a served request into an error.
  void write_to(log::AccessLog& log) const;
};

}  // namespace gf::python
