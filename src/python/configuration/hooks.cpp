// Hooks: the Python side of the server hooks. The `server`, `worker`, `log`, `cfg`, `req` and
// `resp` objects are small Python classes (defined below as source, so they behave like the
// plain Python objects Gunicorn passes) whose properties call into the C module `_greenfork_hooks`,
// which reads the C++ state through the ServerView / WorkerView of this process.
#include "python/configuration/hooks.hpp"

#include <Python.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <string>

#include "config/settings_table.hpp"
#include "http/request.hpp"
#include "http/response_sink.hpp"
#include "log/error_log.hpp"
#include "python/configuration/config_objects.hpp"
#include "python/embed/py_exception.hpp"
#include "python/embed/py_ref.hpp"
#include "python/embed/py_text.hpp"

namespace gf::python {
namespace {

constexpr const char* kBridgeSource = R"PY(
import inspect, sys, traceback

class Log:
    """server.log / worker.log: the greenfork error log with the logging.Logger methods."""
    def _emit(self, level, msg, args, exc_info=None):
        if not _b.log_enabled(level):
            return
        text = str(msg)
        if args:
            if len(args) == 1 and isinstance(args[0], dict) and args[0]:
                args = args[0]
            try:
                text = text % args
            except Exception:
                text = "%s %r" % (text, args)
        if exc_info:
            if isinstance(exc_info, BaseException):
                exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
            elif not isinstance(exc_info, tuple):
                exc_info = sys.exc_info()
            if exc_info[0] is not None:
                text += "\n" + "".join(traceback.format_exception(*exc_info)).rstrip("\n")
        _b.log(level, text)
    def debug(self, msg, *args, **kw): self._emit(10, msg, args, kw.get("exc_info"))
    def info(self, msg, *args, **kw): self._emit(20, msg, args, kw.get("exc_info"))
    def warning(self, msg, *args, **kw): self._emit(30, msg, args, kw.get("exc_info"))
    warn = warning
    def error(self, msg, *args, **kw): self._emit(40, msg, args, kw.get("exc_info"))
    def critical(self, msg, *args, **kw): self._emit(50, msg, args, kw.get("exc_info"))
    def exception(self, msg, *args, **kw): self._emit(40, msg, args, kw.get("exc_info", True))
    def log(self, lvl, msg, *args, **kw): self._emit(int(lvl), msg, args, kw.get("exc_info"))
    def reopen_files(self): pass
    def close_on_exec(self): pass

class Setting:
    """An entry of cfg.settings (configs read .value or .get())."""
    def __init__(self, name): self.name = name
    value = property(lambda self: _b.setting(self.name))
    def get(self): return self.value

class Config:
    """server.cfg / worker.cfg: every setting as an attribute, like Gunicorn's Config."""
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return _b.setting(name)
        except KeyError:
            raise AttributeError("No configuration setting for: %s" % name) from None
    @property
    def settings(self): return {name: Setting(name) for name in _b.setting_names()}
    @property
    def env(self):
        return dict(item.partition("=")[::2] for item in _b.setting("raw_env") or [])
    @property
    def uid(self): return _b.setting("user")
    @property
    def gid(self): return _b.setting("group")
    @property
    def address(self): return _b.setting("bind")
    @property
    def worker_class_str(self): return "sync"
    @property
    def is_ssl(self): return False
    @property
    def proc_name(self):
        return _b.setting("proc_name") or _b.setting("default_proc_name")

LOG = Log()
CFG = Config()
WORKERS_BY_AGE = {}

class Tmp:
    """worker.tmp: notify() beats the heartbeat the master watches."""
    def __init__(self, worker): self._worker = worker
    def notify(self):
        if self._worker._live:
            _b.worker_notify()
    def close(self): pass

class Worker:
    def __init__(self, age, ppid):
        self.age = age
        self.ppid = ppid
        self.pid = None
        self.cfg = CFG
        self.log = LOG
        self.tmp = Tmp(self)
        self.wsgi = None
        self.booted = False
        self.aborted = False
        self.timeout = (CFG.timeout or 0) / 2.0
        self._live = False
        self._alive = True
    @property
    def alive(self):
        return _b.worker_alive() if self._live else self._alive
    @alive.setter
    def alive(self, value):
        if self._live:
            if not value:
                _b.worker_stop()
        else:
            self._alive = bool(value)
    @property
    def nr(self):
        return _b.worker_nr() if self._live else 0
    def notify(self): self.tmp.notify()
    def __str__(self): return "<Worker %s>" % self.pid
    __repr__ = __str__

def worker_for(age, pid):
    worker = WORKERS_BY_AGE.get(age)
    if worker is None:
        worker = WORKERS_BY_AGE[age] = Worker(age, _b.server_pid())
    if pid:
        worker.pid = pid
    return worker

class Server:
    """The arbiter as hooks see it."""
    def __init__(self):
        self.log = LOG
        self.cfg = CFG
    pid = property(lambda self: _b.server_pid())
    proc_name = property(lambda self: _b.server_proc_name())
    master_name = property(lambda self: "Master")
    num_workers = property(lambda self: _b.server_num_workers(),
                           lambda self, value: _b.server_set_num_workers(value))
    @property
    def WORKERS(self):
        return {pid: worker_for(age, pid) for pid, age in _b.server_workers()}
    def __str__(self): return "<greenfork.Arbiter %s>" % _b.server_pid()

SERVER = Server()

class Request:
    def __init__(self, method, uri, path, query, fragment, version, headers, scheme):
        self.method = method
        self.uri = uri
        self.path = path
        self.query = query
        self.fragment = fragment
        self.version = version
        self.headers = headers
        self.scheme = scheme
        self.body = None
        self.trailers = []
        self.proxy_protocol_info = None
    def __repr__(self): return "<Request %s %s>" % (self.method, self.uri)

class Response:
    def __init__(self, status, headers, sent):
        self.status = status
        try:
            self.status_code = int(status.split()[0]) if status else None
        except ValueError:
            self.status_code = None
        self.headers = headers
        self.sent = sent
        self.response_length = None
        self.headers_sent = status is not None

def positional_count(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 4
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params):
        return 4
    return sum(1 for p in params if p.kind in kinds)

def post_request_caller(fn):
    # Gunicorn wraps 2- and 3-parameter post_request hooks so they can be called with 4.
    n = positional_count(fn)
    if n == 2:
        return lambda worker, req, environ, resp: fn(worker, req)
    if n == 3:
        return lambda worker, req, environ, resp: fn(worker, req, environ)
    return fn

def import_hook(path):
    import importlib
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)

def on_signal(signum, frame):
    _b.signal_hook(signum)
)PY";

