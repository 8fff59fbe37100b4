"""Failure drills that only exist for ASGI apps (the ones every worker class shares - segfault,
SIGKILL under load, a hang that blocks the loop past --timeout, exceptions, clients gone
mid-request and mid-response, 10,000 short connections, EMFILE - run for `-k asgi` in
test_failure_drills.py).

An app that breaks the ASGI message protocol - invalid status, header names, header values with
CR/LF/NUL, malformed header lists, a body that is not bytes, a body before the start, two starts,
an unknown or untyped message, returning without a response or mid-body, sending after the
response completed - gets a 500 when nothing was sent yet, else a closed connection without a
complete response; never injected headers. The error is logged, and the same worker serves the
next request. An app that awaits forever keeps a request open, not the worker: no WORKER
TIMEOUT, others are served; once its client has gone the task is cancelled after
--asgi-disconnect-grace-period, and a hundred such clients leave no descriptor behind.

App: tests/apps/asgi_drill_app.py. Against the reference (Gunicorn 20.1 + uvicorn 0.17.6):

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_drills.py
"""

import json
import os
import re
import socket
import struct
import time

import pytest

from conftest import PRODUCT, WAIT_DEADLINE, run_cli
from httpclient import build_request, connect, parse_response, wait_until

ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
APP = "asgi_drill_app:app"
CLOSE = {"Connection": "close"}
# greenfork (Gunicorn's wording) / uvicorn: the line before an app's traceback.
ERROR_LINE = r"(Error handling request|Exception in ASGI application)"


def greenfork_only(reason):
    return pytest.mark.skipif(REFERENCE, reason=f"greenfork-only behaviour: {reason}")


def req(path, method="GET", headers=None, body=b""):
    return build_request(method, path, headers={**CLOSE, **(headers or {})}, body=body)


def get(server, path):
    return server.request("GET", path, headers=CLOSE)


def pid_answering(server):
    resp = get(server, "/pid")
    assert resp.status == 200, resp
    return int(resp.body)


def counters(server):
    return json.loads(get(server, "/counters").body)


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def log_since(server, mark):
    return server.log_text()[mark:]


@pytest.fixture(scope="module")
def shared(module_server_factory):
    return module_server_factory(APP, "-k", ASGI_WORKER, "-w", "1")


def check_violation(server, path, log_pattern, *, nothing_sent=True):
    """The app breaks the protocol at `path`. nothing_sent: no body byte had been sent, so the
    client must get a 500 (greenfork, uvicorn) - except after http.response.start, where the
    server may already have written the head (uvicorn does), so a closed connection without a
    complete response is enough. Not nothing_sent: part of the body went out, the connection
    must close short of a complete response. Either way: nothing injected, nothing the app
    meant to send after the error, the error logged, the same worker serving on."""
    before = pid_answering(server)
    mark = len(server.log_text())
    raw = server.raw(req(path))
    head = raw.partition(b"\r\n\r\n")[0]
    assert b"X-Injected" not in head and b"x-injected" not in head, raw
    assert b"should-not-be-sent" not in raw and b"Traceback" not in raw, raw
    if raw:
        resp = parse_response(raw)
        if nothing_sent:
            assert resp.status == 500 or not resp.complete, raw
            if resp.status == 500:
                assert resp.header("Connection", "").lower() == "close", raw
        else:
            assert not resp.complete, raw
    else:
        assert nothing_sent, "the body had started: its head must have been sent"
    assert wait_until(lambda: re.search(log_pattern, log_since(server, mark)), WAIT_DEADLINE), \
        log_since(server, mark)
    assert pid_answering(server) == before
    assert server.alive()
    return raw


def loose_in_reference(value, reason):
    """A parameter that uvicorn 0.17.6 accepts: greenfork-only there."""
    return pytest.param(value, marks=greenfork_only(reason))


def assert_500(raw):
    """No byte had been sent: greenfork answers 500 (uvicorn 0.17.6 marks the response started
    before it checks the message, and closes)."""
    if REFERENCE:
        pytest.skip("greenfork-only behaviour: a 500 when no byte of the response was sent")
    assert raw.startswith(b"HTTP/1.1 500 "), raw


# ---------------------------------------------------------------------------------------------
# http.response.start that cannot be sent: a 500 (no byte had gone out)

@pytest.mark.parametrize("kind", [
    "str", "str-with-reason", loose_in_reference("float", "uvicorn 0.17.6 sends status 200.0"),
    "none", "missing", "too-low", "too-high", "negative", "huge"])
def test_invalid_status(shared, kind):
    raw = check_violation(shared, f"/bad/status?kind={kind}",
                          ERROR_LINE + r"[\s\S]*(TypeError|ValueError|OverflowError|KeyError)")
    assert_500(raw)


