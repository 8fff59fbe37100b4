#include "engine/event_loop.hpp"

#include <chrono>

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "engine/accept_burst.hpp"
#include "engine/readiness_dispatch.hpp"
#include "util/heartbeat_table.hpp"

namespace gf::engine {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(kSweepIntervalMs);

}  // namespace

// Client sockets do not wait in Asio's reactor: Asio 1.22 spends a syscall on every socket wait
// (a speculative recv that says EAGAIN for async_read_some, an epoll_ctl re-arm for async_wait).
// They wait in a ReadinessSet of our own, registered once; Asio watches the set's descriptor as
// one source, and the engine reads with the transport's own recv.
struct EventLoop::Impl {
  Impl(const std::vector<net::Listener>& listeners, int wakeup_fd)
      : listeners(listeners),
        signal_watch(io),
        readiness_watch(io, readiness.fd()),
        sweep_timer(io),
        accept_retry_timer(io) {
    for (const auto& listener : listeners)
      listener_watch.emplace_back(io, asio::generic::stream_protocol(listener.family(), 0),
                                  listener.fd());
    signal_watch.assign(wakeup_fd);
  }
  ~Impl() {
    // The listeners and the wake-up pipe belong to others: forget them without closing.
    for (auto& watch : listener_watch) watch.release();
    signal_watch.release();
    readiness_watch.release();
  }

  void arm_accept(size_t index) {
    listener_watch[index].async_wait(asio::socket_base::wait_read,
                                     [this, index](const asio::error_code& ec) {
                                       if (!ec && !paused) on_acceptable(index);
                                     });
  }

  void on_acceptable(size_t index) {
    switch (accept_burst(listeners[index], *engine, callbacks.accepted)) {
      case AcceptResult::kCapped:
        return;  // resume_accepting() re-arms every listener
      case AcceptResult::kExhausted:
        // Let descriptors free up instead of spinning on a listener that stays readable.
        accept_retry_timer.expires_after(net::kAcceptBackoff);
        accept_retry_timer.async_wait([this, index](const asio::error_code& ec) {
          if (!ec && !paused) arm_accept(index);
        });
        return;
      case AcceptResult::kRearm:
        arm_accept(index);
        return;
    }
  }

  void arm_signals() {
    signal_watch.async_wait(asio::posix::descriptor_base::wait_read,
                            [this](const asio::error_code& ec) {
                              if (ec) return;
                              callbacks.signaled();
                              arm_signals();
                            });
  }

  void arm_readiness() {
    readiness_watch.async_wait(asio::posix::descriptor_base::wait_read,
                               [this](const asio::error_code& ec) {
                                 if (ec) return;
                                 on_ready();
                                 arm_readiness();  // at once again if more are ready
                               });
  }

  void on_ready() { readiness.dispatch(*engine); }

  void arm_sweep() {
    sweep_timer.expires_after(kSweepInterval);
    sweep_timer.async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      callbacks.tick();
      engine->sweep();
      arm_sweep();
    });
  }

  const std::vector<net::Listener>& listeners;
  asio::io_context io{1};
  std::vector<asio::generic::stream_protocol::socket> listener_watch;
  asio::posix::stream_descriptor signal_watch;
  ReadinessDispatch readiness;
  asio::posix::stream_descriptor readiness_watch;
  asio::steady_timer sweep_timer;
  asio::steady_timer accept_retry_timer;
  Engine* engine = nullptr;
  Callbacks callbacks;
  bool paused = false;
};

EventLoop::EventLoop(const std::vector<net::Listener>& listeners, int wakeup_fd)
    : impl_(std::make_unique<Impl>(listeners, wakeup_fd)) {}

EventLoop::~EventLoop() = default;

void EventLoop::run(Engine& engine, Callbacks callbacks) {
  impl_->engine = &engine;
  impl_->callbacks = std::move(callbacks);
  for (size_t i = 0; i < impl_->listener_watch.size(); ++i) impl_->arm_accept(i);
  impl_->arm_signals();
  impl_->arm_readiness();
  impl_->arm_sweep();
  impl_->io.run();
}

void EventLoop::post(std::function<void()> work) {
  asio::post(impl_->io, std::move(work));
}

void EventLoop::watch(Connection& c, bool writable) {
  impl_->readiness.watch(c, writable);
}

void EventLoop::forget(Connection& c) {
  impl_->readiness.forget(c);
}

void EventLoop::schedule_deferred() {
  asio::post(impl_->io, [this] { impl_->engine->run_deferred(); });
}

void EventLoop::pause_accepting() {
  impl_->paused = true;
  for (auto& watch : impl_->listener_watch) {
    asio::error_code ignored;
    watch.cancel(ignored);
  }
  impl_->accept_retry_timer.cancel();
}

void EventLoop::resume_accepting() {
  if (!impl_->paused || impl_->engine->stopping()) return;
  impl_->paused = false;
  for (size_t i = 0; i < impl_->listener_watch.size(); ++i) impl_->arm_accept(i);
}

void EventLoop::stop() {
  impl_->io.stop();
}

int64_t EventLoop::now_ns() const {
  return util::monotonic_ns();
}

}  // namespace gf::engine
