// Hooks::pre_request / post_request: the per-request `req` and `resp` objects, built only when
// one of the two hooks is set (request_hooks_active()).
#include <Python.h>

#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "python/configuration/hooks.hpp"
#include "python/configuration/hooks_bridge.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {

using hooks_bridge::Bridge;
using hooks_bridge::bridge;
using hooks_bridge::bridge_global;
using hooks_bridge::call_hook;
using hooks_bridge::log_python_error;

namespace {

// Request headers go to hooks with Gunicorn's upper-case names, response headers as the app gave
// them.
PyRef header_list(const std::vector<http::HeaderField>& headers, bool upper_names) {
  PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(headers.size())));
  if (!list) return list;
  for (size_t i = 0; i < headers.size(); ++i) {
    PyRef name = latin1(upper_names ? headers[i].upper_name() : headers[i].name);
    PyRef value = latin1(headers[i].value);
    PyObject* pair = name && value ? PyTuple_Pack(2, name.get(), value.get()) : nullptr;
    if (pair == nullptr) return PyRef();
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}

}  // namespace

PyObject* Hooks::pre_request(const http::Request& request, bool& failed) {
  failed = false;
  Bridge& b = bridge();
  PyObject* cls = bridge_global("Request");
  if (cls == nullptr) return nullptr;
  PyRef headers = header_list(request.headers, /*upper_names=*/true);
  PyRef version = PyRef::steal(Py_BuildValue("(ii)", request.version_major, request.version_minor));
  PyRef args[] = {latin1(request.method),
                  latin1(request.target),
                  latin1(request.path),
                  latin1(request.query),
                  latin1(request.fragment),
                  version,
                  headers,
                  latin1(request.url_scheme)};
  PyObject* raw[8];
  for (size_t i = 0; i < 8; ++i) {
    if (!args[i]) {
      log_python_error("Cannot build the request object for hooks");
      return nullptr;
    }
    raw[i] = args[i].get();
  }
  PyRef req = PyRef::steal(PyObject_Vectorcall(cls, raw, 8, nullptr));
  if (!req) {
    log_python_error("Cannot build the request object for hooks");
    return nullptr;
  }
  if (b.pre_request && b.worker_object) {
    PyObject* call_args[] = {b.worker_object.get(), req.get()};
    PyRef result = PyRef::steal(PyObject_Vectorcall(b.pre_request.get(), call_args, 2, nullptr));
    failed = !result;  // the exception stays pending for the handler
  }
  return req.release();
}

void Hooks::post_request(PyObject* req_in, const http::Request& request, PyObject* environ,
                         const http::ResponseSink* writer) {
  (void)request;
  PyRef req = PyRef::steal(req_in);
  Bridge& b = bridge();
  if (!b.post_request || !req) return;
  // An exception still pending from the request belongs to the caller: park it meanwhile.
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyRef env = environ ? PyRef::borrow(environ) : PyRef::steal(PyDict_New());
  PyRef resp = PyRef::borrow(Py_None);
  if (writer != nullptr) {
    // Before start_response (the app failed early) Gunicorn's resp exists with status None.
    PyRef status = writer->status().empty() ? PyRef::borrow(Py_None) : latin1(writer->status());
    PyRef headers = header_list(writer->headers(), /*upper_names=*/false);
    PyRef sent = PyRef::steal(PyLong_FromUnsignedLongLong(writer->body_bytes_sent()));
    PyObject* cls = bridge_global("Response");
    if (cls && status && headers && sent)
      resp = PyRef::steal(
          PyObject_CallFunctionObjArgs(cls, status.get(), headers.get(), sent.get(), nullptr));
    if (!resp) {
      PyErr_Clear();
      resp = PyRef::borrow(Py_None);
    }
  }
  call_hook(config::settings::post_request, b.post_request.get(),
            {b.worker_object.get(), req.get(), env.get(), resp.get()});
  PyErr_Restore(type, value, traceback);
}

}  // namespace gf::python
