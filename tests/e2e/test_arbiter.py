"""The master process: workers, titles, signals, timeouts, max-requests, binding."""

import json
import os
import signal
import socket
import threading

import pytest

from conftest import EXAMPLES, PRODUCT, WAIT_DEADLINE, cmdline, process_alive
from httpclient import build_request, free_port, parse_response, raw_request, wait_until


def pid_of_worker_answering(server):
    resp = server.get("/pid")
    assert resp.status_code == 200
    return int(resp.text)


class SlowRequest(threading.Thread):
    """Runs one request in the background; .response holds the parsed result (or .error)."""

    def __init__(self, server, path, timeout=30):
        super().__init__(daemon=True)
        self.server, self.path, self.timeout = server, path, timeout
        self.response = self.error = None
        self.start()

    def run(self):
        try:
            self.response = self.server.request("GET", self.path, timeout=self.timeout)
        except Exception as exc:  # reported by the test
            self.error = exc


def start_slow(server, tmp_path, seconds):
    """Start /sleep in the background and wait until the app is inside it."""
    marker = tmp_path / f"in-flight-{seconds}"
    slow = SlowRequest(server, f"/sleep?s={seconds}&marker={marker}")
    assert wait_until(marker.exists, WAIT_DEADLINE), server.log_text()
    return slow


# ---------------------------------------------------------------------------------------------
# workers and titles

def test_worker_count_and_process_titles(start_server):
    server = start_server("hello:application", "-w", "2", cwd=EXAMPLES)
    workers = server.wait_workers(2)
    assert cmdline(server.pid).startswith(f"{PRODUCT}: master [hello:application]"), \
        cmdline(server.pid)
    # A child shows the master's title until its first instructions after fork() rename it.
    for pid in workers:
        assert wait_until(
            lambda: cmdline(pid).startswith(f"{PRODUCT}: worker [hello:application]"),
            WAIT_DEADLINE), \
            cmdline(pid)


def test_proc_name(start_server):
    server = start_server("hello:application", "-n", "hello", cwd=EXAMPLES)
    worker = server.wait_workers(1)[0]
    assert cmdline(server.pid).startswith(f"{PRODUCT}: master [hello]")
    assert wait_until(lambda: cmdline(worker).startswith(f"{PRODUCT}: worker [hello]"),
                      WAIT_DEADLINE), \
        cmdline(worker)


def test_killed_worker_is_replaced(start_server):
    server = start_server("pep3333_app:application", "-w", "2")
    before = server.wait_workers(2)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    server.wait_for_log(rf"Worker \(pid:{victim}\) was sent SIGKILL! Perhaps out of memory\?")
    assert wait_until(lambda: len(server.worker_pids()) == 2 and victim not in server.worker_pids(),
                      WAIT_DEADLINE), server.log_text()
    after = server.worker_pids()
    assert before[1] in after
    assert server.get("/hello").status_code == 200
    assert server.alive()


def test_worker_exit_on_sigterm_is_replaced(start_server):
    server = start_server("pep3333_app:application")
    victim = server.wait_workers(1)[0]
    os.kill(victim, signal.SIGTERM)
    assert wait_until(lambda: server.worker_pids() and victim not in server.worker_pids(),
                      WAIT_DEADLINE)
    assert pid_of_worker_answering(server) != victim


def test_worker_timeout(start_server, tmp_path):
    server = start_server("pep3333_app:application", "--timeout", "2")
    stuck = server.wait_workers(1)[0]
    slow = SlowRequest(server, "/sleep?s=30", timeout=20)
    server.wait_for_log(rf"WORKER TIMEOUT \(pid:{stuck}\)", timeout=15)
    slow.join(15)
    assert not slow.is_alive()
    assert slow.response is None or slow.response.status != 200
    assert wait_until(lambda: not process_alive(stuck), WAIT_DEADLINE)
    assert pid_of_worker_answering(server) != stuck
    assert server.alive()


def test_max_requests(start_server):
    server = start_server("pep3333_app:application", "--max-requests", "3")
    pids = [pid_of_worker_answering(server) for _ in range(3)]
    assert len(set(pids)) == 1
    server.wait_for_log(r"Autorestarting worker after current request\.")
    fourth = pid_of_worker_answering(server)
    assert fourth != pids[0]
    assert server.alive()


# ---------------------------------------------------------------------------------------------
# signals to the master

def test_sigterm_is_graceful(start_server, tmp_path):
    server = start_server("pep3333_app:application", "--graceful-timeout", "10")
    slow = start_slow(server, tmp_path, 1.5)
    server.signal(signal.SIGTERM)
    code = server.wait_exit()
    slow.join(5)
    assert code == 0, server.log_text()
    assert slow.error is None, slow.error
    assert slow.response.status == 200 and slow.response.body == b"slept"


