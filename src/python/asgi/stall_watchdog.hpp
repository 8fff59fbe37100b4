// Makes WORKER TIMEOUT useful for an event loop: when the loop stops beating (an app blocked
// it: time.sleep, a CPU-bound view, a synchronous driver), a thread of its own takes the GIL and
// records what every pending asyncio task awaits. The SIGABRT dump then writes that after the
// threads' stacks (TracebackDump's epilogue): the stack of the blocking call alone does not show
// which requests were waiting behind it. Gunicorn and uvicorn print neither.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gf::python {

class StallWatchdog {
 public:
  // `snapshot` runs with the GIL held, on the watchdog's thread, once per stall of `stall_ns`.
  StallWatchdog(std::function<std::string()> snapshot, int64_t stall_ns);
  // Call with the GIL held (released while the thread is joined).
  ~StallWatchdog();
  StallWatchdog(const StallWatchdog&) = delete;
  StallWatchdog& operator=(const StallWatchdog&) = delete;

  // From the loop, every tick.
  void beat();

 private:
  void run();

  std::function<std::string()> snapshot_;
  int64_t stall_ns_;
  std::atomic<int64_t> last_beat_ns_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gf::python
