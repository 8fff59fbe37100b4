# The Python side of the server hooks: the `server`, `worker`, `log`, `cfg`, `req` and `resp`
# objects that config-file hooks receive, shaped like the plain Python objects Gunicorn passes.
#
# greenfork compiles this file into its binary (CMake embeds its bytes at build time) and runs it
# in a fresh namespace the first time a hook needs it. The namespace is given `_b`, the C module
# `_greenfork_hooks`, before this runs: every property that shows server state calls into it, so
# the C++ state (read through the process's ServerView / WorkerView) is never copied here.

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
    def worker_class_str(self): return _b.worker_class_str()
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
