"""The ASGI worker (`-k asgi`), WebSocket part (RFC 6455 and the ASGI websocket scope): text and
binary echo, 1 MiB messages both ways, fragmented messages (with a ping between the fragments and
UTF-8 split across them), ping/pong, the scope, subprotocol negotiation, accept headers, close
codes and reasons both ways (disconnect codes the app sees: the client's code, 1006 on a TCP
drop), denial before accept (403), app exceptions before / after accept, an app returning
without closing, handshake errors (bad version, missing / bad key), malformed frames (masking,
RSV bits, reserved opcodes, control frames too long or fragmented, continuation errors, invalid
UTF-8, bad close payloads and codes) each failing the connection with the RFC's close code, an app
that stops reading (back-pressure), 200 concurrent sessions; and greenfork-only behaviour:
`--websocket-max-message-size`, `--websocket-ping-interval` / `--websocket-ping-timeout`,
`websocket.http.response` denial, the access-log line, close 1012 on TERM and HUP, the strict
scope (lower-cased header names, bytes raw_path), 426 for a bad version, 1011 after an app
exception.

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
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatusCode

import wsclient
from conftest import PRODUCT, WAIT_DEADLINE
from httpclient import build_request, connect, parse_response, wait_until
from wsclient import (OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, build_frame,
                      close_payload, open_ws, read_close, read_frame, tcp_closed)

# The worker class the tests pass to -k: greenfork's `asgi`, or the reference's uvicorn worker.
ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
APP = "asgi_ws_app:app"
ASGI = ["-k", ASGI_WORKER, "-w", "1"]
MIB = 1 << 20
FAIL_WITHIN = 5.0     # seconds for a server to answer a bad frame with a close and drop the TCP


def greenfork_only(reason):
    return pytest.mark.skipif(REFERENCE, reason=f"greenfork-only behaviour: {reason}")


# ---------------------------------------------------------------------------------------------
# Helpers

def run(coro, timeout=WAIT_DEADLINE):
    """Run a coroutine to completion on a fresh loop, failing it after `timeout` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def uri(server, path):
    return f"ws://{server.host}:{server.port}{path}"


def ws_connect(server, path, **kwargs):
    """websockets.connect() to the server: no client pings, no size limit, no compression
    (plain frames on the wire) unless the test asks otherwise."""
    kwargs.setdefault("ping_interval", None)
    kwargs.setdefault("max_size", None)
    kwargs.setdefault("compression", None)
    kwargs.setdefault("open_timeout", WAIT_DEADLINE)
    kwargs.setdefault("close_timeout", FAIL_WITHIN)
    return websockets.connect(uri(server, path), **kwargs)


async def handshake_status(server, path, **kwargs):
    """The HTTP status a handshake the server refuses gets (fails the test on a 101)."""
    with pytest.raises(InvalidStatusCode) as info:
        async with ws_connect(server, path, **kwargs):
            pass
    return info.value.status_code


async def closed_code(ws, timeout=WAIT_DEADLINE):
    """Receive until the connection closes; return (code, reason) of the close frame received
    (1006 when the connection ended without one). Messages before it are ignored."""
    async def drain():
        try:
            while True:
                await ws.recv()
        except ConnectionClosed:
            pass
    await asyncio.wait_for(drain(), timeout)
    await ws.wait_closed()
    return ws.close_code, ws.close_reason


def http_ok(server):
    """A plain HTTP GET on its own connection answers "http ok"."""
    data = build_request("GET", "/", headers={"Connection": "close"})
    resp = parse_response(server.raw(data))
    return resp.status == 200 and resp.body == b"http ok"


def assert_still_serving(server, pids):
    """The same worker(s) still serve HTTP and WebSocket (nothing crashed or was respawned)."""
    assert http_ok(server), server.log_text()

    async def echo_once():
        async with ws_connect(server, "/echo") as ws:
            await ws.send("still there?")
            return await ws.recv()
    assert run(echo_once()) == "still there?"
    assert server.worker_pids() == pids, server.log_text()


def recorded(server):
    try:
        return server.events_file.read_text().splitlines()
    except FileNotFoundError:
        return []


def wait_recorded(server, before):
    """The disconnect code /record appended after the `before` lines already there."""
    assert wait_until(lambda: len(recorded(server)) > before, WAIT_DEADLINE), \
        f"no disconnect recorded; log:\n{server.log_text()}"
    return int(recorded(server)[before])


@pytest.fixture(scope="module")
def ws_server(module_server_factory, tmp_path_factory):
    """One ASGI worker serving tests/apps/asgi_ws_app.py for the whole module."""
    events = tmp_path_factory.mktemp("ws") / "events.txt"
    server = module_server_factory(APP, *ASGI, env={"WS_EVENTS": str(events)})
    server.events_file = events
    assert http_ok(server), server.log_text()              # the worker has booted
    return server