ServerView* g_server = nullptr;
WorkerView* g_worker = nullptr;
void (*g_exit_process)(int) = nullptr;
volatile sig_atomic_t g_signal_hook_ran = 0;

struct Bridge {
  PyRef ns;            // the namespace of kBridgeSource
  PyRef worker;        // this worker's Worker object (worker processes)
  PyRef pre_request;   // resolved per worker
  PyRef post_request;  // wrapped to 4 arguments
  bool request_hooks = false;
  bool custom_pre_request = false;
  std::map<std::string, PyRef> imported;  // "module.func" hooks
};

Bridge& bridge() {
  static auto* b = new Bridge();  // never destroyed: see ConfigObjects
  return *b;
}

const config::Config* current_config() {
  if (g_worker != nullptr) return &g_worker->config();
  if (g_server != nullptr) return &g_server->config();
  return nullptr;
}

PyRef to_python(const config::Value& value) {
  return std::visit(
      [](const auto& v) -> PyRef {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return PyRef::borrow(Py_None);
        } else if constexpr (std::is_same_v<T, bool>) {
          return PyRef::borrow(v ? Py_True : Py_False);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return PyRef::steal(PyLong_FromLongLong(v));
        } else if constexpr (std::is_same_v<T, double>) {
          return PyRef::steal(PyFloat_FromDouble(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return PyRef::steal(
              PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "surrogateescape"));
        } else if constexpr (std::is_same_v<T, config::StringList>) {
          PyRef list = PyRef::steal(PyList_New(0));
          for (const auto& item : v) {
            PyRef s = PyRef::steal(PyUnicode_DecodeUTF8(
                item.data(), static_cast<Py_ssize_t>(item.size()), "surrogateescape"));
            if (!s || PyList_Append(list.get(), s.get()) < 0) return PyRef();
          }
          return list;
        } else {
          PyRef dict = PyRef::steal(PyDict_New());
          for (const auto& [key, val] : v) {
            PyRef val_obj = PyRef::steal(PyUnicode_DecodeUTF8(
                val.data(), static_cast<Py_ssize_t>(val.size()), "surrogateescape"));
            if (!val_obj || PyDict_SetItemString(dict.get(), key.c_str(), val_obj.get()) < 0)
              return PyRef();
          }
          return dict;
        }
      },
      value);
}

