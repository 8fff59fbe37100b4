#include "python/asgi/asgi_runtime.hpp"

#include "log/error_log.hpp"
#include "python/asgi/asgi_bridge_source.hpp"
#include "python/embed/embedded_source.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

PyRef bridge_namespace() {
  static PyRef* ns = new PyRef();  // once per process; never destroyed (interpreter lifetime)
  if (!*ns) *ns = run_embedded_source(kAsgiBridgeSource, "<greenfork asgi>", "greenfork.asgi");
  return *ns;
}

[[noreturn]] void boot_error(const std::string& what) {
  std::string message = what;
  if (PyErr_Occurred()) {
    PyException error = PyException::fetch();
    log::ErrorLog::get().error("{}\n{}", what, error.traceback());
    message += ": " + error.type_and_message();
  } else {
    log::ErrorLog::get().error("{}", what);
  }
  throw AppBootError(message);
}

PyRef attr(const PyRef& ns, const char* name) {
  return PyRef::borrow(PyDict_GetItemString(ns.get(), name));
}

// The bridge logs through these: the error log's own line format.
PyObject* log_error(PyObject*, PyObject* text) {
  log::ErrorLog::get().error("{}", to_utf8(text));
  Py_RETURN_NONE;
}
PyObject* log_info(PyObject*, PyObject* text) {
  log::ErrorLog::get().info("{}", to_utf8(text));
  Py_RETURN_NONE;
}
PyMethodDef log_error_def = {"log_error", log_error, METH_O, nullptr};
PyMethodDef log_info_def = {"log_info", log_info, METH_O, nullptr};

}  // namespace

AsgiRuntime::AsgiRuntime(WsgiApp& app, const config::Config& cfg, log::AccessLog* access_log)
    : scope_(cfg) {
  bridge_ = bridge_namespace();
  if (!bridge_) boot_error("Cannot set up the ASGI worker");
  const std::string loop_kind = cfg.get(config::settings::asgi_loop);
  loop_ = PyRef::steal(
      PyObject_CallFunction(attr(bridge_, "new_event_loop").get(), "s", loop_kind.c_str()));
  if (!loop_) boot_error("Cannot create the ASGI worker's event loop");
  app_ = PyRef::steal(PyObject_CallFunctionObjArgs(attr(bridge_, "single_callable").get(),
                                                   app.callable(), nullptr));
  if (!app_) boot_error("Cannot use the ASGI application");
  run_request_ = attr(bridge_, "run_request");
  run_websocket_ = attr(bridge_, "run_websocket");
  websocket_channel_ = attr(bridge_, "WebSocketChannel");
  if (!asgi_channel::init_type() || !ws_link::init_type())
    boot_error("Cannot set up the ASGI worker");
  PyRef error_fn = PyRef::steal(PyCFunction_New(&log_error_def, nullptr));
  log_error_ = error_fn;
  PyRef info_fn = PyRef::steal(PyCFunction_New(&log_info_def, nullptr));
  const std::string mode = cfg.get(config::settings::asgi_lifespan);
  lifespan_ =
      PyRef::steal(PyObject_CallFunction(attr(bridge_, "Lifespan").get(), "OsOO", app_.get(),
                                         mode.c_str(), error_fn.get(), info_fn.get()));
  if (!lifespan_) boot_error("Cannot set up the ASGI lifespan");
  state_ = PyRef::steal(PyObject_GetAttrString(lifespan_.get(), "state"));
  create_task_ = PyRef::steal(PyObject_GetAttrString(loop_.get(), "create_task"));
  if (!state_ || !create_task_) boot_error("Cannot set up the ASGI worker");
  channel_context_.access_log = access_log;
  channel_context_.loop = loop_.get();
  channel_context_.create_task = create_task_.get();
  channel_context_.disconnect_grace_s =
      static_cast<double>(cfg.get(config::settings::asgi_disconnect_grace_period));
}

AsgiRuntime::~AsgiRuntime() {
  PyRef closed = PyRef::steal(PyObject_CallMethod(loop_.get(), "close", nullptr));
  if (!closed) PyErr_Clear();
}