@greenfork_only("uvicorn 0.17.6 writes header names as given, CR LF included")
@pytest.mark.parametrize("kind", ["space", "colon", "empty", "crlf", "nul", "str"])
def test_invalid_header_name(shared, kind):
    raw = check_violation(shared, f"/bad/header-name?kind={kind}", ERROR_LINE + r"[\s\S]*Error")
    assert_500(raw)


@pytest.mark.parametrize("kind", ["crlf", "lf", "cr", "nul", "str", "int"])
def test_header_value_with_control_bytes_or_wrong_type(shared, kind):
    raw = check_violation(shared, f"/bad/header-value?kind={kind}", ERROR_LINE + r"[\s\S]*Error")
    assert_500(raw)


@pytest.mark.parametrize("kind", ["not-iterable", "triple", "single", "bare-bytes",
                                  "dict-items"])
def test_malformed_header_list(shared, kind):
    raw = check_violation(shared, f"/bad/headers?kind={kind}", ERROR_LINE + r"[\s\S]*Error")
    assert_500(raw)


# ---------------------------------------------------------------------------------------------
# the body, and messages out of order

@pytest.mark.parametrize("kind", [
    "str", "int", loose_in_reference("none", "uvicorn 0.17.6 takes a None body for b''"),
    "list"])
def test_non_bytes_body(shared, kind):
    check_violation(shared, f"/bad/body?kind={kind}", ERROR_LINE + r"[\s\S]*TypeError")


@pytest.mark.parametrize("kind", ["body-before-start", "unknown-type", "no-type", "not-dict"])
def test_message_before_a_valid_start_is_500(shared, kind):
    raw = check_violation(shared, f"/bad/message?kind={kind}", ERROR_LINE + r"[\s\S]*Error")
    assert_500(raw)


def test_second_start_is_an_error(shared):
    check_violation(shared, "/bad/message?kind=start-twice",
                    ERROR_LINE + r"[\s\S]*RuntimeError")


def test_returning_without_a_response_is_500(shared):
    raw = check_violation(shared, "/bad/message?kind=returns-early",
                          r"ASGI callable returned without starting response")
    assert_500(raw)


def test_returning_mid_body_closes_short(shared):
    raw = check_violation(shared, "/bad/message?kind=returns-mid-body",
                          r"ASGI callable returned without completing response",
                          nothing_sent=False)
    resp = parse_response(raw)
    assert resp.status == 200 and resp.body == b"partial", raw


def test_raise_mid_body_closes_short(shared):
    raw = check_violation(shared, "/raise/mid-body", ERROR_LINE + r"[\s\S]*drill-mid-body",
                          nothing_sent=False)
    resp = parse_response(raw)
    assert resp.status == 200 and resp.body == b"first part", raw


def test_send_after_complete_response_is_logged(shared):
    """The response went out whole; what the app sends after it is an error in the log, and
    nothing more reaches the client."""
    before = pid_answering(shared)
    mark = len(shared.log_text())
    raw = shared.raw(req("/bad/message?kind=after-complete"))
    resp = parse_response(raw)
    assert resp.status == 200 and resp.complete and resp.body == b"complete", raw
    assert b"should-not-be-sent" not in raw
    assert wait_until(lambda: re.search(ERROR_LINE + r"[\s\S]*RuntimeError",
                                        log_since(shared, mark)), WAIT_DEADLINE), \
        log_since(shared, mark)
    assert pid_answering(shared) == before


def test_keep_alive_connection_after_an_app_error(shared):
    """An app error ends its own connection; a pipelined request behind it is not answered
    with another request's bytes."""
    before = pid_answering(shared)
    with connect(shared.address()) as sock:
        sock.sendall(build_request("GET", "/raise/before") + build_request("GET", "/hello"))
        data = b""
        sock.settimeout(WAIT_DEADLINE)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    first = parse_response(data)
    assert first.status == 500, data
    assert data.count(b"HTTP/1.1 ") == 1, data         # closed after the 500
    assert pid_answering(shared) == before


# ---------------------------------------------------------------------------------------------
# an app that awaits forever

def test_await_forever_past_timeout_does_not_kill_the_worker(start_server):
    """Unlike time.sleep() on the loop (WORKER TIMEOUT, test_failure_drills.py), a request
    awaiting forever leaves the loop free: the worker keeps beating and serving."""
    server = start_server(APP, "-k", ASGI_WORKER, "-w", "1", "--timeout", "2")
    worker = pid_answering(server)
    with connect(server.address(), timeout=WAIT_DEADLINE) as hung:
        hung.sendall(req("/hang-async"))
        assert wait_until(lambda: counters(server)["hang_started"] == 1, WAIT_DEADLINE)
        deadline = time.monotonic() + 4                 # twice --timeout
        while time.monotonic() < deadline:
            assert pid_answering(server) == worker
            time.sleep(0.2)
        assert "WORKER TIMEOUT" not in server.log_text(), server.log_text()
        hung.setblocking(False)
        try:
            assert hung.recv(1) == b"", "the hung request got an answer"
        except BlockingIOError:
            pass                                        # still waiting, as it should
    assert server.alive()


