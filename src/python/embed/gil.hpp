// Scoped GIL handling: GilRelease drops the GIL around blocking C++ I/O (socket reads and
// writes, log writes) so other Python threads run; GilAcquire takes it from any thread.
#pragma once

#include <Python.h>

namespace gf::python {

// What `take` returned, handed to `give_back` at the end of the scope, also during unwinding.
// The two GIL guards below differ only in that pair of CPython calls.
template <class State, State (*take)(), void (*give_back)(State)>
class ScopedGilState {
 public:
  ScopedGilState() : state_(take()) {}
  ~ScopedGilState() { give_back(state_); }
  ScopedGilState(const ScopedGilState&) = delete;
  ScopedGilState& operator=(const ScopedGilState&) = delete;

 private:
  State state_;
};

// Requires the GIL on construction; re-acquires it on destruction, also during unwinding, so a
// C++ exception thrown by the I/O call reaches the caller with the GIL held again.
using GilRelease = ScopedGilState<PyThreadState*, PyEval_SaveThread, PyEval_RestoreThread>;

// Works whether or not the calling thread currently holds the GIL (e.g. access-log callbacks
// that run while the handler has released it).
using GilAcquire = ScopedGilState<PyGILState_STATE, PyGILState_Ensure, PyGILState_Release>;

}  // namespace gf::python
