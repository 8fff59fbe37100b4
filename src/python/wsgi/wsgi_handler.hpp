// Runs one request through a WSGI application (PEP 3333): builds the environ, provides
// start_response / wsgi.input / wsgi.file_wrapper as C-level types, streams the result through
// the http::ResponseWriter, always closes the iterable, and writes the access-log line.
#pragma once

#include <memory>
#include <string>

#include "config/config.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "http/request_reader.hpp"
#include "http/response_writer.hpp"
#include "log/access_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {

// Where the request came in: filled by the worker from accept() and the listener.
// A keep-alive worker's per-connection Python objects, shared by all of the connection's
// requests: environ["gunicorn.socket"] (one object for the whole connection, as in Gunicorn) and
// the model environ that already holds the entries the same for the whole connection (copied
// per request, which is cheaper than inserting them again). The worker hands it to
// WsgiHandler::release_connection() (GIL held) when the connection ends.
struct ConnectionCache {
  PyRef socket;
  PyRef environ;
  bool empty() const { return !socket && !environ; }
};

struct ConnectionInfo {
  const http::PeerInfo* peer = nullptr;
  std::string server_name;  // listener's getsockname() host ("" for UNIX sockets)
  std::string server_port;  // listener's port as text ("" for UNIX sockets)
  int socket_fd = -1;       // the client socket, exposed as environ["gunicorn.socket"]
  int socket_family = 0;    // AF_INET / AF_INET6 / AF_UNIX
  // Null: the Python objects are made per request (a worker that serves one request per
  // connection).
  ConnectionCache* cache = nullptr;
};

// Per-request outcome the worker needs (counting, keep-alive decisions).
struct RequestOutcome {
  bool close_connection = true;  // the response (or an error) requires closing
  int status_code = 0;
};

class WsgiHandler {
 public:
  // Interns environ keys and builds the constant part of the environ once per process.
  // access_log may be null (access logging off). Must be created with the GIL held.
  WsgiHandler(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log,
              bool multithread);
  ~WsgiHandler();

  // Call with the GIL held. App exceptions never escape: before headers are sent the client gets
  // a 500 and the traceback goes to the error log; after, the connection is closed. Throws
  // util::IoError when the client went away (the worker just drops the connection), and
  // http::RequestError for a request the environ cannot represent (SCRIPT_NAME mismatch -> 500).
  RequestOutcome handle(const http::RequestHead& request, http::RequestReader& body,
                        http::ResponseWriter& writer, const ConnectionInfo& conn);

  // Detaches and drops a ConnectionCache's objects (GIL held); a no-op when empty.
  void release_connection(ConnectionCache& cache) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gf::python