def abort(sock):
    """Close with a RST (SO_LINGER 0): the client vanishes without a FIN handshake."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def require_grace_flag():
    if "--asgi-disconnect-grace-period" not in run_cli(["--help"]).stdout:
        pytest.skip("this server has no --asgi-disconnect-grace-period setting")


@greenfork_only("uvicorn 0.17.6 never cancels a request's task after a disconnect")
@pytest.mark.parametrize("grace", [0, 1])
@pytest.mark.parametrize("how", ["close", "reset"])
@pytest.mark.parametrize("listening", [True, False], ids=["listening", "not-listening"])
def test_task_cancelled_after_disconnect_grace_period(start_server, grace, how, listening):
    """listening: the app awaits receive() (and gets http.disconnect, which it then ignores);
    not listening: it only awaits asyncio.sleep - its client going away must be noticed all
    the same (docs/operations.md: "After a client disconnects, a request's task still running
    is cancelled after --asgi-disconnect-grace-period"; Gunicorn's asgi worker does it from
    connection_lost, whatever the app awaits)."""
    require_grace_flag()
    server = start_server(APP, "-k", ASGI_WORKER, "-w", "1",
                          "--asgi-disconnect-grace-period", str(grace))
    worker = pid_answering(server)
    mark = len(server.log_text())
    sock = connect(server.address(), timeout=WAIT_DEADLINE)
    sock.sendall(req("/hang-async?listen=1" if listening else "/hang-async"))
    assert wait_until(lambda: counters(server)["hang_started"] == 1, WAIT_DEADLINE)
    gone_at = time.monotonic()
    if how == "reset":
        abort(sock)
    else:
        sock.close()
    assert wait_until(lambda: counters(server)["hang_cancelled"] == 1, WAIT_DEADLINE), \
        (counters(server), server.log_text())
    elapsed = time.monotonic() - gone_at
    if listening:
        assert counters(server)["hang_heard"] == 1
    assert elapsed >= grace * 0.9, elapsed
    assert elapsed < grace + 5, elapsed
    # A task cancelled because its client left is not an application error.
    assert not re.search(ERROR_LINE, log_since(server, mark)), log_since(server, mark)
    assert "CancelledError" not in log_since(server, mark), log_since(server, mark)
    assert pid_answering(server) == worker


@greenfork_only("uvicorn 0.17.6 never cancels a request's task after a disconnect")
@pytest.mark.parametrize("listening", [True, False], ids=["listening", "not-listening"])
def test_hundred_abandoned_requests_leave_no_descriptor(start_server, listening):
    """100 clients start a request that awaits forever and vanish (half by FIN, half by RST):
    every task is cancelled, the worker is back to the descriptors it had, and it serves.
    listening: as in the previous test."""
    require_grace_flag()
    server = start_server(APP, "-k", ASGI_WORKER, "-w", "1", "--asgi-disconnect-grace-period",
                          "0", "--worker-connections", "1000")
    worker = pid_answering(server)
    assert get(server, "/hello").body == b"hello"
    fds_before = fd_count(worker)
    socks = []
    for _ in range(100):
        sock = connect(server.address(), timeout=WAIT_DEADLINE)
        sock.sendall(req("/hang-async?listen=1" if listening else "/hang-async"))
        socks.append(sock)
    assert wait_until(lambda: counters(server)["hang_started"] == 100, WAIT_DEADLINE), \
        counters(server)
    assert fd_count(worker) >= fds_before + 100
    for i, sock in enumerate(socks):
        if i % 2:
            abort(sock)
        else:
            sock.close()
    assert wait_until(lambda: counters(server)["hang_cancelled"] == 100, WAIT_DEADLINE), \
        counters(server)
    assert wait_until(lambda: fd_count(worker) <= fds_before, WAIT_DEADLINE), \
        (fds_before, fd_count(worker))
    assert pid_answering(server) == worker
    assert server.alive()


def test_upload_abandoned_mid_body_gives_the_app_a_disconnect(shared):
    """A client that leaves mid-body: the app's receive() gets http.disconnect (its /upload
    returns without answering), which is not logged as an app error; the worker serves on."""
    before = pid_answering(shared)
    mark = len(shared.log_text())
    for _ in range(5):
        with connect(shared.address()) as sock:
            sock.sendall(req("/upload", "POST", headers={"Content-Length": "1000000"}))
            sock.sendall(b"y" * 200000)
            time.sleep(0.05)
    assert pid_answering(shared) == before
    resp = shared.request("POST", "/upload", headers=CLOSE, body=b"z" * 300000)
    assert resp.status == 200 and resp.body == b"300000"
    text = log_since(shared, mark)
    assert "Traceback" not in text and not re.search(ERROR_LINE, text), text
