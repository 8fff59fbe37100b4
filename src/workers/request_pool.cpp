#include "workers/request_pool.hpp"

#include <pthread.h>

#include <csignal>

#include "python/embed/thread_gil.hpp"
#include "util/thread_signals.hpp"

namespace gf::workers {

RequestPool::RequestPool(size_t threads, Run run, void* context) : run_(run), context_(context) {
  // Threads inherit the creator's signal mask: process signals go to the loop thread.
  const sigset_t helper = util::helper_thread_signal_mask();
  sigset_t previous;
  pthread_sigmask(SIG_SETMASK, &helper, &previous);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

RequestPool::~RequestPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void RequestPool::abandon() {
  for (auto& thread : threads_) thread.detach();
}

void RequestPool::submit(void* job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(job);
  }
  wake_.notify_one();
}

void RequestPool::thread_main() {
  python::ThreadGil gil;
  for (;;) {
    void* job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = jobs_.front();
      jobs_.pop_front();
    }
    run_(context_, job, gil);
  }
}

}  // namespace gf::workers
