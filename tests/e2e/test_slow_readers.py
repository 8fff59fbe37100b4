"""Slow readers cost a buffer, not the worker: while clients take large responses at a trickle
(or stop reading), the same gthread worker keeps answering everyone else."""

import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import SANITIZED

APP = "stream_app:application"
SLOW_READERS = 4
RATE = 256 * 1024          # bytes per second each slow reader takes
RESPONSE_MB = 20
# The worker's queue holds at most its high-water mark (256 KiB) per connection, plus one chunk.
PER_READER_BYTES = 256 * 1024 + 64 * 1024


def worker_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def slow_reader(address, path, stop, received):
    """Requests `path`, then reads it at RATE with a small receive buffer until `stop`."""
    with socket.create_connection(address, timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        while not stop.is_set():
            data = sock.recv(16 * 1024)
            if not data:
                break
            received.append(len(data))
            time.sleep(len(data) / RATE)


def run_wrk(url, seconds):
    assert shutil.which("wrk"), "wrk is installed by scripts/install-deps (make test)"
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "5s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Socket errors: (.*)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99_ms, (errors.group(1) if errors else None), non_2xx, out


@pytest.mark.parametrize("threads", [1, 4])
def test_slow_readers_do_not_stop_the_worker_answering_others(start_server, threads):
    server = start_server(APP, "-k", "gthread", "--threads", str(threads), "-w", "1")
    [worker] = server.wait_workers(1)
    server.get("/")  # the app is loaded
    rss_before = worker_rss_kib(worker)
    stop = threading.Event()
    received = [[] for _ in range(SLOW_READERS)]
    readers = [threading.Thread(target=slow_reader, daemon=True,
                                args=(server.address(), f"/big?mb={RESPONSE_MB}", stop, got))
               for got in received]
    for reader in readers:
        reader.start()
    time.sleep(1.0)  # every slow reader's response is under way and its queue full
    try:
        rate, p99_ms, errors, non_2xx, out = run_wrk(server.url + "/", 5)
        rss_during = worker_rss_kib(worker)
    finally:
        stop.set()
        for reader in readers:
            reader.join(10)
    print(f"[slow-readers threads={threads}] {rate:.0f} req/s, p99 {p99_ms:.2f} ms, "
          f"RSS {rss_before} -> {rss_during} KiB\n{out}")
    assert errors is None and non_2xx is None, out
    # Everyone else is answered, promptly (on main before the engine: 0 req/s).
    assert p99_ms < (1000 if SANITIZED else 100), out
    assert rate > (100 if SANITIZED else 1000), out
    # Each slow reader is trickled its response, and costs at most a bounded buffer.
    for got in received:
        assert sum(got) > RATE, [sum(g) for g in received]
    # (Under ASan the RSS is the sanitizer's: its quarantine keeps freed memory.)
    if not SANITIZED:
        growth_kib = rss_during - rss_before
        assert growth_kib < (SLOW_READERS * PER_READER_BYTES + 8 * 1024 * 1024) // 1024, \
            (rss_before, rss_during)


@pytest.mark.parametrize("path", ["/big", "/write"])
@pytest.mark.parametrize("threads", [1, 4])
def test_a_client_that_stops_reading_is_cut_at_write_timeout(start_server, threads, path):
    server = start_server(APP, "-k", "gthread", "--threads", str(threads), "--write-timeout", "2",
                          "--log-level", "debug")
    with socket.create_connection(server.address(), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(f"GET {path}?mb={RESPONSE_MB} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        started = time.monotonic()
        time.sleep(0.5)
        # Meanwhile the worker answers others.
        assert server.get("/").status_code == 200
        server.wait_for_log(r"send: timed out", timeout=15)
        cut_after = time.monotonic() - started
        # Reading now finds the connection reset (or ended) well short of the whole response.
        total = 0
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    break
                total += len(data)
        except (ConnectionResetError, socket.timeout):
            pass
    assert total < RESPONSE_MB << 20
    assert 1.5 < cut_after < 12, cut_after
    assert server.get("/").status_code == 200
