"""Misbehaving routes for the failure drills under the asgi worker: the ASGI twin of
drill_app.py (tests/e2e/test_failure_drills.py runs the drills that make sense for every
worker class with it; tests/e2e/test_asgi_drills.py the ASGI-only ones).

Every route that is not a deliberate crash answers normally afterwards, so a test can check
that the same worker process (GET /pid) serves the next request.

  /, /hello           "hello"
  /pid                the worker's pid
  /work?ms=M          awaits asyncio.sleep(M ms), answers the pid
  /segv               reads address 0 in the app: SIGSEGV in the worker
  /hang               time.sleep(3600) on the loop thread: the whole loop is stuck
  /hang-async         await asyncio.sleep(3600): only this request waits (counted when it
                      starts, and when it is cancelled); ?listen=1: first receive()s until
                      http.disconnect (counted), then ignores it and sleeps
  /raise/before       raises before http.response.start
  /raise/after        sends http.response.start (no body yet), then raises
  /raise/mid-body     sends start (Content-Length 100) and 10 bytes, then raises
  /bad/status?kind=K        an invalid status (STATUSES)
  /bad/header-name?kind=K   an invalid header name (NAMES)
  /bad/header-value?kind=K  a header value with control bytes or of the wrong type (VALUES)
  /bad/headers?kind=K       malformed headers lists (HEADER_LISTS)
  /bad/body?kind=K          a body that is not bytes (BODIES)
  /bad/message?kind=K       protocol violations (MESSAGES)
  /upload             reads the whole declared body, answers its length
  /big?mb=N           an N MiB body (Content-Length) in 64 KiB messages; ?file=PATH: the file
                      through http.response.pathsend when the server offers it (else 501)
  /closed             how many /big tasks have ended (normally, by error or cancelled)
  /counters           JSON: big_ended, hang_started, hang_cancelled, hang_heard, the pid
  /hog?delay=D&s=S    after D s, a thread opens descriptors up to the limit and keeps them S s
"""

import asyncio
import ctypes
import json
import os
import time
from urllib.parse import parse_qs

from asgi_lifespan import acknowledge

from drill_app import hog_descriptors_later

_ended = {"big": 0}
_hangs = {"started": 0, "cancelled": 0, "heard": 0}


def query(scope):
    return {k: v[-1] for k, v in parse_qs(scope["query_string"].decode("latin-1")).items()}


async def respond(send, body, status=200):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def start(send, headers=(), status=200):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"), *headers]})


async def hello(scope, receive, send):
    await respond(send, b"hello")


async def pid(scope, receive, send):
    await respond(send, str(os.getpid()).encode())


async def work(scope, receive, send):
    await asyncio.sleep(float(query(scope).get("ms", "10")) / 1000)
    await respond(send, str(os.getpid()).encode())


async def segv(scope, receive, send):
    ctypes.string_at(0)
    await respond(send, b"unreachable")


async def hang(scope, receive, send):
    time.sleep(3600)
    await respond(send, b"unreachable")


async def hang_async(scope, receive, send):
    _hangs["started"] += 1
    try:
        if query(scope).get("listen") == "1":
            while (await receive())["type"] != "http.disconnect":
                pass
            _hangs["heard"] += 1
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        _hangs["cancelled"] += 1
        raise
    await respond(send, b"unreachable")


async def raise_before(scope, receive, send):
    raise RuntimeError("drill-before-start-response")


async def raise_after(scope, receive, send):
    await start(send)
    raise RuntimeError("drill-after-start-response")


async def raise_mid_body(scope, receive, send):
    await start(send, [(b"content-length", b"100")])
    await send({"type": "http.response.body", "body": b"first part", "more_body": True})
    raise RuntimeError("drill-mid-body")


STATUSES = {"str": "200", "str-with-reason": "200 OK", "float": 200.0, "none": None,
            "missing": ..., "too-low": 99, "too-high": 1000, "negative": -200,
            "huge": 2 ** 70}


async def bad_status(scope, receive, send):
    value = STATUSES[query(scope)["kind"]]
    message = {"type": "http.response.start", "headers": [(b"content-type", b"text/plain")]}
    if value is not ...:
        message["status"] = value
    await send(message)
    await send({"type": "http.response.body", "body": b"should-not-be-sent"})


NAMES = {"space": b"x bad", "colon": b"x:bad", "empty": b"", "crlf": b"x-bad\r\nx-injected",
         "nul": b"x\x00bad", "str": "x-str"}


