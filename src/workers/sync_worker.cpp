#include "workers/sync_worker.hpp"

#include <poll.h>

#include <vector>

#include "http/http1_response.hpp"
#include "http/http1_serializer.hpp"
#include "http/request_reader.hpp"
#include "log/error_log.hpp"
#include "net/blocking_stream.hpp"
#include "net/plain_transport.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {
constexpr size_t kDrainLimit = 64 * 1024;  // RFC 9112 §9.6 graceful close, as Gunicorn
constexpr int kDrainSeconds = 2;
}  // namespace

SyncWorker::SyncWorker(WorkerContext& ctx, python::WsgiApp& app, log::AccessLog* access_log)
    : WorkerBase(ctx, access_log), handler_(app, ctx.cfg, access_log, /*multithread=*/false) {
  const int64_t timeout = ctx.cfg.get(config::settings::timeout);
  // The master gives each worker timeout/2 for its own waits (Gunicorn's worker.timeout).
  poll_timeout_ms_ = timeout > 0 ? static_cast<int>(timeout * 1000 / 2) : 500;
  // A client that stalls longer than that is dropped, rather than the whole worker being
  // killed by the master for a missed heartbeat (see docs/differences.md).
  // Set on the listeners once: accepted sockets inherit them, which saves two syscalls per
  // connection.
  if (timeout > 0) {
    const int seconds = static_cast<int>(std::max<int64_t>(1, timeout / 2));
    for (const auto& listener : ctx_.listeners) net::set_io_timeouts(listener.fd(), seconds);
  }
}

void SyncWorker::run() {
  const bool one_listener = ctx_.listeners.size() == 1;
  while (WorkerSignals::alive()) {
    beat();
    reopen_logs_if_asked();
    if (!parent_alive()) return;
    // With one listener keep accepting until its backlog is empty (Gunicorn's run_for_one),
    // then wait; with several, take one connection from each before looking again.
    bool maybe_more = false;
    for (const auto& listener : ctx_.listeners) {
      while (WorkerSignals::alive() && accept_one(listener)) {
        beat();
        if (!one_listener) {
          maybe_more = true;
          break;
        }
      }
    }
    if (!maybe_more && WorkerSignals::alive()) wait_for_clients();
  }
}

bool SyncWorker::accept_one(const net::Listener& listener) {
  const net::Accepted client = net::accept_client(listener, /*nonblocking=*/false);
  if (client.status == net::Accepted::kExhausted) {
    // Let descriptors free up instead of spinning.
    ::poll(nullptr, 0, static_cast<int>(net::kAcceptBackoff.count()));
  }
  if (client.status != net::Accepted::kClient) return false;
  handle(listener, client);
  return true;
}

void SyncWorker::wait_for_clients() {
  std::vector<pollfd> fds;
  fds.reserve(ctx_.listeners.size() + 1);
  for (const auto& listener : ctx_.listeners) fds.push_back({listener.fd(), POLLIN, 0});
  fds.push_back({WorkerSignals::wakeup_fd(), POLLIN, 0});
  if (::poll(fds.data(), fds.size(), poll_timeout_ms_) > 0 && fds.back().revents)
    WorkerSignals::drain_wakeup();
}

void SyncWorker::handle(const net::Listener& listener, const net::Accepted& client) {
  net::PlainTransport transport(client.fd);
  net::BlockingStream stream(transport);
  const http::PeerInfo peer = setup_.peer(client.addr, client.addr_len);
  http::RequestReader reader(parser_options_, stream, peer);
  const RequestEnding ending =
      guarded(stream, peer, [&] { return serve(listener, reader, stream, peer, client.fd); });
  WorkerSignals::set_busy(false);
  // Unread request bytes would turn close() into a reset that can destroy the response.
  const bool unread = !reader.body_complete() || reader.buffered_bytes() > 0;
  if (ending.rejected || (ending.keep_alive && unread))
    stream.graceful_close_drain(kDrainLimit, kDrainSeconds);
}

// One request, start to end; true when it was served completely (the connection still closes:
// the sync worker never keeps one).
bool SyncWorker::serve(const net::Listener& listener, http::RequestReader& reader,
                       util::ByteSink& out, const http::PeerInfo& peer, int fd) {
  std::optional<http::RequestHead> head = reader.read_head();
  if (!head) return false;
  if (head->framing.expect_continue && !reader.body_complete())
    out.write_bytes(http::http1::kContinue);
  // Gunicorn's default pre_request; a pre_request from the config replaces it.
  if (!python::Hooks::custom_pre_request())
    log::ErrorLog::get().debug("{} {}", head->method, head->path);
  const python::ConnectionInfo conn = ConnectionSetup::connection(listener, fd, peer);
  http::Http1Response response(out, *head, /*force_close=*/true);
  WorkerSignals::set_busy(true);  // from here an INT/QUIT ends the worker at once
  python::WithGil gil;
  count_request();
  python::WsgiCall call;
  handler_.start(call, *head, reader, response, conn, /*can_pause=*/false);
  return true;
}

}  // namespace gf::workers