// ---- the C module the Python classes call ----

PyObject* py_log(PyObject*, PyObject* args) {
  int level = 0;
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "is", &level, &text)) return nullptr;
  auto lvl = static_cast<log::Level>(level <= 10   ? 10
                                     : level <= 20 ? 20
                                     : level <= 30 ? 30
                                     : level <= 40 ? 40
                                                   : 50);
  auto& log = log::ErrorLog::get();
  if (log.enabled(lvl)) log.write(lvl, text);
  Py_RETURN_NONE;
}

PyObject* py_log_enabled(PyObject*, PyObject* arg) {
  long level = PyLong_AsLong(arg);
  if (level == -1 && PyErr_Occurred()) return nullptr;
  return PyBool_FromLong(log::ErrorLog::get().enabled(static_cast<log::Level>(level)) ||
                         level > 50);
}

PyObject* py_setting(PyObject*, PyObject* arg) {
  const char* name = PyUnicode_AsUTF8(arg);
  if (name == nullptr) return nullptr;
  const config::Config* cfg = current_config();
  if (cfg == nullptr) {
    PyErr_SetString(PyExc_KeyError, name);
    return nullptr;
  }
  try {
    const config::Value& value = cfg->get(name);
    // A hook set to a function: the function itself, as Gunicorn's cfg shows it.
    if (PyObject* kept = ConfigObjects::find(*cfg, name)) return Py_NewRef(kept);
    return to_python(value).release();
  } catch (const std::out_of_range&) {
    PyErr_SetString(PyExc_KeyError, name);
    return nullptr;
  }
}

PyObject* py_setting_names(PyObject*, PyObject*) {
  PyRef list = PyRef::steal(PyList_New(0));
  for (const config::SettingSpec& spec : config::settings_table()) {
    PyRef name = PyRef::steal(
        PyUnicode_FromStringAndSize(spec.name.data(), static_cast<Py_ssize_t>(spec.name.size())));
    if (!name || PyList_Append(list.get(), name.get()) < 0) return nullptr;
  }
  return list.release();
}

PyObject* py_server_pid(PyObject*, PyObject*) {
  return PyLong_FromLong(g_server ? g_server->pid() : 0);
}
PyObject* py_server_proc_name(PyObject*, PyObject*) {
  std::string name = g_server ? g_server->proc_name() : std::string();
  return PyUnicode_DecodeUTF8(name.data(), static_cast<Py_ssize_t>(name.size()), "replace");
}
PyObject* py_server_num_workers(PyObject*, PyObject*) {
  return PyLong_FromLong(g_server ? g_server->num_workers() : 0);
}
PyObject* py_server_set_num_workers(PyObject*, PyObject* arg) {
  long n = PyLong_AsLong(arg);
  if (n == -1 && PyErr_Occurred()) return nullptr;
  if (n < 0) {
    PyErr_SetString(PyExc_ValueError, "num_workers must be >= 0");
    return nullptr;
  }
  // Only the master changes its worker count; in a worker the copy is meaningless.
  if (g_server != nullptr && g_worker == nullptr) g_server->change_num_workers(static_cast<int>(n));
  Py_RETURN_NONE;
}
PyObject* py_server_workers(PyObject*, PyObject*) {
  PyRef list = PyRef::steal(PyList_New(0));
  if (g_server != nullptr && g_worker == nullptr) {
    for (const WorkerInfo& w : g_server->workers()) {
      PyRef item = PyRef::steal(Py_BuildValue("(ii)", static_cast<int>(w.pid), w.age));
      if (!item || PyList_Append(list.get(), item.get()) < 0) return nullptr;
    }
  }
  return list.release();
}
PyObject* py_worker_alive(PyObject*, PyObject*) {
  return PyBool_FromLong(g_worker != nullptr && g_worker->alive());
}
PyObject* py_worker_stop(PyObject*, PyObject*) {
  if (g_worker != nullptr) g_worker->stop();
  Py_RETURN_NONE;
}
PyObject* py_worker_nr(PyObject*, PyObject*) {
  return PyLong_FromUnsignedLongLong(g_worker ? g_worker->requests() : 0);
}
PyObject* py_worker_notify(PyObject*, PyObject*) {
  if (g_worker != nullptr) g_worker->notify();
  Py_RETURN_NONE;
}
// The Python-level handler of INT/QUIT/ABRT (run by the interpreter in the main thread, where
// the app was interrupted): the hook, then the process ends without returning to the app.
PyObject* py_signal_hook(PyObject*, PyObject* arg) {
  long sig = PyLong_AsLong(arg);
  if (sig == -1 && PyErr_Occurred()) return nullptr;
  if (g_signal_hook_ran) Py_RETURN_NONE;  // the worker loop already ran it
  if (sig == SIGABRT)
    Hooks::worker_abort();
  else
    Hooks::worker_int();
  if (g_exit_process != nullptr) g_exit_process(sig == SIGABRT ? 1 : 0);
  Py_RETURN_NONE;
}

