#include "workers/loop_settings.hpp"

#include <algorithm>
#include <climits>

namespace gf::workers {
namespace {

int timeout_ms(int64_t seconds) {
  return seconds > 0 ? static_cast<int>(seconds * 1000) : INT32_MAX;
}

}  // namespace

LoopSettings::LoopSettings(WorkerContext& ctx, const http::ParserOptions& parser,
                           int64_t graceful_ns, bool app_on_loop_thread)
    : keepalive_ns(seconds_ns(ctx.cfg.get(config::settings::keepalive))),
      max_connections(static_cast<size_t>(
          std::max<int64_t>(1, ctx.cfg.get(config::settings::worker_connections)))) {
  session.parser = &parser;
  session.keepalive_ns = keepalive_ns;
  session.header_ns = seconds_ns(ctx.cfg.get(config::settings::header_timeout));
  session.body_ns = seconds_ns(ctx.cfg.get(config::settings::body_timeout));
  net::WaitPolicy& waits = session.app_waits;
  waits.read_timeout_ms = timeout_ms(ctx.cfg.get(config::settings::body_timeout));
  waits.write_timeout_ms = timeout_ms(ctx.cfg.get(config::settings::write_timeout));
  if (app_on_loop_thread) {
    // The application and its socket waits run on the loop's thread: keep the heartbeat going
    // while a request waits on its client (bounded by the body/write timeouts).
    waits.tick = [](void* context) { static_cast<WorkerContext*>(context)->notify(); };
    waits.tick_context = &ctx;
  }
  limits.max_connections = max_connections;
  limits.graceful_ns = graceful_ns;
  limits.write_timeout_ns = seconds_ns(ctx.cfg.get(config::settings::write_timeout));
  limits.output.waits = waits;
}

}  // namespace gf::workers
