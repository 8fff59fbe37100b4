#include "workers/worker_table.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/python_repr.hpp"
#include "workers/asgi_worker.hpp"
#include "workers/gthread_worker.hpp"
#include "workers/sync_worker.hpp"

namespace gf::workers {
namespace {

// The table's factory for a worker type T built as T(ctx, app, access_log).
template <class T>
std::unique_ptr<Worker> make_worker(WorkerContext& ctx, python::WsgiApp& app,
                                    log::AccessLog* access_log) {
  return std::make_unique<T>(ctx, app, access_log);
}

}  // namespace

const std::vector<WorkerType>& worker_types() {
  static const std::vector<WorkerType> table = {
      {.name = "sync",
       .also_called = {"gunicorn.workers.sync.SyncWorker"},
       .supports = {},
       .create = &make_worker<SyncWorker>},
      {.name = "gthread",
       .also_called = {"gunicorn.workers.gthread.ThreadWorker"},
       .supports =
           {.keep_alive = true, .threads = true, .worker_connections = true, .slow_clients = true},
       .create = &make_worker<GthreadWorker>},
      {.name = "gevent", .also_called = {"gunicorn.workers.ggevent.GeventWorker"}, .supports = {}},
      {.name = "gevent_wsgi",
       .also_called = {"gunicorn.workers.ggevent.GeventPyWSGIWorker"},
       .supports = {}},
      {.name = "gevent_pywsgi", .also_called = {}, .supports = {}},
      {.name = "eventlet",
       .also_called = {"gunicorn.workers.geventlet.EventletWorker"},
       .supports = {}},
      {.name = "tornado",
       .also_called = {"gunicorn.workers.gtornado.TornadoWorker"},
       .supports = {}},
      {.name = "asgi",
       .also_called = {"gunicorn.workers.gasgi.ASGIWorker", "uvicorn.workers.UvicornWorker",
                       "uvicorn.workers.UvicornH11Worker", "uvicorn_worker.UvicornWorker"},
       .supports = {.keep_alive = true, .worker_connections = true, .slow_clients = true},
       .interface = WorkerType::Interface::kAsgi,
       .create = &make_worker<AsgiWorker>},
  };
  return table;
}

namespace {

const WorkerType* find_named(std::string_view name) {
  for (const WorkerType& type : worker_types()) {
    if (type.name == name) return &type;
    if (std::find(type.also_called.begin(), type.also_called.end(), name) != type.also_called.end())
      return &type;
  }
  return nullptr;
}

const WorkerType& sync_type() {
  return *find_named("sync");
}

std::string implemented_names() {
  std::vector<std::string_view> names;
  for (const WorkerType& type : worker_types())
    if (type.create != nullptr) names.push_back(type.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

const WorkerType* find_worker_type(const config::Config& cfg) {
  const WorkerType* type = find_named(cfg.get(config::settings::worker_class));
  if (type == &sync_type() && cfg.get(config::settings::threads) > 1) return find_named("gthread");
  return type;
}

const WorkerType& worker_type_to_run(const config::Config& cfg) {
  const WorkerType* type = find_worker_type(cfg);
  return type != nullptr && type->create != nullptr ? *type : sync_type();
}

std::string worker_class_str(const config::Config& cfg) {
  const std::string given = cfg.get(config::settings::worker_class);
  if (find_named(given) == &sync_type() && cfg.get(config::settings::threads) > 1) return "gthread";
  return given;
}

std::optional<std::string> unsupported_worker_class(const config::Config& cfg) {
  const WorkerType* type = find_worker_type(cfg);
  if (type != nullptr && type->create != nullptr) return std::nullopt;
  return fmt::format(
      "Setting 'worker_class' (-k/--worker-class) value {} is not supported yet by greenfork: "
      "only {} works so far; ignoring it",
      config::python_repr(cfg.get("worker_class")), implemented_names());
}

}  // namespace gf::workers
