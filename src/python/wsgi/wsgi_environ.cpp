#include "python/wsgi/wsgi_environ.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include "http/errors.hpp"
#include "http/target.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_text.hpp"
#include "python/wsgi/file_wrapper.hpp"
#include "python/wsgi/wsgi_call.hpp"
#include "python/wsgi/wsgi_errors.hpp"

#ifndef GREENFORK_VERSION
#define GREENFORK_VERSION "0"
#endif

namespace gf::python {
namespace {

[[noreturn]] void python_failure() {
  std::string message = PyErr_Occurred() ? PyException::fetch().type_and_message() : "";
  throw std::runtime_error("cannot build the WSGI environ: " + message);
}

// Insertion with the error check folded in: only allocation failures can make these fail.
class EnvironDict {
 public:
  explicit EnvironDict(size_t expected)
      : dict_(PyRef::steal(_PyDict_NewPresized(static_cast<Py_ssize_t>(expected)))) {
    if (!dict_) python_failure();
  }
  // A copy of `model` (with its room for more entries): CPython copies a compact dict's table in
  // one piece, several times faster than inserting the same entries one by one.
  explicit EnvironDict(const PyRef& model) : dict_(PyRef::steal(PyDict_Copy(model.get()))) {
    if (!dict_) python_failure();
  }
  void set(PyObject* key, PyObject* value) {
    if (key == nullptr || value == nullptr || PyDict_SetItem(dict_.get(), key, value) < 0)
      python_failure();
  }
  void set(PyObject* key, const PyRef& value) { set(key, value.get()); }
  void set_text(PyObject* key, std::string_view text) { set(key, latin1(text)); }
  PyObject* get(PyObject* key) const { return PyDict_GetItemWithError(dict_.get(), key); }
  PyRef take() { return std::move(dict_); }

 private:
  PyRef dict_;
};

// to_chars, not PyUnicode_FromFormat: this runs for every request and printf is measurable.
PyRef decimal(int value) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return latin1(std::string_view(digits, static_cast<size_t>(end - digits)));
}

PyRef port_text(const std::optional<int>& port, const EnvironKeys& keys) {
  if (!port) return PyRef::borrow(keys.none_text);
  return decimal(*port);
}

PyRef optional_text(const std::optional<std::string>& text) {
  if (!text) return PyRef::borrow(Py_None);
  return latin1(*text);
}

bool workers_above_one(const config::Config& cfg) {
  try {
    return cfg.get(config::settings::workers) > 1;
  } catch (const std::exception&) {
    return false;
  }
}

// Room made up front in every environ: the constant entries, the per-request ones and a dozen
// headers.
constexpr size_t kTypicalEntries = 36;

// The entries the same for all requests of a connection: the socket, the peer's address and the
// listener's address. (A PROXY protocol header, and a UNIX socket's Host header, override some
// of them per request.)
void set_connection_entries(EnvironDict& env, const EnvironKeys& k, const ConnectionInfo& conn,
                            PyObject* socket) {
  env.set(k.gunicorn_socket, socket);
  if (conn.peer != nullptr && !conn.peer->is_unix) {
    env.set_text(k.remote_addr, conn.peer->addr);
    env.set(k.remote_port, decimal(conn.peer->port));
  } else {
    env.set(k.remote_addr, k.empty);  // UNIX-socket peers have no address
  }
  if (!conn.server_name.empty() || !conn.server_port.empty()) {
    env.set_text(k.server_name, conn.server_name);
    env.set_text(k.server_port, conn.server_port);
  }
}

}  // namespace

WsgiEnviron::WsgiEnviron(const config::Config& cfg, bool multithread)
    : keys_(EnvironKeys::get()),
      errors_(WsgiErrors::create()),
      file_wrapper_(PyRef::borrow(reinterpret_cast<PyObject*>(FileWrapper::type()))),
      server_software_(latin1("greenfork/" GREENFORK_VERSION)),
      multithread_(PyRef::borrow(multithread ? Py_True : Py_False)),
      multiprocess_(PyRef::borrow(workers_above_one(cfg) ? Py_True : Py_False)) {
  if (const char* script = std::getenv("SCRIPT_NAME")) default_script_name_ = script;
  if (!errors_ || !file_wrapper_ || !server_software_) python_failure();
  // What every environ holds, in a dict with room for a typical request's other entries.
  const EnvironKeys& k = keys_;
  EnvironDict constants(kTypicalEntries);
  constants.set(k.wsgi_errors, errors_);
  constants.set(k.wsgi_version, k.version_1_0);
  constants.set(k.wsgi_multithread, multithread_);
  constants.set(k.wsgi_multiprocess, multiprocess_);
  constants.set(k.wsgi_run_once, Py_False);
  constants.set(k.wsgi_file_wrapper, file_wrapper_);
  constants.set(k.wsgi_input_terminated, Py_True);
  constants.set(k.server_software, server_software_);
  constants_ = constants.take();
}

