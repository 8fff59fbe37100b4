#include "workers/worker_base.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "http/error_page.hpp"
#include "log/error_log.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {

// Gunicorn's max_requests + randint(0, max_requests_jitter), drawn once per worker; unlimited
// when 0.
uint64_t max_requests_for(const config::Config& cfg) {
  const int64_t base = cfg.get(config::settings::max_requests);
  if (base <= 0) return UINT64_MAX;
  std::uniform_int_distribution<int64_t> draw(
      0, std::max<int64_t>(0, cfg.get(config::settings::max_requests_jitter)));
  std::random_device seed;
  return static_cast<uint64_t>(base + draw(seed));
}

}  // namespace

WorkerBase::WorkerBase(WorkerContext& ctx, log::AccessLog* access_log)
    : ctx_(ctx),
      access_log_(access_log),
      parser_options_(http::ParserOptions::from_config(ctx.cfg)),
      setup_(ctx.cfg),
      max_requests_(max_requests_for(ctx.cfg)),
      graceful_ns_(ctx.cfg.get(config::settings::graceful_timeout) * 1'000'000'000) {}

bool WorkerBase::parent_alive() {
  if (::getppid() == ctx_.ppid) return true;
  log::ErrorLog::get().info("Parent changed, shutting down: {}", ::getpid());
  WorkerSignals::stop();
  return false;
}

void WorkerBase::reopen_logs_if_asked() {
  if (!WorkerSignals::take_reopen_request()) return;
  log::ErrorLog::get().reopen();
  if (access_log_ != nullptr) access_log_->reopen();
}

bool WorkerBase::count_request() {
  ctx_.requests = ++requests_;
  if (requests_ < max_requests_ || !WorkerSignals::alive()) return false;
  log::ErrorLog::get().info("Autorestarting worker after current request.");
  WorkerSignals::stop();
  return true;
}

void WorkerBase::debug(const char* prefix, const std::exception& e) {
  log::ErrorLog::get().debug("{}{}", prefix, e.what());
}

bool WorkerBase::reply_error(util::ByteSink& out, const http::PeerInfo& peer,
                             const http::RequestError& error) {
  return http::reply_to_invalid_request(out, peer, error);
}

}  // namespace gf::workers
