#include "python/wsgi/wsgi_input.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "python/embed/gil.hpp"
#include "python/embed/py_args.hpp"
#include "python/wsgi/exception_types.hpp"
#include "util/stream.hpp"

namespace gf::python {
namespace {

constexpr size_t kReadChunk = 8192;      // one recv()'s worth, like Gunicorn's socket reads
constexpr size_t kReadAllChunk = 65536;  // read() without a size: fewer, larger reads

struct InputObject {
  PyObject_HEAD RequestState* state;
  std::string buffer;  // bytes read from the body but not yet returned (readline needs it)
  size_t pos;          // start of the unreturned part of buffer
  bool eof;
};

InputObject* as_input(PyObject* self) {
  return reinterpret_cast<InputObject*>(self);
}

size_t available(const InputObject* in) {
  return in->buffer.size() - in->pos;
}

bool check_open(InputObject* in) {
  if (in->state != nullptr && in->state->reader != nullptr) return true;
  PyErr_SetString(PyExc_ValueError, "wsgi.input used after the request finished");
  return false;
}

// Calls read_body without the GIL. Socket and body errors are remembered for the handler and
// surface in Python as ClientIOError. Returns -1 with a Python error set on failure.
Py_ssize_t read_body(InputObject* in, char* out, size_t size) {
  try {
    size_t n;
    {
      GilRelease unlocked;
      n = in->state->reader->read_body(std::span<char>(out, size));
    }
    if (n == 0) in->eof = true;
    return static_cast<Py_ssize_t>(n);
  } catch (const util::IoError& e) {
    in->state->io_error = std::current_exception();
    in->eof = true;
    PyErr_SetString(client_io_error_type(), e.what());
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return -1;
}

// Appends up to `chunk` body bytes to the buffer (dropping what was already returned first).
bool fill(InputObject* in, size_t chunk) {
  if (in->pos > 0) {
    in->buffer.erase(0, in->pos);
    in->pos = 0;
  }
  size_t old = in->buffer.size();
  in->buffer.resize(old + chunk);
  Py_ssize_t n = read_body(in, in->buffer.data() + old, chunk);
  in->buffer.resize(old + static_cast<size_t>(std::max<Py_ssize_t>(n, 0)));
  return n >= 0;
}

PyObject* take(InputObject* in, size_t n) {
  PyObject* out =
      PyBytes_FromStringAndSize(in->buffer.data() + in->pos, static_cast<Py_ssize_t>(n));
  in->pos += n;
  if (in->pos == in->buffer.size()) {
    in->buffer.clear();
    in->pos = 0;
  }
  return out;
}

PyObject* read_all(InputObject* in) {
  while (!in->eof)
    if (!fill(in, kReadAllChunk)) return nullptr;
  return take(in, available(in));
}

// A sized read fills the result object directly: no detour through the buffer for big bodies.
PyObject* read_sized(InputObject* in, size_t size) {
  if (available(in) >= size || in->eof) return take(in, std::min(size, available(in)));
  PyRef out = PyRef::steal(PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(size)));
  if (!out) return nullptr;
  char* data = PyBytes_AS_STRING(out.get());
  size_t have = available(in);
  std::memcpy(data, in->buffer.data() + in->pos, have);
  in->buffer.clear();
  in->pos = 0;
  while (have < size && !in->eof) {
    Py_ssize_t n = read_body(in, data + have, size - have);
    if (n < 0) return nullptr;
    have += static_cast<size_t>(n);
  }
  PyObject* result = out.release();
  if (have < size && _PyBytes_Resize(&result, static_cast<Py_ssize_t>(have)) < 0) return nullptr;
  return result;
}

// limit < 0: no limit. Returns b"" only at the end of the body.
PyObject* read_line(InputObject* in, Py_ssize_t limit) {
  size_t max = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
  size_t scanned = 0;  // bytes of the pending part already searched for '\n'
  for (;;) {
    size_t avail = std::min(available(in), max);
    const char* start = in->buffer.data() + in->pos;
    if (avail > scanned) {
      const void* nl = std::memchr(start + scanned, '\n', avail - scanned);
      if (nl != nullptr) return take(in, static_cast<const char*>(nl) - start + 1);
      scanned = avail;
    }
    if (avail == max || in->eof) return take(in, avail);
    if (!fill(in, kReadChunk)) return nullptr;
  }
}

PyObject* input_read(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  InputObject* in = as_input(self);
  Py_ssize_t size;
  if (!parse_optional_size(args, nargs, kwnames, "size", size) || !check_open(in)) return nullptr;
  if (size < 0) return read_all(in);
  return read_sized(in, static_cast<size_t>(size));
}

PyObject* input_readline(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                         PyObject* kwnames) {
  InputObject* in = as_input(self);
  Py_ssize_t size;
  if (!parse_optional_size(args, nargs, kwnames, "size", size) || !check_open(in)) return nullptr;
  return read_line(in, size);
}

PyObject* input_readlines(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  InputObject* in = as_input(self);
  Py_ssize_t hint;
  if (!parse_optional_size(args, nargs, kwnames, "hint", hint) || !check_open(in)) return nullptr;
  PyRef lines = PyRef::steal(PyList_New(0));
  if (!lines) return nullptr;
  Py_ssize_t total = 0;
  for (;;) {
    PyRef line = PyRef::steal(read_line(in, -1));
    if (!line) return nullptr;
    Py_ssize_t n = PyBytes_GET_SIZE(line.get());
    if (n == 0) break;
    if (PyList_Append(lines.get(), line.get()) < 0) return nullptr;
    total += n;
    if (hint > 0 && total >= hint) break;
  }
  return lines.release();
}

PyObject* input_next(PyObject* self) {
  InputObject* in = as_input(self);
  if (!check_open(in)) return nullptr;
  PyObject* line = read_line(in, -1);
  if (line != nullptr && PyBytes_GET_SIZE(line) == 0) {
    Py_DECREF(line);
    return nullptr;  // StopIteration
  }
  return line;
}

void input_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  as_input(self)->buffer.~basic_string();
  type->tp_free(self);
  Py_DECREF(type);  // instances of heap types own a reference to their type
}

PyMethodDef input_methods[] = {
    {"read", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_read)),
     METH_FASTCALL | METH_KEYWORDS, "read(size=-1) -> bytes"},
    {"readline", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_readline)),
     METH_FASTCALL | METH_KEYWORDS, "readline(size=-1) -> bytes"},
    {"readlines", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(input_readlines)),
     METH_FASTCALL | METH_KEYWORDS, "readlines(hint=-1) -> list of bytes"},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot input_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(input_dealloc)},
                             {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
                             {Py_tp_iternext, reinterpret_cast<void*>(input_next)},
                             {Py_tp_methods, input_methods},
                             {0, nullptr}};

PyType_Spec input_spec = {"greenfork.Input", sizeof(InputObject), 0,
                          Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, input_slots};

}  // namespace

PyTypeObject* WsgiInput::type() {
  static PyTypeObject* type = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&input_spec));
  return type;
}

PyRef WsgiInput::create(RequestState* state) {
  InputObject* in = PyObject_New(InputObject, type());
  if (in == nullptr) return PyRef();
  in->state = state;
  new (&in->buffer) std::string();
  in->pos = 0;
  in->eof = false;
  return PyRef::steal(reinterpret_cast<PyObject*>(in));
}

void WsgiInput::detach(PyObject* input) {
  if (input != nullptr) as_input(input)->state = nullptr;
}

}  // namespace gf::python
