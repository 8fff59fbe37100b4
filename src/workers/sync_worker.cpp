#include "workers/sync_worker.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/request_reader.hpp"
#include "http/response_writer.hpp"
#include "log/error_log.hpp"
#include "net/socket_stream.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "util/unique_fd.hpp"
#include "workers/max_requests.hpp"
#include "workers/request_errors.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {
constexpr size_t kDrainLimit = 64 * 1024;  // RFC 9112 §9.6 graceful close, as Gunicorn
constexpr int kDrainSeconds = 2;
}  // namespace

SyncWorker::SyncWorker(WorkerContext& ctx, python::WsgiHandler& handler, log::AccessLog* access_log)
    : ctx_(ctx),
      handler_(handler),
      access_log_(access_log),
      parser_options_(http::ParserOptions::from_config(ctx.cfg)),
      setup_(ctx.cfg),
      max_requests_(max_requests_for(ctx.cfg)) {
  int64_t timeout = ctx.cfg.get_int("timeout");
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
    ctx_.notify();
    if (WorkerSignals::take_reopen_request()) reopen_worker_logs(access_log_);
    if (::getppid() != ctx_.ppid) {
      log::ErrorLog::get().info("Parent changed, shutting down: {}", ::getpid());
      return;
    }
    // With one listener keep accepting until its backlog is empty (Gunicorn's run_for_one),
    // then wait; with several, take one connection from each before looking again.
    bool maybe_more = false;
    for (const auto& listener : ctx_.listeners) {
      while (WorkerSignals::alive() && accept_one(listener)) {
        ctx_.notify();
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
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      log::ErrorLog::get().error("accept() failed: {}", std::strerror(errno));
      ::poll(nullptr, 0, 100);  // let descriptors free up instead of spinning
    }
    return false;
  }
  handle(listener, fd, addr, len);
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

void SyncWorker::handle(const net::Listener& listener, int client_fd, const sockaddr_storage& addr,
                        socklen_t addr_len) {
  util::UniqueFd client(client_fd);
  net::SocketStream stream(client_fd);
  const http::PeerInfo peer = setup_.peer(addr, addr_len);
  http::RequestReader reader(parser_options_, stream, peer);
  auto& log = log::ErrorLog::get();
  bool drain_before_close = false;
  try {
    std::optional<http::RequestHead> head = reader.read_head();
    if (!head) return;
    if (head->expect_continue) stream.write_bytes(http::ResponseWriter::continue_line());
    // Gunicorn's default pre_request; a pre_request from the config replaces it.
    if (!python::Hooks::custom_pre_request()) log.debug("{} {}", head->method, head->path);
    const python::ConnectionInfo conn = ConnectionSetup::connection(listener, client_fd, peer);
    http::ResponseWriter writer(stream, *head, /*force_close=*/true);
    after_request();
    WorkerSignals::set_busy(true);
    {
      python::WithGil gil;
      handler_.handle(*head, reader, writer, conn);
    }
    WorkerSignals::set_busy(false);
    // Unread request bytes would turn close() into a reset that can destroy the response.
    drain_before_close = !reader.body_complete() || reader.buffered_bytes() > 0;
  } catch (const http::RequestError& e) {
    WorkerSignals::set_busy(false);
    reply_to_invalid_request(stream, peer, e);
    drain_before_close = true;
  } catch (const http::BodyError& e) {
    WorkerSignals::set_busy(false);
    log.debug("Socket error processing request: {}", e.what());
  } catch (const util::IoError& e) {
    WorkerSignals::set_busy(false);
    log.debug("Ignored premature client disconnection. {}", e.what());
  }
  if (drain_before_close) stream.graceful_close_drain(kDrainLimit, kDrainSeconds);
}

void SyncWorker::after_request() {
  ctx_.requests = ++requests_;
  if (requests_ >= max_requests_ && WorkerSignals::alive()) {
    log::ErrorLog::get().info("Autorestarting worker after current request.");
    WorkerSignals::stop();
  }
}

}  // namespace gf::workers
