#include "python/asgi/asyncio_reactor.hpp"

#include <chrono>
#include <functional>
#include <stdexcept>

#include "engine/accept_burst.hpp"
#include "engine/readiness_dispatch.hpp"
#include "log/error_log.hpp"
#include "python/embed/py_exception.hpp"
#include "util/heartbeat_table.hpp"

namespace gf::python {
namespace {

// A C++ callback as a Python callable for add_reader / call_soon / call_later: a PyCFunction
// whose `self` is a capsule holding the Callback. Exceptions never reach the loop: they are
// logged, and the loop goes on.
struct Callback {
  std::function<void()> fn;
};

PyObject* call_callback(PyObject* capsule, PyObject*) {
  auto* cb = static_cast<Callback*>(PyCapsule_GetPointer(capsule, "greenfork.callback"));
  if (cb == nullptr) return nullptr;
  try {
    cb->fn();
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Error in the ASGI worker's loop: {}", e.what());
  }
  if (PyErr_Occurred()) {
    log::ErrorLog::get().error("Error in the ASGI worker's loop\n{}",
                               PyException::fetch().traceback());
  }
  Py_RETURN_NONE;
}

PyMethodDef callback_def = {"greenfork_callback", call_callback, METH_NOARGS, nullptr};

// The callable for `cb`, which must outlive it (the reactor owns every Callback).
PyRef as_callable(Callback& cb) {
  PyRef capsule = PyRef::steal(PyCapsule_New(&cb, "greenfork.callback", nullptr));
  if (!capsule) return capsule;
  return PyRef::steal(PyCFunction_New(&callback_def, capsule.get()));
}

void check(const PyRef& result, const char* what) {
  if (result) return;
  const std::string traceback = PyException::fetch().traceback();
  throw std::runtime_error(std::string(what) + "\n" + traceback);
}

}  // namespace

struct AsyncioReactor::Impl {
  PyRef loop;
  const std::vector<net::Listener>& listeners;
  int wakeup_fd;
  engine::ReadinessDispatch readiness;
  engine::Engine* engine = nullptr;
  engine::LoopCallbacks callbacks;
  // Callbacks and their callables, made once: no Python object per event.
  std::vector<std::unique_ptr<Callback>> accept_cbs;
  std::vector<PyRef> accept_fns;
  Callback ready_cb, signal_cb, sweep_cb, deferred_cb;
  PyRef ready_fn, signal_fn, sweep_fn, deferred_fn;
  std::vector<std::unique_ptr<Callback>> retry_cbs;
  std::vector<PyRef> retry_fns;
  bool paused = false;
  bool stopped = false;

  Impl(PyObject* loop, const std::vector<net::Listener>& listeners, int wakeup_fd)
      : loop(PyRef::borrow(loop)), listeners(listeners), wakeup_fd(wakeup_fd) {}

  void add_reader(int fd, const PyRef& fn) {
    check(PyRef::steal(PyObject_CallMethod(loop.get(), "add_reader", "iO", fd, fn.get())),
          "Cannot watch a descriptor");
  }
  void remove_reader(int fd) {
    PyRef done = PyRef::steal(PyObject_CallMethod(loop.get(), "remove_reader", "i", fd));
    if (!done) PyErr_Clear();
  }
  void call_later(double seconds, const PyRef& fn) {
    check(PyRef::steal(PyObject_CallMethod(loop.get(), "call_later", "dO", seconds, fn.get())),
          "Cannot schedule a timer");
  }

  void watch_listeners() {
    for (size_t i = 0; i < listeners.size(); ++i) add_reader(listeners[i].fd(), accept_fns[i]);
  }
  void unwatch_listeners() {
    for (const auto& listener : listeners) remove_reader(listener.fd());
  }

