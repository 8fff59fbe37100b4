// The text of asgi_bridge.py (event loop, lifespan, run_request), NUL-terminated. CMake
// generates its definition from the .py file at build time (greenfork_embed_text).
#pragma once

namespace gf::python {

extern const char kAsgiBridgeSource[];

}  // namespace gf::python
