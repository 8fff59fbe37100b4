// Scoped GIL handling: GilRelease drops the GIL around blocking C++ I/O (socket reads and
// writes, log writes) so other Python threads run; GilAcquire takes it from any thread.
#pragma once

#include <Python.h>

namespace gf::python {

// Requires the GIL on construction; re-acquires it on destruction, also during unwinding, so a
// C++ exception thrown by the I/O call reaches the caller with the GIL held again.
class GilRelease {
 public:
  GilRelease() : state_(PyEval_SaveThread()) {}
  ~GilRelease() { PyEval_RestoreThread(state_); }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* state_;
};

// Works whether or not the calling thread currently holds the GIL (e.g. access-log callbacks
// that run while the handler has released it).
class GilAcquire {
 public:
  GilAcquire() : state_(PyGILState_Ensure()) {}
  ~GilAcquire() { PyGILState_Release(state_); }
  GilAcquire(const GilAcquire&) = delete;
  GilAcquire& operator=(const GilAcquire&) = delete;

 private:
  PyGILState_STATE state_;
};

}  // namespace gf::python
