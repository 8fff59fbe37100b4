// What every worker type shares, whatever its scheduling: the heartbeat and the parent check,
// log reopening (USR1), max-requests with jitter, peer trust for forwarded and PROXY headers, the
// parser's options, and the exception ladder around one request. A worker type is a class over
// this base plus one row in the worker table.
#pragma once

#include <cstdint>
#include <utility>

#include "http/errors.hpp"
#include "http/parser_options.hpp"
#include "http/request.hpp"
#include "log/access_log.hpp"
#include "util/stream.hpp"
#include "workers/connection_setup.hpp"
#include "workers/worker.hpp"
#include "workers/worker_context.hpp"

namespace gf::workers {

// How one request ended, for the worker's keep-alive / close decision.
struct RequestEnding {
  bool keep_alive = false;  // the connection may serve another request
  bool abort = false;       // the client stalled past a timeout: reset rather than close
  bool rejected = false;    // an error page went out: close gracefully (unread input may follow)
};

class WorkerBase : public Worker {
 protected:
  WorkerBase(WorkerContext& ctx, log::AccessLog* access_log);

  // Each turn of the worker's loop: the heartbeat the master watches.
  void beat() { ctx_.notify(); }
  // False once the master is gone (a new parent adopted us): logged, and the worker stops.
  bool parent_alive();
  // USR1: reopen the error log and the access log.
  void reopen_logs_if_asked();
  // Counts a request (call with the GIL held: worker.nr in hooks reads it under the GIL). True
  // when it is the last one before max_requests: logged, and the worker stops after it.
  bool count_request();
  int64_t graceful_ns() const { return graceful_ns_; }

  // Runs `serve` (which returns whether the connection may be kept) with Gunicorn's handling
  // of what can go wrong while serving a request: a request it cannot serve gets its error page
  // on `out`; a broken body or a vanished client is logged at debug level and dropped.
  template <typename Serve>
  RequestEnding guarded(util::ByteSink& out, const http::PeerInfo& peer, Serve&& serve);

  WorkerContext& ctx_;
  log::AccessLog* access_log_;
  http::ParserOptions parser_options_;
  ConnectionSetup setup_;

 private:
  static void debug(const char* prefix, const std::exception& e);
  static bool reply_error(util::ByteSink& out, const http::PeerInfo& peer,
                          const http::RequestError& error);

  uint64_t requests_ = 0;
  uint64_t max_requests_;
  int64_t graceful_ns_;
};

template <typename Serve>
RequestEnding WorkerBase::guarded(util::ByteSink& out, const http::PeerInfo& peer, Serve&& serve) {
  RequestEnding ending;
  try {
    ending.keep_alive = std::forward<Serve>(serve)();
  } catch (const http::RequestError& e) {
    ending.rejected = reply_error(out, peer, e);
  } catch (const http::BodyError& e) {
    debug("Socket error processing request: ", e);
  } catch (const util::IoTimeout& e) {
    debug("Ignored premature client disconnection. ", e);
    ending.abort = true;
  } catch (const util::IoError& e) {
    debug("Ignored premature client disconnection. ", e);
  }
  return ending;
}

}  // namespace gf::workers
