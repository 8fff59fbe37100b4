# A config file that records every server hook call as one JSON line (name, pid, arguments) in
# the file named by $HOOKS_LOG, for tests/e2e/test_hooks.py. $HOOKS_RAISE names a hook that
# raises after recording.
import json
import os

workers = 2
_LOG = os.environ["HOOKS_LOG"]
_RAISE = os.environ.get("HOOKS_RAISE", "")


def _record(name, **fields):
    fields.update(hook=name, pid=os.getpid())
    with open(_LOG, "a") as f:
        f.write(json.dumps(fields, default=str) + "\n")
    if name == _RAISE:
        raise RuntimeError("hook %s failed on purpose" % name)


def _worker(worker):
    return {"pid": worker.pid, "age": worker.age, "ppid": worker.ppid}


def on_starting(server):
    _record("on_starting", server_pid=server.pid, workers=server.cfg.workers,
            proc_name=server.proc_name)
    server.log.info("hooks_conf: on_starting %s", server.pid)


def on_reload(server):
    _record("on_reload", server_pid=server.pid)


def when_ready(server):
    _record("when_ready", server_pid=server.pid, num_workers=server.num_workers,
            bind=server.cfg.bind, worker_class_str=server.cfg.worker_class_str)


def pre_fork(server, worker):
    _record("pre_fork", server_pid=server.pid, worker=_worker(worker),
            known=sorted(server.WORKERS))


def post_fork(server, worker):
    _record("post_fork", server_pid=server.pid, worker=_worker(worker), alive=worker.alive)


def post_worker_init(worker):
    worker.tmp.notify()
    _record("post_worker_init", worker=_worker(worker), has_app=callable(worker.wsgi),
            timeout=worker.cfg.timeout, worker_class_str=worker.cfg.worker_class_str)


def worker_int(worker):
    _record("worker_int", worker=_worker(worker))


def worker_abort(worker):
    _record("worker_abort", worker=_worker(worker))


def pre_exec(server):
    _record("pre_exec", server_pid=server.pid)


def pre_request(worker, req):
    _record("pre_request", worker=_worker(worker), method=req.method, path=req.path,
            uri=req.uri, query=req.query, version=list(req.version),
            headers=[list(h) for h in req.headers])
    worker.log.debug("%s %s", req.method, req.path)


def post_request(worker, req, environ, resp):
    _record("post_request", worker=_worker(worker), method=req.method, path=req.path,
            environ_path=environ.get("PATH_INFO"),
            status=resp.status if resp else None,
            status_code=resp.status_code if resp else None, nr=worker.nr)


def child_exit(server, worker):
    _record("child_exit", server_pid=server.pid, worker=_worker(worker))


def worker_exit(server, worker):
    _record("worker_exit", server_pid=server.pid, worker=_worker(worker))


def nworkers_changed(server, new_value, old_value):
    _record("nworkers_changed", new=new_value, old=old_value)


def on_exit(server):
    _record("on_exit", server_pid=server.pid)
