#include "python/wsgi/environ_keys.hpp"

#include "util/ascii.hpp"

namespace gf::python {
namespace {

PyObject* intern(const char* text) {
  return PyUnicode_InternFromString(text);
}

EnvironKeys* make_keys() {
  auto* k = new EnvironKeys();
  k->wsgi_version = intern("wsgi.version");
  k->wsgi_url_scheme = intern("wsgi.url_scheme");
  k->wsgi_input = intern("wsgi.input");
  k->wsgi_errors = intern("wsgi.errors");
  k->wsgi_multithread = intern("wsgi.multithread");
  k->wsgi_multiprocess = intern("wsgi.multiprocess");
  k->wsgi_run_once = intern("wsgi.run_once");
  k->wsgi_file_wrapper = intern("wsgi.file_wrapper");
  k->wsgi_input_terminated = intern("wsgi.input_terminated");
  k->gunicorn_socket = intern("gunicorn.socket");
  k->server_software = intern("SERVER_SOFTWARE");
  k->request_method = intern("REQUEST_METHOD");
  k->query_string = intern("QUERY_STRING");
  k->raw_uri = intern("RAW_URI");
  k->server_protocol = intern("SERVER_PROTOCOL");
  k->content_type = intern("CONTENT_TYPE");
  k->content_length = intern("CONTENT_LENGTH");
  k->remote_addr = intern("REMOTE_ADDR");
  k->remote_port = intern("REMOTE_PORT");
  k->proxy_protocol = intern("PROXY_PROTOCOL");
  k->proxy_addr = intern("PROXY_ADDR");
  k->proxy_port = intern("PROXY_PORT");
  k->server_name = intern("SERVER_NAME");
  k->server_port = intern("SERVER_PORT");
  k->script_name = intern("SCRIPT_NAME");
  k->path_info = intern("PATH_INFO");

  k->version_1_0 = Py_BuildValue("(ii)", 1, 0);
  k->empty = intern("");
  k->http = intern("http");
  k->https = intern("https");
  k->http_1_0 = intern("HTTP/1.0");
  k->http_1_1 = intern("HTTP/1.1");
  k->port_80 = intern("80");
  k->port_443 = intern("443");
  k->none_text = intern("None");
  for (size_t i = 0; i < EnvironKeys::kCommonMethods.size(); ++i)
    k->methods[i] = intern(EnvironKeys::kCommonMethods[i].data());
  return k;
}

}  // namespace

const EnvironKeys& EnvironKeys::get() {
  static const EnvironKeys* keys = make_keys();  // intentionally immortal, like the interpreter
  return *keys;
}

PyObject* EnvironKeys::method(std::string_view name) const {
  // A scan, not a hash table: seven short names, and "GET" comes first.
  for (size_t i = 0; i < EnvironKeys::kCommonMethods.size(); ++i)
    if (kCommonMethods[i] == name) return methods[i];
  return nullptr;
}

std::string HeaderKeys::environ_name(std::string_view header_name) {
  std::string key;
  key.reserve(5 + header_name.size());
  key += "HTTP_";
  for (char c : header_name) key += c == '-' ? '_' : util::ascii_upper(c);
  return key;
}

PyRef HeaderKeys::key_for(std::string_view header_name) {
  // Keyed by the name as received: clients spell a header the same way every time, so each
  // spelling costs one entry and no per-request case conversion.
  auto it = cache_.find(header_name);
  if (it != cache_.end()) return it->second;
  std::string name = environ_name(header_name);
  PyRef key = PyRef::steal(
      PyUnicode_DecodeLatin1(name.data(), static_cast<Py_ssize_t>(name.size()), nullptr));
  if (!key) return key;
  PyObject* raw = key.release();
  PyUnicode_InternInPlace(&raw);
  key = PyRef::steal(raw);
  if (cache_.size() < kMaxCached) cache_.emplace(std::string(header_name), key);
  return key;
}

}  // namespace gf::python