PyMethodDef kMethods[] = {
    {"log", py_log, METH_VARARGS, nullptr},
    {"log_enabled", py_log_enabled, METH_O, nullptr},
    {"setting", py_setting, METH_O, nullptr},
    {"setting_names", py_setting_names, METH_NOARGS, nullptr},
    {"server_pid", py_server_pid, METH_NOARGS, nullptr},
    {"server_proc_name", py_server_proc_name, METH_NOARGS, nullptr},
    {"server_num_workers", py_server_num_workers, METH_NOARGS, nullptr},
    {"server_set_num_workers", py_server_set_num_workers, METH_O, nullptr},
    {"server_workers", py_server_workers, METH_NOARGS, nullptr},
    {"worker_alive", py_worker_alive, METH_NOARGS, nullptr},
    {"worker_stop", py_worker_stop, METH_NOARGS, nullptr},
    {"worker_nr", py_worker_nr, METH_NOARGS, nullptr},
    {"worker_notify", py_worker_notify, METH_NOARGS, nullptr},
    {"signal_hook", py_signal_hook, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT,
                       "_greenfork_hooks",
                       nullptr,
                       -1,
                       kMethods,
                       nullptr,
                       nullptr,
                       nullptr,
                       nullptr};

void log_python_error(std::string_view what) {
  std::string traceback = PyException::fetch().traceback();
  log::ErrorLog::get().error("{}\n{}", what, traceback);
}

// The namespace of kBridgeSource, built on first use (only ever when a hook is set).
PyObject* ns() {
  Bridge& b = bridge();
  if (b.ns) return b.ns.get();
  PyRef module = PyRef::steal(PyModule_Create(&kModule));
  PyRef globals = PyRef::steal(PyDict_New());
  PyRef module_name = PyRef::steal(PyUnicode_FromString("greenfork.hooks"));
  if (!module || !globals || !module_name ||
      PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0 ||
      PyDict_SetItemString(globals.get(), "_b", module.get()) < 0 ||
      PyDict_SetItemString(globals.get(), "__name__", module_name.get()) < 0) {
    log_python_error("Cannot set up the hook objects");
    return nullptr;
  }
  PyRef code = PyRef::steal(Py_CompileString(kBridgeSource, "<greenfork hooks>", Py_file_input));
  PyRef done =
      code ? PyRef::steal(PyEval_EvalCode(code.get(), globals.get(), globals.get())) : PyRef();
  if (!done) {
    log_python_error("Cannot set up the hook objects");
    return nullptr;
  }
  b.ns = globals;
  return b.ns.get();
}

PyObject* ns_get(const char* name) {  // borrowed
  PyObject* n = ns();
  return n ? PyDict_GetItemString(n, name) : nullptr;
}

// The callable a config set for `name` (borrowed), or nullptr for the default. Never starts
// Python: without an interpreter no config file ran, so every hook is the default.
PyObject* find_hook(const config::Config& cfg, const char* name) {
  if (!Py_IsInitialized()) return nullptr;
  if (PyObject* kept = ConfigObjects::find(cfg, name)) return kept;
  const config::Value* value = nullptr;
  try {
    value = &cfg.get(name);
  } catch (const std::out_of_range&) {
    return nullptr;
  }
  const auto* path = std::get_if<std::string>(value);
  if (path == nullptr || path->empty()) return nullptr;
  Bridge& b = bridge();
  if (auto it = b.imported.find(*path); it != b.imported.end()) return it->second.get();
  PyObject* importer = ns_get("import_hook");
  if (importer == nullptr) return nullptr;
  PyRef arg = PyRef::steal(PyUnicode_FromString(path->c_str()));
  PyRef fn = arg ? PyRef::steal(PyObject_CallOneArg(importer, arg.get())) : PyRef();
  if (!fn) {
    log_python_error(fmt::format("Cannot import the {} hook {}", name, repr(*path)));
    b.imported[*path] = PyRef();  // reported once
    return nullptr;
  }
  b.imported[*path] = fn;
  return fn.get();
}

// Calls a hook; an exception is logged the way Gunicorn logs a failing post_request hook.
void call(const char* name, PyObject* fn, std::initializer_list<PyObject*> args) {
  if (fn == nullptr) return;
  for (PyObject* a : args)
    if (a == nullptr) {
      if (PyErr_Occurred()) log_python_error(fmt::format("Exception in {} hook", name));
      return;
    }
  PyRef result = PyRef::steal(
      PyObject_Vectorcall(fn, const_cast<PyObject* const*>(args.begin()), args.size(), nullptr));
  if (!result) log_python_error(fmt::format("Exception in {} hook", name));
}

PyObject* server_object(ServerView& server) {
  g_server = &server;
  return ns_get("SERVER");
}

PyRef worker_object(const WorkerInfo& info) {
  PyObject* fn = ns_get("worker_for");
  if (fn == nullptr) return PyRef();
  return PyRef::steal(PyObject_CallFunction(fn, "ii", info.age, static_cast<int>(info.pid)));
}

void forget_worker(const WorkerInfo& info) {
  PyObject* by_age = ns_get("WORKERS_BY_AGE");
  PyRef key = PyRef::steal(PyLong_FromLong(info.age));
  if (by_age != nullptr && key && PyDict_DelItem(by_age, key.get()) < 0) PyErr_Clear();
}

// Master hooks taking (server).
void server_hook(ServerView& server, const char* name) {
  PyObject* fn = find_hook(server.config(), name);
  if (fn == nullptr) return;
  call(name, fn, {server_object(server)});
}

// Master hooks taking (server, worker).
void server_worker_hook(ServerView& server, const char* name, const WorkerInfo& info, bool forget) {
  PyObject* fn = find_hook(server.config(), name);
  if (fn != nullptr) {
    PyObject* s = server_object(server);
    PyRef w = worker_object(info);
    call(name, fn, {s, w.get()});
  }
  if (forget && bridge().ns) forget_worker(info);
}

// Worker hooks taking (worker).
void worker_hook(const char* name) {
  if (g_worker == nullptr) return;
  PyObject* fn = find_hook(g_worker->config(), name);
  if (fn == nullptr || !bridge().worker) return;
  call(name, fn, {bridge().worker.get()});
}

}  // namespace

