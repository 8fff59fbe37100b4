"""A plain ASGI 3 application (no framework) for the ASGI worker's end-to-end tests
(tests/e2e/test_asgi_*.py). Every route lets a test observe one piece of the server's behaviour.

Routes (anything else is 404):
  /                  "Hello, World!" (13 bytes, text/plain, Content-Length)
  /scope, /scope/... the request scope as JSON (bytes as latin-1 text, headers as [name, value])
  /echo              the whole request body back; X-Request-Messages: how many http.request
                     messages carried it, X-Body-Length: its length
  /stream?n=N&delay=S  N chunks "chunk i\\n" with more_body=True (no Content-Length), S seconds
                     apart (after the first), then an empty final body
  /status/CODE       that status ("status CODE" body; none for 204/304)
  /headers           duplicate and custom response headers
  /raise-before      raises before http.response.start
  /raise-after?chunked=1  starts (Content-Length 100, or chunked), sends one chunk, raises
  /sleep?s=S&id=X&record=1  awaits asyncio.sleep(S), then JSON: the current task is not None, a
                     context variable set to X before the await still reads X, the peak number of
                     /sleep requests in flight in this worker; record=1 appends "sleep-start X" /
                     "sleep-end X" to the events file
  /executor          loop.run_in_executor(None, ...): JSON with the result and both thread ids
  /disconnect?id=X   reads the body, appends "disconnect-wait X", then receive()s until
                     http.disconnect and appends "disconnect X" (the client has gone: no answer)
  /large?n=BYTES&id=X  a BYTES-long body (Content-Length) in 64 KiB chunks, chunk i filled with
                     byte i % 251; appends "large-start X" after the first chunk was sent and
                     "large-done X" after the last
  /events            the events file's content
  /pid               the worker's pid
  /loop              JSON: the running event loop's class module and name
                     (type(asyncio.get_running_loop()).__module__, e.g. "uvloop" or
                     "asyncio.unix_events"), the event loop policy's class module, the pid

Lifespan: appends "startup PID" / "shutdown PID" to the events file and sets
state["started"] = True (when the server offers a state dict). Environment:
  ASGI_EVENTS_FILE             where events are appended (one line each); unset: not recorded
  ASGI_STARTUP_DELAY           seconds lifespan startup awaits before completing
  ASGI_LIFESPAN_FAIL=MESSAGE   answer lifespan.startup with lifespan.startup.failed + MESSAGE
  ASGI_LIFESPAN_UNSUPPORTED=1  raise for a lifespan scope (as Django 3.2's ASGIHandler does)
"""

import asyncio
import contextvars
import json
import os
import threading
from urllib.parse import parse_qs

EVENTS_FILE = os.environ.get("ASGI_EVENTS_FILE")
request_id = contextvars.ContextVar("request_id", default=None)
_sleeping = 0          # /sleep requests in flight in this worker
_peak_sleeping = 0
CHUNK = 65536


def record(line):
    if EVENTS_FILE:
        with open(EVENTS_FILE, "a") as f:
            f.write(line + "\n")


def query(scope):
    return {k: v[-1] for k, v in parse_qs(scope["query_string"].decode("latin-1")).items()}


