// Builds the PEP 3333 environ for one request from the parsed head and the connection, the way
// Gunicorn's wsgi.create() does (reference §7), with interned keys and reused constant values.
#pragma once

#include <string>

#include "config/config.hpp"
#include "http/request.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/environ_keys.hpp"

namespace gf::python {

struct ConnectionInfo;

// The request's own objects that go into the environ.
struct EnvironObjects {
  PyObject* input;   // wsgi.input
  PyObject* socket;  // gunicorn.socket
};

// Values the access log needs, computed while building the environ.
struct EnvironSummary {
  std::string remote_addr;  // REMOTE_ADDR as text ("" on UNIX sockets / PROXY LOCAL)
  std::string path_info;    // PATH_INFO bytes (decoded)
};

class WsgiEnviron {
 public:
  // Reads wsgi.multiprocess (workers > 1) and the default SCRIPT_NAME ($SCRIPT_NAME) once.
  WsgiEnviron(const config::Config& cfg, bool multithread);

  // A new dict. Throws http::RequestError(500, "ConfigurationProblem") when PATH_INFO does not
  // start with SCRIPT_NAME, std::runtime_error when Python runs out of memory.
  PyRef build(const http::Request& request, const ConnectionInfo& conn,
              const EnvironObjects& objects, EnvironSummary& summary);

 private:
  const EnvironKeys& keys_;
  HeaderKeys header_keys_;
  PyRef errors_;
  PyRef file_wrapper_;
  PyRef server_software_;
  PyRef multithread_;
  PyRef multiprocess_;
  // The connection's model environ (ConnectionInfo::cache), made by its first request.
  const PyRef& connection_model(const ConnectionInfo& conn, PyObject* socket) const;

  std::string default_script_name_;
  PyRef constants_;  // the entries that are the same in every environ; copied per request
};

}  // namespace gf::python