@pytest.fixture
def raw_echo(ws_server):
    """A raw socket with a completed handshake to /echo (closed at teardown)."""
    sock = open_ws(ws_server.address(), "/echo", timeout=WAIT_DEADLINE)
    yield sock
    sock.close()


def echo_text(sock, text):
    """Send one masked text frame and return the (fin, opcode, payload) the server sends back."""
    sock.sendall(build_frame(OP_TEXT, text))
    return read_frame(sock, WAIT_DEADLINE)


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
# Handshake errors

def raw_handshake(server, path, headers):
    with connect(server.address(), timeout=WAIT_DEADLINE) as sock:
        return wsclient.handshake(sock, path, headers, timeout=WAIT_DEADLINE)


@greenfork_only("websockets 10.4 answers an unsupported version 400, with no "
                "Sec-WebSocket-Version header")
def test_unsupported_version_is_426_with_supported_version(ws_server):
    pids = ws_server.worker_pids()
    status, headers, _ = raw_handshake(ws_server, "/echo", {"Sec-WebSocket-Version": "12"})
    assert status == 426
    versions = [v.strip() for v in (wsclient.header(headers, "Sec-WebSocket-Version") or "")
                .split(",")]
    assert "13" in versions, headers
    assert_still_serving(ws_server, pids)


def test_unsupported_version_is_refused(ws_server):
    """(Any 4xx here; greenfork's exact answer is test_unsupported_version_is_426_...)"""
    pids = ws_server.worker_pids()
    status, _, _ = raw_handshake(ws_server, "/echo", {"Sec-WebSocket-Version": "12"})
    assert 400 <= status < 500 and status != 404, status
    assert_still_serving(ws_server, pids)


@pytest.mark.parametrize("key", [
    None,                                              # missing
    "",
    "not base64 at all!",
    "AAAAAAAAAAAAAAAAAAAA",                            # base64 of 15 bytes
    "AAAAAAAAAAAAAAAAAAAAAAAA",                        # base64 of 18 bytes
    "AAAAAAAAAAAAAAAAAAAAA==",                         # 16 bytes but padding broken (21+2)
], ids=["missing", "empty", "not-base64", "15-bytes", "18-bytes", "bad-padding"])
def test_bad_key_is_400(ws_server, key):
    pids = ws_server.worker_pids()
    status, _, _ = raw_handshake(ws_server, "/echo", {"Sec-WebSocket-Key": key})
    assert status == 400
    assert_still_serving(ws_server, pids)


# ---------------------------------------------------------------------------------------------
# Malformed frames: each fails the connection - a close frame with the RFC's code, then the TCP
# connection closes - before the app sees anything of it.

def close_frame(payload):
    return build_frame(OP_CLOSE, payload)


MALFORMED = [
    ("unmasked", build_frame(OP_TEXT, b"hello", mask=False), 1002),
    ("rsv1", build_frame(OP_TEXT, b"hello", rsv=4), 1002),
    ("rsv2", build_frame(OP_TEXT, b"hello", rsv=2), 1002),
    ("rsv3", build_frame(OP_TEXT, b"hello", rsv=1), 1002),
    ("rsv-on-ping", build_frame(OP_PING, b"p", rsv=4), 1002),
    ("opcode-3", build_frame(0x3, b"hello"), 1002),
    ("opcode-0xB", build_frame(0xB, b"hello"), 1002),
    ("ping-126-bytes", build_frame(OP_PING, b"p" * 126), 1002),
    ("close-126-bytes", close_frame(close_payload(1000, b"r" * 124)), 1002),
    ("fragmented-ping", build_frame(OP_PING, b"p", fin=False), 1002),
    ("continuation-first", build_frame(OP_CONT, b"lo"), 1002),
    ("text-inside-fragmented", build_frame(OP_TEXT, b"Hel", fin=False)
     + build_frame(OP_TEXT, b"lo"), 1002),
    ("binary-inside-fragmented", build_frame(OP_TEXT, b"Hel", fin=False)
     + build_frame(OP_BINARY, b"lo"), 1002),
    ("invalid-utf8", build_frame(OP_TEXT, b"\xff\xfe"), 1007),
    ("invalid-utf8-in-last-fragment", build_frame(OP_TEXT, b"ok", fin=False)
     + build_frame(OP_CONT, b"\xc3"), 1007),
    ("invalid-utf8-surrogate", build_frame(OP_TEXT, b"\xed\xa0\x80"), 1007),
    ("invalid-utf8-close-reason", close_frame(close_payload(1000, b"\xff\xfe")), 1007),
    ("close-1-byte", close_frame(b"\x03"), 1002),
    *[(f"close-code-{code}", close_frame(close_payload(code)), 1002)
      for code in (999, 1005, 1006, 1016, 2999, 5000)],
]


