// WsgiApp::failing: the stand-in app a --reload worker serves while the real one has a
// SyntaxError, so the developer sees the error in the browser and the worker stays up to
// notice the fix.
#include "python/app/wsgi_app.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {
constexpr const char* kFailApp = R"(
def make(body):
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    def app(environ, start_response):
        start_response("500 Internal Server Error", list(headers))
        return [body]
    return app
)";
}  // namespace

WsgiApp WsgiApp::failing(const std::string& body) {
  PyRef globals = PyRef::steal(PyDict_New());
  if (!globals) throw AppLoadError(PyException::fetch().type_and_message());
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef done = PyRef::steal(PyRun_String(kFailApp, Py_file_input, globals.get(), globals.get()));
  PyObject* make = done ? PyDict_GetItemString(globals.get(), "make") : nullptr;
  PyRef bytes =
      PyRef::steal(PyBytes_FromStringAndSize(body.data(), static_cast<Py_ssize_t>(body.size())));
  PyRef app =
      make != nullptr && bytes ? PyRef::steal(PyObject_CallOneArg(make, bytes.get())) : PyRef();
  if (!app) throw AppLoadError(PyException::fetch().type_and_message());
  return WsgiApp(app.release());
}

}  // namespace gf::python
