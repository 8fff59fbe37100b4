"""The ASGI worker (`-k asgi`), WebSocket protocol rules: handshake refusals (bad version, missing
or bad key), malformed frames (masking, RSV bits, reserved opcodes, control frames too long or
fragmented, continuation errors, invalid UTF-8, bad close payloads and codes) each failing the
connection with RFC 6455's close code while the worker lives, valid close codes echoed, and
permessage-deflate (RFC 7692): negotiation, raw compressed frames, corrupt data (1007), turning it
off. Shared helpers and fixtures: tests/e2e/ws_common.py. Runs against the reference like
test_asgi_websocket.py:

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_websocket_protocol.py
"""

import pytest
import websockets

import wsclient
from conftest import WAIT_DEADLINE
from httpclient import connect
from wsclient import (
    OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_TEXT, build_frame, close_payload, open_ws,
    read_close, read_frame, tcp_closed)

from ws_common import (  # noqa: F401  (fixtures are used by name)
    ASGI, FAIL_WITHIN, assert_still_serving, echo_text, greenfork_only, http_ok, raw_echo,
    run, ws_connect, ws_server)


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
