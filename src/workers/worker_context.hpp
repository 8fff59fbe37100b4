// What the master hands a freshly forked worker: the configuration, the inherited listeners and
// its heartbeat slot. The worker owns nothing of the master's beyond these.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/listener.hpp"
#include "util/heartbeat_table.hpp"

namespace gf::python {
class WsgiApp;
}

namespace gf::workers {

struct WorkerContext {
  const config::Config& cfg;
  const std::vector<net::Listener>& listeners;
  util::HeartbeatTable& heartbeat;
  size_t heartbeat_slot = 0;
  int age = 0;     // spawn order, as Gunicorn's worker.age
  pid_t ppid = 0;  // the master; a change means the master died
  std::string proc_name;
  uint64_t requests = 0;  // handled so far (worker.nr for hooks)
  // --preload: the app the master already imported; the worker serves it instead of loading.
  python::WsgiApp* preloaded_app = nullptr;

  void notify() const { heartbeat.beat(heartbeat_slot); }
};

// Exit codes Gunicorn's master understands.
inline constexpr int kWorkerBootError = 3;
inline constexpr int kAppLoadError = 4;

// Runs the worker in the forked child until it should exit; returns the process exit status.
int run_worker_process(WorkerContext& ctx);

}  // namespace gf::workers
