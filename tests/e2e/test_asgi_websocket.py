"""The ASGI worker (`-k asgi`), WebSocket part (RFC 6455 and the ASGI websocket scope): text and
binary echo, 1 MiB messages both ways, fragmented messages (with a ping between the fragments and
UTF-8 split across them), ping/pong, the scope, subprotocol negotiation, accept headers, close
codes and reasons both ways (disconnect codes the app sees: the client's code, 1006 on a TCP
drop), denial before accept (403), app exceptions before / after accept, an app returning
without closing, an app that stops reading (back-pressure), 200 concurrent sessions (handshake
refusals, malformed frames and permessage-deflate are in test_asgi_websocket_protocol.py; shared
helpers and fixtures in ws_common.py); and greenfork-only behaviour:
`--websocket-max-message-size`, `--websocket-ping-interval` / `--websocket-ping-timeout`,
`websocket.http.response` denial, the access-log line, close 1012 on TERM and HUP, the strict
scope (lower-cased header names, bytes raw_path), 1011 after an app exception.

App: tests/apps/asgi_ws_app.py. Raw frames: tests/e2e/wsclient.py; everything else uses the
`websockets` 10.4 asyncio client. Every test also runs against a reference server:

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_websocket.py

(Debian's Gunicorn 20.1 + uvicorn 0.17.6 with websockets 10.4); the greenfork-only tests skip
there, each with what the reference does instead.
"""

import asyncio
import json
import os
import re
import signal
import socket
import threading
import time
from urllib.parse import quote

import pytest

import wsclient
from conftest import WAIT_DEADLINE
from httpclient import connect, parse_response, wait_until
from wsclient import (
    OP_BINARY, OP_CONT, OP_PING, OP_PONG, OP_TEXT, build_frame, open_ws, read_close,
    read_frame, tcp_closed)

from ws_common import (  # noqa: F401  (fixtures are used by name)
    APP, ASGI, FAIL_WITHIN, MIB, assert_still_serving, closed_code, echo_text,
    greenfork_only, handshake_status, http_ok, raw_echo, recorded, run, wait_recorded,
    ws_connect, ws_server)


# ---------------------------------------------------------------------------------------------
# Messages

def test_echo_text_and_bytes(ws_server):
    async def go():
        async with ws_connect(ws_server, "/echo") as ws:
            got = []
            for message in ["hello", b"\x00\x01binary\xff", "", b"", "snowman \u2603"]:
                await ws.send(message)
                got.append(await ws.recv())
            return got
    assert run(go()) == ["hello", b"\x00\x01binary\xff", "", b"", "snowman \u2603"]


