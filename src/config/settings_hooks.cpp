// Settings of the Server Hooks and Dirty Arbiter Hooks sections: Python callables that only a
// config file can set. Their parameters are part of the contract, so the docs show them.
#include "config/settings_sections.hpp"

namespace gf::config::table {
namespace {

// `args`: the positional parameters the hook is called with (Gunicorn checks the arity).
SettingSpec hook(std::string_view name, std::string_view section, std::string_view help,
                 std::string_view doc, int args, int max_args = 0) {
  return {
      .name = name,
      .section = section,
      .type = ValueType::kHook,
      .help = help,
      .doc = doc,
      .support = kLater,
      .unsupported_reason = kWhyHooks,
      .min_args = args,
      .max_args = max_args > 0 ? max_args : args,
  };
}

}  // namespace

void add_hook_settings(std::vector<SettingSpec>& out) {
  const auto server = kServerHooks;
  out.push_back(hook("on_starting", server, "Called just before the master process is initialized.",
                     "`def on_starting(server)`", 1));
  out.push_back(hook("on_reload", server, "Called to recycle workers during a reload via SIGHUP.",
                     "`def on_reload(server)`", 1));
  out.push_back(hook("when_ready", server, "Called just after the server is started.",
                     "`def when_ready(server)`", 1));
  out.push_back(hook("pre_fork", server, "Called just before a worker is forked.",
                     "`def pre_fork(server, worker)`", 2));
  out.push_back(hook("post_fork", server, "Called just after a worker has been forked.",
                     "`def post_fork(server, worker)` (runs in the worker)", 2));
  out.push_back(hook("post_worker_init", server,
                     "Called just after a worker has initialized the application.",
                     "`def post_worker_init(worker)`", 1));
  out.push_back(hook("worker_int", server,
                     "Called just after a worker exited on SIGINT or SIGQUIT.",
                     "`def worker_int(worker)`", 1));
  out.push_back(hook("worker_abort", server, "Called when a worker received the SIGABRT signal.",
                     "`def worker_abort(worker)`; this happens on timeout.", 1));
  out.push_back(hook("pre_exec", server, "Called just before a new master process is forked.",
                     "`def pre_exec(server)` (USR2 re-exec)", 1));
  out.push_back(hook("pre_request", server, "Called just before a worker processes the request.",
                     "`def pre_request(worker, req)`; the default logs the method and path at "
                     "debug level.",
                     2));
  out.push_back(hook("post_request", server, "Called after a worker processes the request.",
                     "`def post_request(worker, req, environ, resp)`; 2 or 3 parameters are "
                     "accepted too.",
                     2, 4));
  out.push_back(hook("child_exit", server,
                     "Called just after a worker has been exited, in the master process.",
                     "`def child_exit(server, worker)`", 2));
  out.push_back(hook("worker_exit", server,
                     "Called just after a worker has been exited, in the worker process.",
                     "`def worker_exit(server, worker)`", 2));
  out.push_back(hook("nworkers_changed", server, "Called just after num_workers has been changed.",
                     "`def nworkers_changed(server, new_value, old_value)`; old_value is None "
                     "the first time.",
                     3));
  out.push_back(
      hook("on_exit", server, "Called just before exiting Gunicorn.", "`def on_exit(server)`", 1));
  out.push_back(hook("ssl_context", server, "Called when SSLContext is needed.",
                     "`def ssl_context(config, default_ssl_context_factory)` returns the "
                     "ssl.SSLContext to use.",
                     2));

  // Every server hook is called (src/python/configuration/hooks.cpp) except ssl_context: without
  // TLS support there is no SSLContext to build, so it is only kept.
  for (SettingSpec& spec : out) {
    if (spec.section != server) continue;
    if (spec.name == "ssl_context") {
      spec.unsupported_reason = "TLS is not supported yet, so no SSLContext is ever built";
      continue;
    }
    spec.support = Support::kSupported;
    spec.unsupported_reason = {};
  }

  const auto dirty = kDirtyArbiterHooks;
  out.push_back(hook("on_dirty_starting", dirty,
                     "Called just before the dirty arbiter process is initialized.",
                     "`def on_dirty_starting(arbiter)`", 1));
  out.push_back(hook("dirty_post_fork", dirty, "Called just after a dirty worker has been forked.",
                     "`def dirty_post_fork(arbiter, worker)`", 2));
  out.push_back(hook("dirty_worker_init", dirty,
                     "Called after a dirty worker has initialized all its apps.",
                     "`def dirty_worker_init(worker)`", 1));
  out.push_back(hook("dirty_worker_exit", dirty, "Called when a dirty worker has exited.",
                     "`def dirty_worker_exit(arbiter, worker)`", 2));
}

}  // namespace gf::config::table
