#include "python/embed/traceback_dump.hpp"

#include <Python.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <ctime>
#include <string_view>

#include "python/embed/py_ref.hpp"

namespace gf::python {
namespace {
// Everything the signal handler reads is prepared by install(): no allocation, no locale, no
// localtime() (none of them is async-signal-safe) at dump time.
struct sigaction g_faulthandler_action {};
volatile sig_atomic_t g_installed = 0;
bool g_log_line = false;
int g_fd = 2;
long g_utc_offset = 0;  // seconds east of UTC when installed; a DST switch meanwhile is ignored
char g_zone[6] = "+0000";

// Two buffers: set_epilogue() fills the one the handler is not told about, then publishes it.
struct Epilogue {
  char data[2][64 * 1024];
  size_t size[2] = {0, 0};
  std::atomic<int> published{-1};
};
Epilogue g_epilogue;

class Buffer {
 public:
  void put(std::string_view s) {
    for (char c : s)
      if (len_ < sizeof data_) data_[len_++] = c;
  }
  void put_number(long value, int width) {
    char digits[24];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value > 0 && n < 20);
    for (int i = n; i < width; ++i) put("0");
    while (n > 0) put({&digits[--n], 1});
  }
  const char* data() const { return data_; }
  size_t size() const { return len_; }

 private:
  char data_[256];
  size_t len_ = 0;
};

// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days),
// since gmtime_r is not on the async-signal-safe list.
void civil_from_days(long z, long& y, long& m, long& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

// "[2026-11-25 16:14:59 +0000] [PID] [ERROR] ...", the error log's format.
void write_log_line() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  long local = static_cast<long>(now.tv_sec) + g_utc_offset;
  long days = local / 86400, secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  long y = 0, m = 0, d = 0;
  civil_from_days(days, y, m, d);
  Buffer b;
  b.put("[");
  b.put_number(y, 4);
  b.put("-");
  b.put_number(m, 2);
  b.put("-");
  b.put_number(d, 2);
  b.put(" ");
  b.put_number(secs / 3600, 2);
  b.put(":");
  b.put_number(secs / 60 % 60, 2);
  b.put(":");
  b.put_number(secs % 60, 2);
  b.put(" ");
  b.put(g_zone);
  b.put("] [");
  const long pid = ::getpid();
  b.put_number(pid, 1);
  b.put("] [ERROR] Worker (pid:");
  b.put_number(pid, 1);
  b.put(") aborted; Python stacks of all threads follow\n");
  [[maybe_unused]] ssize_t r = ::write(g_fd, b.data(), b.size());
}

void remember_zone() {
  time_t now = ::time(nullptr);
  tm local{};
  if (localtime_r(&now, &local) == nullptr) return;
  g_utc_offset = local.tm_gmtoff;
  long minutes = (g_utc_offset >= 0 ? g_utc_offset : -g_utc_offset) / 60;
  g_zone[0] = g_utc_offset >= 0 ? '+' : '-';
  g_zone[1] = static_cast<char>('0' + minutes / 600 % 10);
  g_zone[2] = static_cast<char>('0' + minutes / 60 % 10);
  g_zone[3] = static_cast<char>('0' + minutes % 60 / 10);
  g_zone[4] = static_cast<char>('0' + minutes % 10);
}
}  // namespace

void TracebackDump::install(int fd, bool log_line) {
  struct sigaction ours {};
  sigaction(SIGABRT, nullptr, &ours);
  // faulthandler.enable() does not reinstall its handlers when already enabled (e.g. by
  // PYTHONFAULTHANDLER), and we need the handler it installs now: start from disabled.
  PyRef module = PyRef::steal(PyImport_ImportModule("faulthandler"));
  PyRef kwargs = PyRef::steal(Py_BuildValue("{s:i,s:O}", "file", fd, "all_threads", Py_True));
  PyRef disable = module ? PyRef::steal(PyObject_GetAttrString(module.get(), "disable")) : PyRef();
  PyRef enable = module ? PyRef::steal(PyObject_GetAttrString(module.get(), "enable")) : PyRef();
  PyRef args = PyRef::steal(PyTuple_New(0));
  PyRef done;
  if (disable && enable && kwargs && args) {
    PyRef off = PyRef::steal(PyObject_CallNoArgs(disable.get()));
    if (off) done = PyRef::steal(PyObject_Call(enable.get(), args.get(), kwargs.get()));
  }
  struct sigaction theirs {};
  sigaction(SIGABRT, nullptr, &theirs);
  // faulthandler chains to the handler it found (ours) by re-raising the signal at its end; we
  // call it from our handler instead, so the order is: log line, stacks, our exit(1).
  sigaction(SIGABRT, &ours, nullptr);
  if (!done || theirs.sa_handler == ours.sa_handler) {
    PyErr_Clear();  // no stacks then, but the worker still exits 1 as without faulthandler
    return;
  }
  g_faulthandler_action = theirs;
  g_fd = fd;
  g_log_line = log_line;
  remember_zone();
  g_installed = 1;
}

void TracebackDump::write_from_signal(int sig) {
  if (!g_installed) return;
  g_installed = 0;  // once: a second ABRT during the dump must not start another
  if (g_log_line) write_log_line();
  // faulthandler writes "Fatal Python error: Aborted" and every thread's stack, restores the
  // disposition it replaced (ours) and raise()s the signal again; SIGABRT is blocked while our
  // handler runs, so that stays pending.
  if (g_faulthandler_action.sa_flags & SA_SIGINFO) {
    siginfo_t info{};
    info.si_signo = sig;
    g_faulthandler_action.sa_sigaction(sig, &info, nullptr);
  } else if (g_faulthandler_action.sa_handler != SIG_DFL &&
             g_faulthandler_action.sa_handler != SIG_IGN) {
    g_faulthandler_action.sa_handler(sig);
  }
  const int epilogue = g_epilogue.published.load(std::memory_order_acquire);
  if (epilogue >= 0) {
    [[maybe_unused]] ssize_t r =
        ::write(g_fd, g_epilogue.data[epilogue], g_epilogue.size[epilogue]);
  }
  // Drop faulthandler's pending re-raise (setting SIG_IGN discards it), so a caller that returns
  // instead of exiting (worker_abort runs from Python) is not entered a second time.
  struct sigaction current {};
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigaction(sig, nullptr, &current);
  sigaction(sig, &ignore, nullptr);
  sigaction(sig, &current, nullptr);
}

void TracebackDump::set_epilogue(std::string_view text) {
  if (text.empty()) {
    g_epilogue.published.store(-1, std::memory_order_release);
    return;
  }
  const int next = g_epilogue.published.load(std::memory_order_acquire) == 0 ? 1 : 0;
  const size_t n = std::min(text.size(), sizeof g_epilogue.data[next]);
  std::memcpy(g_epilogue.data[next], text.data(), n);
  g_epilogue.size[next] = n;
  g_epilogue.published.store(next, std::memory_order_release);
}

}  // namespace gf::python
