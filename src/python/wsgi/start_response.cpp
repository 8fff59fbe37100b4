#include "python/wsgi/start_response.hpp"

#include <structmember.h>

#include <memory>
#include <string>
#include <vector>

#include "http/response_policy.hpp"
#include "python/embed/gil.hpp"
#include "python/embed/py_text.hpp"
#include "python/wsgi/exception_types.hpp"
#include "python/wsgi/writer_call.hpp"
#include "util/stream.hpp"

namespace gf::python {
namespace {

// Body chunks from this size up may be queued without a copy when the client is slow.
constexpr size_t kShareFromBytes = 64 * 1024;

// vectorcall slots: the app calls these once or more per request, so skip building arg tuples.
struct WriteObject {
  PyObject_HEAD vectorcallfunc vectorcall;
  RequestState* state;
};

struct StartResponseObject {
  PyObject_HEAD vectorcallfunc vectorcall;
  RequestState* state;
  PyObject* write;  // the WriteObject returned by every call
};

bool check_open(RequestState* state) {
  if (state != nullptr) return true;
  PyErr_SetString(PyExc_ValueError, "start_response/write used after the request finished");
  return false;
}

// Gunicorn's "%r is not a string" for non-str names and values.
bool to_native(PyObject* obj, std::string& out) {
  if (!PyUnicode_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%R is not a string", obj);
    return false;
  }
  auto bytes = latin1_bytes(obj);
  if (!bytes) {
    PyErr_Format(PyExc_ValueError, "%R is not latin-1 encodable", obj);
    return false;
  }
  out = std::move(*bytes);
  return true;
}

bool parse_headers(PyObject* headers, std::vector<http::HeaderField>& out) {
  PyRef seq = PyRef::steal(PySequence_Fast(headers, "headers must be a list of (name, value)"));
  if (!seq) return false;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
  out.reserve(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(seq.get(), i);
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
      PyErr_Format(PyExc_TypeError, "header must be a (name, value) tuple, got %R", item);
      return false;
    }
    http::HeaderField field;
    if (!to_native(PyTuple_GET_ITEM(item, 0), field.name) ||
        !to_native(PyTuple_GET_ITEM(item, 1), field.value))
      return false;
    out.push_back(std::move(field));
  }
  return true;
}

// Re-raises the app's exc_info tuple with its original traceback.
PyObject* reraise(PyObject* exc_info) {
  if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
    PyErr_SetString(PyExc_TypeError, "exc_info must be a (type, value, traceback) tuple");
    return nullptr;
  }
  PyObject* type = PyTuple_GET_ITEM(exc_info, 0);
  PyObject* value = PyTuple_GET_ITEM(exc_info, 1);
  PyObject* tb = PyTuple_GET_ITEM(exc_info, 2);
  if (!PyExceptionClass_Check(type) || (tb != Py_None && !PyTraceBack_Check(tb))) {
    PyErr_SetString(PyExc_TypeError, "exc_info must be a (type, value, traceback) tuple");
    return nullptr;
  }
  Py_INCREF(type);
  Py_INCREF(value);
  Py_XINCREF(tb == Py_None ? nullptr : tb);
  PyErr_Restore(type, value, tb == Py_None ? nullptr : tb);
  return nullptr;
}

PyObject* start_response_call(PyObject* self, PyObject* const* args, size_t nargsf,
                              PyObject* kwnames) {
  auto* sr = reinterpret_cast<StartResponseObject*>(self);
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  if (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) > 0) {
    // start_response(status, headers, exc_info=...): keyword values follow the positionals.
    if (!(PyTuple_GET_SIZE(kwnames) == 1 && nargs == 2 &&
          PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "exc_info") == 0)) {
      PyErr_SetString(PyExc_TypeError, "start_response() got an unexpected keyword argument");
      return nullptr;
    }
    nargs = 3;
  }
  if (nargs < 2 || nargs > 3) {
    PyErr_Format(PyExc_TypeError,
                 "start_response() takes 2 or 3 arguments (status, headers, exc_info=None), "
                 "got %zd",
                 nargs);
    return nullptr;
  }
  if (!check_open(sr->state)) return nullptr;
  http::ResponseSink& writer = *sr->state->writer;

  PyObject* exc_info = nargs == 3 ? args[2] : Py_None;
  int has_exc_info = PyObject_IsTrue(exc_info);
  if (has_exc_info < 0) return nullptr;
  if (has_exc_info) {
    if (writer.headers_sent()) return reraise(exc_info);
  } else if (writer.started()) {
    PyErr_SetString(PyExc_AssertionError, "Response headers already set!");
    return nullptr;
  }

  std::string status;
  std::vector<http::HeaderField> headers;
  if (!to_native(args[0], status) || !parse_headers(args[1], headers)) return nullptr;
  try {
    writer.start(status, std::move(headers));
  } catch (const http::InvalidResponse& e) {
    PyErr_SetString(invalid_response_type(), e.what());
    return nullptr;
  }
  Py_INCREF(sr->write);
  return sr->write;
}