@pytest.mark.parametrize("name, data, expected", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_frame_fails_the_connection(ws_server, name, data, expected):
    pids = ws_server.worker_pids()
    sock = open_ws(ws_server.address(), "/echo", timeout=WAIT_DEADLINE)
    try:
        assert echo_text(sock, "valid") == (True, OP_TEXT, b"valid")
        sock.sendall(data)
        others = []
        close = read_close(sock, FAIL_WITHIN, others)
        assert others == [], f"the app saw part of the bad input: {others}"
        assert close is not None, "closed without a close frame"
        assert close[0] == expected, close
        assert tcp_closed(sock, FAIL_WITHIN), "the TCP connection stayed open after the close"
    finally:
        sock.close()
    assert_still_serving(ws_server, pids)


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1011, 3000, 4999])
def test_valid_close_code_is_echoed(raw_echo, code):
    wsclient.send_close(raw_echo, code, b"client reason")
    others = []
    close = read_close(raw_echo, FAIL_WITHIN, others)
    assert others == []
    assert close is not None and close[0] == code, close
    assert tcp_closed(raw_echo, FAIL_WITHIN)


def test_empty_close_is_answered(raw_echo):
    """A close without a code (RFC 6455 5.5.1): the answer carries no code or 1000 (1005 may
    never be sent on the wire)."""
    wsclient.send_close(raw_echo)
    close = read_close(raw_echo, FAIL_WITHIN)
    assert close is not None and close[0] in (1005, 1000), close   # 1005: empty payload
    assert tcp_closed(raw_echo, FAIL_WITHIN)


def test_data_after_close_is_not_delivered(raw_echo):
    raw_echo.sendall(close_frame(close_payload(1000)) + build_frame(OP_TEXT, b"late"))
    others = []
    close = read_close(raw_echo, FAIL_WITHIN, others)
    assert others == [] and close is not None and close[0] == 1000, (others, close)
    assert tcp_closed(raw_echo, FAIL_WITHIN)


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


# ---- permessage-deflate (RFC 7692) ---------------------------------------------------------

def test_permessage_deflate_is_negotiated_and_round_trips(ws_server):
    blob = "compressible " * 100000  # 1.3 MB of text, sent and echoed compressed

    async def go():
        async with ws_connect(ws_server, "/echo", compression="deflate") as ws:
            answer = ws.response_headers.get("Sec-WebSocket-Extensions", "")
            await ws.send(blob)
            echoed = await ws.recv()
            await ws.send(b"small")  # below the server's compression threshold: plain
            return answer, echoed, await ws.recv()
    answer, echoed, small = run(go())
    assert answer.startswith("permessage-deflate")
    assert echoed == blob
    assert small == b"small"


def test_raw_compressed_frame_is_decompressed(ws_server):
    # RFC 7692 section 7.2.3.1's "Hello", in a masked text frame with RSV1.
    sock = open_ws(ws_server.address(), "/echo",
                   headers=[("Sec-WebSocket-Extensions", "permessage-deflate")])
    try:
        sock.sendall(build_frame(0x1, b"\xf2\x48\xcd\xc9\xc9\x07\x00", rsv=0x4))
        fin, opcode, payload = read_frame(sock, deflate=True)  # uvicorn compresses it back
        assert (fin, opcode, payload) == (True, 0x1, b"Hello")
    finally:
        sock.close()


@greenfork_only("a corrupt compressed message fails with 1007 (uvicorn/websockets: 1007 too)")
def test_corrupt_compressed_frame_fails_the_connection(ws_server):
    sock = open_ws(ws_server.address(), "/echo",
                   headers=[("Sec-WebSocket-Extensions", "permessage-deflate")])
    try:
        sock.sendall(build_frame(0x2, b"\xff\xff\xff\xff\xff", rsv=0x4))
        code, _ = read_close(sock)
        assert code == 1007
        assert tcp_closed(sock)
    finally:
        sock.close()
    assert http_ok(ws_server)


@greenfork_only("--no-websocket-per-message-deflate is greenfork's flag")
def test_permessage_deflate_can_be_turned_off(start_server):
    server = start_server("asgi_ws_app:app", *ASGI, "--no-websocket-per-message-deflate")

    async def go():
        async with ws_connect(server, "/echo", compression="deflate") as ws:
            await ws.send("x" * 1000)
            return ws.response_headers.get("Sec-WebSocket-Extensions"), await ws.recv()
    assert run(go()) == (None, "x" * 1000)
