"""Failure drills: things going wrong in the app, the client or the system.

Each drill checks that the master survives (same master process, still serving) and that
service resumes. App errors must not cost the worker its life (the same pid serves the next
request); crashes and kills cost exactly that worker, which the master replaces.

Every drill runs for each worker class; the gthread and asgi runs skip themselves while the
binary still says that their worker is not supported (it then runs the sync worker instead).
Uses tests/apps/drill_app.py (sync, gthread) and its ASGI twin tests/apps/asgi_drill_app.py
(asgi). The drills about WSGI's own contract (start_response status and headers, body
iterables, environ["gunicorn.socket"]) run for sync and gthread only; their ASGI counterparts
(invalid messages, statuses, headers and bodies) are in test_asgi_drills.py.
"""

import json
import os
import re
import resource
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import WAIT_DEADLINE, process_alive
from httpclient import build_request, connect, parse_response, status_of, wait_until

APPS = {"sync": "drill_app:application", "gthread": "drill_app:application",
        "asgi": "asgi_drill_app:app"}
# `make sanitize` runs this suite against an ASan build (GREENFORK_SANITIZED=1): its allocator
# keeps freed memory in quarantine, and it reports a SIGSEGV itself (a report fails the run).
SANITIZED = bool(os.environ.get("GREENFORK_SANITIZED"))
WORKER_CLASSES = ["sync", "gthread", "asgi"]
WSGI_CLASSES = ["sync", "gthread"]
GTHREAD_THREADS = 4
LOAD_CLIENTS = 4                    # client threads of test_sigkill_under_load


def worker_args(worker_class):
    if worker_class == "gthread":
        return ["-k", "gthread", "--threads", str(GTHREAD_THREADS)]
    return ["-k", worker_class]


def skip_unless_supported(server, worker_class):
    """Skip when the binary says it does not run this worker class (it falls back to sync)."""
    if worker_class == "sync":
        return
    server.wait_for_log(r"Using worker: ")
    text = server.log_text()
    refused = [line for line in text.splitlines()
               if "not supported" in line and ("worker_class" in line or worker_class in line)]
    if refused or f"Using worker: {worker_class}" not in text:
        server.kill()
        pytest.skip(f"{worker_class} worker not supported by this binary yet: "
                    f"{refused[0] if refused else 'it runs another worker'}")


@pytest.fixture(params=WORKER_CLASSES)
def worker_class(request):
    return request.param


@pytest.fixture
def start_drill(start_server, worker_class):
    """start_drill(*args) -> a server of the parametrized worker class running drill_app."""
    def start(*args, **kwargs):
        server = start_server(APPS[worker_class], *worker_args(worker_class), *args, **kwargs)
        skip_unless_supported(server, worker_class)
        server.worker_class = worker_class
        return server
    return start


@pytest.fixture(scope="module", params=WORKER_CLASSES)
def shared(request, module_server_factory):
    """One server per worker class for the drills that must leave its worker alive."""
    server = module_server_factory(APPS[request.param], "-w", "1", *worker_args(request.param))
    skip_unless_supported(server, request.param)
    server.worker_class = request.param
    return server


# For the drills of WSGI's own contract: `shared` for the WSGI worker classes only.
WSGI_ONLY = pytest.mark.parametrize("shared", WSGI_CLASSES, indirect=True)


# ---------------------------------------------------------------------------------------------
# helpers

CLOSE = {"Connection": "close"}     # one request per connection, for every worker class


def req(path, method="GET", headers=None):
    return build_request(method, path, headers={**CLOSE, **(headers or {})})


def get(server, path, timeout=WAIT_DEADLINE):
    return server.request("GET", path, headers=CLOSE, timeout=timeout)


def pid_answering(server):
    resp = get(server, "/pid")
    assert resp.status == 200, resp
    return int(resp.body)


def parent_of(pid):
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2:].split()[1])


def assert_master_serving(server):
    """The original master is alive and a worker of *that* master answers."""
    assert server.alive(), server.log_text()
    worker = pid_answering(server)
    assert parent_of(worker) == server.pid
    return worker


def wait_replaced(server, victim, count=1):
    assert wait_until(lambda: not process_alive(victim), WAIT_DEADLINE), server.log_text()
    workers = server.wait_workers(count)
    assert victim not in workers
    return workers


def log_since(server, mark):
    return server.log_text()[mark:]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def background(fn, *args):
    thread = threading.Thread(target=fn, args=args, daemon=True)
    thread.start()
    return thread


# ---------------------------------------------------------------------------------------------
# the worker process dies

