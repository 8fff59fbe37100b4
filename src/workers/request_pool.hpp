// The gthread worker's pool of Python threads: the event loop hands it requests whose head (and
// body, up to a bound) has arrived; each thread keeps one Python thread state for its life and
// takes the GIL only while it runs the application.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace gf::python {
class ThreadGil;
}

namespace gf::workers {

class RequestPool {
 public:
  // Runs one job on a pool thread; `gil` is that thread's (released on entry and on return).
  using Run = void (*)(void* context, void* job, python::ThreadGil& gil);

  // Starts `threads` threads with every signal blocked, so that signals reach the loop thread.
  // The caller must not hold the GIL (each thread creates its Python thread state).
  RequestPool(size_t threads, Run run, void* context);
  // Lets the threads finish their current job, then joins them. Call without the GIL.
  ~RequestPool();
  RequestPool(const RequestPool&) = delete;
  RequestPool& operator=(const RequestPool&) = delete;

  void submit(void* job);
  // A quick exit: threads stuck in the application are left to the process's _exit.
  void abandon();

 private:
  void thread_main();

  Run run_;
  void* context_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<void*> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gf::workers