@pytest.mark.parametrize("kind", ["text", "bytes"])
def test_one_mib_message_echoed(ws_server, kind):
    blob = os.urandom(MIB // 2).hex() if kind == "text" else os.urandom(MIB)
    assert len(blob) == MIB

    async def go():
        async with ws_connect(ws_server, "/echo") as ws:
            await ws.send(blob)
            return await ws.recv()
    assert run(go()) == blob


def test_one_mib_message_from_the_app(ws_server):
    async def go():
        async with ws_connect(ws_server, f"/big?n={MIB}") as ws:
            return await ws.recv()
    assert run(go()) == b"x" * MIB


def test_client_offering_permessage_deflate_still_echoes(ws_server):
    """The websockets client's default offers permessage-deflate: whether the server takes it
    (uvicorn does) or not, messages round-trip intact."""
    blob = "compressible " * 10000

    async def go():
        async with ws_connect(ws_server, "/echo", compression="deflate") as ws:
            await ws.send(blob)
            first = await ws.recv()
            await ws.send(b"\x00" * 100000)
            return first, await ws.recv()
    assert run(go()) == (blob, b"\x00" * 100000)


def test_fragmented_message_reassembled(raw_echo):
    raw_echo.sendall(build_frame(OP_TEXT, b"Hel", fin=False) + build_frame(OP_CONT, b"lo"))
    assert read_frame(raw_echo, WAIT_DEADLINE) == (True, OP_TEXT, b"Hello")
    raw_echo.sendall(build_frame(OP_BINARY, b"\x00", fin=False) + build_frame(OP_CONT, b"",
                                                                              fin=False)
                     + build_frame(OP_CONT, b"\x01\x02"))
    assert read_frame(raw_echo, WAIT_DEADLINE) == (True, OP_BINARY, b"\x00\x01\x02")


def test_utf8_split_across_fragments_is_valid(raw_echo):
    """Validity is the whole message's: a code point split between two frames is fine."""
    cafe = "café".encode()
    raw_echo.sendall(build_frame(OP_TEXT, cafe[:4], fin=False) + build_frame(OP_CONT, cafe[4:]))
    assert read_frame(raw_echo, WAIT_DEADLINE) == (True, OP_TEXT, cafe)


def test_ping_between_fragments(raw_echo):
    """A control frame may come between the fragments of a message (RFC 6455 5.4): it is
    answered at once and the message still reassembles."""
    raw_echo.sendall(build_frame(OP_TEXT, b"Hel", fin=False) + build_frame(OP_PING, b"p1")
                     + build_frame(OP_CONT, b"lo"))
    frames = {read_frame(raw_echo, WAIT_DEADLINE) for _ in range(2)}
    assert frames == {(True, OP_PONG, b"p1"), (True, OP_TEXT, b"Hello")}


@pytest.mark.parametrize("payload", [b"", b"hello", bytes(range(125))], ids=["empty", "5", "125"])
def test_ping_answered_with_same_payload(raw_echo, payload):
    raw_echo.sendall(build_frame(OP_PING, payload))
    assert read_frame(raw_echo, WAIT_DEADLINE) == (True, OP_PONG, payload)
    assert echo_text(raw_echo, "after") == (True, OP_TEXT, b"after")


def test_unsolicited_pong_is_ignored(raw_echo):
    """A pong nobody asked for needs no answer (RFC 6455 5.5.3) and is not a message."""
    raw_echo.sendall(build_frame(OP_PONG, b"heartbeat"))
    assert echo_text(raw_echo, "next") == (True, OP_TEXT, b"next")


def test_slow_consumer_back_pressure(ws_server):
    """An app that stops calling receive(): the server stops reading the socket after a bounded
    amount (the client's sends block) instead of buffering without end, and everything else on
    the worker is served meanwhile."""
    pids = ws_server.worker_pids()
    sock = open_ws(ws_server.address(), "/slow-consumer", timeout=WAIT_DEADLINE)
    frame = build_frame(OP_BINARY, b"z" * 65536)
    sent, limit = 0, 64 * MIB
    try:
        sock.settimeout(1.0)               # blocked this long: the server has stopped reading
        try:
            while sent < limit:
                sock.sendall(frame)
                sent += len(frame)
        except socket.timeout:
            pass
        assert sent < limit, f"the server read {sent} bytes an app never received"
        assert_still_serving(ws_server, pids)
    finally:
        sock.close()


# ---------------------------------------------------------------------------------------------
# The scope, subprotocols, accept headers

def fetch_scope(server, path, **kwargs):
    async def go():
        async with ws_connect(server, path, **kwargs) as ws:
            return json.loads(await ws.recv()), dict(ws.request_headers.raw_items())
    return run(go())


def test_scope(ws_server):
    scope, sent = fetch_scope(ws_server, "/scope?a=1&b=%20x", subprotocols=["p1", "p2"])
    assert scope["type"] == "websocket"
    assert scope["scheme"] == "ws"
    assert scope["path"] == "/scope"
    assert scope["raw_path"] == "/scope"
    assert scope["query_string"] == "a=1&b=%20x"
    assert scope["http_version"] == "1.1"
    assert scope["subprotocols"] == ["p1", "p2"]
    assert scope["asgi"]["version"] == "3.0"
    assert isinstance(scope["asgi"].get("spec_version", "2.0"), str)
    # Header names compared case-insensitively here: uvicorn 0.17.6 passes them as sent
    # (test_scope_is_strict checks the spec's lower case).
    headers = {name.lower(): value for name, value in scope["headers"]}
    assert headers["sec-websocket-key"] == sent["Sec-WebSocket-Key"]
    assert headers["sec-websocket-version"] == "13"
    assert headers["upgrade"].lower() == "websocket"
    assert headers["host"] == f"{ws_server.host}:{ws_server.port}"


def test_scope_without_subprotocols_is_empty_list(ws_server):
    scope, _ = fetch_scope(ws_server, "/scope")
    assert scope["subprotocols"] == []
    assert scope["query_string"] == ""


@greenfork_only("uvicorn 0.17.6 passes header names as sent (not lower-cased) and raw_path as "
                "a str")
def test_scope_is_strict(ws_server):
    scope, sent = fetch_scope(ws_server, "/scope")
    assert scope["raw_path_is_bytes"]
    assert ["sec-websocket-key", sent["Sec-WebSocket-Key"]] in scope["headers"]
    assert all(name == name.lower() for name, _ in scope["headers"]), scope["headers"]


def test_subprotocol_negotiated(ws_server):
    async def go():
        async with ws_connect(ws_server, "/subprotocol", subprotocols=["a", "b"]) as ws:
            return ws.subprotocol, ws.response_headers.get_all("Sec-WebSocket-Protocol"), \
                await ws.recv()
    assert run(go()) == ("b", ["b"], "b")


@pytest.mark.parametrize("path, offered", [("/subprotocol", None), ("/echo", ["a", "b"])],
                         ids=["none-offered", "app-chooses-none"])
def test_no_subprotocol_header_when_none_chosen(ws_server, path, offered):
    async def go():
        async with ws_connect(ws_server, path, subprotocols=offered) as ws:
            return ws.subprotocol, ws.response_headers.get_all("Sec-WebSocket-Protocol")
    assert run(go()) == (None, [])


def test_accept_headers_reach_the_client(ws_server):
    async def go():
        async with ws_connect(ws_server, "/accept-headers") as ws:
            return ws.response_headers.get_all("x-ws-custom"), await ws.recv()
    assert run(go()) == (["yes"], "ok")


def test_handshake_response_is_rfc_6455(ws_server):
    with connect(ws_server.address(), timeout=WAIT_DEADLINE) as sock:
        key = wsclient.new_key()
        status, headers, leftover = wsclient.handshake(sock, "/echo", key=key,
                                                       timeout=WAIT_DEADLINE)
        assert status == 101
        assert wsclient.header(headers, "Upgrade").lower() == "websocket"
        assert "upgrade" in wsclient.header(headers, "Connection").lower()
        assert wsclient.header(headers, "Sec-WebSocket-Accept") == wsclient.accept_value(key)
        assert not wsclient.header(headers, "Content-Length")
        assert echo_text(sock, "first") == (True, OP_TEXT, b"first")


# ---------------------------------------------------------------------------------------------
# Closing

@pytest.mark.parametrize("code, reason", [(4000, "bye"), (1000, ""), (1001, "going away"),
                                          (4999, "caf\u00e9 \u2603")])
def test_app_close_code_and_reason_reach_the_client(ws_server, code, reason):
    async def go():
        async with ws_connect(ws_server, f"/close?code={code}&reason={quote(reason)}") as ws:
            return await closed_code(ws)
    assert run(go()) == (code, reason)


def test_client_close_code_reaches_the_app(ws_server):
    before = len(recorded(ws_server))

    async def go():
        async with ws_connect(ws_server, "/record") as ws:
            await ws.close(code=4001, reason="client says bye")
            return ws.close_code
    assert run(go()) == 4001                       # echoed by the server's close frame
    assert wait_recorded(ws_server, before) == 4001


def test_client_tcp_drop_is_disconnect_1006(ws_server):
    before = len(recorded(ws_server))
    sock = open_ws(ws_server.address(), "/record", timeout=WAIT_DEADLINE)
    sock.close()                                  # no close frame
    assert wait_recorded(ws_server, before) == 1006


def test_close_before_accept_is_403(ws_server):
    assert run(handshake_status(ws_server, "/deny")) == 403
    assert http_ok(ws_server)


def test_exception_before_accept_is_500_and_logged(ws_server):
    pids = ws_server.worker_pids()
    assert run(handshake_status(ws_server, "/raise-before-accept")) == 500
    ws_server.wait_for_log(r"RuntimeError: ws boom before accept")
    assert "Traceback (most recent call last)" in ws_server.log_text()
    assert_still_serving(ws_server, pids)


@greenfork_only("uvicorn 0.17.6 closes the TCP connection without a close frame (1006)")
def test_exception_after_accept_is_close_1011(ws_server):
    pids = ws_server.worker_pids()

    async def go():
        async with ws_connect(ws_server, "/raise-after-accept") as ws:
            return await closed_code(ws)
    assert run(go())[0] == 1011
    ws_server.wait_for_log(r"RuntimeError: ws boom after accept")
    assert_still_serving(ws_server, pids)


def test_exception_after_accept_ends_the_session(ws_server):
    """Whatever the close code (see test_exception_after_accept_is_close_1011), the session ends
    promptly, the traceback is logged and the worker lives."""
    pids = ws_server.worker_pids()

    async def go():
        async with ws_connect(ws_server, "/raise-after-accept") as ws:
            return await closed_code(ws, FAIL_WITHIN)
    code, _ = run(go())
    assert code in (1011, 1006), code
    ws_server.wait_for_log(r"RuntimeError: ws boom after accept")
    assert_still_serving(ws_server, pids)


def test_return_after_accept_closes_1000(ws_server):
    async def go():
        async with ws_connect(ws_server, "/return-after-accept") as ws:
            first = await ws.recv()
            return first, await closed_code(ws)
    assert run(go()) == ("bye", (1000, ""))


# ---------------------------------------------------------------------------------------------
# Concurrency

def test_200_concurrent_sessions(ws_server):
    sessions, rounds = 200, 10

    async def one(i):
        async with ws_connect(ws_server, "/echo") as ws:
            got = []
            for r in range(rounds):
                message = f"s{i} r{r}" if r % 2 else f"s{i} r{r}".encode()
                await ws.send(message)
                got.append(await ws.recv() == message)
            return all(got)

    async def go():
        return await asyncio.gather(*(one(i) for i in range(sessions)))
    started = time.monotonic()
    results = run(go(), WAIT_DEADLINE * 2)
    assert results == [True] * sessions
    assert time.monotonic() - started < WAIT_DEADLINE


# ---------------------------------------------------------------------------------------------
# greenfork only

@greenfork_only("uvicorn has no --websocket-max-message-size (its ws_max_size is fixed at "
                "16 MiB under Gunicorn)")
def test_max_message_size_single_frame(start_server):
    server = start_server(APP, *ASGI, "--websocket-max-message-size", "1024")
    with open_ws(server.address(), "/echo", timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_frame(OP_BINARY, b"a" * 1024))          # at the limit: fine
        assert read_frame(sock, WAIT_DEADLINE) == (True, OP_BINARY, b"a" * 1024)
        sock.sendall(build_frame(OP_BINARY, b"b" * 2000))
        others = []
        close = read_close(sock, FAIL_WITHIN, others)
        assert others == [], others
        assert close is not None and close[0] == 1009, close
    # An app that does not read at all: the limit is the server's, not the app's.
    with open_ws(server.address(), "/slow-consumer", timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_frame(OP_TEXT, b"c" * 2000))
        close = read_close(sock, FAIL_WITHIN)
        assert close is not None and close[0] == 1009, close
        assert tcp_closed(sock, FAIL_WITHIN)
    assert http_ok(server)


@greenfork_only("uvicorn has no --websocket-max-message-size")
def test_max_message_size_across_fragments(start_server):
    server = start_server(APP, *ASGI, "--websocket-max-message-size", "1024")
    with open_ws(server.address(), "/echo", timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_frame(OP_TEXT, b"x" * 500, fin=False)
                     + build_frame(OP_CONT, b"y" * 500))           # 1000 bytes in all: fine
        assert read_frame(sock, WAIT_DEADLINE) == (True, OP_TEXT, b"x" * 500 + b"y" * 500)
        sock.sendall(build_frame(OP_TEXT, b"x" * 500, fin=False)
                     + build_frame(OP_CONT, b"y" * 500, fin=False)
                     + build_frame(OP_CONT, b"z" * 500))           # 1500 > 1024
        others = []
        close = read_close(sock, FAIL_WITHIN, others)
        assert others == [], others
        assert close is not None and close[0] == 1009, close
        assert tcp_closed(sock, FAIL_WITHIN)
    assert http_ok(server)


@greenfork_only("uvicorn has no --websocket-ping-interval / --websocket-ping-timeout (its "
                "20 s defaults are fixed under Gunicorn)")
def test_ping_timeout_drops_unresponsive_client(start_server):
    server = start_server(APP, *ASGI, "--websocket-ping-interval", "1",
                          "--websocket-ping-timeout", "1")
    with open_ws(server.address(), "/echo", timeout=WAIT_DEADLINE) as sock:
        fin, opcode, payload = read_frame(sock, 3.0)              # first ping at ~1 s
        assert (fin, opcode) == (True, OP_PING), (opcode, payload)
        pinged = time.monotonic()
        others = []
        close = read_close(sock, FAIL_WITHIN, others)             # never answered
        assert all(op == OP_PING for _, op, _ in others), others
        if close is not None:
            assert close[0] == 1011, close
            assert tcp_closed(sock, max(FAIL_WITHIN - (time.monotonic() - pinged), 0.1))
        assert time.monotonic() - pinged < FAIL_WITHIN
    assert http_ok(server)


@greenfork_only("uvicorn has no --websocket-ping-interval / --websocket-ping-timeout")
def test_ping_answered_keeps_connection_open(start_server):
    server = start_server(APP, *ASGI, "--websocket-ping-interval", "1",
                          "--websocket-ping-timeout", "1")
    hold = 4.0
    raw = {"pings": 0, "error": None, "echo": None}

    def raw_client():
        """Answers every ping with a pong of the same payload, by hand, for `hold` seconds."""
        try:
            with open_ws(server.address(), "/echo", timeout=WAIT_DEADLINE) as sock:
                deadline = time.monotonic() + hold
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        fin, opcode, payload = read_frame(sock, left)
                    except TimeoutError:
                        break
                    assert opcode == OP_PING, (opcode, payload)
                    raw["pings"] += 1
                    sock.sendall(build_frame(OP_PONG, payload))
                sock.sendall(build_frame(OP_TEXT, b"alive"))
                while True:
                    fin, opcode, payload = read_frame(sock, WAIT_DEADLINE)
                    if opcode == OP_PING:
                        sock.sendall(build_frame(OP_PONG, payload))
                        continue
                    raw["echo"] = (opcode, payload)
                    break
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            raw["error"] = exc

    async def library_client():               # websockets answers pings on its own
        async with ws_connect(server, "/echo") as ws:
            await asyncio.sleep(hold)
            await ws.send("alive")
            return await ws.recv()

    thread = threading.Thread(target=raw_client)
    thread.start()
    try:
        assert run(library_client()) == "alive"
    finally:
        thread.join(WAIT_DEADLINE)
    assert raw["error"] is None, repr(raw["error"])
    assert raw["echo"] == (OP_TEXT, b"alive")
    assert raw["pings"] >= 2, raw


@greenfork_only("uvicorn 0.17.6 does not implement the websocket.http.response extension")
def test_denial_response(ws_server):
    with connect(ws_server.address(), timeout=WAIT_DEADLINE) as sock:
        sock.sendall(wsclient.handshake_request("/deny-response"))
        data = b""
        while True:                     # until the response is complete or the server closes
            try:
                resp = parse_response(data)
                if resp.complete and (resp.header("Content-Length") is not None
                                      or resp.chunked):
                    break
            except Exception:  # noqa: BLE001 - not all of it yet
                pass
            sock.settimeout(WAIT_DEADLINE)
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    resp = parse_response(data)
    assert resp.status == 401
    assert resp.header("Content-Type") == "text/plain"
    assert resp.body == b"nope"
    assert http_ok(ws_server)


@greenfork_only("uvicorn logs its own lines, not Gunicorn's access log")
def test_access_log_has_the_session(start_server, tmp_path):
    log = tmp_path / "access.log"
    server = start_server(APP, *ASGI, "--access-logfile", str(log))

    async def go():
        async with ws_connect(server, "/echo?log=1") as ws:
            await ws.send("x")
            return await ws.recv()
    assert run(go()) == "x"
    pattern = re.compile(r'^127\.0\.0\.1 .*"GET /echo\?log=1 HTTP/1\.1" 101 ', re.M)
    assert wait_until(lambda: pattern.search(log.read_text()), WAIT_DEADLINE), \
        (log.read_text() if log.exists() else "no access log", server.log_text())


@greenfork_only("uvicorn 0.17.6 drops open WebSocket connections on shutdown without a close "
                "frame (1006)")
def test_graceful_stop_closes_sessions_with_1012(start_server):
    server = start_server(APP, *ASGI, "--graceful-timeout", "5")

    async def go():
        async with ws_connect(server, "/echo") as ws:
            await ws.send("before")
            assert await ws.recv() == "before"
            server.signal(signal.SIGTERM)
            sent = time.monotonic()
            code, reason = await closed_code(ws, WAIT_DEADLINE)
            return code, ws.close_rcvd is not None, time.monotonic() - sent
    code, close_frame_received, elapsed = run(go())
    assert code == 1012 and close_frame_received, code
    assert elapsed < 5.0, elapsed
    assert server.wait_exit() == 0


@greenfork_only("uvicorn 0.17.6 drops open WebSocket connections on shutdown without a close "
                "frame (1006)")
def test_reload_closes_old_sessions_with_1012(start_server):
    server = start_server(APP, *ASGI, "--graceful-timeout", "5")

    async def go():
        async with ws_connect(server, "/scope") as ws:
            old_pid = json.loads(await ws.recv())["pid"]
            server.signal(signal.SIGHUP)
            code, _ = await closed_code(ws, WAIT_DEADLINE)
            closed = ws.close_rcvd is not None
        async with ws_connect(server, "/scope") as ws:
            new_pid = json.loads(await ws.recv())["pid"]
        async with ws_connect(server, "/echo") as ws:
            await ws.send("after reload")
            echoed = await ws.recv()
        return old_pid, code, closed, new_pid, echoed
    old_pid, code, closed, new_pid, echoed = run(go(), WAIT_DEADLINE * 2)
    assert code == 1012 and closed, code
    assert new_pid != old_pid
    assert echoed == "after reload"
    assert server.alive()
