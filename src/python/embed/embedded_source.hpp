// Python source compiled into the binary (hooks_bridge.py, asgi_bridge.py) run as a namespace
// of its own: a fresh globals dict with the builtins, a __name__ and the names the C++ side
// provides, so the source reads like an ordinary module.
#pragma once

#include <initializer_list>
#include <utility>

#include "python/embed/py_ref.hpp"

namespace gf::python {

// Runs `source` (GIL held) and returns its globals; null with the Python error pending when
// compiling or running it failed. `filename` shows in tracebacks.
PyRef run_embedded_source(const char* source, const char* filename, const char* name,
                          std::initializer_list<std::pair<const char*, PyObject*>> provided = {});

}  // namespace gf::python