async def bad_header_name(scope, receive, send):
    await start(send, [(NAMES[query(scope)["kind"]], b"v")])
    await send({"type": "http.response.body", "body": b"should-not-be-sent"})


VALUES = {"crlf": b"x\r\nX-Injected: yes", "lf": b"x\nX-Injected: yes",
          "cr": b"x\rX-Injected: yes", "nul": b"x\x00y", "str": "text", "int": 42}


async def bad_header_value(scope, receive, send):
    await start(send, [(b"x-bad", VALUES[query(scope)["kind"]])])
    await send({"type": "http.response.body", "body": b"should-not-be-sent"})


HEADER_LISTS = {"not-iterable": 42, "triple": [(b"a", b"b", b"c")], "single": [(b"a",)],
                "bare-bytes": [b"ab"], "dict-items": {b"x-a": b"1"}}


async def bad_headers(scope, receive, send):
    await send({"type": "http.response.start", "status": 200,
                "headers": HEADER_LISTS[query(scope)["kind"]]})
    await send({"type": "http.response.body", "body": b"should-not-be-sent"})


BODIES = {"str": "should-not-be-sent", "int": 42, "none": None, "list": [b"should-not-be-sent"]}


async def bad_body(scope, receive, send):
    await start(send)
    await send({"type": "http.response.body", "body": BODIES[query(scope)["kind"]]})


async def bad_message(scope, receive, send):
    kind = query(scope)["kind"]
    if kind == "body-before-start":
        await send({"type": "http.response.body", "body": b"should-not-be-sent"})
    elif kind == "unknown-type":
        await send({"type": "http.response.nonsense", "body": b"should-not-be-sent"})
    elif kind == "no-type":
        await send({"status": 200, "headers": []})
    elif kind == "not-dict":
        await send([("type", "http.response.start"), ("status", 200)])
    elif kind == "start-twice":
        await start(send)
        await start(send)
    elif kind == "returns-early":      # nothing sent at all: the server answers 500
        return
    elif kind == "returns-mid-body":   # more_body=True, then the coroutine returns
        await start(send, [(b"content-length", b"100")])
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        return
    elif kind == "after-complete":     # a complete response, then more: the error is logged
        await respond(send, b"complete")
        await send({"type": "http.response.body", "body": b"should-not-be-sent"})
    await send({"type": "http.response.body", "body": b"should-not-be-sent"})


async def upload(scope, receive, send):
    total = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        total += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await respond(send, str(total).encode())


async def big(scope, receive, send):
    q = query(scope)
    try:
        if "file" in q:
            if "http.response.pathsend" not in scope.get("extensions", {}):
                await respond(send, b"no pathsend", status=501)
                return
            await start(send, [(b"content-length", str(os.path.getsize(q["file"])).encode())])
            await send({"type": "http.response.pathsend", "path": q["file"]})
            return
        total = int(q.get("mb", "256")) * 1024 * 1024
        piece = b"x" * 65536
        await start(send, [(b"content-length", str(total).encode())])
        sent = 0
        while sent < total:
            sent += len(piece)
            await send({"type": "http.response.body", "body": piece, "more_body": sent < total})
    finally:
        _ended["big"] += 1


async def closed(scope, receive, send):
    await respond(send, str(_ended["big"]).encode())


async def counters(scope, receive, send):
    await respond(send, json.dumps({"big_ended": _ended["big"], "hang_started": _hangs["started"],
                                    "hang_cancelled": _hangs["cancelled"],
                                    "hang_heard": _hangs["heard"],
                                    "pid": os.getpid()}).encode())


async def hog(scope, receive, send):
    q = query(scope)
    hog_descriptors_later(float(q.get("delay", "0.3")), float(q.get("s", "2")))
    await respond(send, b"hogging")


ROUTES = {
    "/": hello, "/hello": hello, "/pid": pid, "/work": work, "/segv": segv, "/hang": hang,
    "/hang-async": hang_async, "/raise/before": raise_before, "/raise/after": raise_after,
    "/raise/mid-body": raise_mid_body, "/bad/status": bad_status,
    "/bad/header-name": bad_header_name, "/bad/header-value": bad_header_value,
    "/bad/headers": bad_headers, "/bad/body": bad_body, "/bad/message": bad_message,
    "/upload": upload, "/big": big, "/closed": closed, "/counters": counters, "/hog": hog,
}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await acknowledge(receive, send)
        return
    route = ROUTES.get(scope["path"])
    if route is None:
        await respond(send, b"not found", status=404)
        return
    await route(scope, receive, send)


application = app