PyObject* write_call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  auto* w = reinterpret_cast<WriteObject*>(self);
  if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != nullptr && PyTuple_GET_SIZE(kwnames) > 0)) {
    PyErr_SetString(PyExc_TypeError, "write() takes exactly one argument (data)");
    return nullptr;
  }
  if (!check_open(w->state) || !write_body_chunk(*w->state, args[0])) return nullptr;
  // write() returns into the app's own code, which cannot be paused: above the high-water mark
  // this thread waits for the client instead (bounded by the write timeout).
  if (w->state->writer->congested() &&
      !call_writer(*w->state, [](http::ResponseSink& sink) { sink.wait_uncongested(); }))
    return nullptr;
  Py_RETURN_NONE;
}

void write_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

void start_response_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  Py_CLEAR(reinterpret_cast<StartResponseObject*>(self)->write);
  type->tp_free(self);
  Py_DECREF(type);
}

constexpr unsigned kFlags =
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_HAVE_VECTORCALL;

PyTypeObject* write_type() {
  static PyMemberDef members[] = {
      {"__vectorcalloffset__", T_PYSSIZET, offsetof(WriteObject, vectorcall), READONLY, nullptr},
      {nullptr, 0, 0, 0, nullptr}};
  static PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(write_dealloc)},
                                {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
                                {Py_tp_members, members},
                                {0, nullptr}};
  static PyType_Spec spec = {"greenfork.Write", sizeof(WriteObject), 0, kFlags, slots};
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
  return type;
}

PyTypeObject* start_response_type() {
  static PyMemberDef members[] = {{"__vectorcalloffset__", T_PYSSIZET,
                                   offsetof(StartResponseObject, vectorcall), READONLY, nullptr},
                                  {nullptr, 0, 0, 0, nullptr}};
  static PyType_Slot slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(start_response_dealloc)},
                                {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
                                {Py_tp_members, members},
                                {0, nullptr}};
  static PyType_Spec spec = {"greenfork.StartResponse", sizeof(StartResponseObject), 0, kFlags,
                             slots};
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&spec));
  return type;
}

}  // namespace

bool write_body_chunk(RequestState& state, PyObject* chunk) {
  if (!PyBytes_Check(chunk)) {
    PyErr_Format(PyExc_TypeError, "response body items must be bytes, not %.200s",
                 Py_TYPE(chunk)->tp_name);
    return false;
  }
  Py_ssize_t size = PyBytes_GET_SIZE(chunk);
  if (size == 0) return true;  // empty chunks never trigger sending the headers
  if (!state.writer->started()) {
    PyErr_SetString(PyExc_AssertionError, "response body written before start_response()");
    return false;
  }
  const std::string_view data(PyBytes_AS_STRING(chunk), static_cast<size_t>(size));
  if (static_cast<size_t>(size) < kShareFromBytes)
    return call_writer(state, [data](http::ResponseSink& w) { w.write(data); });
  // A large chunk the client cannot take at once is queued by reference, not copied: the
  // bytes object stays alive (and immutable) until it has been sent.
  Py_INCREF(chunk);
  const util::SharedBytes shared{
      data, std::shared_ptr<const void>(chunk, [](const void* object) {
        GilAcquire gil;
        Py_DECREF(const_cast<PyObject*>(static_cast<const PyObject*>(object)));
      })};
  return call_writer(state, [&shared](http::ResponseSink& w) { w.write(shared.bytes, &shared); });
}

PyRef StartResponse::create(RequestState* state) {
  auto* w = PyObject_New(WriteObject, write_type());
  if (w == nullptr) return PyRef();
  w->vectorcall = write_call;
  w->state = state;
  auto* sr = PyObject_New(StartResponseObject, start_response_type());
  if (sr == nullptr) {
    Py_DECREF(w);
    return PyRef();
  }
  sr->vectorcall = start_response_call;
  sr->state = state;
  sr->write = reinterpret_cast<PyObject*>(w);
  return PyRef::steal(reinterpret_cast<PyObject*>(sr));
}

void StartResponse::init_types() {
  write_type();
  start_response_type();
}

void StartResponse::detach(PyObject* start_response) {
  if (start_response == nullptr) return;
  auto* sr = reinterpret_cast<StartResponseObject*>(start_response);
  sr->state = nullptr;
  reinterpret_cast<WriteObject*>(sr->write)->state = nullptr;
}

}  // namespace gf::python
