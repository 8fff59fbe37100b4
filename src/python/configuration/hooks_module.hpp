// The C module `_greenfork_hooks` that the classes of hooks_bridge.py call (as `_b`): it reads
// settings, the error log and the server/worker state of this process for the hook objects.
#pragma once

#include "python/embed/py_ref.hpp"

namespace gf::python::hooks_bridge {

// A new module object; null with a Python error set when it cannot be made.
PyRef create_hooks_module();

}  // namespace gf::python::hooks_bridge