def test_segfault_in_app(start_drill):
    env = None
    if SANITIZED:       # the crash is the point here, not an ASan report about it
        env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":handle_segv=0"}
    server = start_drill("-w", "1", env=env)
    victim = server.wait_workers(1)[0]
    raw = b""
    try:
        raw = server.raw(req("/segv"), timeout=10)
    except OSError:
        pass
    assert not raw.startswith(b"HTTP/1.1 200"), raw
    server.wait_for_log(rf"Worker \(pid:{victim}\) was sent SIGSEGV")
    # faulthandler writes the Python stack of the crashing worker to the error log.
    assert re.search(r"Segmentation fault[\s\S]*in segv", server.log_text()), server.log_text()
    wait_replaced(server, victim)
    assert assert_master_serving(server) != victim


def test_sigkill_under_load(start_drill):
    """Kill one of two workers while four clients hammer the server: only what that worker
    had in flight may fail, everything after the kill succeeds."""
    server = start_drill("-w", "2")
    workers = server.wait_workers(2)
    victim = workers[0]
    stop = threading.Event()
    killed_at = []
    results = []                        # (start, end, ok, detail)
    lock = threading.Lock()

    def client():
        while not stop.is_set():
            begin = time.monotonic()
            try:
                resp = get(server, "/work?ms=5")
                ok, detail = resp.status == 200, resp.status
            except Exception as exc:  # counted below
                ok, detail = False, repr(exc)
            with lock:
                results.append((begin, time.monotonic(), ok, detail))

    def completed(since=0.0):
        with lock:
            return len([r for r in results if r[0] > since])

    clients = [background(client) for _ in range(LOAD_CLIENTS)]
    time.sleep(0.7)
    # The workers exist, but may still be booting: the kill must land on a server under load.
    assert wait_until(lambda: completed() >= 20, WAIT_DEADLINE), results[:5]
    killed_at.append(time.monotonic())
    os.kill(victim, signal.SIGKILL)
    server.wait_for_log(rf"Worker \(pid:{victim}\) was sent SIGKILL!")
    wait_replaced(server, victim, count=2)
    time.sleep(0.7)
    # Enough requests begun after the kill, however long the survivor and the new worker take.
    wait_until(lambda: completed(since=killed_at[0] + 0.05) >= 20, WAIT_DEADLINE)
    stop.set()
    for thread in clients:
        thread.join(WAIT_DEADLINE)
    failures = [r for r in results if not r[2]]
    # A sync worker has one request in flight; a gthread worker at most one per thread, and
    # never more than there are clients; an asgi worker as many as there are clients.
    in_flight_cap = {"sync": 1, "gthread": min(LOAD_CLIENTS, GTHREAD_THREADS),
                     "asgi": LOAD_CLIENTS}[server.worker_class]
    assert len(failures) <= in_flight_cap, (failures, len(results))
    # Failures are requests that were running when the kill landed, nothing later.
    for begin, _end, _ok, detail in failures:
        assert begin <= killed_at[0], (detail, failures)
    after = [r for r in results if r[0] > killed_at[0] + 0.05]
    assert len(after) >= 20 and all(r[2] for r in after), after[:5]
    assert_master_serving(server)


def test_app_hangs_past_timeout(start_drill):
    """sync: the hung worker misses its heartbeat, the master logs WORKER TIMEOUT, kills it and
    starts another. gthread (as Gunicorn's): the main thread keeps beating while one pool thread
    hangs, so the worker is not killed - the other threads must keep serving. asgi: the app
    blocks the event loop thread (time.sleep), so the loop cannot beat: as sync. (An app that
    awaits forever is test_asgi_drills.py's.)"""
    server = start_drill("-w", "1", "--timeout", "2")
    victim = server.wait_workers(1)[0]
    hung = {}

    def request():
        try:
            hung["raw"] = server.raw(req("/hang"), timeout=20)
        except Exception as exc:  # the worker dies under it
            hung["error"] = exc

    thread = background(request)
    if server.worker_class == "gthread":
        time.sleep(3)                                       # past --timeout
        if "WORKER TIMEOUT" not in server.log_text():
            assert pid_answering(server) == victim          # another thread answers
            assert server.alive()
            return
    server.wait_for_log(rf"WORKER TIMEOUT \(pid:{victim}\)", timeout=15)
    thread.join(15)
    assert not thread.is_alive()
    assert status_of(hung.get("raw", b"")) != 200, hung
    wait_replaced(server, victim)
    assert assert_master_serving(server) != victim


# ---------------------------------------------------------------------------------------------
# the application misbehaves: 500, error logged, same worker serves on

# An error raised by the server while it iterates the body has no Python frame, so its
# traceback is the exception line alone.
TRACEBACK = r"Error handling request[^\n]*\n(Traceback \(most recent call last\):\n[\s\S]*)?"


