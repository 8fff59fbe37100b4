#include "workers/loop_worker.hpp"

#include "workers/worker_signals.hpp"

namespace gf::workers {

void LoopWorker::on_signal(engine::Reactor& reactor) {
  WorkerSignals::drain_wakeup();
  reopen_logs_if_asked();
  if (WorkerSignals::quick_signal() != 0) {
    reactor.stop();  // INT/QUIT (and ABRT with a worker_abort hook): no waiting
    return;
  }
  if (!WorkerSignals::alive()) engine_->begin_stop();
}

void LoopWorker::on_tick() {
  beat();
  if (!engine_->stopping()) parent_alive();
  if (!engine_->stopping() && !WorkerSignals::alive()) engine_->begin_stop();
}

bool LoopWorker::keep_alive_allowed() const {
  return settings_.keepalive_ns > 0 && !engine_->stopping() && WorkerSignals::alive() &&
         engine_->connection_count() < settings_.max_connections;
}

}  // namespace gf::workers
