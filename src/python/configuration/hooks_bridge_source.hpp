// The text of hooks_bridge.py (the Python classes behind the hook objects), NUL-terminated.
// CMake generates its definition from the .py file at build time (greenfork_embed_text).
#pragma once

namespace gf::python {

extern const char kHooksBridgeSource[];

}  // namespace gf::python
