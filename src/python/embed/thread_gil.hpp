// The GIL as seen by a thread that C++ started to call the application (a gthread worker's
// pool): the thread gets one Python thread state for its whole life, so that threading.local()
// data and the thread's identity persist from request to request, and taking the GIL per request
// is a plain PyEval_RestoreThread.
#pragma once

#include <Python.h>

namespace gf::python {

class ThreadGil {
 public:
  ThreadGil();   // creates the thread state (takes and then releases the GIL)
  ~ThreadGil();  // destroys it (takes the GIL); must run on the same thread
  ThreadGil(const ThreadGil&) = delete;
  ThreadGil& operator=(const ThreadGil&) = delete;

  void acquire() { PyEval_RestoreThread(state_); }
  void release() { PyEval_SaveThread(); }

 private:
  PyGILState_STATE gil_state_;
  PyThreadState* state_;
};

// Holds a ThreadGil for a scope.
class ThreadGilHold {
 public:
  explicit ThreadGilHold(ThreadGil& gil) : gil_(gil) { gil_.acquire(); }
  ~ThreadGilHold() { gil_.release(); }
  ThreadGilHold(const ThreadGilHold&) = delete;
  ThreadGilHold& operator=(const ThreadGilHold&) = delete;

 private:
  ThreadGil& gil_;
};

}  // namespace gf::python
