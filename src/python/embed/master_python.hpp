// Python-side chores of the master that preloads the app or reloads its configuration.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace gf::python {

// Undoes what cfg's raw_env did to the environment (HUP): every variable it set gets back the
// value it had in `original_env` ("NAME=value" entries from start-up) or is removed. os.environ
// is updated as well when this process runs Python.
void restore_environment(const config::Config& cfg, const std::vector<std::string>& original_env);

// gc.freeze(): moves every object the preloaded app created out of the collector's reach, so
// that collections in the workers do not write to (and so copy) the pages they share with the
// master. No-op when Python is not running.
void freeze_gc();

}  // namespace gf::python
