#include "python/asgi/stall_watchdog.hpp"

#include <pthread.h>
#include <signal.h>

#include <chrono>

#include "python/embed/gil.hpp"
#include "python/embed/traceback_dump.hpp"
#include "util/heartbeat_table.hpp"

namespace gf::python {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(250);

}  // namespace

StallWatchdog::StallWatchdog(std::function<std::string()> snapshot, int64_t stall_ns)
    : snapshot_(std::move(snapshot)), stall_ns_(stall_ns), last_beat_ns_(util::monotonic_ns()) {
  // Signals (the master's SIGABRT above all) go to the loop's thread, never to this one: block
  // them all here before the thread starts, so it inherits the mask.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

StallWatchdog::~StallWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  GilRelease unlocked;  // the thread may be waiting for the GIL to take its snapshot
  thread_.join();
  TracebackDump::set_epilogue({});
}

void StallWatchdog::beat() {
  last_beat_ns_.store(util::monotonic_ns(), std::memory_order_relaxed);
}

void StallWatchdog::run() {
  bool recorded = false;  // for the current stall
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kPoll, [this] { return stop_; })) {
    const int64_t quiet = util::monotonic_ns() - last_beat_ns_.load(std::memory_order_relaxed);
    if (quiet < stall_ns_) {
      if (recorded) TracebackDump::set_epilogue({});  // the loop runs again: nothing to say
      recorded = false;
      continue;
    }
    if (recorded) continue;  // nothing runs on a blocked loop: the tasks stay as recorded
    recorded = true;
    lock.unlock();
    std::string text;
    {
      GilAcquire gil;
      text = snapshot_();
    }
    TracebackDump::set_epilogue(text);
    lock.lock();
  }
}

}  // namespace gf::python
