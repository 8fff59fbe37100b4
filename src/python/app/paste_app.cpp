// WsgiApp::load_paste: the app of a PasteDeploy ini (--paste), loaded where Gunicorn loads it
// (each worker, or the master with --preload) through paste.deploy.loadapp.
#include <Python.h>

#include <map>
#include <string>

#include "log/error_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/configuration/paste_config.hpp"
#include "python/embed/app_environment.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

// Whatever loadapp raises (no such section, the factory failing, a bad `use =`) is the app's
// failure to boot, with its traceback in the error log: Gunicorn exits such a worker with 3.
[[noreturn]] void boot_failure() {
  PyException exc = PyException::fetch();
  log::ErrorLog::get().error("Exception in worker process\n{}", exc.traceback());
  throw AppBootError(exc.message());
}

PyRef text(const std::string& value) {
  PyRef str = PyRef::steal(
      PyUnicode_DecodeFSDefaultAndSize(value.data(), static_cast<Py_ssize_t>(value.size())));
  if (!str) boot_failure();
  return str;
}

}  // namespace

WsgiApp WsgiApp::load_paste(const config::Config& cfg) {
  app_environment::apply(cfg);
  if (!cfg.app_uri.starts_with("config:"))
    throw AppLoadError("--paste was not resolved to a PasteDeploy config URI");
  PyRef deploy = PyRef::steal(PyImport_ImportModule("paste.deploy"));
  if (!deploy) {
    PyException exc = PyException::fetch();
    throw AppLoadError("PasteDeploy is required for --paste (Debian: python3-pastedeploy): " +
                       exc.message());
  }
  PyRef loadapp = PyRef::steal(PyObject_GetAttrString(deploy.get(), "loadapp"));
  if (!loadapp) boot_failure();

  PyRef global_conf = PyRef::steal(PyDict_New());
  std::map<std::string, std::string> entries;
  try {
    entries = PasteConfig::global_conf(cfg);
  } catch (const config::ConfigError& e) {
    throw AppLoadError(e.what());
  }
  for (const auto& [key, value] : entries) {
    if (PyDict_SetItem(global_conf.get(), text(key).get(), text(value).get()) < 0) boot_failure();
  }
  // relative_to is the working directory the app is loaded in (--chdir), as in Gunicorn.
  PyRef os = PyRef::steal(PyImport_ImportModule("os"));
  PyRef cwd = os ? PyRef::steal(PyObject_CallMethod(os.get(), "getcwd", nullptr)) : PyRef();
  if (!cwd) boot_failure();

  PyRef args = PyRef::steal(PyTuple_Pack(1, text(cfg.app_uri).get()));
  PyRef kwargs = PyRef::steal(PyDict_New());
  if (!args || !kwargs || PyDict_SetItemString(kwargs.get(), "relative_to", cwd.get()) < 0 ||
      PyDict_SetItemString(kwargs.get(), "global_conf", global_conf.get()) < 0)
    boot_failure();
  PyRef app = PyRef::steal(PyObject_Call(loadapp.get(), args.get(), kwargs.get()));
  if (!app) boot_failure();
  if (!PyCallable_Check(app.get())) throw AppLoadError("Application object must be callable.");
  return WsgiApp(app.release());
}

}  // namespace gf::python
