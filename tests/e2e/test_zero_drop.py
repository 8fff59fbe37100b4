"""Zero-drop guarantees: keep a bounded load on the server while the master reloads, upgrades
its binary, or resizes its worker pool, and count every request that did not get its answer.

Each scenario prints one `[zero-drop]` line with the numbers (`pytest -s` shows them). A
request counts as failed when it was reset, refused, timed out or answered with anything but
the expected 200 body.

The HUP, USR2 (daemonized with WINCH + QUIT, and foreground with TERM) and TTIN/TTOU scenarios
run for the sync, gthread and asgi workers: tests/apps/pep3333_app.py's /hello for the WSGI
ones, tests/apps/asgi_app.py's / (the same 13-byte "Hello, World!") for `-k asgi`.
"""

import os
import signal
import socket
import threading
import time
from collections import Counter

import pytest

from conftest import PRODUCT, WAIT_DEADLINE, children_of, cmdline, process_alive, wait_until

HELLO = b"Hello, World!"
CLIENT_THREADS = 4
REQUEST_TIMEOUT = WAIT_DEADLINE  # a request slower than this counts as failed


class LoadGenerator:
    """CLIENT_THREADS keep-alive-capable clients sending `GET path` until stop().

    A connection is reused while the server keeps it open (the sync worker closes after each
    response, so with it every request gets a fresh connection). Like any HTTP client, a request
    that finds a *reused* idle connection already closed by the server, before a single byte of
    answer, is retried once on a fresh connection (RFC 9112 9.3.1): that is a keep-alive race,
    not a dropped request. Everything else that goes wrong is counted as a failure.
    """

    def __init__(self, address, path="/hello", threads=CLIENT_THREADS, expect=HELLO):
        self.address = address
        self.request = (f"GET {path} HTTP/1.1\r\nHost: zero-drop\r\n"
                        f"User-Agent: zero-drop-load\r\n\r\n").encode()
        self.expect = expect
        self.counts = Counter()
        self.failures = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, daemon=True)
                         for _ in range(threads)]

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(REQUEST_TIMEOUT + 5)
        return self

    @property
    def sent(self):
        return self.counts["ok"] + self.failed

    @property
    def failed(self):
        return sum(v for k, v in self.counts.items() if k != "ok" and k != "retried")

    def summary(self, name):
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items()) if k != "ok")
        return (f"[zero-drop] {name}: sent={self.sent} ok={self.counts['ok']} "
                f"failed={self.failed}" + (f" ({kinds})" if kinds else ""))

    def _record(self, outcome, detail=None):
        with self._lock:
            self.counts[outcome] += 1
            if detail and len(self.failures) < 10:
                self.failures.append(f"{outcome}: {detail}")

    def _client(self):
        sock = None
        while not self._stop.is_set():
            reused = sock is not None
            try:
                if sock is None:
                    sock = socket.create_connection(self.address, timeout=REQUEST_TIMEOUT)
                outcome, keep, detail = self._exchange(sock)
            except ConnectionRefusedError as e:
                outcome, keep, detail = "refused", False, repr(e)
            except (ConnectionResetError, BrokenPipeError) as e:
                outcome, keep, detail = "reset", False, repr(e)
            except socket.timeout as e:
                outcome, keep, detail = "timeout", False, repr(e)
            except OSError as e:
                outcome, keep, detail = "error", False, repr(e)
            if not keep and sock is not None:
                sock.close()
                sock = None
            if reused and outcome == "stale":
                self._record("retried")
                continue
            if outcome == "stale":
                outcome = "reset"  # a fresh connection closed without an answer
            self._record(outcome, None if outcome == "ok" else detail)
        if sock is not None:
            sock.close()

    def _exchange(self, sock):
        """One request/response: (outcome, keep_connection, detail)."""
        sock.sendall(self.request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return ("stale" if not data else "reset"), False, f"EOF after {data[:80]!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        length = int(headers.get(b"content-length", b"-1"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return "reset", False, f"EOF in body after {len(body)} bytes"
            body += chunk
        keep = (lines[0].startswith(b"HTTP/1.1") and headers.get(b"connection") != b"close"
                and length >= 0)
        if not lines[0].startswith(b"HTTP/1.1 200") or body != self.expect:
            return "bad", keep, f"{lines[0]!r} {body[:80]!r}"
        return "ok", keep, None


def report(load, name, min_sent=100):
    print("\n" + load.summary(name))
    assert load.failed == 0, f"{load.summary(name)}; first failures: {load.failures}"
    assert load.sent >= min_sent, load.summary(name)


def live_workers(pid):
    return [p for p in children_of(pid) if process_alive(p) and "worker [" in cmdline(p)]


def new_master_of(pid, workers):
    """The USR2 child of master `pid`, once it calls itself a master. `workers`: the master's
    workers, which also show the master's title for a moment after they are forked."""
    return next((p for p in children_of(pid) if p not in workers and "master [" in cmdline(p)),
                None)


# ---------------------------------------------------------------------------------------------
# (a) HUP five times


# Every scenario runs for the sync worker, the gthread worker and the asgi worker (both keep
# connections alive, which the retiring workers must hand over without a reset).
WORKERS = pytest.mark.parametrize("worker", [[], ["-k", "gthread"], ["-k", "asgi"]],
                                  ids=["sync", "gthread", "asgi"])


def app_for(worker):
    """(APP_MODULE, path answering HELLO) for a worker's argument list."""
    if "asgi" in worker:
        return "asgi_app:app", "/"
    return "pep3333_app:application", "/hello"


def name_of(worker):
    return worker[-1] if worker else "sync"


@WORKERS
def test_zero_drop_hup(start_server, worker):
    app, path = app_for(worker)
    server = start_server(app, "-w", "2", "--graceful-timeout", "10", *worker)
    server.wait_workers(2)
    with LoadGenerator(server.address(), path=path) as load:
        time.sleep(0.5)
        for _ in range(5):
            server.signal(signal.SIGHUP)
            time.sleep(1.0)
        assert wait_until(lambda: len(live_workers(server.pid)) == 2, WAIT_DEADLINE)
        time.sleep(0.5)
    assert server.alive()
    # Two workers may be the previous generation still, before the master read the last HUP.
    assert wait_until(lambda: server.log_text().count("Hang up: Master") == 5, WAIT_DEADLINE), \
        server.log_text()
    report(load, f"HUP x5 ({name_of(worker)})")


# ---------------------------------------------------------------------------------------------
# (b) USR2 binary upgrade: kill -USR2 old; kill -WINCH old; kill -QUIT old


@WORKERS
def test_zero_drop_usr2_upgrade(start_server, tmp_path, worker):
    # The documented dance needs WINCH, which a master acts on only when daemonized.
    app, path = app_for(worker)
    pidfile = tmp_path / "gf.pid"
    errlog = tmp_path / "error.log"
    server = start_server(app, "-w", "2", "-D", "--pid", str(pidfile), "--error-logfile",
                          str(errlog), "--graceful-timeout", "10", *worker, wait=False)
    log_text = lambda: errlog.read_text(errors="replace") if errlog.exists() else ""  # noqa: E731
    masters = []
    try:
        assert wait_until(lambda: pidfile.exists() and pidfile.read_text().strip(),
                          WAIT_DEADLINE), log_text()
        old = int(pidfile.read_text())
        masters.append(old)
        assert wait_until(lambda: len(live_workers(old)) == 2, WAIT_DEADLINE), log_text()
        old_workers = live_workers(old)
        with LoadGenerator(server.address(), path=path) as load:
            time.sleep(0.5)
            os.kill(old, signal.SIGUSR2)
            new = wait_until(lambda: new_master_of(old, old_workers), WAIT_DEADLINE)
            assert new, log_text()
            masters.append(new)
            assert wait_until(lambda: cmdline(new).startswith(
                f"{PRODUCT}: master [{app}.2]"), WAIT_DEADLINE), cmdline(new)
            assert wait_until(lambda: len(live_workers(new)) == 2, WAIT_DEADLINE), log_text()
            assert wait_until(lambda: (tmp_path / "gf.pid.2").exists(), WAIT_DEADLINE), log_text()
            time.sleep(1.0)  # both generations serve side by side

            os.kill(old, signal.SIGWINCH)
            assert wait_until(lambda: not live_workers(old), WAIT_DEADLINE), log_text()
            assert process_alive(old)  # keeps its listeners: a rollback would still be possible
            time.sleep(0.5)
            os.kill(old, signal.SIGQUIT)
            assert wait_until(lambda: not process_alive(old), WAIT_DEADLINE), log_text()
            assert wait_until(lambda: "Master has been promoted." in log_text(), WAIT_DEADLINE), \
                log_text()
            assert wait_until(lambda: cmdline(new).startswith(
                f"{PRODUCT}: master [{app}]"), WAIT_DEADLINE), cmdline(new)
            time.sleep(1.0)  # the new master alone
        assert wait_until(lambda: pidfile.exists() and pidfile.read_text().strip() == str(new),
                          WAIT_DEADLINE), log_text()
        assert not (tmp_path / "gf.pid.2").exists()
        report(load, f"USR2 + WINCH + QUIT old master ({name_of(worker)})")
        os.kill(new, signal.SIGTERM)
        assert wait_until(lambda: not process_alive(new), WAIT_DEADLINE), log_text()
        assert "Shutting down: Master" in log_text()
    finally:
        for pid in masters:
            for p in [pid, *children_of(pid)]:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass


@WORKERS
def test_zero_drop_usr2_upgrade_foreground(start_server, worker):
    """Without -D there is no WINCH step: TERM lets the old workers finish their requests."""
    app, path = app_for(worker)
    server = start_server(app, "-w", "2", "--graceful-timeout", "10", *worker)
    workers = server.wait_workers(2)
    new = None
    try:
        with LoadGenerator(server.address(), path=path) as load:
            time.sleep(0.5)
            server.signal(signal.SIGUSR2)
            new = wait_until(lambda: new_master_of(server.pid, workers), WAIT_DEADLINE)
            assert new, server.log_text()
            assert wait_until(lambda: len(live_workers(new)) == 2, WAIT_DEADLINE), \
                server.log_text()
            time.sleep(0.5)
            server.signal(signal.SIGTERM)
            assert server.wait_exit() == 0
            server.wait_for_log(r"Master has been promoted\.")
            time.sleep(0.5)
        report(load, f"USR2 + TERM old master (foreground, {name_of(worker)})")
    finally:
        for p in [new, *children_of(new)] if new else []:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


def test_usr2_keeps_unix_socket_file_for_the_new_master(start_server, tmp_path):
    """TERM to the old master after USR2: its UNIX socket file stays for the new master."""
    path = str(tmp_path / "gf.sock")
    server = start_server("pep3333_app:application", "-w", "1", bind=f"unix:{path}")
    workers = server.wait_workers(1)
    server.signal(signal.SIGUSR2)
    new = wait_until(lambda: new_master_of(server.pid, workers), WAIT_DEADLINE)
    assert new, server.log_text()
    try:
        assert wait_until(lambda: len(live_workers(new)) == 1, WAIT_DEADLINE), server.log_text()
        server.signal(signal.SIGUSR2)
        server.wait_for_log(r"USR2 signal ignored\. Child exists\.")
        os.kill(new, signal.SIGUSR2)
        server.wait_for_log(r"USR2 signal ignored\. Parent exists\.")
        server.signal(signal.SIGTERM)
        assert server.wait_exit() == 0
        assert os.path.exists(path)
        assert server.request("GET", "/hello").status == 200
        server.wait_for_log(r"Master has been promoted\.")
        os.kill(new, signal.SIGTERM)
        assert wait_until(lambda: not process_alive(new), WAIT_DEADLINE), server.log_text()
        assert not os.path.exists(path)  # the promoted master owns the file now
    finally:
        for p in [new, *children_of(new)]:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# (c) TTIN / TTOU


@WORKERS
def test_zero_drop_ttin_ttou(start_server, worker):
    app, path = app_for(worker)
    server = start_server(app, "-w", "2", "--graceful-timeout", "10", *worker)
    server.wait_workers(2)
    with LoadGenerator(server.address(), path=path) as load:
        time.sleep(0.5)
        for sig, count in ((signal.SIGTTIN, 3), (signal.SIGTTIN, 4), (signal.SIGTTOU, 3),
                           (signal.SIGTTOU, 2), (signal.SIGTTIN, 3), (signal.SIGTTOU, 2)):
            server.signal(sig)
            assert wait_until(lambda: len(live_workers(server.pid)) == count, WAIT_DEADLINE), \
                server.log_text()
            time.sleep(0.5)
    report(load, f"TTIN/TTOU x6 ({name_of(worker)})")


# ---------------------------------------------------------------------------------------------
# (d) TERM with requests in flight


def test_term_completes_requests_in_flight(start_server, tmp_path):
    graceful = 6
    server = start_server("pep3333_app:application", "-w", "3", "--graceful-timeout",
                          str(graceful))
    server.wait_workers(3)
    results = {}

    def slow(n):
        marker = tmp_path / f"in-flight-{n}"
        try:
            resp = server.request("GET", f"/sleep?s=2&marker={marker}", timeout=graceful + 5)
            results[n] = (resp.status, resp.body)
        except Exception as e:  # noqa: BLE001 - any failure is the test's finding
            results[n] = ("error", repr(e))

    threads = [threading.Thread(target=slow, args=(n,), daemon=True) for n in range(3)]
    for t in threads:
        t.start()
    # Every request is inside a worker (accepted) before TERM is sent.
    assert wait_until(lambda: all((tmp_path / f"in-flight-{n}").exists() for n in range(3)),
                      WAIT_DEADLINE)
    started = time.monotonic()
    server.signal(signal.SIGTERM)
    assert server.wait_exit(graceful + 5) == 0
    elapsed = time.monotonic() - started
    for t in threads:
        t.join(5)
    completed = sum(1 for status, body in results.values() if status == 200 and body == b"slept")
    print(f"\n[zero-drop] TERM with requests in flight: sent=3 completed={completed} "
          f"failed={3 - completed} master exit after {elapsed:.1f}s (graceful timeout "
          f"{graceful}s)")
    assert completed == 3, results
    assert elapsed < graceful, elapsed
    with pytest.raises(OSError):  # the listener went away with the master
        server.request("GET", "/hello", timeout=2)
