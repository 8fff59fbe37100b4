#include "python/embed/thread_gil.hpp"

namespace gf::python {

ThreadGil::ThreadGil() : gil_state_(PyGILState_Ensure()), state_(PyThreadState_Get()) {
  PyEval_SaveThread();
}

ThreadGil::~ThreadGil() {
  PyEval_RestoreThread(state_);
  PyGILState_Release(gil_state_);  // deletes the thread state it created
}

}  // namespace gf::python
