// GthreadWorker: the loop (accept, receive, parse, keep-alive, timeouts, graceful stop) and the
// hand-off of complete requests to the application, inline or through the RequestPool.
#include "workers/gthread_worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <optional>
#include <vector>

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "http/response_writer.hpp"
#include "log/error_log.hpp"
#include "net/readiness_set.hpp"
#include "python/configuration/hooks.hpp"
#include "python/embed/main_thread_gil.hpp"
#include "python/embed/thread_gil.hpp"
#include "util/heartbeat_table.hpp"
#include "util/token_slots.hpp"
#include "workers/connection_setup.hpp"
#include "workers/gthread_connection.hpp"
#include "workers/max_requests.hpp"
#include "workers/request_errors.hpp"
#include "workers/request_pool.hpp"
#include "workers/worker_signals.hpp"

namespace gf::workers {
namespace {

using ConnectionPtr = std::shared_ptr<GthreadConnection>;

// Body bytes received before the application runs; beyond this it reads from the socket itself
// (waiting at most --body-timeout per read). Typical form posts and JSON bodies fit.
constexpr size_t kPrefetchBytes = 64 * 1024;
// After a response, unread body bytes are skipped up to this much, as Gunicorn's gthread does;
// a longer body closes the connection instead.
constexpr size_t kDrainBodyBytes = 64 * 1024;
// A half-closed connection is given this long to say goodbye before it is closed for good.
constexpr int64_t kLingerNs = 2'000'000'000;
// Connections accepted per listener wake-up before other events get a turn.
constexpr int kAcceptBurst = 64;
// How often the loop beats the heartbeat and looks for expired connections.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);

int64_t seconds_ns(int64_t seconds) {
  return seconds * 1'000'000'000;
}

int timeout_ms(int64_t seconds) {
  return seconds > 0 ? static_cast<int>(seconds * 1000) : -1;  // -1 below means "forever"
}

}  // namespace

class GthreadWorker::Loop {
 public:
  Loop(WorkerContext& ctx, python::WsgiHandler& handler, log::AccessLog* access_log)
      : ctx_(ctx),
        handler_(handler),
        access_log_(access_log),
        parser_options_(http::ParserOptions::from_config(ctx.cfg)),
        setup_(ctx.cfg),
        signal_watch_(io_),
        readiness_watch_(io_, readiness_.fd()),
        sweep_timer_(io_),
        accept_retry_timer_(io_),
        threads_(static_cast<size_t>(std::max<int64_t>(1, ctx.cfg.get_int("threads")))),
        max_connections_(
            static_cast<size_t>(std::max<int64_t>(1, ctx.cfg.get_int("worker_connections")))),
        keepalive_ns_(seconds_ns(ctx.cfg.get_int("keepalive"))),
        header_ns_(seconds_ns(ctx.cfg.get_int("header_timeout"))),
        body_ns_(seconds_ns(ctx.cfg.get_int("body_timeout"))),
        graceful_ns_(seconds_ns(ctx.cfg.get_int("graceful_timeout"))),
        max_requests_(max_requests_for(ctx.cfg)) {
    waits_.read_timeout_ms = timeout_ms(ctx.cfg.get_int("body_timeout"));
    waits_.write_timeout_ms = timeout_ms(ctx.cfg.get_int("write_timeout"));
    if (waits_.read_timeout_ms < 0) waits_.read_timeout_ms = INT32_MAX;
    if (waits_.write_timeout_ms < 0) waits_.write_timeout_ms = INT32_MAX;
    if (threads_ == 1) {
      // The application and its socket waits run on the loop thread: keep the heartbeat going
      // while a request waits on its client (bounded by the body/write timeouts).
      waits_.tick = [](void* context) { static_cast<WorkerContext*>(context)->notify(); };
      waits_.tick_context = &ctx_;
    }
    for (const auto& listener : ctx_.listeners) {
      listener_watch_.emplace_back(io_, asio::generic::stream_protocol(listener.family(), 0),
                                   listener.fd());
    }
    signal_watch_.assign(WorkerSignals::wakeup_fd());
  }

  ~Loop() {
    // The listeners and the wake-up pipe belong to others: forget them without closing.
    for (auto& watch : listener_watch_) watch.release();
    signal_watch_.release();
    readiness_watch_.release();
  }

  // Threads were left running in the application (quick stop): this object must outlive them.
  bool abandoned() const { return abandoned_; }