const PyRef& WsgiEnviron::connection_model(const ConnectionInfo& conn, PyObject* socket) const {
  PyRef& model = conn.cache->environ;
  if (!model) {
    EnvironDict env(constants_);
    set_connection_entries(env, keys_, conn, socket);
    model = env.take();
  }
  return model;
}

PyRef WsgiEnviron::build(const http::Request& request, const ConnectionInfo& conn,
                         const EnvironObjects& objects, EnvironSummary& summary) {
  const EnvironKeys& k = keys_;
  // Copied from the connection's model environ, or from the constants plus this connection's
  // entries; either way it grows by itself for requests with many headers.
  EnvironDict env = conn.cache != nullptr ? EnvironDict(connection_model(conn, objects.socket))
                                          : EnvironDict(constants_);
  if (conn.cache == nullptr) set_connection_entries(env, k, conn, objects.socket);
  env.set(k.wsgi_input, objects.input);

  if (PyObject* method = k.method(request.method))
    env.set(k.request_method, method);
  else
    env.set_text(k.request_method, request.method);
  env.set_text(k.query_string, request.query);
  env.set_text(k.raw_uri, request.target);
  if (request.version_major == 1 && request.version_minor == 1)
    env.set(k.server_protocol, k.http_1_1);
  else if (request.version_major == 1 && request.version_minor == 0)
    env.set(k.server_protocol, k.http_1_0);
  else
    env.set_text(k.server_protocol, request.protocol());

  const std::string* host = nullptr;
  const std::string* script_header = nullptr;
  for (const auto& h : request.headers) {
    if (h.is("CONTENT-TYPE")) {
      env.set_text(k.content_type, h.value);
      continue;
    }
    if (h.is("CONTENT-LENGTH")) {
      env.set_text(k.content_length, h.value);
      continue;
    }
    if (h.is("HOST")) host = &h.value;
    // Present only if the header policy let it through (trusted forwarder by default).
    if (h.is("SCRIPT_NAME")) script_header = &h.value;
    PyRef key = header_keys_.key_for(h.name);
    if (!key) python_failure();
    PyRef value = latin1(h.value);
    if (PyObject* previous = env.get(key.get())) {  // repeated header: "a,b", no space
      PyRef comma = latin1(",");
      PyRef joined = PyRef::steal(PyUnicode_Concat(previous, comma.get()));
      if (!joined || !value) python_failure();
      value = PyRef::steal(PyUnicode_Concat(joined.get(), value.get()));
    } else if (PyErr_Occurred()) {
      python_failure();
    }
    env.set(key.get(), value);
  }

  env.set(k.wsgi_url_scheme, request.url_scheme == "https"  ? k.https
                             : request.url_scheme == "http" ? k.http
                                                            : latin1(request.url_scheme).get());

  if (request.proxy) {
    const http::ProxyInfo& proxy = *request.proxy;
    env.set_text(k.proxy_protocol, proxy.protocol);
    env.set(k.remote_addr, optional_text(proxy.client_addr));
    env.set(k.remote_port, port_text(proxy.client_port, k));
    env.set(k.proxy_addr, optional_text(proxy.proxy_addr));
    env.set(k.proxy_port, port_text(proxy.proxy_port, k));
    summary.remote_addr = proxy.client_addr.value_or("");
  } else if (conn.peer != nullptr && !conn.peer->is_unix) {
    summary.remote_addr = conn.peer->addr;  // REMOTE_ADDR and REMOTE_PORT: connection entries
  } else {
    summary.remote_addr.clear();
  }

  if (conn.server_name.empty() && conn.server_port.empty()) {
    if (host != nullptr) {  // UNIX socket: the Host header names the server
      auto [name, port] = http::split_host(*host);
      env.set_text(k.server_name, name);
      if (!port.empty())
        env.set_text(k.server_port, port);
      else
        env.set(k.server_port, request.url_scheme == "https" ? k.port_443 : k.port_80);
    } else {
      env.set(k.server_name, k.empty);
      env.set(k.server_port, k.empty);
    }
  }  // else SERVER_NAME and SERVER_PORT, the listener's address, are connection entries

  std::string_view script = script_header ? *script_header : default_script_name_;
  summary.path_info = http::percent_decode(http::path_below_script_name(request.path, script));
  env.set_text(k.path_info, summary.path_info);
  if (script.empty())
    env.set(k.script_name, k.empty);
  else
    env.set_text(k.script_name, script);
  return env.take();
}

}  // namespace gf::python
