// Owning and borrowed handles for PyObject*: every reference the C++ side holds lives in a
// PyRef, so early returns and exceptions never leak or double-release a Python object.
#pragma once

#include <Python.h>

#include <utility>

namespace gf::python {

class PyRef {
 public:
  PyRef() = default;
  // Takes over a new reference (the result of most C API calls); may be null.
  static PyRef steal(PyObject* obj) { return PyRef(obj); }
  // Adds a reference to a borrowed object.
  static PyRef borrow(PyObject* obj) {
    Py_XINCREF(obj);
    return PyRef(obj);
  }

  PyRef(const PyRef& other) : obj_(other.obj_) { Py_XINCREF(obj_); }
  PyRef(PyRef&& other) noexcept : obj_(other.release()) {}
  PyRef& operator=(PyRef other) noexcept {
    std::swap(obj_, other.obj_);
    return *this;
  }
  ~PyRef() { Py_XDECREF(obj_); }

  PyObject* get() const { return obj_; }
  explicit operator bool() const { return obj_ != nullptr; }
  // Hands the reference to the caller (e.g. a C API "steals" argument or a return value).
  PyObject* release() { return std::exchange(obj_, nullptr); }
  void reset() { Py_CLEAR(obj_); }

 private:
  explicit PyRef(PyObject* obj) : obj_(obj) {}
  PyObject* obj_ = nullptr;
};

}  // namespace gf::python
