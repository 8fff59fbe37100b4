#include "python/asgi/ready_awaitable.hpp"

namespace gf::python {
namespace {

struct Ready {
  PyObject_HEAD PyObject* value;  // owned; null once awaited
};

void ready_dealloc(PyObject* self) {
  Py_XDECREF(reinterpret_cast<Ready*>(self)->value);
  Py_TYPE(self)->tp_free(self);
}

PyObject* ready_await(PyObject* self) {
  Py_INCREF(self);  // its own iterator
  return self;
}

// The iterator protocol's way to return: StopIteration(value). A dict (or None) needs no
// wrapping, unlike a tuple or an exception instance would.
PyObject* ready_next(PyObject* self) {
  auto* r = reinterpret_cast<Ready*>(self);
  PyObject* value = r->value;
  r->value = nullptr;
  if (value != nullptr && value != Py_None) PyErr_SetObject(PyExc_StopIteration, value);
  Py_XDECREF(value);
  return nullptr;
}

#if PY_VERSION_HEX >= 0x030A0000
// Python 3.10+: a coroutine awaiting this gets the value through am_send, without an exception.
PySendResult ready_send(PyObject* self, PyObject*, PyObject** result) {
  auto* r = reinterpret_cast<Ready*>(self);
  *result = r->value != nullptr ? r->value : Py_NewRef(Py_None);
  r->value = nullptr;
  return PYGEN_RETURN;
}
#endif

PyAsyncMethods ready_async = {
    .am_await = ready_await,
#if PY_VERSION_HEX >= 0x030A0000
    .am_send = ready_send,
#endif
};

PyTypeObject* ready_type() {
  static PyTypeObject type = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "greenfork.asgi.Ready";
    t.tp_basicsize = sizeof(Ready);
    t.tp_dealloc = ready_dealloc;
    t.tp_as_async = &ready_async;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_iter = PyObject_SelfIter;
    t.tp_iternext = ready_next;
    t.tp_doc = "An ASGI receive()/send() result that is already there.";
    return t;
  }();
  static const bool ready = PyType_Ready(&type) == 0;
  return ready ? &type : nullptr;
}

}  // namespace

PyRef ready_awaitable(PyObject* value) {
  PyTypeObject* type = ready_type();
  if (type == nullptr) return PyRef();
  auto* r = PyObject_New(Ready, type);
  if (r == nullptr) return PyRef();
  Py_INCREF(value);
  r->value = value;
  return PyRef::steal(reinterpret_cast<PyObject*>(r));
}

}  // namespace gf::python
