// The user's WSGI application: imported the way Gunicorn does
// (module, module:var, module:var.attr, module:factory(), module:factory(literal args)).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "config/config.hpp"
#include "python/embed/interpreter.hpp"

typedef struct _object PyObject;

namespace gf::python {

// The app could not be imported or found; what() is Gunicorn's message. Workers exit with 4.
class AppLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The app's module or factory raised while loading (ImportError, SyntaxError, ...): the
// traceback is already in the error log. Gunicorn exits such a worker with 3 (boot error).
class AppBootError : public AppLoadError {
 public:
  using AppLoadError::AppLoadError;
};

// A SyntaxError in the app's code. With --reload the worker does not exit: it serves `page` (the
// traceback) as a 500 and also watches `filename`, so fixing the file brings the app back
// (Gunicorn's make_fail_app).
class AppSyntaxError : public AppBootError {
 public:
  AppSyntaxError(std::string message, std::string page, std::string filename)
      : AppBootError(std::move(message)), page_(std::move(page)), filename_(std::move(filename)) {}
  const std::string& page() const { return page_; }
  const std::string& filename() const { return filename_; }

 private:
  std::string page_, filename_;
};

class WsgiApp {
 public:
  // Imports the app named by cfg.app_uri (applies --chdir, --pythonpath, --env first).
  // Throws AppLoadError. Requires Interpreter::initialize() and the GIL.
  static WsgiApp load(const config::Config& cfg);
  // The app of a PasteDeploy ini: cfg.app_uri is "config:/abs/app.ini[#name]" (set by
  // PasteConfig::choose_app). Called by load() when `paste` is set. Throws AppLoadError.
  static WsgiApp load_paste(const config::Config& cfg);
  // An app that answers every request with 500 and `body` as text/plain. Requires the GIL.
  static WsgiApp failing(const std::string& body);
  WsgiApp(const WsgiApp&) = delete;
  WsgiApp& operator=(const WsgiApp&) = delete;
  WsgiApp(WsgiApp&& other) noexcept;
  ~WsgiApp();

  PyObject* callable() const { return callable_; }  // borrowed

 private:
  explicit WsgiApp(PyObject* callable) : callable_(callable) {}
  PyObject* callable_ = nullptr;  // owned reference
};

}  // namespace gf::python
