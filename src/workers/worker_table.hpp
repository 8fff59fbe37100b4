// The worker types, one row each: the names and class paths Gunicorn users already write (-k,
// worker_class in a config file), what each type supports, and how to make one. The config
// check, the arbiter's "Using worker" line, worker.worker_class_str in hooks and the worker
// process all read this table; a new worker type is its own file plus one row here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "log/access_log.hpp"
#include "workers/worker.hpp"
#include "workers/worker_context.hpp"

namespace gf::python {
class WsgiApp;
}

namespace gf::workers {

struct WorkerType {
  std::string_view name;                      // Gunicorn's -k name: "sync"
  std::vector<std::string_view> also_called;  // other -k names and class paths
  struct Supports {
    bool keep_alive = false;          // connections outlive one request
    bool threads = false;             // --threads runs the app on a pool
    bool worker_connections = false;  // --worker-connections caps the clients
    bool slow_clients = false;        // a slow client costs a buffer, not the worker
  } supports;
  // The application interface the type serves.
  enum class Interface { kWsgi, kAsgi } interface = Interface::kWsgi;
  // Builds the worker (GIL held; may throw python::AppBootError, a worker that cannot boot);
  // null for a type greenfork does not implement yet.
  std::unique_ptr<Worker> (*create)(WorkerContext& ctx, python::WsgiApp& app,
                                    log::AccessLog* access_log) = nullptr;
};

const std::vector<WorkerType>& worker_types();

// The type worker_class and threads select, as Gunicorn resolves them (sync with threads > 1
// runs gthread). Null for a class greenfork does not know (a user's own class path).
const WorkerType* find_worker_type(const config::Config& cfg);
// The type that will run: the one selected if greenfork implements it, else sync.
const WorkerType& worker_type_to_run(const config::Config& cfg);
// Gunicorn's cfg.worker_class_str: "gthread" for sync with threads > 1, else the setting as given.
std::string worker_class_str(const config::Config& cfg);
// The start-up warning for a worker class greenfork does not implement yet (it runs sync).
std::optional<std::string> unsupported_worker_class(const config::Config& cfg);

}  // namespace gf::workers
