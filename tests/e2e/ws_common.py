"""What the WebSocket e2e files share (test_asgi_websocket.py, test_asgi_websocket_protocol.py):
the worker class under test, the websockets-client and raw-socket helpers, and the fixtures (one
module-scoped server on tests/apps/asgi_ws_app.py, a raw socket with a completed handshake)."""

import asyncio
import os

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatusCode

from conftest import PRODUCT, WAIT_DEADLINE
from httpclient import build_request, parse_response, wait_until
from wsclient import OP_TEXT, build_frame, open_ws, read_frame

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
