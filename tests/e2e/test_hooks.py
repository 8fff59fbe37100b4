"""Server hooks (reference §4): each hook is called at Gunicorn's point, in the same process,
with the same arguments. tests/apps/hooks_conf.py records every call as a JSON line."""

import json
import signal
import threading
import time

from conftest import APPS, WAIT_DEADLINE, wait_until
from httpclient import free_port
from test_config_file import make_site, write

CONF = str(APPS / "hooks_conf.py")


def start_hooked(start_server, tmp_path, *args, raise_in=None):
    log = tmp_path / "hooks.jsonl"
    env = {"HOOKS_LOG": str(log)}
    if raise_in:
        env["HOOKS_RAISE"] = raise_in
    server = start_server("pep3333_app:application", "-c", CONF, *args, env=env)
    server.hooks_log = log
    return server


def calls(server, name=None):
    """The recorded calls. A line another process is still writing (no newline yet) is not a
    call yet."""
    try:
        text = server.hooks_log.read_text()
    except FileNotFoundError:
        return []
    lines = text.split("\n")[:-1]  # what follows the last newline is incomplete
    records = [json.loads(line) for line in lines if line.strip()]
    return [r for r in records if name is None or r["hook"] == name]


def wait_calls(server, name, count=1, timeout=WAIT_DEADLINE):
    ok = wait_until(lambda: len(calls(server, name)) >= count, timeout)
    assert ok, f"{name} called {len(calls(server, name))} times, want {count}; " \
               f"calls: {calls(server)}\nlog:\n{server.log_text()}"
    return calls(server, name)


def names(server):
    return [r["hook"] for r in calls(server)]


def test_worker_class_str_names_the_worker_type_in_use(start_server, tmp_path):
    # Gunicorn's cfg.worker_class_str: sync with threads > 1 is "gthread", in the master and in
    # the workers alike; the "Using worker" line says the same.
    server = start_hooked(start_server, tmp_path, "--threads", "2", "-w", "1")
    assert wait_calls(server, "when_ready")[0]["worker_class_str"] == "gthread"
    assert wait_calls(server, "post_worker_init")[0]["worker_class_str"] == "gthread"
    assert "Using worker: gthread" in server.log_text()


