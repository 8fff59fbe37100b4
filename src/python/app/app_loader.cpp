// WsgiApp::load: import the module named by the app spec and find the callable in it, with
// Gunicorn's error messages for each way that can fail.
#include "log/error_log.hpp"
#include "python/app/app_expression.hpp"
#include "python/app/app_spec.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/embed/app_environment.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

// Errors raised by the user's own code: the traceback matters more than the one-line message.
[[noreturn]] void boot_failure(const PyException& exc, std::string message) {
  std::string traceback = exc.traceback();
  log::ErrorLog::get().error("Exception in worker process\n{}", traceback);
  if (exc.is(PyExc_SyntaxError)) {
    PyRef filename = PyRef::steal(PyObject_GetAttrString(exc.value(), "filename"));
    std::string file;
    if (filename && PyUnicode_Check(filename.get())) file = PyUnicode_AsUTF8(filename.get());
    PyErr_Clear();
    throw AppSyntaxError(std::move(message), std::move(traceback), std::move(file));
  }
  throw AppBootError(std::move(message));
}

// True when the ModuleNotFoundError is about the app module itself (or a package on its dotted
// path), not about something the app's own code failed to import.
bool is_app_module_missing(const PyException& exc, const std::string& module) {
  if (!exc.is(PyExc_ModuleNotFoundError)) return false;
  PyRef name = PyRef::steal(PyObject_GetAttrString(exc.value(), "name"));
  if (!name || !PyUnicode_Check(name.get())) {
    PyErr_Clear();
    return false;
  }
  const std::string missing = PyUnicode_AsUTF8(name.get());
  return module == missing || module.rfind(missing + ".", 0) == 0;
}

PyRef import_module(const AppSpec& spec) {
  PyRef module = PyRef::steal(PyImport_ImportModule(spec.module.c_str()));
  if (module) return module;
  PyException exc = PyException::fetch();
  if (exc.is(PyExc_ImportError)) {
    std::string hint = spec.py_file_hint();
    if (!hint.empty()) throw AppLoadError(hint);
  }
  // The issue asks for "App failed to load" (exit 4) when the named module does not exist;
  // anything the app's own code raises while importing is a boot failure (exit 3) with its
  // traceback, as in Gunicorn.
  if (is_app_module_missing(exc, spec.module)) throw AppLoadError(exc.message());
  boot_failure(exc, exc.message());
}

PyRef find_object(PyObject* module, const AppSpec& spec, const AppExpression& expr) {
  PyRef obj = PyRef::borrow(module);
  std::string path;
  for (const auto& name : expr.names) {
    path += path.empty() ? name : "." + name;
    obj = PyRef::steal(PyObject_GetAttrString(obj.get(), name.c_str()));
    if (!obj) {
      PyException exc = PyException::fetch();
      if (!exc.is(PyExc_AttributeError)) boot_failure(exc, exc.message());
      throw AppLoadError("Failed to find attribute " + repr(path) + " in " + repr(spec.module) +
                         ".");
    }
  }
  return obj;
}

PyRef call_factory(PyObject* factory, const AppExpression& expr) {
  PyRef app = PyRef::steal(PyObject_Call(factory, expr.args.get(), expr.kwargs.get()));
  if (app) return app;
  PyException exc = PyException::fetch();
  // A TypeError with no Python frame below ours came from binding the arguments, i.e. the spec
  // called the factory wrongly: Gunicorn shows just Python's message, without a traceback.
  PyRef traceback = PyRef::steal(PyException_GetTraceback(exc.value()));
  if (exc.is(PyExc_TypeError) && !traceback) throw AppLoadError(exc.type_and_message());
  boot_failure(exc, exc.message());
}

}  // namespace

WsgiApp WsgiApp::load(const config::Config& cfg) {
  // --paste wins over APP_MODULE and wsgi_app, as in Gunicorn.
  if (non_empty(cfg.get(config::settings::paste))) return load_paste(cfg);
  app_environment::apply(cfg);
  AppSpec spec = AppSpec::parse(cfg.app_uri);
  if (spec.module.empty()) throw AppLoadError("No application module specified.");

  PyRef module = import_module(spec);
  AppExpression expr = AppExpression::parse(spec.object);
  PyRef app = find_object(module.get(), spec, expr);
  if (expr.is_call) app = call_factory(app.get(), expr);

  if (app.get() == Py_None)
    throw AppLoadError("Failed to find application object: " + repr(spec.object));
  if (!PyCallable_Check(app.get())) throw AppLoadError("Application object must be callable.");
  return WsgiApp(app.release());
}

WsgiApp::WsgiApp(WsgiApp&& other) noexcept : callable_(other.callable_) {
  other.callable_ = nullptr;
}

WsgiApp::~WsgiApp() {
  // A process may outlive its interpreter (Py_FinalizeEx at exit); then the reference is moot.
  if (callable_ != nullptr && Py_IsInitialized()) {
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_DECREF(callable_);
    PyGILState_Release(gil);
  }
}

}  // namespace gf::python
