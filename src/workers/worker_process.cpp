// The life of a worker process after fork: signals, title, interpreter and app, then the
// worker type's loop, and Gunicorn's exit codes when booting fails.
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "log/access_log.hpp"
#include "log/error_log.hpp"
#include "python/app/wsgi_app.hpp"
#include "python/asgi/asgi_runtime.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/interpreter.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "python/embed/traceback_dump.hpp"
#include "util/process_title.hpp"
#include "workers/code_reloader.hpp"
#include "workers/privileges.hpp"
#include "workers/worker_context.hpp"
#include "workers/worker_signals.hpp"
#include "workers/worker_table.hpp"

namespace gf::workers {
namespace {
std::unique_ptr<log::AccessLog> open_access_log(const config::Config& cfg) {
  auto path = cfg.get(config::settings::accesslog);
  if (!path) return nullptr;
  return std::make_unique<log::AccessLog>(*path, cfg.get(config::settings::access_log_format));
}
// Gunicorn prints the bare message to stderr (not through the log), then its `finally` logs
// the exit as for any worker.
int boot_failed(int status, const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  log::ErrorLog::get().info("Worker exiting (pid: {})", ::getpid());
  python::Hooks::worker_exit();
  return status;
}

// `worker` for the server hooks, backed by this process's state.
class HookWorker final : public python::WorkerView {
 public:
  explicit HookWorker(WorkerContext& ctx) : ctx_(ctx) {}
  const config::Config& config() const override { return ctx_.cfg; }
  int age() const override { return ctx_.age; }
  pid_t ppid() const override { return ctx_.ppid; }
  uint64_t requests() const override { return ctx_.requests; }
  bool alive() const override { return WorkerSignals::alive(); }
  void stop() override { WorkerSignals::stop(); }
  void notify() override { ctx_.notify(); }

 private:
  WorkerContext& ctx_;
};

// Gunicorn's order on the way out: the exit line and worker_exit, then the interpreter's atexit
// callbacks. GIL held.
void leave_worker() {
  log::ErrorLog::get().info("Worker exiting (pid: {})", ::getpid());
  python::Hooks::worker_exit();
  python::Interpreter::run_exit_handlers();
}

// After worker_int/worker_abort ran for a signal that interrupted the app (called by the
// interpreter in the main thread, GIL held): Gunicorn's sys.exit() path, without returning into
// the app.
[[noreturn]] void exit_after_signal_hook(int status) {
  leave_worker();
  std::fflush(nullptr);
  ::_exit(status);
}
}  // namespace

int run_worker_process(WorkerContext& ctx) {
  WorkerSignals::install();
  util::set_process_title("greenfork: worker [" + ctx.proc_name + "]");
  auto& log = log::ErrorLog::get();
  log.after_fork();
  log.info("Booting worker with pid: {}", ::getpid());
  HookWorker hook_worker(ctx);
  python::Hooks::post_fork(hook_worker);  // before the app loads, as in Gunicorn
  // Like Gunicorn's signal set-up, before the app loads: an INT/QUIT/ABRT from here on runs
  // worker_int/worker_abort.
  if (python::Hooks::has_signal_hooks()) {
    python::Hooks::install_signal_forwarding(exit_after_signal_hook);
    WorkerSignals::forward_quick_signals(python::Hooks::forward_signal);
  }

  std::optional<python::WsgiApp> app;
  std::unique_ptr<log::AccessLog> access_log;
  std::string broken_file;  // --reload: the file with the SyntaxError, watched for its fix
  try {
    // Opened while still privileged, like Gunicorn's master-opened log, so a log directory the
    // worker user cannot enter still works; the master handed the file itself over for reopen.
    access_log = open_access_log(ctx.cfg);
    // Before any application code runs (Gunicorn's init_process order).
    switch_identity(WorkerIdentity::from(ctx.cfg));
    python::Interpreter::initialize(ctx.cfg);
    // Before the app loads, so a worker stuck while importing it also shows where.
    python::TracebackDump::install(log.fd(), log.enabled(log::Level::kError));
    if (ctx.preloaded_app == nullptr) app.emplace(python::WsgiApp::load(ctx.cfg));
  } catch (const python::AppSyntaxError& e) {
    if (!ctx.cfg.get(config::settings::reload)) return boot_failed(kWorkerBootError, e.what());
    // Gunicorn's dev mode: show the traceback as a 500 page until the file is fixed.
    app.emplace(python::WsgiApp::failing(e.page()));
    broken_file = e.filename();
  } catch (const python::AppBootError& e) {
    // The app's own code raised while loading; the traceback is already logged.
    return boot_failed(kWorkerBootError, e.what());
  } catch (const python::AppLoadError& e) {
    return boot_failed(kAppLoadError, e.what());
  } catch (const std::exception& e) {
    log.error("Exception in worker process: {}", e.what());
    return boot_failed(kWorkerBootError, e.what());
  }

  {
    python::WsgiApp& served = ctx.preloaded_app != nullptr ? *ctx.preloaded_app : *app;
    const WorkerType& type = worker_type_to_run(ctx.cfg);
    if (type.interface == WorkerType::Interface::kWsgi &&
        python::AsgiRuntime::looks_like_asgi(served.callable()))
      return boot_failed(kWorkerBootError,
                         fmt::format("Error: {} is an ASGI application; the {} worker serves WSGI "
                                     "applications. Use -k asgi.",
                                     ctx.cfg.get(config::settings::wsgi_app), type.name));
    python::Hooks::post_worker_init(served.callable());
    std::unique_ptr<Worker> worker;
    try {
      worker = type.create(ctx, served, access_log.get());
    } catch (const python::AppBootError& e) {
      return boot_failed(kWorkerBootError, e.what());
    }
    python::MainThreadGil::release();
    {
      // Destroyed (thread joined) before the GIL is taken back: the thread may be waiting on it.
      auto reloader = CodeReloader::start_if_enabled(ctx.cfg, broken_file);
      worker->run();
    }
    python::MainThreadGil::acquire();
    // After a quick stop application threads may still run in it: the process ends without
    // taking the worker apart.
    if (WorkerSignals::quick_signal() != 0) (void)worker.release();
  }
  // INT/QUIT/ABRT that arrived while idle (with worker_int/worker_abort hooks set).
  const int quick = WorkerSignals::quick_signal();
  if (quick == SIGABRT)
    python::Hooks::worker_abort();
  else if (quick != 0)
    python::Hooks::worker_int();
  leave_worker();
  return quick == SIGABRT ? 1 : 0;
}

}  // namespace gf::workers
