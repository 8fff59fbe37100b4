// The environ's key objects and constant values, created once per process as interned str so
// building an environ costs dict insertions with precomputed hashes, not string creation.
#pragma once

#include <Python.h>

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>

#include "python/embed/py_ref.hpp"

namespace gf::python {

struct EnvironKeys {
  // Keys.
  PyObject* wsgi_version;
  PyObject* wsgi_url_scheme;
  PyObject* wsgi_input;
  PyObject* wsgi_errors;
  PyObject* wsgi_multithread;
  PyObject* wsgi_multiprocess;
  PyObject* wsgi_run_once;
  PyObject* wsgi_file_wrapper;
  PyObject* wsgi_input_terminated;
  PyObject* gunicorn_socket;
  PyObject* server_software;
  PyObject* request_method;
  PyObject* query_string;
  PyObject* raw_uri;
  PyObject* server_protocol;
  PyObject* content_type;
  PyObject* content_length;
  PyObject* remote_addr;
  PyObject* remote_port;
  PyObject* proxy_protocol;
  PyObject* proxy_addr;
  PyObject* proxy_port;
  PyObject* server_name;
  PyObject* server_port;
  PyObject* script_name;
  PyObject* path_info;
  // Values that repeat across requests.
  PyObject* version_1_0;  // (1, 0)
  PyObject* empty;        // ""
  PyObject* http;
  PyObject* https;
  PyObject* http_1_0;
  PyObject* http_1_1;
  PyObject* port_80;
  PyObject* port_443;
  PyObject* none_text;  // "None" (PROXY LOCAL ports, as Gunicorn renders them)

  // Requires the GIL; the objects live for the rest of the process.
  static const EnvironKeys& get();

  // Interned value for common methods ("GET", "POST", ...), or null.
  PyObject* method(std::string_view name) const;
  static constexpr std::array<std::string_view, 7> kCommonMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  std::array<PyObject*, kCommonMethods.size()> methods{};
};

// "USER-AGENT" -> "HTTP_USER_AGENT", cached per header name (bounded, so hostile clients cannot
// grow it without limit). Requires the GIL, which also serialises access from gthread threads.
class HeaderKeys {
 public:
  PyRef key_for(std::string_view header_name);

  static std::string environ_name(std::string_view header_name);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr size_t kMaxCached = 256;
  std::unordered_map<std::string, PyRef, Hash, std::equal_to<>> cache_;
};

}  // namespace gf::python