void Hooks::nworkers_changed(ServerView& server, int new_value, std::optional<int> old_value) {
  g_server = &server;  // the first call comes before any other hook: workers inherit it
  PyObject* fn = find_hook(server.config(), "nworkers_changed");
  if (fn == nullptr) return;
  PyObject* s = server_object(server);
  PyRef n = PyRef::steal(PyLong_FromLong(new_value));
  PyRef o = old_value ? PyRef::steal(PyLong_FromLong(*old_value)) : PyRef::borrow(Py_None);
  call("nworkers_changed", fn, {s, n.get(), o.get()});
}

void Hooks::on_starting(ServerView& server) {
  server_hook(server, "on_starting");
}
void Hooks::when_ready(ServerView& server) {
  server_hook(server, "when_ready");
}
void Hooks::on_reload(ServerView& server) {
  server_hook(server, "on_reload");
}
void Hooks::on_exit(ServerView& server) {
  server_hook(server, "on_exit");
}
void Hooks::pre_exec(ServerView& server) {
  server_hook(server, "pre_exec");
}

void Hooks::pre_fork(ServerView& server, const WorkerInfo& worker) {
  g_server = &server;
  server_worker_hook(server, "pre_fork", worker, false);
}

void Hooks::after_fork_parent(const WorkerInfo& worker) {
  // Only when pre_fork made the object (or WORKERS did): otherwise there is nothing to update.
  if (!bridge().ns) return;
  PyObject* by_age = ns_get("WORKERS_BY_AGE");
  PyRef key = PyRef::steal(PyLong_FromLong(worker.age));
  PyObject* w = by_age && key ? PyDict_GetItem(by_age, key.get()) : nullptr;
  if (w == nullptr) return;
  PyRef pid = PyRef::steal(PyLong_FromLong(worker.pid));
  if (!pid || PyObject_SetAttrString(w, "pid", pid.get()) < 0) PyErr_Clear();
}

