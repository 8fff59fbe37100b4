// Shared fixtures for the python/ tests: the interpreter (initialised once per binary), a temp
// directory of generated app modules on sys.path, fake byte streams, and serve() which runs one
// raw HTTP request through a real http::RequestReader/Http1Response and a WsgiHandler.
#pragma once

#include <Python.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "http/http1_response.hpp"
#include "http/parser_options.hpp"
#include "http/request_reader.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/embed/py_ref.hpp"
#include "python/wsgi/wsgi_handler.hpp"
#include "util/stream.hpp"

namespace gf::python::testing {

// Evaluates a Python expression in __main__ and returns str() of the result, or
// "<TypeName: message>" when it raised. Statements: run_python().
inline std::string py(const std::string& expression) {
  PyObject* main = PyImport_AddModule("__main__");
  PyObject* globals = PyModule_GetDict(main);
  PyRef result = PyRef::steal(PyRun_String(expression.c_str(), Py_eval_input, globals, globals));
  if (!result) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyRef t = PyRef::steal(type), v = PyRef::steal(value), b = PyRef::steal(tb);
    PyRef text = PyRef::steal(PyObject_Str(v.get()));
    std::string out = std::string("<") + reinterpret_cast<PyTypeObject*>(t.get())->tp_name + ": " +
                      (text ? PyUnicode_AsUTF8(text.get()) : "?") + ">";
    PyErr_Clear();
    return out;
  }
  PyRef text = PyRef::steal(PyObject_Str(result.get()));
  return text ? PyUnicode_AsUTF8(text.get()) : "?";
}

inline void run_python(const std::string& code) {
  PyObject* globals = PyModule_GetDict(PyImport_AddModule("__main__"));
  PyRef result = PyRef::steal(PyRun_String(code.c_str(), Py_file_input, globals, globals));
  if (!result) {
    PyErr_Print();
    FAIL() << "Python statement failed: " << code;
  }
}

// A temporary directory on sys.path holding generated modules named py_unit_*.
class ModuleDir {
 public:
  static ModuleDir& get() {
    static ModuleDir dir;
    return dir;
  }
  const std::string& path() const { return path_; }

  // Writes <dir>/<relative> and forgets any earlier import of it.
  void write(const std::string& relative, const std::string& source) {
    std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << source;
    std::string module = relative.substr(0, relative.rfind(".py"));
    for (char& c : module)
      if (c == '/') c = '.';
    run_python("import importlib, sys\nimportlib.invalidate_caches()\nsys.modules.pop('" + module +
               "', None)\n");
  }

 private:
  ~ModuleDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ModuleDir() {
    char tmpl[] = "/tmp/greenfork-py-unit-XXXXXX";
    path_ = ::mkdtemp(tmpl);
    run_python("import sys\nsys.path.insert(0, '" + path_ + "')\nsys.dont_write_bytecode = True\n");
  }
  std::string path_;
};

inline WsgiApp load_app(const std::string& uri) {
  config::Config cfg;
  cfg.app_uri = uri;
  return WsgiApp::load(cfg);
}

// Defines module `name` with `source` and loads `name:object` from it.
inline WsgiApp define_app(const std::string& name, const std::string& source,
                          const std::string& object = "app") {
  ModuleDir::get().write(name + ".py", source);
  return load_app(name + ":" + object);
}

// Hands out `data` in pieces of at most `chunk` bytes; at the end either EOF or, with
// `disconnect`, an IoError (a reset connection).
class StringSource : public util::ByteSource {
 public:
  explicit StringSource(std::string data, size_t chunk = 1 << 20, bool disconnect = false)
      : data_(std::move(data)), chunk_(chunk), disconnect_(disconnect) {}
  size_t read_some(std::span<char> out) override {
    if (pos_ >= data_.size()) {
      if (disconnect_) throw util::IoError("Connection reset by peer");
      return 0;
    }
    size_t n = std::min({chunk_, out.size(), data_.size() - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t chunk_;
  bool disconnect_;
  size_t pos_ = 0;
};

struct FileSend {
  int fd;
  off_t offset;
  size_t count;
};

// Records everything; send_file() is recorded and its bytes appended (read with pread).
class CaptureSink : public util::ByteSink {
 public:
  using util::ByteSink::write_all;
  void write_all(std::span<const iovec> buffers, const util::SharedBytes*) override {
    if (fail) throw util::IoError("Broken pipe");
    for (const iovec& b : buffers) bytes.append(static_cast<const char*>(b.iov_base), b.iov_len);
  }
  void send_file(int fd, off_t offset, size_t count) override {
    if (fail) throw util::IoError("Broken pipe");
    files.push_back({fd, offset, count});
    std::string data(count, '\0');
    ssize_t n = ::pread(fd, data.data(), count, offset);
    bytes.append(data.data(), n > 0 ? static_cast<size_t>(n) : 0);
  }
  std::string bytes;
  std::vector<FileSend> files;
  bool fail = false;
};

struct Exchange {
  std::string response;
  RequestOutcome outcome;
  std::vector<FileSend> files;
  std::string thrown;  // what() of a C++ exception handle() threw, "" if none
};

struct ServeOptions {
  size_t chunk = 1 << 20;
  bool disconnect = false;
  bool sink_fails = false;
  http::PeerInfo peer{false, "127.0.0.1", 5000};
  std::string server_name = "127.0.0.1";
  std::string server_port = "8000";
  int socket_fd = -1;
};

inline Exchange serve(WsgiHandler& handler, const std::string& raw,
                      const ServeOptions& options = {}) {
  http::ParserOptions parser;
  StringSource source(raw, options.chunk, options.disconnect);
  http::RequestReader reader(parser, source, options.peer);
  auto head = reader.read_head();
  Exchange out;
  if (!head) {
    ADD_FAILURE() << "no request in: " << raw;
    return out;
  }
  CaptureSink sink;
  sink.fail = options.sink_fails;
  http::Http1Response writer(sink, *head, /*force_close=*/false);
  ConnectionInfo conn;
  conn.peer = &options.peer;
  conn.server_name = options.server_name;
  conn.server_port = options.server_port;
  conn.socket_fd = options.socket_fd;
  conn.socket_family = AF_INET;
  try {
    WsgiCall call;
    handler.start(call, *head, reader, writer, conn, /*can_pause=*/false);
    out.outcome = call.outcome();
  } catch (const std::exception& e) {
    out.thrown = e.what();
    if (out.thrown.empty()) out.thrown = "exception";
  }
  out.response = sink.bytes;
  out.files = sink.files;
  return out;
}

// The response body after the head (still chunk-framed if chunked).
inline std::string body_of(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace gf::python::testing
