// The life of a worker process after fork: signals, title, interpreter and app, then the
// worker type's loop, and Gunicorn's exit codes when booting fails.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "log/access_log.hpp"
#include "log/error_log.hpp"
#include "python/main_thread_gil.hpp"
#include "python/wsgi_app.hpp"
#include "python/wsgi_handler.hpp"
#include "util/process_title.hpp"
#include "workers/privileges.hpp"
#include "workers/sync_worker.hpp"
#include "workers/worker_context.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {
std::unique_ptr<log::AccessLog> open_access_log(const config::Config& cfg) {
  auto path = cfg.get_opt_str("accesslog");
  if (!path) return nullptr;
  return std::make_unique<log::AccessLog>(*path, cfg.get_str("access_log_format"));
}
// Gunicorn prints the bare message to stderr (not through the log), then its `finally` logs
// the exit as for any worker.
int boot_failed(int status, const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  log::ErrorLog::get().info("Worker exiting (pid: {})", ::getpid());
  return status;
}
}  // namespace

int run_worker_process(WorkerContext& ctx) {
  WorkerSignals::install();
  util::set_process_title("greenfork: worker [" + ctx.proc_name + "]");
  auto& log = log::ErrorLog::get();
  log.after_fork();
  log.info("Booting worker with pid: {}", ::getpid());

  std::optional<python::WsgiApp> app;
  std::unique_ptr<log::AccessLog> access_log;
  try {
    // Opened while still privileged, like Gunicorn's master-opened log, so a log directory the
    // worker user cannot enter still works; the master handed the file itself over for reopen.
    access_log = open_access_log(ctx.cfg);
    // Before any application code runs (Gunicorn's init_process order).
    switch_identity(WorkerIdentity::from(ctx.cfg));
    python::Interpreter::initialize(ctx.cfg);
    app.emplace(python::WsgiApp::load(ctx.cfg));
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
    python::WsgiHandler handler(*app, ctx.cfg, access_log.get(), /*multithread=*/false);
    python::MainThreadGil::release();
    SyncWorker(ctx, handler, access_log.get()).run();
    python::MainThreadGil::acquire();
  }
  python::Interpreter::run_exit_handlers();
  log.info("Worker exiting (pid: {})", ::getpid());
  return 0;
}

}  // namespace gf::workers