void Hooks::child_exit(ServerView& server, const WorkerInfo& worker) {
  server_worker_hook(server, "child_exit", worker, true);
}

void Hooks::worker_exit(ServerView& server, const WorkerInfo& worker) {
  server_worker_hook(server, "worker_exit", worker, true);
}

void Hooks::post_fork(WorkerView& view) {
  g_worker = &view;
  Bridge& b = bridge();
  const config::Config& cfg = view.config();
  // Resolved once per worker: the request path then only tests two pointers.
  b.pre_request = PyRef::borrow(find_hook(cfg, "pre_request"));
  if (PyObject* post = find_hook(cfg, "post_request")) {
    PyObject* wrap = ns_get("post_request_caller");
    b.post_request = wrap ? PyRef::steal(PyObject_CallOneArg(wrap, post)) : PyRef();
    if (!b.post_request && PyErr_Occurred()) log_python_error("Cannot use the post_request hook");
  }
  b.custom_pre_request = static_cast<bool>(b.pre_request);
  b.request_hooks = b.pre_request || b.post_request;
  if (!Py_IsInitialized() || !b.ns) {
    // No hook ever needed the objects so far; the worker ones are needed by any worker hook.
    static constexpr const char* kWorkerHooks[] = {"post_fork", "post_worker_init", "worker_int",
                                                   "worker_abort", "worker_exit"};
    bool any = b.request_hooks;
    for (const char* name : kWorkerHooks) any = any || find_hook(cfg, name) != nullptr;
    if (!any) return;
  }
  PyRef w = worker_object(WorkerInfo{::getpid(), view.age()});
  if (!w) {
    log_python_error("Cannot set up the worker object");
    return;
  }
  if (PyObject_SetAttrString(w.get(), "_live", Py_True) < 0) PyErr_Clear();
  PyRef ppid = PyRef::steal(PyLong_FromLong(view.ppid()));
  if (ppid && PyObject_SetAttrString(w.get(), "ppid", ppid.get()) < 0) PyErr_Clear();
  b.worker = w;
  PyObject* fn = find_hook(cfg, "post_fork");
  if (fn != nullptr && g_server != nullptr) call("post_fork", fn, {ns_get("SERVER"), w.get()});
}

void Hooks::post_worker_init(PyObject* app) {
  Bridge& b = bridge();
  if (!b.worker) return;
  if (app != nullptr && PyObject_SetAttrString(b.worker.get(), "wsgi", app) < 0) PyErr_Clear();
  if (PyObject_SetAttrString(b.worker.get(), "booted", Py_True) < 0) PyErr_Clear();
  worker_hook("post_worker_init");
}

void Hooks::worker_int() {
  g_signal_hook_ran = 1;
  worker_hook("worker_int");
}

void Hooks::worker_abort() {
  g_signal_hook_ran = 1;
  if (bridge().worker && PyObject_SetAttrString(bridge().worker.get(), "aborted", Py_True) < 0)
    PyErr_Clear();
  worker_hook("worker_abort");
}

void Hooks::worker_exit() {
  Bridge& b = bridge();
  if (g_worker == nullptr || !b.worker) return;
  PyObject* fn = find_hook(g_worker->config(), "worker_exit");
  if (fn == nullptr) return;
  PyRef result = PyRef::steal(PyObject_CallFunctionObjArgs(
      fn, g_server ? ns_get("SERVER") : Py_None, b.worker.get(), nullptr));
  if (!result) {
    // Gunicorn's wording for this one.
    log::ErrorLog::get().warning("Exception during worker exit:\n{}",
                                 PyException::fetch().traceback());
  }
}

bool Hooks::has_signal_hooks() {
  if (g_worker == nullptr || !bridge().worker) return false;
  return find_hook(g_worker->config(), "worker_int") != nullptr ||
         find_hook(g_worker->config(), "worker_abort") != nullptr;
}

void Hooks::forward_signal(int sig) {
  // Async-signal-safe by CPython's contract: it only flags the signal for the eval loop.
  PyErr_SetInterruptEx(sig);
}

