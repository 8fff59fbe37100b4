// The worker table: Gunicorn's names and class paths select a type; what runs; what is reported.
#include "workers/worker_table.hpp"

#include <gtest/gtest.h>

namespace gf::workers {
namespace {

config::Config with(std::initializer_list<std::pair<const char*, const char*>> settings) {
  config::Config cfg;
  for (const auto& [name, value] : settings) cfg.set(name, value);
  return cfg;
}

TEST(WorkerTable, NamesAndClassPathsSelectATypeAsGunicornDoes) {
  EXPECT_EQ(find_worker_type(with({}))->name, "sync");
  EXPECT_EQ(find_worker_type(with({{"threads", "4"}}))->name, "gthread");  // sync + threads
  EXPECT_EQ(find_worker_type(with({{"worker_class", "gthread"}}))->name, "gthread");
  EXPECT_EQ(
      find_worker_type(with({{"worker_class", "gunicorn.workers.gthread.ThreadWorker"}}))->name,
      "gthread");
  EXPECT_EQ(find_worker_type(
                with({{"worker_class", "gunicorn.workers.sync.SyncWorker"}, {"threads", "2"}}))
                ->name,
            "gthread");
  EXPECT_EQ(find_worker_type(with({{"worker_class", "uvicorn.workers.UvicornWorker"}}))->name,
            "asgi");
  EXPECT_EQ(find_worker_type(with({{"worker_class", "myapp.workers.Custom"}})), nullptr);
}

TEST(WorkerTable, WorkerClassStrIsGunicorns) {
  EXPECT_EQ(worker_class_str(with({})), "sync");
  EXPECT_EQ(worker_class_str(with({{"threads", "4"}})), "gthread");
  EXPECT_EQ(worker_class_str(with({{"worker_class", "gunicorn.workers.gthread.ThreadWorker"}})),
            "gunicorn.workers.gthread.ThreadWorker");
}

TEST(WorkerTable, WhatGreenforkDoesNotImplementRunsSyncAndIsReported) {
  const config::Config gevent = with({{"worker_class", "gevent"}});
  EXPECT_EQ(worker_type_to_run(gevent).name, "sync");
  const auto message = unsupported_worker_class(gevent);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(*message,
            "Setting 'worker_class' (-k/--worker-class) value 'gevent' is not supported yet by "
            "greenfork: only sync, gthread, asgi works so far; ignoring it");

  // sync with threads > 1 runs gthread, which exists; so do Gunicorn's class paths.
  EXPECT_FALSE(unsupported_worker_class(with({{"threads", "4"}})).has_value());
  EXPECT_FALSE(unsupported_worker_class(with({{"worker_class", "gthread"}})).has_value());
  EXPECT_FALSE(
      unsupported_worker_class(with({{"worker_class", "gunicorn.workers.gthread.ThreadWorker"}}))
          .has_value());
  EXPECT_EQ(worker_type_to_run(with({{"worker_class", "gthread"}})).name, "gthread");
}

TEST(WorkerTable, GunicornsAndUvicornsAsgiClassPathsRunTheAsgiWorker) {
  for (const char* name :
       {"asgi", "gunicorn.workers.gasgi.ASGIWorker", "uvicorn.workers.UvicornWorker",
        "uvicorn.workers.UvicornH11Worker", "uvicorn_worker.UvicornWorker"}) {
    const config::Config cfg = with({{"worker_class", name}});
    EXPECT_EQ(worker_type_to_run(cfg).name, "asgi") << name;
    EXPECT_FALSE(unsupported_worker_class(cfg).has_value()) << name;
    EXPECT_EQ(worker_type_to_run(cfg).interface, WorkerType::Interface::kAsgi) << name;
  }
  EXPECT_EQ(worker_type_to_run(with({})).interface, WorkerType::Interface::kWsgi);
  EXPECT_EQ(worker_type_to_run(with({{"threads", "4"}})).interface, WorkerType::Interface::kWsgi);
}

TEST(WorkerTable, EveryImplementedTypeSaysWhatItSupports) {
  for (const WorkerType& type : worker_types()) {
    if (type.name == "gthread") {
      EXPECT_TRUE(type.supports.keep_alive && type.supports.threads &&
                  type.supports.worker_connections && type.supports.slow_clients);
    }
    if (type.name == "sync") EXPECT_FALSE(type.supports.keep_alive);
    if (type.name == "asgi") {
      EXPECT_TRUE(type.supports.keep_alive && type.supports.worker_connections &&
                  type.supports.slow_clients);
      EXPECT_FALSE(type.supports.threads);
    }
  }
}

}  // namespace
}  // namespace gf::workers