  void run() {
    if (threads_ > 1) pool_.emplace(threads_, &Loop::run_on_pool, this);
    for (size_t i = 0; i < listener_watch_.size(); ++i) arm_accept(i);
    arm_signals();
    arm_readiness();
    arm_sweep();
    io_.run();
    if (pool_) {
      if (WorkerSignals::quick_signal() != 0) {
        pool_->abandon();
        abandoned_ = true;
        return;  // their connections stay as they are: the process is about to end
      }
      pool_.reset();  // lets requests still running finish (the master's kill bounds this)
    }
    // Connections left at a graceful timeout: their Python sockets go with the GIL held.
    python::WithGil gil;
    for (auto& c : connections_) handler_.release_connection(c->python_cache);
  }

 private:
  // ---- accepting -------------------------------------------------------------------------

  void arm_accept(size_t index) {
    listener_watch_[index].async_wait(asio::socket_base::wait_read,
                                      [this, index](const asio::error_code& ec) {
                                        if (!ec && !stopping_) on_acceptable(index);
                                      });
  }

  void on_acceptable(size_t index) {
    const net::Listener& listener = ctx_.listeners[index];
    for (int i = 0; i < kAcceptBurst; ++i) {
      if (connections_.size() >= max_connections_) {
        paused_.push_back(index);  // resumed when a connection closes
        return;
      }
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      const int fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&addr), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN) break;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          log::ErrorLog::get().error("accept() failed: {}", std::strerror(errno));
          // Let descriptors free up instead of spinning on a listener that stays readable.
          accept_retry_timer_.expires_after(std::chrono::milliseconds(100));
          accept_retry_timer_.async_wait([this, index](const asio::error_code& ec) {
            if (!ec && !stopping_) arm_accept(index);
          });
          return;
        }
        break;
      }
      open_connection(fd, listener, addr, len);
    }
    arm_accept(index);
  }

  void open_connection(int fd, const net::Listener& listener, const sockaddr_storage& addr,
                       socklen_t len) {
    ConnectionPtr c;
    try {
      c = std::make_shared<GthreadConnection>(fd, listener, setup_.peer(addr, len), parser_options_,
                                              waits_);
    } catch (const std::exception& e) {
      log::ErrorLog::get().error("Cannot serve a new connection: {}", e.what());
      ::close(fd);
      return;
    }
    c->registry_entry = connections_.insert(connections_.end(), c);
    ++connection_count_;
    enter(*c, Phase::kHead, header_ns_);
    // TCP_DEFER_ACCEPT usually hands over the connection with its request already received:
    // read it now, without first registering the socket for a readiness wait.
    read_now(c);
  }

  // ---- receiving and parsing -------------------------------------------------------------
  //
  // Sockets that have to wait for bytes sit in readiness_, an edge-triggered epoll set the Asio
  // loop watches as a whole, and the loop reads them with its own recv(). Asio's own socket
  // waits would cost a syscall per request (a speculative recv() that says EAGAIN, or an
  // epoll_ctl re-arm). Every event the set reports is kept (drained = false) even when the
  // connection is not waiting, so none is lost while a request is in the application.

  // Reads what the socket holds now, then goes on with the bytes (or the end, or the error).
  void read_now(const ConnectionPtr& c) {
    if (c->phase == Phase::kDraining) {
      discard(c);
      return;
    }
    std::span<char> space;
    try {
      space = c->reader.receive_space();
    } catch (const util::IoError& e) {  // the parser's limits should have fired first
      log::ErrorLog::get().debug("Closing connection: {}", e.what());
      close(*c);
      return;
    }
    const ssize_t n = ::recv(c->fd(), space.data(), space.size(), 0);
    if (n > 0) {
      c->drained = static_cast<size_t>(n) < space.size();
      c->reader.received(static_cast<size_t>(n));
      advance(c);
    } else if (n == 0) {
      try {
        c->reader.received_eof();  // a clean end between requests is the common case
      } catch (const std::exception& e) {
        log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
      }
      close(*c);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c->drained = true;
      wait_readable(c);
    } else if (errno == EINTR) {
      c->drained = false;  // try again, on a next turn
      receive(c);
    } else {
      log::ErrorLog::get().debug("Ignored premature client disconnection. {}",
                                 std::strerror(errno));
      close(*c);
    }
  }

  // Goes on when the connection has more bytes.
  void receive(const ConnectionPtr& c) {
    if (c->drained) {
      wait_readable(c);
      return;
    }
    // Bytes may be queued already (the last read filled the buffer, or some came while the
    // request was in the application): read in a next turn of the loop, so that a client
    // streaming pipelined requests neither nests reads without end nor starves the others.
    asio::post(io_, [this, c] {
      if (!c->closed) read_now(c);
    });
  }

  void wait_readable(const ConnectionPtr& c) {
    if (c->token == 0) {  // first wait: join the readiness set
      try {
        c->token = tokens_.add(c.get());
        readiness_.add(c->fd(), c->token);  // reports bytes that came since the last read too
      } catch (const std::exception& e) {
        log::ErrorLog::get().error("Cannot wait on a connection: {}", e.what());
        close(*c);
        return;
      }
    }
    c->waiting = true;
  }

  void arm_readiness() {
    readiness_watch_.async_wait(asio::posix::descriptor_base::wait_read,
                                [this](const asio::error_code& ec) {
                                  if (ec) return;
                                  on_ready();
                                  arm_readiness();  // at once again if more are ready
                                });
  }

  void on_ready() {
    for (uint64_t token : readiness_.take_ready(ready_tokens_)) {
      GthreadConnection* c = tokens_.find(token);
      if (c == nullptr) continue;  // closed since (or a late event of a socket the app kept)
      c->drained = false;
      if (c->waiting) {
        c->waiting = false;
        read_now(*c->registry_entry);
      }
    }
  }

  // Parses and serves what has been received, for as many pipelined requests as are complete;
  // then waits for more bytes, or closes. Also where a request served on a pool thread resumes.
  void advance(const ConnectionPtr& c) {
    for (;;) {
      if (c->phase == Phase::kHead || c->phase == Phase::kIdle) {
        std::optional<http::RequestHead> head;
        try {
          head = c->reader.parse_head();
        } catch (const http::RequestError& e) {
          reject(*c, e);
          return;
        }
        if (!head) {
          // Part of a next request arrived: from now on the header timeout applies.
          if (c->phase == Phase::kIdle && c->reader.has_unparsed_input())
            enter(*c, Phase::kHead, header_ns_);
          break;
        }
        c->head = std::move(head);
        c->continue_sent = false;
        enter(*c, Phase::kBody, body_ns_);
      }
      if (c->head->expect_continue && !c->continue_sent && !c->reader.body_complete()) {
        // The client waits for this before it sends the body we want to prefetch.
        c->continue_sent = true;
        if (!send_small(*c, http::ResponseWriter::continue_line())) return;
      }
      bool ready = true;
      try {
        ready = c->reader.prefetch_body(kPrefetchBytes);
      } catch (const std::exception&) {
        // A broken body: the application's read meets the same error, as in the sync worker.
      }
      if (!ready) break;
      if (!serve(c)) return;  // running on a pool thread, or closed
    }
    receive(c);
  }

  // ---- running the application -----------------------------------------------------------

  // Hands the request to the application. True when it has been served inline and the
  // connection stays open for the next one.
  bool serve(const ConnectionPtr& c) {
    c->phase = Phase::kInApp;
    c->deadline_ns = 0;
    if (pool_) {
      pool_->submit(c.get());
      return false;
    }
    // The loop thread itself is in the application: a quick stop need not wait for it.
    WorkerSignals::set_busy(true);
    run_request(*c, nullptr);
    WorkerSignals::set_busy(false);
    return finish_request(*c);
  }

  static void run_on_pool(void* context, void* job, python::ThreadGil& gil) {
    auto* loop = static_cast<Loop*>(context);
    auto* c = static_cast<GthreadConnection*>(job);
    loop->run_request(*c, &gil);
    // The connection stays in the registry (alive) while in the application.
    asio::post(loop->io_, [loop, c] {
      ConnectionPtr owner = *c->registry_entry;  // a copy: close() erases the registry entry
      if (loop->finish_request(*c)) loop->advance(owner);
    });
  }

  // Runs on the loop thread (gil == nullptr) or a pool thread; the GIL is not held on entry.
  void run_request(GthreadConnection& c, python::ThreadGil* gil) {
    auto& log = log::ErrorLog::get();
    const http::RequestHead& head = *c.head;
    bool keep = false;
    try {
      if (!python::Hooks::custom_pre_request()) log.debug("{} {}", head.method, head.path);
      auto call_app = [&] {
        count_request();  // first: reaching max_requests already closes this response
        http::ResponseWriter writer(c.stream, head, /*force_close=*/!keep_alive_allowed());
        python::RequestOutcome outcome;
        try {
          outcome = handler_.handle(head, c.reader, writer, c.info);
        } catch (...) {
          handler_.release_connection(c.python_cache);
          throw;
        }
        const bool keep = !outcome.close_connection && !writer.should_close();
        if (!keep) handler_.release_connection(c.python_cache);  // while the GIL is held anyway
        return keep;
      };
      if (gil != nullptr) {
        python::ThreadGilHold hold(*gil);
        keep = call_app();
      } else {
        python::WithGil hold;
        keep = call_app();
      }
      // The rest of an unread body stands between this response and the next request.
      if (keep && !c.reader.body_complete()) keep = c.reader.drain_body(kDrainBodyBytes);
    } catch (const http::RequestError& e) {
      reply_to_invalid_request(c.stream, c.peer, e);
    } catch (const http::BodyError& e) {
      log.debug("Socket error processing request: {}", e.what());
    } catch (const util::IoTimeout& e) {
      log.debug("Ignored premature client disconnection. {}", e.what());
      c.abort = true;
    } catch (const util::IoError& e) {
      log.debug("Ignored premature client disconnection. {}", e.what());
    }
    c.keep_alive = keep;
  }

  // Back on the loop thread after the application: true when the connection goes on.
  bool finish_request(GthreadConnection& c) {
    c.head.reset();
    if (c.closed) return false;
    if (c.abort) {
      // A client that stalled past its timeout: drop what is still queued for it too, instead of
      // leaving the kernel to trickle it out of an orphaned socket.
      const struct linger reset { 1, 0 };
      ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      close(c);
      return false;
    }
    if (!c.keep_alive) {
      // Unread request bytes would turn close() into a reset that can destroy the response.
      if (c.reader.has_unparsed_input() || !c.reader.body_complete())
        linger(c);
      else
        close(c);
      return false;
    }
    enter(c, Phase::kIdle, keepalive_ns_);
    return true;
  }

  void count_request() {  // GIL held: worker.nr in hooks reads ctx_.requests under it too
    ctx_.requests = ++requests_;
    if (requests_ >= max_requests_ && WorkerSignals::alive()) {
      log::ErrorLog::get().info("Autorestarting worker after current request.");
      WorkerSignals::stop();
      asio::post(io_, [this] { begin_stop(); });
    }
  }

  bool keep_alive_allowed() const {
    return keepalive_ns_ > 0 && !stopping_ && WorkerSignals::alive() &&
           connection_count_ < max_connections_;
  }

  // ---- closing ---------------------------------------------------------------------------

  void reject(GthreadConnection& c, const http::RequestError& e) {
    if (reply_to_invalid_request(c.stream, c.peer, e))
      linger(c);
    else
      close(c);
  }

  // A short write from the loop thread (error pages, "100 Continue"); false if it closed.
  bool send_small(GthreadConnection& c, std::string_view bytes) {
    try {
      c.stream.write_bytes(bytes);
      return true;
    } catch (const util::IoError& e) {
      log::ErrorLog::get().debug("Ignored premature client disconnection. {}", e.what());
      close(c);
      return false;
    }
  }

  // Half-close, then read and discard until the client closes too (or kLingerNs): closing with
  // unread bytes would reset the connection and could destroy what was just sent, including a
  // request the client put on the wire while we decided to close.
  void linger(GthreadConnection& c) {
    if (::shutdown(c.fd(), SHUT_WR) != 0) {
      close(c);
      return;
    }
    enter(c, Phase::kDraining, kLingerNs);
    c.waiting = false;
    discard(*c.registry_entry);
  }

  // Reads and drops what a half-closed connection's client still sends; closes at its end.
  void discard(const ConnectionPtr& c) {
    for (int i = 0; i < 16; ++i) {
      const ssize_t n = ::recv(c->fd(), discard_buffer_.data(), discard_buffer_.size(), 0);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->drained = true;
        wait_readable(c);
      } else {
        close(*c);
      }
      return;
    }
    c->drained = false;  // a client still sending: give the others a turn first
    receive(c);
  }

  void close(GthreadConnection& c) {
    if (c.closed) return;
    c.closed = true;
    if (!c.python_cache.empty()) {
      python::WithGil gil;
      handler_.release_connection(c.python_cache);
    }
    tokens_.remove(c.token);
    ::close(c.fd());  // also takes it out of the readiness set (unless the app holds a dup)
    ConnectionPtr keep = *c.registry_entry;  // alive until this function returns
    connections_.erase(c.registry_entry);
    --connection_count_;
    if (!paused_.empty() && !stopping_) {
      for (size_t index : paused_) arm_accept(index);
      paused_.clear();
    }
    if (stopping_ && connections_.empty()) io_.stop();
  }

  // Deadlines are whole seconds: the sweep's clock reading (at most kSweepInterval old) is
  // precise enough and saves clock reads on every request.
  void enter(GthreadConnection& c, Phase phase, int64_t timeout_ns) {
    c.phase = phase;
    c.deadline_ns = timeout_ns > 0 ? now_ns_ + timeout_ns : 0;
  }

  // ---- housekeeping ----------------------------------------------------------------------

  void arm_signals() {
    signal_watch_.async_wait(asio::posix::descriptor_base::wait_read,
                             [this](const asio::error_code& ec) {
                               if (ec) return;
                               WorkerSignals::drain_wakeup();
                               on_signal();
                               arm_signals();
                             });
  }

  void on_signal() {
    if (WorkerSignals::take_reopen_request()) reopen_worker_logs(access_log_);
    if (WorkerSignals::quick_signal() != 0) {
      io_.stop();  // INT/QUIT (and ABRT with a worker_abort hook): no waiting
      return;
    }
    if (!WorkerSignals::alive()) begin_stop();
  }

  void begin_stop() {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ns_ = now_ns_ = util::monotonic_ns();
    stop_deadline_ns_ += graceful_ns_;
    for (auto& watch : listener_watch_) {
      asio::error_code ignored;
      watch.cancel(ignored);
    }
    accept_retry_timer_.cancel();
    paused_.clear();
    if (connections_.empty()) io_.stop();
  }

  void arm_sweep() {
    sweep_timer_.expires_after(kSweepInterval);
    sweep_timer_.async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      sweep();
      arm_sweep();
    });
  }

  void sweep() {
    ctx_.notify();
    if (!stopping_ && ::getppid() != ctx_.ppid) {
      log::ErrorLog::get().info("Parent changed, shutting down: {}", ::getpid());
      WorkerSignals::stop();
    }
    if (!stopping_ && !WorkerSignals::alive()) begin_stop();
    const int64_t now = now_ns_ = util::monotonic_ns();
    if (stopping_ && now >= stop_deadline_ns_) {
      io_.stop();
      return;
    }
    for (auto it = connections_.begin(); it != connections_.end();) {
      GthreadConnection& c = **it++;  // close() erases the current entry
      if (c.deadline_ns == 0 || c.deadline_ns > now || c.phase == Phase::kInApp) continue;
      expire(c);
    }
  }

  void expire(GthreadConnection& c) {
    switch (c.phase) {
      case Phase::kIdle:
        linger(c);  // a request may be on its way: never answer it with a reset
        break;
      case Phase::kHead:
        log::ErrorLog::get().debug("Closing a connection that sent no complete request in time");
        close(c);
        break;
      case Phase::kBody:
        log::ErrorLog::get().debug("Closing a connection whose request body stalled");
        close(c);
        break;
      case Phase::kDraining:
      case Phase::kInApp:
        close(c);
        break;
    }
  }

  WorkerContext& ctx_;
  python::WsgiHandler& handler_;
  log::AccessLog* access_log_;
  http::ParserOptions parser_options_;
  ConnectionSetup setup_;
  asio::io_context io_{1};
  std::vector<asio::generic::stream_protocol::socket> listener_watch_;
  asio::posix::stream_descriptor signal_watch_;
  net::ReadinessSet readiness_;
  asio::posix::stream_descriptor readiness_watch_;
  std::array<uint64_t, 128> ready_tokens_;
  util::TokenSlots<GthreadConnection> tokens_;  // names connections in readiness_
  asio::steady_timer sweep_timer_;
  asio::steady_timer accept_retry_timer_;
  std::list<ConnectionPtr> connections_;
  std::vector<size_t> paused_;  // listeners not watched while at worker_connections
  std::optional<RequestPool> pool_;
  net::WaitPolicy waits_;
  size_t threads_;
  size_t max_connections_;
  int64_t keepalive_ns_;
  int64_t header_ns_;
  int64_t body_ns_;
  int64_t graceful_ns_;
  int64_t stop_deadline_ns_ = 0;
  int64_t now_ns_ = util::monotonic_ns();  // refreshed by every sweep
  // Read by pool threads deciding whether a response may keep its connection.
  std::atomic<bool> stopping_ = false;
  std::atomic<size_t> connection_count_ = 0;
  uint64_t requests_ = 0;
  uint64_t max_requests_;
  std::array<char, 4096> discard_buffer_;
  bool abandoned_ = false;
};

GthreadWorker::GthreadWorker(WorkerContext& ctx, python::WsgiHandler& handler,
                             log::AccessLog* access_log)
    : loop_(std::make_unique<Loop>(ctx, handler, access_log)) {}

GthreadWorker::~GthreadWorker() = default;

void GthreadWorker::run() {
  loop_->run();
  if (loop_->abandoned()) (void)loop_.release();  // deliberately leaked: the process exits now
}

}  // namespace gf::workers
