"""The gthread worker (`-k gthread`, or `--threads N` > 1): keep-alive, pipelining, the loop's
timeouts, worker_connections, the thread pool, graceful stop and reload under keep-alive load."""

import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import EXAMPLES, SANITIZED, WAIT_DEADLINE, process_alive, wait_until
from httpclient import connect, parse_response, read_until_close

APP = "pep3333_app:application"
GTHREAD = ["-k", "gthread"]


def recv_responses(sock, count, timeout=WAIT_DEADLINE):
    """Read until `count` complete responses (Content-Length framed) arrived; return them."""
    sock.settimeout(timeout)
    data = b""
    responses = []
    while len(responses) < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        while True:
            head_end = data.find(b"\r\n\r\n")
            if head_end < 0:
                break
            m = re.search(rb"(?im)^content-length:\s*(\d+)\r$", data[:head_end + 2])
            length = int(m.group(1)) if m else 0
            if len(data) < head_end + 4 + length:
                break
            responses.append(parse_response(data[:head_end + 4 + length]))
            data = data[head_end + 4 + length:]
    return responses


def closed_by_server(sock, timeout):
    """True if the server closes `sock` (EOF or reset) within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_keep_alive_serves_many_requests_on_one_connection(start_server):
    server = start_server(APP, *GTHREAD)
    pids = set()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_DEADLINE)
    for _ in range(20):
        conn.request("GET", "/pid")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Connection") == "keep-alive"
        pids.add(resp.read())
    assert len(pids) == 1
    # The same TCP connection all along: http.client never had to reconnect.
    assert conn.sock is not None
    conn.close()
    assert "Using worker: gthread" in server.log_text()


def test_pipelined_requests_are_answered_in_order(start_server):
    server = start_server(APP, *GTHREAD)
    with connect(server.address()) as sock:
        sock.sendall(b"".join(
            f"GET /echo_path/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(5))
            + b"POST /body?mode=readn HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        responses = recv_responses(sock, 7)
        assert [r.status for r in responses] == [404] * 5 + [200, 200], responses
        assert [r.body for r in responses[5:]] == [b"hello", b"Hello, World!"]
        assert responses[-1].header("Connection") == "close"
        assert closed_by_server(sock, 5)


def test_pipelined_requests_with_several_threads_stay_in_order(start_server):
    server = start_server(APP, *(["--threads", "4"]))
    with connect(server.address()) as sock:
        sock.sendall(b"GET /sleep?s=0.3 HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        responses = recv_responses(sock, 2)
    assert [r.body for r in responses] == [b"slept", b"Hello, World!"]


def test_http10_closes_unless_asked_to_keep_alive(start_server):
    server = start_server(APP, *GTHREAD)
    with connect(server.address()) as sock:
        sock.sendall(b"GET /hello HTTP/1.0\r\n\r\n")
        data = read_until_close(sock)
        assert parse_response(data).header("Connection") == "close"
    with connect(server.address()) as sock:
        sock.sendall(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                     b"GET /hello HTTP/1.0\r\n\r\n")
        responses = recv_responses(sock, 2)
        assert [r.header("Connection") for r in responses] == ["keep-alive", "close"]


def test_idle_keep_alive_connection_closes_after_keepalive(start_server):
    server = start_server(APP, *(GTHREAD + ["--keep-alive", "1"]))
    with connect(server.address()) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert recv_responses(sock, 1)[0].status == 200
        started = time.monotonic()
        assert closed_by_server(sock, 5)
        assert 0.7 < time.monotonic() - started < 3.0


def test_keep_alive_zero_closes_after_each_response(start_server):
    server = start_server(APP, *(GTHREAD + ["--keep-alive", "0"]))
    with connect(server.address()) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_until_close(sock)
    assert parse_response(data).header("Connection") == "close"


def test_incomplete_head_is_closed_after_header_timeout(start_server):
    server = start_server(APP, *(GTHREAD + ["--header-timeout", "1"]))
    # The clock below starts at connect(): the worker must be accepting by then, not booting.
    assert server.get("/hello").status_code == 200
    with connect(server.address()) as sock:
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n")  # never finished
        started = time.monotonic()
        assert closed_by_server(sock, 5)
        assert time.monotonic() - started < 3.0
    assert server.get("/hello").status_code == 200


def test_stalled_body_is_dropped_after_body_timeout(start_server):
    server = start_server(APP, *(GTHREAD + ["--body-timeout", "1"]))
    with connect(server.address()) as sock:
        sock.sendall(b"POST /body?mode=readn HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        assert closed_by_server(sock, WAIT_DEADLINE)  # the worker may still be booting
    assert server.get("/hello").status_code == 200


def test_body_beyond_the_prefetch_bound_is_read_by_the_app(start_server):
    server = start_server(APP, *(["--threads", "2"]))
    payload = bytes(range(256)) * 1024  # 256 KiB: more than the loop prefetches
    resp = server.post("/body?mode=readn&n=65536", data=payload, timeout=10)
    assert resp.status_code == 200 and resp.content == payload
    chunked = (b"POST /body?mode=readline HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"6\r\nline1\n\r\n6\r\nline2\n\r\n0\r\n\r\n")
    with connect(server.address()) as sock:
        sock.sendall(chunked)
        assert recv_responses(sock, 1)[0].body == b"line1\nline2\n"


def test_slowly_sent_body_is_collected_before_the_app_runs(start_server):
    server = start_server(APP, *GTHREAD)
    with connect(server.address()) as sock:
        sock.sendall(b"POST /body?mode=readn&n=3 HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nabcd")
        time.sleep(0.3)
        sock.sendall(b"efgh")
        resp = recv_responses(sock, 1)[0]
    assert resp.body == b"abcdefgh"


def test_expect_continue_gets_its_interim_response(start_server):
    server = start_server(APP, *GTHREAD)
    with connect(server.address()) as sock:
        sock.sendall(b"POST /body?mode=readn HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                     b"Expect: 100-continue\r\n\r\n")
        sock.settimeout(WAIT_DEADLINE)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"data")
        resp = recv_responses(sock, 1)[0]
    assert resp.status == 200 and resp.body == b"data"


def test_threads_run_requests_concurrently(start_server):
    server = start_server(APP, *(["--threads", "4"]))
    env = json.loads(server.get("/env").content)
    assert env["wsgi.multithread"] is True
    results = []

    def one():
        results.append(server.get("/sleep?s=0.6", timeout=10).status_code)

    started = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    assert time.monotonic() - started < 2.0  # four sleeps overlapped, not 2.4 s in a row


def test_one_thread_runs_the_app_single_threaded(start_server):
    server = start_server(APP, *GTHREAD)
    env = json.loads(server.get("/env").content)
    assert env["wsgi.multithread"] is False


def test_worker_connections_caps_open_connections(start_server):
    server = start_server(APP, *GTHREAD, "--worker-connections", "2")
    first, second = connect(server.address()), connect(server.address())
    for sock in (first, second):  # a byte, so that TCP_DEFER_ACCEPT hands them to the worker
        sock.sendall(b"G")
    time.sleep(0.5)  # both accepted (and silent since): the worker is at its cap
    third = connect(server.address())  # the kernel completes the handshake; the worker waits
    third.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
    third.settimeout(0.8)
    with pytest.raises(TimeoutError):
        third.recv(4096)
    first.close()  # a slot frees: the third is accepted and served
    assert recv_responses(third, 1, timeout=5)[0].status == 200
    second.close()
    third.close()


def test_responses_close_connections_at_the_worker_connections_cap(start_server):
    # Like Gunicorn: a full worker stops keeping connections alive so waiting clients get a turn.
    server = start_server(APP, *GTHREAD, "--worker-connections", "2")
    first = connect(server.address())
    first.sendall(b"G")
    time.sleep(0.3)
    with connect(server.address()) as second:
        second.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert recv_responses(second, 1)[0].header("Connection") == "close"
    first.close()


def test_write_timeout_drops_a_client_that_stops_reading(start_server):
    server = start_server(APP, "--threads", "2", "--write-timeout", "1", "--log-level", "debug")
    count = 2_000_000  # "chunk N\n" lines: about 20 MB, far more than socket buffers hold
    with connect(server.address()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(f"GET /stream?n={count} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(0.5)
        assert server.get("/hello").status_code == 200  # the other thread still serves
        server.wait_for_log(r"send: timed out")
        # The server gave up: what was already in the socket buffers arrives, then the end.
        received, ended = 0, False
        sock.settimeout(5)
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    ended = True
                    break
                received += len(data)
        except ConnectionResetError:
            ended = True
        assert ended and received < count * 8
    assert server.get("/hello").status_code == 200


def test_max_requests_ends_a_keep_alive_connection_and_the_worker(start_server):
    server = start_server(APP, *(GTHREAD + ["--max-requests", "3"]))
    first_pid = server.wait_workers(1)[0]
    conn = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_DEADLINE)
    headers = []
    for _ in range(3):
        conn.request("GET", "/hello")
        resp = conn.getresponse()
        resp.read()
        headers.append(resp.getheader("Connection"))
    conn.close()
    assert headers == ["keep-alive", "keep-alive", "close"]
    assert wait_until(lambda: not process_alive(first_pid), WAIT_DEADLINE)
    assert server.get("/hello").status_code == 200


def test_graceful_stop_finishes_requests_and_answers_waiting_keep_alive_clients(start_server,
                                                                                tmp_path):
    server = start_server(APP, *(["--threads", "2", "--keep-alive", "10"]))
    marker = tmp_path / "in-flight"
    idle = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_DEADLINE)
    idle.request("GET", "/hello")
    assert idle.getresponse().read() == b"Hello, World!"
    result = {}

    # Long enough that the worker is still retiring when the idle connection asks again.
    def slow():
        result["resp"] = server.get(f"/sleep?s=3&marker={marker}")

    t = threading.Thread(target=slow)
    t.start()
    assert wait_until(marker.exists, WAIT_DEADLINE)
    server.signal(signal.SIGTERM)
    # The master has taken the TERM (it passes it on to the worker right after logging this);
    # then give the worker a moment to take it too.
    server.wait_for_log(r"Handling signal: term")
    time.sleep(0.3)
    # A request on the kept-alive connection while the worker retires: answered, then closed.
    idle.request("GET", "/hello")
    resp = idle.getresponse()
    assert resp.read() == b"Hello, World!"
    assert resp.getheader("Connection") == "close"
    t.join()
    assert result["resp"].status_code == 200 and result["resp"].content == b"slept"
    assert server.wait_exit() == 0


def test_hup_five_times_under_keep_alive_load_loses_nothing(start_server):
    server = start_server("hello:application", *GTHREAD, "-w", "2", cwd=EXAMPLES)
    server.wait_workers(2)
    assert shutil.which("wrk"), "wrk is installed by scripts/install-deps (make test)"
    duration = 9
    wrk = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{duration}s", "--timeout", "5s",
                            server.url + "/"], stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)
    for _ in range(5):
        server.signal(signal.SIGHUP)
        time.sleep(1.2)
    out, _ = wrk.communicate(timeout=duration + 20)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    print(f"[gthread-hup] wrk: {total} requests, 5 HUPs\n{out}")
    assert total > 1000, out
    assert "Socket errors" not in out, out
    assert "Non-2xx" not in out, out
    assert server.alive()


def test_slow_clients_cost_a_socket_not_a_thread(start_server):
    """500 connections that send one header byte per second do not stop ordinary clients."""
    header_timeout = 6
    server = start_server(APP, "-w", "1", "--threads", "2",
                          "--header-timeout", str(header_timeout))
    # Ordinary requests must be answered within 1 s from the start: a worker still booting
    # would not.
    assert server.get("/hello").status_code == 200
    slow = []
    for _ in range(500):
        s = socket.create_connection((server.host, server.port), timeout=5)
        s.setblocking(False)
        slow.append(s)
    request = b"GET /hello HTTP/1.1\r\nHost: slow\r\n"
    stop = threading.Event()

    def dribble():
        i = 0
        while not stop.is_set() and i < len(request):
            for s in slow:
                try:
                    s.send(request[i:i + 1])
                except OSError:
                    pass
            i += 1
            stop.wait(1.0)

    dribbler = threading.Thread(target=dribble, daemon=True)
    dribbler.start()
    started = time.monotonic()
    ok = total = 0
    while time.monotonic() - started < 4.0:
        total += 1
        t0 = time.monotonic()
        try:
            resp = server.get("/hello", timeout=1.0)
            if resp.status_code == 200 and time.monotonic() - t0 <= 1.0:
                ok += 1
        except OSError:
            pass
        time.sleep(0.02)
    print(f"[slow-clients] ordinary requests: {ok}/{total} answered within 1 s")
    assert total >= 20 and ok / total >= 0.95
    # Every slow connection is closed once its head took longer than the header timeout.
    deadline = started + header_timeout + (10 if SANITIZED else 4)

    def all_closed():
        for s in slow:
            if s.fileno() < 0:
                continue
            try:
                if s.recv(1) == b"":
                    s.close()
            except BlockingIOError:
                return False
            except OSError:
                s.close()
        return True

    closed = wait_until(all_closed, max(0.1, deadline - time.monotonic()), interval=0.2)
    stop.set()
    still_open = sum(1 for s in slow if s.fileno() >= 0)
    for s in slow:
        s.close()
    assert closed, f"{still_open} slow connections still open after the header timeout"
    assert server.get("/hello").status_code == 200