def check_app_error(server, path, log_pattern):
    """The request gets a 500 (or, once bytes were sent, a closed connection), no traceback
    reaches the client, the error is logged and the same worker answers the next request."""
    before = pid_answering(server)
    mark = len(server.log_text())
    raw = server.raw(req(path))
    if raw:
        resp = parse_response(raw)
        assert resp.status == 500 or not resp.complete, raw
        if resp.status == 500:
            assert resp.header("Connection", "").lower() == "close"
    assert b"Traceback" not in raw and b"should-not-be-sent" not in raw, raw
    head = raw.partition(b"\r\n\r\n")[0]
    assert b"X-Injected" not in head, raw
    assert wait_until(lambda: re.search(log_pattern, log_since(server, mark)), WAIT_DEADLINE), \
        log_since(server, mark)
    assert pid_answering(server) == before
    assert server.alive()
    return raw


@pytest.mark.parametrize("path, error", [
    ("/raise/before", "RuntimeError: drill-before-start-response"),
    ("/raise/after", "RuntimeError: drill-after-start-response"),
])
def test_app_raises(shared, path, error):
    raw = check_app_error(shared, path, TRACEBACK + error)
    if shared.worker_class == "asgi" and path == "/raise/after":
        # http.response.start was sent: the connection is closed without a complete response
        # (check_app_error), whether or not the head had gone out.
        return
    assert raw.startswith(b"HTTP/1.1 500 "), raw       # nothing was sent before the error


@pytest.mark.parametrize("kind", ["no-reason-garbage", "letters", "short", "no-space", "crlf",
                                  "int", "bytes"])
@WSGI_ONLY
def test_invalid_status(shared, kind):
    check_app_error(shared, f"/bad/status?kind={kind}", TRACEBACK + r"(Invalid status|TypeError)")


@pytest.mark.parametrize("kind", ["space", "colon", "empty", "crlf", "non-str"])
@WSGI_ONLY
def test_invalid_header_name(shared, kind):
    check_app_error(shared, f"/bad/header-name?kind={kind}",
                    TRACEBACK + r"(Invalid HTTP header name|TypeError)")


@pytest.mark.parametrize("kind", ["crlf", "lf", "cr", "nul"])
@WSGI_ONLY
def test_header_value_with_control_bytes(shared, kind):
    check_app_error(shared, f"/bad/header-value?kind={kind}", TRACEBACK + r"Invalid HTTP Header")


@pytest.mark.parametrize("kind", ["str", "int", "none", "bare-bytes-ints", "not-iterable"])
@WSGI_ONLY
def test_non_bytes_body(shared, kind):
    check_app_error(shared, f"/bad/body?kind={kind}", TRACEBACK + r"TypeError: ")


@WSGI_ONLY
def test_app_closes_gunicorn_socket(shared):
    """The app closes environ["gunicorn.socket"] and opens new descriptors, which reuse the
    closed number. The server must neither write the response into them nor close them (it did
    both before environ["gunicorn.socket"] became a duplicate of the connection's descriptor)."""
    before = pid_answering(shared)
    raw = shared.raw(req("/socket/close"))
    assert raw == b"" or parse_response(raw).body == b"after-close", raw
    check = get(shared, "/socket/check")
    assert check.status == 200, check
    state = json.loads(check.body)
    assert state == {"leaked": "", "intact": True}, state
    assert pid_answering(shared) == before


# ---------------------------------------------------------------------------------------------
# the client goes away

def test_client_disconnects_mid_request(shared):
    before = pid_answering(shared)
    for _ in range(3):
        with connect(shared.address()) as sock:
            sock.sendall(req("/upload", "POST", headers={"Content-Length": "1000000"}))
            sock.sendall(b"y" * 300000)
            time.sleep(0.05)
        # closed with 700000 bytes still owed
    assert pid_answering(shared) == before
    assert get(shared, "/hello").body == b"hello"
    assert shared.alive()


def require_pathsend(server):
    """Skip unless the ASGI server offers the http.response.pathsend extension."""
    resp = get(server, f"/big?file={os.devnull}")
    if resp.status == 501:
        pytest.skip("this ASGI server does not offer http.response.pathsend")


# file_wrapper: wsgi.file_wrapper for WSGI, http.response.pathsend for asgi (both sendfile).
@pytest.mark.parametrize("body", ["iterable", "file_wrapper"])
def test_client_disconnects_mid_response(shared, tmp_path, body):
    before = pid_answering(shared)
    closed_before = int(get(shared, "/closed").body)
    path = "/big?mb=256"
    if body == "file_wrapper" and shared.worker_class == "asgi":
        require_pathsend(shared)              # the ASGI way to send a file
    if body == "file_wrapper":
        big_file = tmp_path / "big.bin"
        with open(big_file, "wb") as f:
            f.truncate(256 * 1024 * 1024)                  # sparse: costs no disk
        path = f"/big?file={big_file}"
    for _ in range(3):
        with connect(shared.address()) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            sock.sendall(req(path))
            got = 0
            while got < 256 * 1024:
                data = sock.recv(65536)
                assert data, "server closed early"
                got += len(data)
        # closed after reading a little of a 256 MiB response
    # The worker notices on its next write and goes back to serving (well before 256 MiB).
    start = time.monotonic()
    assert pid_answering(shared) == before
    assert time.monotonic() - start < 5
    if body == "iterable":                                  # close() was called every time
        # A gthread worker may answer on another thread before the one that was writing the
        # third response has noticed the client is gone and called close(). For asgi, /closed
        # counts the /big tasks that have ended.
        assert wait_until(lambda: int(get(shared, "/closed").body) == closed_before + 3,
                          WAIT_DEADLINE), (get(shared, "/closed").body, closed_before)
    assert shared.alive()