void Hooks::install_signal_forwarding(void (*exit_process)(int status)) {
  g_exit_process = exit_process;
  PyObject* handler = ns_get("on_signal");
  PyRef signal_module = PyRef::steal(PyImport_ImportModule("signal"));
  if (handler == nullptr || !signal_module) {
    if (PyErr_Occurred()) log_python_error("Cannot install the worker_int/worker_abort handlers");
    return;
  }
  for (int sig : {SIGINT, SIGQUIT, SIGABRT}) {
    // signal.signal() registers the Python handler that PyErr_SetInterruptEx(sig) runs, but it
    // also replaces the C handler: the worker's own one goes back right after.
    struct sigaction saved {};
    sigaction(sig, nullptr, &saved);
    PyRef r = PyRef::steal(PyObject_CallMethod(signal_module.get(), "signal", "iO", sig, handler));
    if (!r) log_python_error("Cannot install the worker_int/worker_abort handlers");
    sigaction(sig, &saved, nullptr);
  }
}

bool Hooks::request_hooks_active() {
  return bridge().request_hooks;
}

bool Hooks::custom_pre_request() {
  return bridge().custom_pre_request;
}

namespace {
// Request headers go to hooks with Gunicorn's upper-case names, response headers as the app gave
// them.
PyRef header_list(const std::vector<http::HeaderField>& headers, bool upper_names) {
  PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(headers.size())));
  if (!list) return list;
  for (size_t i = 0; i < headers.size(); ++i) {
    PyRef name = latin1(upper_names ? headers[i].upper_name() : headers[i].name);
    PyRef value = latin1(headers[i].value);
    PyObject* pair = name && value ? PyTuple_Pack(2, name.get(), value.get()) : nullptr;
    if (pair == nullptr) return PyRef();
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}
}  // namespace

PyObject* Hooks::pre_request(const http::Request& request, bool& failed) {
  failed = false;
  Bridge& b = bridge();
  PyObject* cls = ns_get("Request");
  if (cls == nullptr) return nullptr;
  PyRef headers = header_list(request.headers, /*upper_names=*/true);
  PyRef version = PyRef::steal(Py_BuildValue("(ii)", request.version_major, request.version_minor));
  PyRef args[] = {latin1(request.method),
                  latin1(request.target),
                  latin1(request.path),
                  latin1(request.query),
                  latin1(request.fragment),
                  version,
                  headers,
                  latin1(request.url_scheme)};
  PyObject* raw[8];
  for (size_t i = 0; i < 8; ++i) {
    if (!args[i]) {
      log_python_error("Cannot build the request object for hooks");
      return nullptr;
    }
    raw[i] = args[i].get();
  }
  PyRef req = PyRef::steal(PyObject_Vectorcall(cls, raw, 8, nullptr));
  if (!req) {
    log_python_error("Cannot build the request object for hooks");
    return nullptr;
  }
  if (b.pre_request && b.worker) {
    PyObject* call_args[] = {b.worker.get(), req.get()};
    PyRef result = PyRef::steal(PyObject_Vectorcall(b.pre_request.get(), call_args, 2, nullptr));
    failed = !result;  // the exception stays pending for the handler
  }
  return req.release();
}

void Hooks::post_request(PyObject* req_in, const http::Request& request, PyObject* environ,
                         const http::ResponseSink* writer) {
  (void)request;
  PyRef req = PyRef::steal(req_in);
  Bridge& b = bridge();
  if (!b.post_request || !req) return;
  // An exception still pending from the request belongs to the caller: park it meanwhile.
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  PyRef env = environ ? PyRef::borrow(environ) : PyRef::steal(PyDict_New());
  PyRef resp = PyRef::borrow(Py_None);
  if (writer != nullptr) {
    // Before start_response (the app failed early) Gunicorn's resp exists with status None.
    PyRef status = writer->status().empty() ? PyRef::borrow(Py_None) : latin1(writer->status());
    PyRef headers = header_list(writer->headers(), /*upper_names=*/false);
    PyRef sent = PyRef::steal(PyLong_FromUnsignedLongLong(writer->body_bytes_sent()));
    PyObject* cls = ns_get("Response");
    if (cls && status && headers && sent)
      resp = PyRef::steal(
          PyObject_CallFunctionObjArgs(cls, status.get(), headers.get(), sent.get(), nullptr));
    if (!resp) {
      PyErr_Clear();
      resp = PyRef::borrow(Py_None);
    }
  }
  call("post_request", b.post_request.get(), {b.worker.get(), req.get(), env.get(), resp.get()});
  PyErr_Restore(type, value, traceback);
}

}  // namespace gf::python