def test_sigterm_kills_after_graceful_timeout(start_server, tmp_path):
    server = start_server("pep3333_app:application", "--graceful-timeout", "1")
    worker = server.wait_workers(1)[0]
    start_slow(server, tmp_path, 30)
    server.signal(signal.SIGTERM)
    code = server.wait_exit(timeout=8)
    assert code == 0
    assert wait_until(lambda: not process_alive(worker), WAIT_DEADLINE)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGQUIT])
def test_quick_shutdown(start_server, tmp_path, sig):
    server = start_server("pep3333_app:application", "-w", "2", "--graceful-timeout", "20")
    workers = server.wait_workers(2)
    start_slow(server, tmp_path, 30)
    server.signal(sig)
    code = server.wait_exit(timeout=5)            # far less than the graceful timeout
    assert code == 0
    assert wait_until(lambda: not any(process_alive(p) for p in workers), WAIT_DEADLINE)


def test_ttin_ttou(start_server):
    server = start_server("hello:application", "-w", "2", cwd=EXAMPLES)
    server.wait_workers(2)
    server.signal(signal.SIGTTIN)
    server.wait_workers(3)
    server.signal(signal.SIGTTOU)
    server.wait_workers(2)
    server.signal(signal.SIGTTOU)
    server.wait_workers(1)
    server.signal(signal.SIGTTOU)                # never below one worker
    assert len(server.wait_workers(1)) == 1
    assert server.get("/").status_code == 200
    assert "Handling signal: ttin" in server.log_text()


def test_hup_replaces_workers(start_server):
    server = start_server("pep3333_app:application", "-w", "2")
    before = set(server.wait_workers(2))
    server.signal(signal.SIGHUP)
    assert wait_until(lambda: len(server.worker_pids()) == 2
                      and not before & set(server.worker_pids()), WAIT_DEADLINE), \
        server.log_text()
    assert server.get("/hello").status_code == 200
    assert server.alive()


def test_master_survives_worker_crash_loop(start_server):
    """Repeatedly killed workers keep being replaced; the master never goes down."""
    server = start_server("hello:application", cwd=EXAMPLES)
    for _ in range(3):
        victim = server.wait_workers(1)[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_until(lambda: server.worker_pids() and victim not in server.worker_pids(),
                          WAIT_DEADLINE)
    assert server.get("/").status_code == 200


# ---------------------------------------------------------------------------------------------
# binding

def test_busy_port(start_server):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        server = start_server("hello:application", cwd=EXAMPLES, bind=f"127.0.0.1:{port}",
                              wait=False)
        code = server.wait_exit(timeout=20)
    assert code == 1
    assert "Connection in use" in server.log_text()


def test_unix_socket(start_server, tmp_path):
    path = str(tmp_path / "gf.sock")
    server = start_server("pep3333_app:application", bind=f"unix:{path}")
    resp = parse_response(server.raw(build_request("GET", "/env")))
    assert resp.status == 200
    env = json.loads(resp.body)
    assert env["SERVER_NAME"] == "localhost"          # from the Host header on UNIX sockets
    assert f"Listening at: unix:{path}" in server.log_text()
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    assert not os.path.exists(path)                  # unlinked on shutdown


def test_stale_unix_socket_is_replaced(start_server, tmp_path):
    path = tmp_path / "stale.sock"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()                                    # leaves the file behind
    server = start_server("hello:application", cwd=EXAMPLES, bind=f"unix:{path}")
    assert parse_response(server.raw(build_request("GET", "/"))).body == b"Hello, World!"


def test_two_binds(start_server):
    other = free_port()
    server = start_server("hello:application", "-b", f"127.0.0.1:{other}", cwd=EXAMPLES)
    for port in (server.port, other):
        resp = parse_response(raw_request(port, build_request("GET", "/"), timeout=WAIT_DEADLINE))
        assert resp.status == 200 and resp.body == b"Hello, World!"
    line = server.wait_for_log(r"Listening at: .*").group(0)
    assert f"127.0.0.1:{server.port}" in line and f"127.0.0.1:{other}" in line


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_available(), reason="no IPv6 loopback")
def test_ipv6_bind(start_server):
    port = free_port()
    server = start_server("pep3333_app:application", bind=f"[::1]:{port}")
    resp = parse_response(server.raw(build_request("GET", "/env")))
    assert resp.status == 200
    env = json.loads(resp.body)
    assert env["REMOTE_ADDR"] == "::1"
    assert f"Listening at: http://[::1]:{port}" in server.log_text()