def to_json(value):
    """Scope values as JSON: bytes as latin-1 text, tuples as lists, anything else repr()."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


async def respond(send, status, body=b"", headers=(), content_type=b"text/plain"):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def respond_json(send, value, status=200):
    await respond(send, status, json.dumps(value).encode(), content_type=b"application/json")


async def read_body(receive):
    """The whole request body and the number of http.request messages it took."""
    chunks, messages = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client disconnected while sending the body")
        assert message["type"] == "http.request", message
        messages += 1
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), messages


# ----------------------------------------------------------------------------------------------
# Routes

async def hello(scope, receive, send):
    await respond(send, 200, b"Hello, World!")


async def show_scope(scope, receive, send):
    seen = {key: to_json(value) for key, value in scope.items() if key != "state"}
    seen["has_state"] = "state" in scope
    seen["state"] = to_json(dict(scope["state"])) if "state" in scope else None
    seen["raw_path_is_bytes"] = isinstance(scope.get("raw_path"), bytes)
    seen["query_string_is_bytes"] = isinstance(scope.get("query_string"), bytes)
    seen["header_types_ok"] = all(isinstance(n, bytes) and isinstance(v, bytes)
                                  for n, v in scope["headers"])
    await respond_json(send, seen)


async def echo(scope, receive, send):
    body, messages = await read_body(receive)
    await respond(send, 200, body, headers=[(b"x-request-messages", str(messages).encode()),
                                            (b"x-body-length", str(len(body)).encode())],
                  content_type=b"application/octet-stream")


async def stream(scope, receive, send):
    q = query(scope)
    n, delay = int(q.get("n", "3")), float(q.get("delay", "0"))
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    for i in range(n):
        if i and delay:
            await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": f"chunk {i}\n".encode(),
                    "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def status(scope, receive, send):
    code = int(scope["path"].rsplit("/", 1)[1])
    if code in (204, 304):
        await send({"type": "http.response.start", "status": code, "headers": []})
        await send({"type": "http.response.body", "body": b""})
    else:
        await respond(send, code, f"status {code}".encode())


async def headers(scope, receive, send):
    await respond(send, 200, b"headers", headers=[
        (b"x-custom", b"custom value"), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"),
        (b"x-dup", b"one"), (b"x-dup", b"two")])


async def raise_before(scope, receive, send):
    raise RuntimeError("asgi boom before start")


async def raise_after(scope, receive, send):
    chunked = query(scope).get("chunked") == "1"
    head = [(b"content-type", b"text/plain")]
    if not chunked:
        head.append((b"content-length", b"100"))
    await send({"type": "http.response.start", "status": 200, "headers": head})
    await send({"type": "http.response.body", "body": b"first part", "more_body": True})
    raise RuntimeError("asgi boom after start")


async def sleep(scope, receive, send):
    global _sleeping, _peak_sleeping
    q = query(scope)
    ident = q.get("id", "")
    if q.get("record") == "1":
        record(f"sleep-start {ident}")
    request_id.set(ident)
    _sleeping += 1
    _peak_sleeping = max(_peak_sleeping, _sleeping)
    try:
        await asyncio.sleep(float(q.get("s", "0.1")))
    finally:
        _sleeping -= 1
    if q.get("record") == "1":
        record(f"sleep-end {ident}")
    await respond_json(send, {"task": asyncio.current_task() is not None,
                              "context": request_id.get(), "peak": _peak_sleeping})


async def executor(scope, receive, send):
    loop = asyncio.get_running_loop()

    def work(x):
        return x * 7, threading.get_ident()

    result, worker_thread = await loop.run_in_executor(None, work, 6)
    await respond_json(send, {"result": result, "loop_thread": threading.get_ident(),
                              "executor_thread": worker_thread})


async def disconnect(scope, receive, send):
    ident = query(scope).get("id", "")
    await read_body(receive)
    record(f"disconnect-wait {ident}")
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            record(f"disconnect {ident}")
            return


async def large(scope, receive, send):
    q = query(scope)
    total, ident = int(q.get("n", str(1 << 20))), q.get("id", "")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/octet-stream"),
                            (b"content-length", str(total).encode())]})
    sent, i = 0, 0
    while sent < total:
        size = min(CHUNK, total - sent)
        sent += size
        await send({"type": "http.response.body", "body": bytes([i % 251]) * size,
                    "more_body": sent < total})
        if i == 0:
            record(f"large-start {ident}")
        i += 1
    if total == 0:
        await send({"type": "http.response.body", "body": b""})
    record(f"large-done {ident}")


async def events(scope, receive, send):
    text = b""
    if EVENTS_FILE and os.path.exists(EVENTS_FILE):
        with open(EVENTS_FILE, "rb") as f:
            text = f.read()
    await respond(send, 200, text)


async def pid(scope, receive, send):
    await respond(send, 200, str(os.getpid()).encode())


async def loop_info(scope, receive, send):
    loop = asyncio.get_running_loop()
    await respond_json(send, {"module": type(loop).__module__, "class": type(loop).__name__,
                              "policy": type(asyncio.get_event_loop_policy()).__module__,
                              "pid": os.getpid()})


ROUTES = {"/": hello, "/scope": show_scope, "/echo": echo, "/stream": stream,
          "/headers": headers, "/raise-before": raise_before, "/raise-after": raise_after,
          "/sleep": sleep, "/executor": executor, "/disconnect": disconnect, "/large": large,
          "/events": events, "/pid": pid, "/loop": loop_info}


# ----------------------------------------------------------------------------------------------
# Lifespan

async def lifespan(scope, receive, send):
    if os.environ.get("ASGI_LIFESPAN_UNSUPPORTED") == "1":
        raise ValueError("Django can only handle ASGI/HTTP connections, not lifespan.")
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            failure = os.environ.get("ASGI_LIFESPAN_FAIL")
            if failure:
                await send({"type": "lifespan.startup.failed", "message": failure})
                return
            delay = float(os.environ.get("ASGI_STARTUP_DELAY", "0"))
            if delay:
                await asyncio.sleep(delay)
            if "state" in scope:
                scope["state"]["started"] = True
            record(f"startup {os.getpid()}")
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            record(f"shutdown {os.getpid()}")
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    assert scope["type"] == "http", scope["type"]
    path = scope["path"]
    handler = ROUTES.get(path)
    if handler is None and path.startswith("/status/"):
        handler = status
    if handler is None and path.startswith("/scope/"):
        handler = show_scope
    if handler is None:
        await respond(send, 404, b"not found")
        return
    await handler(scope, receive, send)


application = app
