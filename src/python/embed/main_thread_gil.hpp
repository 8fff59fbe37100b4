// The GIL as seen by a worker's main thread: held while Python runs, released while the worker
// waits for clients so that threads the application started can run.
#pragma once

namespace gf::python {

class MainThreadGil {
 public:
  static void release();  // PyEval_SaveThread; no-op if already released
  static void acquire();  // PyEval_RestoreThread; no-op if held
};

// Holds the GIL for a scope, from a state where the main thread had released it.
class WithGil {
 public:
  WithGil() { MainThreadGil::acquire(); }
  ~WithGil() { MainThreadGil::release(); }
  WithGil(const WithGil&) = delete;
  WithGil& operator=(const WithGil&) = delete;
};

}  // namespace gf::python
