// The settings of a worker that serves its connections from an event loop (gthread, asgi): the
// HTTP/1 sessions' timeouts and the engine's limits, read once from the configuration.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/engine.hpp"
#include "http/http1_session.hpp"
#include "http/parser_options.hpp"
#include "workers/worker_context.hpp"

namespace gf::workers {

struct LoopSettings {
  // `app_on_loop_thread`: the application's own socket waits happen on the loop's thread, so
  // they keep the heartbeat going. `parser` must outlive the settings.
  LoopSettings(WorkerContext& ctx, const http::ParserOptions& parser, int64_t graceful_ns,
               bool app_on_loop_thread);

  int64_t keepalive_ns;
  size_t max_connections;
  http::Http1Session::Settings session;
  engine::EngineLimits limits;
};

inline int64_t seconds_ns(int64_t seconds) {
  return seconds * 1'000'000'000;
}

}  // namespace gf::workers