def test_start_order_and_processes(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    workers = server.wait_workers(2)
    wait_calls(server, "post_worker_init", 2)
    seq = names(server)
    # Gunicorn sets num_workers while building the arbiter, before on_starting.
    assert seq[:3] == ["nworkers_changed", "on_starting", "when_ready"], seq
    first = calls(server, "nworkers_changed")[0]
    assert first["old"] is None and first["new"] == 2
    for name in ("nworkers_changed", "on_starting", "when_ready", "pre_fork"):
        assert {r["pid"] for r in calls(server, name)} == {server.pid}, name
    ready = calls(server, "when_ready")[0]
    assert ready["server_pid"] == server.pid and ready["num_workers"] == 2
    assert calls(server, "on_starting")[0]["workers"] == 2
    # pre_fork in the master (pid not known yet), then post_fork and post_worker_init in the child.
    assert all(r["worker"]["pid"] is None for r in calls(server, "pre_fork"))
    for name in ("post_fork", "post_worker_init"):
        records = calls(server, name)
        assert sorted(r["pid"] for r in records) == sorted(workers), name
        assert all(r["worker"]["pid"] == r["pid"] for r in records)
        assert all(r["worker"]["ppid"] == server.pid for r in records)
    assert all(r["has_app"] for r in calls(server, "post_worker_init"))
    assert all(r["server_pid"] == server.pid for r in calls(server, "post_fork"))
    for pid in workers:
        mine = [r["hook"] for r in calls(server) if r["pid"] == pid]
        assert mine[:2] == ["post_fork", "post_worker_init"], mine
    assert seq.index("pre_fork") < seq.index("post_fork")


def test_request_hooks_around_each_request(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    server.wait_workers(2)
    reply = server.get("/hello?x=1", headers={"X-Probe": "yes"})
    assert reply.status_code == 200
    (pre,) = wait_calls(server, "pre_request")
    (post,) = wait_calls(server, "post_request")
    assert pre["pid"] == post["pid"] != server.pid
    assert (pre["method"], pre["path"], pre["query"], pre["uri"]) == ("GET", "/hello", "x=1",
                                                                       "/hello?x=1")
    assert pre["version"] == [1, 1]
    assert ["X-PROBE", "yes"] in pre["headers"]
    assert post["status"] == "200 OK" and post["status_code"] == 200
    assert post["environ_path"] == "/hello" and post["nr"] == 1
    # post_request runs in a `finally`: also when the app fails.
    assert server.get("/error/before-start").status_code == 500
    wait_calls(server, "post_request", 2)
    assert calls(server, "pre_request")[1]["path"] == "/error/before-start"


def test_worker_exit_and_respawn(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    workers = server.wait_workers(2)
    wait_calls(server, "post_worker_init", 2)
    victim = workers[0]
    import os
    os.kill(victim, signal.SIGTERM)
    (exit_call,) = wait_calls(server, "worker_exit")
    assert exit_call["pid"] == victim and exit_call["worker"]["pid"] == victim
    (child,) = wait_calls(server, "child_exit")
    assert child["pid"] == server.pid and child["worker"]["pid"] == victim
    wait_calls(server, "post_worker_init", 3)
    seq = names(server)
    assert seq.index("worker_exit") < seq.index("child_exit") < len(seq) - 1
    assert seq[seq.index("child_exit"):].count("pre_fork") == 1


def test_ttin_ttou_call_nworkers_changed(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    server.wait_workers(2)
    server.signal(signal.SIGTTIN)
    wait_calls(server, "nworkers_changed", 2)
    assert calls(server, "nworkers_changed")[1] == {
        "new": 3, "old": 2, "hook": "nworkers_changed", "pid": server.pid}
    server.wait_workers(3)
    server.signal(signal.SIGTTOU)
    wait_calls(server, "nworkers_changed", 3)
    assert calls(server, "nworkers_changed")[2]["new"] == 2
    server.wait_workers(2)


def test_hup_calls_on_reload_before_new_workers(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    server.wait_workers(2)
    wait_calls(server, "post_worker_init", 2)
    before = len(calls(server))
    server.signal(signal.SIGHUP)
    (reload_call,) = wait_calls(server, "on_reload")
    assert reload_call["pid"] == server.pid
    wait_calls(server, "post_worker_init", 4)
    after = names(server)[before:]
    assert after[0] == "on_reload", after
    assert after.index("on_reload") < after.index("pre_fork")
    assert server.get("/hello").status_code == 200


def test_shutdown_calls_on_exit_last(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path)
    workers = server.wait_workers(2)
    wait_calls(server, "post_worker_init", 2)
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    records = calls(server)
    assert records[-1]["hook"] == "on_exit" and records[-1]["pid"] == server.pid
    assert sorted(r["pid"] for r in calls(server, "worker_exit")) == sorted(workers)
    assert sorted(r["worker"]["pid"] for r in calls(server, "child_exit")) == sorted(workers)


def test_raising_pre_request_answers_500_like_gunicorn(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, raise_in="pre_request")
    server.wait_workers(2)
    assert server.get("/hello").status_code == 500
    server.wait_for_log(r"\[ERROR\] Error handling request /hello")
    server.wait_for_log(r"RuntimeError: hook pre_request failed on purpose")
    # post_request still runs (Gunicorn's `finally`), with resp None.
    (post,) = wait_calls(server, "post_request")
    assert post["status"] is None and post["environ_path"] is None
    assert calls(server, "post_worker_init")  # the worker is still there
    assert server.get("/hello").status_code == 500


def test_raising_worker_hook_is_logged_and_the_server_keeps_serving(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, raise_in="post_request")
    server.wait_workers(2)
    assert server.get("/hello").status_code == 200
    server.wait_for_log(r"\[ERROR\] Exception in post_request hook")
    server.wait_for_log(r"RuntimeError: hook post_request failed on purpose")
    assert server.get("/hello").status_code == 200


def test_raising_master_hook_does_not_stop_the_master(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, raise_in="when_ready")
    server.wait_workers(2)
    server.wait_for_log(r"\[ERROR\] Exception in when_ready hook")
    assert server.get("/hello").status_code == 200
    server.signal(signal.SIGTTIN)
    server.wait_workers(3)


def test_worker_int_on_quit_while_idle(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, "-w", "1")
    (worker,) = server.wait_workers(1)
    wait_calls(server, "post_worker_init")
    import os
    os.kill(worker, signal.SIGQUIT)
    (hook,) = wait_calls(server, "worker_int")
    assert hook["pid"] == worker
    (exit_call,) = wait_calls(server, "worker_exit")
    assert exit_call["pid"] == worker
    assert names(server).index("worker_int") < names(server).index("worker_exit")


def test_worker_int_on_int_while_busy_in_the_app(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, "-w", "1")
    (worker,) = server.wait_workers(1)
    wait_calls(server, "post_worker_init")
    outcome = {}

    def slow():
        try:
            outcome["reply"] = server.get("/sleep?s=20", timeout=30)
        except Exception as e:  # the worker exits mid-request: no reply is fine
            outcome["error"] = e

    t = threading.Thread(target=slow)
    t.start()
    wait_calls(server, "pre_request")
    time.sleep(0.3)
    import os
    started = time.monotonic()
    os.kill(worker, signal.SIGINT)
    (hook,) = wait_calls(server, "worker_int")
    assert hook["pid"] == worker
    wait_calls(server, "worker_exit")
    t.join(10)
    assert time.monotonic() - started < 10
    assert not t.is_alive()


def test_worker_abort_on_timeout(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, "-w", "1", "--timeout", "2")
    (worker,) = server.wait_workers(1)
    wait_calls(server, "post_worker_init")

    def slow():
        try:
            server.get("/sleep?s=20", timeout=30)
        except Exception:
            pass

    threading.Thread(target=slow, daemon=True).start()
    (hook,) = wait_calls(server, "worker_abort")
    assert hook["pid"] == worker
    server.wait_for_log(r"WORKER TIMEOUT \(pid:%d\)" % worker)
    wait_calls(server, "child_exit")


def test_hook_given_as_import_string(start_server, tmp_path):
    site = make_site(tmp_path)
    write(site / "myhooks.py", """
        def post_fork(server, worker):
            server.log.info("myhooks.post_fork for %s", worker.pid)
        """)
    write(site / "gunicorn.conf.py", """
        workers = 1
        post_fork = "myhooks.post_fork"
        """)
    server = start_server("pep3333_app:application", cwd=site, chdir=False)
    (worker,) = server.wait_workers(1)
    server.wait_for_log(r"myhooks.post_fork for %d" % worker)


def test_unmodified_typical_gunicorn_conf_py_calls_its_hooks(start_server, tmp_path):
    """Issue 3: bind, workers, accesslog, raw_env and a post_fork hook that is really called."""
    site = make_site(tmp_path)
    port = free_port()
    write(site / "gunicorn.conf.py", f"""
        import multiprocessing
        import os

        bind = "127.0.0.1:{port}"
        workers = 2
        accesslog = "-"
        errorlog = "-"
        loglevel = "info"
        raw_env = ["APP_MODE=production"]

        def on_starting(server):
            server.log.info("Starting with %d workers", server.cfg.workers)

        def post_fork(server, worker):
            server.log.info("Worker spawned (pid: %s)", worker.pid)

        def pre_fork(server, worker):
            pass

        def pre_exec(server):
            server.log.info("Forked child, re-executing.")

        def when_ready(server):
            server.log.info("Server is ready. Spawning workers")

        def worker_int(worker):
            worker.log.info("worker received INT or QUIT signal")

        def worker_abort(worker):
            worker.log.info("worker received SIGABRT signal")

        def post_request(worker, req, environ, resp):
            worker.log.info("post_request %s %s -> %s", req.method, req.path, resp.status)
        """)
    server = start_server("pep3333_app:application", bind=f"127.0.0.1:{port}", pass_bind=False,
                          cwd=site, chdir=False)
    workers = server.wait_workers(2)
    for pid in workers:
        server.wait_for_log(r"\[INFO\] Worker spawned \(pid: %d\)" % pid)
    server.wait_for_log(r"Starting with 2 workers")
    server.wait_for_log(r"Server is ready. Spawning workers")
    reply = server.get("/getenv?name=APP_MODE")
    assert reply.json()["value"] == "production"
    server.wait_for_log(r"post_request GET /getenv -> 200 OK")
    server.wait_for_log(r'"GET /getenv\?name=APP_MODE HTTP/1.1" 200', source=server.stdout_text)
    assert "not supported" not in server.log_text()


def test_usr2_calls_pre_exec_in_the_child_that_becomes_the_new_master(start_server, tmp_path):
    server = start_hooked(start_server, tmp_path, "-w", "1")
    server.wait_workers(1)
    wait_calls(server, "post_worker_init")
    server.signal(signal.SIGUSR2)
    (pre_exec,) = wait_calls(server, "pre_exec")
    assert pre_exec["server_pid"] == server.pid and pre_exec["pid"] != server.pid
    # exec keeps the pid: the new master's on_starting runs in the process pre_exec ran in.
    starts = wait_calls(server, "on_starting", 2)
    assert starts[1]["pid"] == pre_exec["pid"]
    assert starts[1]["proc_name"].endswith(".2")
    wait_calls(server, "post_worker_init", 2)
    new_master = pre_exec["pid"]
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    import os
    os.kill(new_master, signal.SIGTERM)
    assert wait_until(lambda: calls(server, "on_exit")
                      and calls(server, "on_exit")[-1]["pid"] == new_master, WAIT_DEADLINE)


def test_thread_started_by_a_master_hook_runs(start_server, tmp_path):
    """A when_ready hook starting a thread in the master (a metrics endpoint, typically) must
    see it run: the master lets go of the interpreter while it waits."""
    site = make_site(tmp_path)
    marker = tmp_path / "thread.txt"
    write(site / "gunicorn.conf.py", f"""
        import os, threading, time
        workers = 1

        def when_ready(server):
            def tick():
                for i in range(50):
                    # Replace atomically: the test must never read a half-written file.
                    with open({str(marker)!r} + ".tmp", "w") as f:
                        f.write("%d %d" % (os.getpid(), i))
                    os.replace({str(marker)!r} + ".tmp", {str(marker)!r})
                    time.sleep(0.05)
            threading.Thread(target=tick, daemon=True).start()
        """)
    server = start_server("pep3333_app:application", cwd=site, chdir=False)
    server.wait_workers(1)
    assert wait_until(lambda: int(marker.read_text().split()[1]) >= 10, WAIT_DEADLINE)
    assert int(marker.read_text().split()[0]) == server.pid
    assert server.get("/hello").status_code == 200
