#include "python/embed/main_thread_gil.hpp"

#include <Python.h>

#include <utility>

namespace gf::python {
namespace {
PyThreadState* g_saved = nullptr;
}

void MainThreadGil::release() {
  if (g_saved == nullptr && Py_IsInitialized()) g_saved = PyEval_SaveThread();
}

void MainThreadGil::acquire() {
  if (g_saved != nullptr) PyEval_RestoreThread(std::exchange(g_saved, nullptr));
}

}  // namespace gf::python
