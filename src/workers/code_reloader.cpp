#include "workers/code_reloader.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "log/error_log.hpp"
#include "python/app/reload_files.hpp"
#include "util/thread_signals.hpp"

namespace gf::workers {
namespace {
constexpr int kCheckIntervalMs = 1000;  // how stale the module list and the poll engine may be

// Editors save by writing in place (CLOSE_WRITE, once the file is complete) or by renaming a
// new file over the old one (MOVED_TO); `touch` only changes attributes. A deletion or a rename
// away alone is no reason: editors do that just before writing the new file, and a worker
// started in between would fail to import it. Watching the directory rather than the file
// survives the rename, which would orphan a watch on the old inode.
constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR;

std::string parent_of(const std::string& file) {
  auto slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

// A literal path among glob patterns: each magic character becomes a one-character class.
std::string glob_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

struct Stamp {
  timespec mtime{};
  bool operator!=(const Stamp& o) const {
    return mtime.tv_sec != o.mtime.tv_sec || mtime.tv_nsec != o.mtime.tv_nsec;
  }
};
}  // namespace

std::unique_ptr<CodeReloader> CodeReloader::start_if_enabled(const config::Config& cfg,
                                                             const std::string& also_watch) {
  if (!cfg.get(config::settings::reload)) return nullptr;
  const std::string engine = cfg.get(config::settings::reload_engine);
  util::UniqueFd inotify;
  if (engine != "poll") {
    inotify = util::UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify && engine == "inotify")
      log::ErrorLog::get().warning("inotify unavailable ({}), reloading by polling instead",
                                   std::strerror(errno));
  }
  std::vector<std::string> patterns = cfg.get(config::settings::reload_extra_files);
  if (!also_watch.empty()) patterns.push_back(glob_escape(also_watch));
  return std::unique_ptr<CodeReloader>(new CodeReloader(std::move(patterns), std::move(inotify)));
}

CodeReloader::CodeReloader(std::vector<std::string> extra_patterns, util::UniqueFd inotify_fd)
    : extra_patterns_(std::move(extra_patterns)),
      inotify_(std::move(inotify_fd)),
      stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  // Signals must keep reaching the worker's main thread, whose handlers wake its poll(): the
  // thread starts with everything blocked (it inherits this mask), then the mask is restored.
  const sigset_t helper = util::helper_thread_signal_mask();
  sigset_t previous;
  pthread_sigmask(SIG_SETMASK, &helper, &previous);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

CodeReloader::~CodeReloader() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

bool CodeReloader::wait(int timeout_ms) {
  pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {inotify_.get(), POLLIN, 0}};
  int n = ::poll(fds, inotify_ ? 2 : 1, timeout_ms);
  return !(n > 0 && fds[0].revents != 0);
}

void CodeReloader::changed(const std::string& file) {
  log::ErrorLog::get().info("Worker reloading: {} modified", file);
  // The worker_int(worker) hook is called here (Gunicorn's reloader callback does).
  // Exactly the master's TERM: the current request finishes, then the worker exits 0 and the
  // master replaces it. The signal goes to the main thread (this one blocks all signals).
  ::kill(::getpid(), SIGTERM);
}

void CodeReloader::run() {
  std::set<std::string> files;
  std::map<std::string, Stamp> stamps;  // poll engine
  std::map<int, std::string> dir_of;    // inotify engine: watch descriptor -> directory
  std::set<std::string> watched_dirs;
  alignas(inotify_event) char events[16 * 1024];
  for (;;) {
    // Re-listed every round: modules imported since, and new matches of the extra patterns.
    for (auto& file : python::ReloadFiles::collect(extra_patterns_)) {
      if (inotify_) {
        std::string dir = parent_of(file);
        if (watched_dirs.insert(dir).second) {
          int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), kDirMask);
          if (wd >= 0) dir_of[wd] = dir;
        }
        files.insert(std::move(file));
        continue;
      }
      struct stat st {};
      if (::stat(file.c_str(), &st) != 0) continue;
      Stamp now{st.st_mtim};
      auto [it, inserted] = stamps.try_emplace(file, now);
      if (!inserted && it->second != now) return changed(file);
    }
    if (!wait(kCheckIntervalMs)) return;
    if (!inotify_) continue;
    for (;;) {
      ssize_t len = ::read(inotify_.get(), events, sizeof events);
      if (len <= 0) break;
      for (ssize_t at = 0; at < len;) {
        auto* ev = reinterpret_cast<const inotify_event*>(events + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        auto dir = dir_of.find(ev->wd);
        if (ev->len == 0 || dir == dir_of.end()) continue;
        std::string path = dir->second == "/" ? "/" : dir->second + "/";
        path += ev->name;
        // Other files in the same directory (editor swap files, logs) do not count.
        if (files.count(path) != 0) return changed(path);
      }
    }
  }
}

}  // namespace gf::workers