# ---------------------------------------------------------------------------------------------
# resources

def hammer(server, count):
    """`count` short connections in a row: one request each, read to close."""
    data = req("/hello")
    address = server.address()
    for _ in range(count):
        with socket.create_connection(address, timeout=WAIT_DEADLINE) as sock:
            sock.sendall(data)
            while sock.recv(65536):
                pass


def test_many_short_connections_do_not_leak(start_drill):
    server = start_drill("-w", "1")
    worker = server.wait_workers(1)[0]
    hammer(server, 1000)                               # warm-up: caches, allocator arenas
    fds_before, rss_before = fd_count(worker), rss_kib(worker)
    start = time.monotonic()
    hammer(server, 10000)
    elapsed = time.monotonic() - start
    assert pid_answering(server) == worker
    fds_after, rss_after = fd_count(worker), rss_kib(worker)
    assert fds_after <= fds_before, (fds_before, fds_after)
    if not SANITIZED:
        assert rss_after <= rss_before + 2048, (rss_before, rss_after)
        assert elapsed < 30, elapsed
    assert server.alive()


def limit_fds(pid, headroom):
    """Lower a process's descriptor limit to what it has open now plus `headroom`."""
    limit = fd_count(pid) + headroom
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
    return limit


def assert_no_spin(pid, seconds, busy_fraction=0.3):
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    used = cpu_seconds(pid) - start_cpu
    assert used < busy_fraction * (time.monotonic() - start), f"{used:.2f}s CPU: spinning"


def test_accept_fails_when_worker_is_out_of_descriptors(start_drill):
    """The app uses up the worker's descriptors for 4 s: accept() fails with EMFILE, which
    is logged; the worker neither spins nor dies, and serves the queued client afterwards."""
    server = start_drill("-w", "1")
    worker = server.wait_workers(1)[0]
    # Booted first: a worker still importing its app would open more than the headroom.
    assert pid_answering(server) == worker
    limit = limit_fds(worker, 24)
    resp = get(server, "/hog?delay=0.2&s=4")
    assert resp.status == 200, resp
    assert wait_until(lambda: fd_count(worker) >= limit, WAIT_DEADLINE), (fd_count(worker), limit)
    exhausted_at = time.monotonic()
    waiting = {}

    def queued():
        try:
            waiting["resp"] = get(server, "/pid")
        except Exception as exc:  # reported below
            waiting["error"] = exc

    thread = background(queued)
    server.wait_for_log(r"accept\(\) failed: Too many open files")
    assert_no_spin(worker, 1.0)
    thread.join(WAIT_DEADLINE)
    assert "resp" in waiting, waiting
    assert waiting["resp"].status == 200
    assert int(waiting["resp"].body) == worker             # the same worker, recovered
    assert time.monotonic() - exhausted_at >= 2.0
    assert server.alive()
    assert assert_master_serving(server) == worker


def test_idle_connections_exhaust_descriptors(start_drill, worker_class):
    """Idle connections (a partial request head each) fill a threaded worker's descriptor
    table: accept() failures are logged, and once the clients leave it serves again.

    A sync worker holds one client at a time, so idle connections cannot exhaust it; the
    previous drill covers its accept() failure path.
    """
    if worker_class == "sync":
        pytest.skip("a sync worker holds one client socket at a time")
    server = start_drill("-w", "1", "--timeout", "30", "--keep-alive", "30")
    worker = server.wait_workers(1)[0]
    # Booted first: a worker still importing its app would open more than the headroom.
    assert pid_answering(server) == worker
    limit_fds(worker, 16)
    idle = []
    try:
        for _ in range(48):
            sock = connect(server.address())
            sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n")     # never finished
            idle.append(sock)
        server.wait_for_log(r"accept\(\) failed: Too many open files")
        assert_no_spin(worker, 1.0)
        assert server.alive() and process_alive(worker)
    finally:
        for sock in idle:
            sock.close()
    resp = get(server, "/pid")
    assert resp.status == 200 and int(resp.body) == worker
    assert server.alive()