void AsgiRuntime::startup() {
  PyRef coro = PyRef::steal(PyObject_CallMethod(lifespan_.get(), "startup", nullptr));
  PyRef failure =
      coro ? PyRef::steal(PyObject_CallMethod(loop_.get(), "run_until_complete", "O", coro.get()))
           : PyRef();
  if (!failure) boot_error("Exception in 'lifespan' protocol");
  if (failure.get() != Py_None) {
    const std::string message = to_utf8(failure.get());
    log::ErrorLog::get().error("{}", message);
    throw AppBootError(message);
  }
}

void AsgiRuntime::shutdown(double timeout_s) {
  PyRef coro = PyRef::steal(PyObject_CallMethod(lifespan_.get(), "shutdown", "d", timeout_s));
  PyRef done =
      coro ? PyRef::steal(PyObject_CallMethod(loop_.get(), "run_until_complete", "O", coro.get()))
           : PyRef();
  if (!done)
    log::ErrorLog::get().error("ASGI lifespan shutdown failed\n{}",
                               PyException::fetch().traceback());
  PyRef cancelled = PyRef::steal(PyObject_CallFunctionObjArgs(
      attr(bridge_, "cancel_leftover_tasks").get(), loop_.get(), nullptr));
  if (!cancelled) PyErr_Clear();
}

PyRef AsgiRuntime::start(AsgiStream& stream, const http::Request& request,
                         const http::PeerInfo& peer, PyObject* model) {
  try {
    PyRef channel = asgi_channel::create(channel_context_, stream, request, peer);
    if (channel) {
      PyRef scope = scope_.build(model, request, state_.get());
      if (asgi_channel::start(channel.get(), app_.get(), scope.get(), run_request_.get()))
        return channel;
    }
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Cannot start the ASGI application: {}", e.what());
    return PyRef();
  }
  if (PyErr_Occurred())
    log::ErrorLog::get().error("Cannot start the ASGI application\n{}",
                               PyException::fetch().traceback());
  return PyRef();
}

PyRef AsgiRuntime::start_websocket(WsEndpoint& endpoint, const http::Request& request,
                                   PyObject* model, const std::vector<std::string>& subprotocols,
                                   PyRef& link, PyRef& task) {
  try {
    PyRef scope = scope_.build_websocket(model, request, state_.get(), subprotocols);
    link = ws_link::create(endpoint);
    PyRef channel = link ? PyRef::steal(PyObject_CallFunctionObjArgs(
                               websocket_channel_.get(), link.get(), loop_.get(), nullptr))
                         : PyRef();
    PyRef coro = channel ? PyRef::steal(PyObject_CallFunctionObjArgs(
                               run_websocket_.get(), app_.get(), scope.get(), channel.get(),
                               log_error_.get(), nullptr))
                         : PyRef();
    task = coro ? PyRef::steal(PyObject_CallOneArg(create_task_.get(), coro.get())) : PyRef();
    if (task) return channel;
  } catch (const std::exception& e) {
    log::ErrorLog::get().error("Cannot start the ASGI application: {}", e.what());
  }
  if (PyErr_Occurred())
    log::ErrorLog::get().error("Cannot start the ASGI application\n{}",
                               PyException::fetch().traceback());
  ws_link::detach(link.get());
  link.reset();
  return PyRef();
}

std::string AsgiRuntime::describe_tasks() const {
  PyRef text = PyRef::steal(
      PyObject_CallFunctionObjArgs(attr(bridge_, "describe_tasks").get(), loop_.get(), nullptr));
  if (!text || !PyUnicode_Check(text.get())) {
    PyErr_Clear();
    return {};
  }
  return to_utf8(text.get());
}

// A Python function (or a method's) compiled from `async def`. Read off its code object, so
// that the WSGI workers' check imports nothing (asyncio alone would add megabytes to them).
static bool is_coroutine_function(PyObject* f) {
  if (f != nullptr && PyMethod_Check(f)) f = PyMethod_GET_FUNCTION(f);
  if (f == nullptr || !PyFunction_Check(f)) return false;
  auto* code = reinterpret_cast<PyCodeObject*>(PyFunction_GET_CODE(f));
  return (code->co_flags & CO_COROUTINE) != 0;
}

bool AsgiRuntime::looks_like_asgi(PyObject* app) {
  if (PyType_Check(app)) return false;  // a class: WSGI and ASGI 2 alike
  if (is_coroutine_function(app)) return true;
  PyRef call = PyRef::steal(PyObject_GetAttrString(app, "__call__"));
  if (!call) PyErr_Clear();
  return is_coroutine_function(call.get());
}

}  // namespace gf::python