  void on_acceptable(size_t index) {
    if (paused) return;
    switch (engine::accept_burst(listeners[index], *engine, callbacks.accepted)) {
      case engine::AcceptResult::kRearm:
        return;  // add_reader keeps watching
      case engine::AcceptResult::kCapped:
        if (!paused) {
          paused = true;
          unwatch_listeners();
        }
        return;
      case engine::AcceptResult::kExhausted:
        // Let descriptors free up instead of spinning on a listener that stays readable.
        remove_reader(listeners[index].fd());
        call_later(std::chrono::duration<double>(net::kAcceptBackoff).count(), retry_fns[index]);
        return;
    }
  }
  void on_retry(size_t index) {
    if (!paused && !stopped) add_reader(listeners[index].fd(), accept_fns[index]);
  }
  void on_sweep() {
    if (stopped) return;
    callbacks.tick();
    engine->sweep();
    if (!stopped) call_later(engine::kSweepIntervalMs / 1000.0, sweep_fn);
  }
};

AsyncioReactor::AsyncioReactor(PyObject* loop, const std::vector<net::Listener>& listeners,
                               int wakeup_fd)
    : impl_(std::make_unique<Impl>(loop, listeners, wakeup_fd)) {
  Impl& m = *impl_;
  for (size_t i = 0; i < listeners.size(); ++i) {
    m.accept_cbs.push_back(
        std::make_unique<Callback>(Callback{[this, i] { impl_->on_acceptable(i); }}));
    m.accept_fns.push_back(as_callable(*m.accept_cbs.back()));
    m.retry_cbs.push_back(std::make_unique<Callback>(Callback{[this, i] { impl_->on_retry(i); }}));
    m.retry_fns.push_back(as_callable(*m.retry_cbs.back()));
  }
  m.ready_cb.fn = [this] { impl_->readiness.dispatch(*impl_->engine); };
  m.signal_cb.fn = [this] { impl_->callbacks.signaled(); };
  m.sweep_cb.fn = [this] { impl_->on_sweep(); };
  m.deferred_cb.fn = [this] { impl_->engine->run_deferred(); };
  m.ready_fn = as_callable(m.ready_cb);
  m.signal_fn = as_callable(m.signal_cb);
  m.sweep_fn = as_callable(m.sweep_cb);
  m.deferred_fn = as_callable(m.deferred_cb);
}

AsyncioReactor::~AsyncioReactor() = default;

void AsyncioReactor::run(engine::Engine& engine, engine::LoopCallbacks callbacks) {
  Impl& m = *impl_;
  m.engine = &engine;
  m.callbacks = std::move(callbacks);
  m.stopped = false;
  m.watch_listeners();
  m.add_reader(m.wakeup_fd, m.signal_fn);
  m.add_reader(m.readiness.fd(), m.ready_fn);
  m.call_later(engine::kSweepIntervalMs / 1000.0, m.sweep_fn);
  PyRef ran = PyRef::steal(PyObject_CallMethod(m.loop.get(), "run_forever", nullptr));
  m.stopped = true;
  if (!m.paused) m.unwatch_listeners();
  m.remove_reader(m.wakeup_fd);
  m.remove_reader(m.readiness.fd());
  check(ran, "The ASGI worker's event loop failed");
}

void AsyncioReactor::watch(engine::Connection& c, bool writable) {
  impl_->readiness.watch(c, writable);
}

void AsyncioReactor::forget(engine::Connection& c) {
  impl_->readiness.forget(c);
}

void AsyncioReactor::schedule_deferred() {
  PyRef handle = PyRef::steal(
      PyObject_CallMethod(impl_->loop.get(), "call_soon", "O", impl_->deferred_fn.get()));
  if (!handle) PyErr_Clear();
}

void AsyncioReactor::pause_accepting() {
  if (impl_->paused) return;
  impl_->paused = true;
  if (!impl_->stopped) impl_->unwatch_listeners();
}

void AsyncioReactor::resume_accepting() {
  if (!impl_->paused || impl_->engine->stopping() || impl_->stopped) return;
  impl_->paused = false;
  impl_->watch_listeners();
}

void AsyncioReactor::stop() {
  PyRef done = PyRef::steal(PyObject_CallMethod(impl_->loop.get(), "stop", nullptr));
  if (!done) PyErr_Clear();
}

int64_t AsyncioReactor::now_ns() const {
  return util::monotonic_ns();
}

}  // namespace gf::python
