"""A plain ASGI 3 application (no framework) for the ASGI worker's WebSocket end-to-end tests
(tests/e2e/test_asgi_websocket.py). Every route lets a test observe one piece of the server's
behaviour. Every WebSocket route first receives websocket.connect, as the spec asks.

HTTP: any request is answered 200 "http ok" (text/plain, Content-Length), so a test can check
that the worker still serves after a misbehaving WebSocket client.

WebSocket routes (by scope["path"]; anything else is closed before accept, i.e. HTTP 403):
  /echo                 accept; every text / bytes message back in the same kind, until
                        websocket.disconnect
  /scope                accept, then one text message: JSON of type, path, raw_path (latin-1
                        text; uvicorn 0.17.6 gives a str, the spec bytes), raw_path_is_bytes,
                        query_string (decoded), scheme, http_version, subprotocols, headers
                        ([name, value] decoded), asgi, pid (the worker's)
  /subprotocol          accept with subprotocol = the LAST of scope["subprotocols"] (none when
                        the client offered none), then send the chosen name as text ("" for none)
  /accept-headers       accept with headers [(b"x-ws-custom", b"yes")], then send "ok"
  /close?code=N&reason=R  accept, then websocket.close with that code and reason
  /deny                 websocket.close before accept (HTTP 403 per the spec)
  /deny-response        websocket.http.response.start (401, content-type text/plain) +
                        websocket.http.response.body b"nope" (the "websocket.http.response"
                        extension)
  /raise-before-accept  raises RuntimeError("ws boom before accept") before accepting
  /raise-after-accept   accepts, then raises RuntimeError("ws boom after accept")
  /return-after-accept  accepts, sends "bye", returns without closing
  /record               accept; on websocket.disconnect appends f"{code}\\n" to the file named by
                        $WS_EVENTS, then returns (messages received before are ignored)
  /big?n=BYTES          accept, one binary message of BYTES bytes (b"x" * n), then waits for
                        the disconnect
  /slow-consumer        accept, then never calls receive() again (sleeps an hour)

Lifespan: startup and shutdown are completed (nothing else).
"""

import asyncio
import json
import os
from urllib.parse import parse_qs

from asgi_lifespan import acknowledge

WS_EVENTS = os.environ.get("WS_EVENTS")


def query(scope):
    return {k: v[-1] for k, v in parse_qs(scope["query_string"].decode("latin-1"),
                                          keep_blank_values=True).items()}


def text_of(value):
    return value.decode("latin-1") if isinstance(value, bytes) else value


async def connect(receive):
    message = await receive()
    assert message["type"] == "websocket.connect", message


async def accept(send, subprotocol=None, headers=None):
    message = {"type": "websocket.accept"}
    if subprotocol is not None:
        message["subprotocol"] = subprotocol
    if headers is not None:
        message["headers"] = headers
    await send(message)


async def wait_disconnect(receive):
    """receive() until websocket.disconnect; return its code."""
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return message.get("code", 1000)


# ----------------------------------------------------------------------------------------------
# WebSocket routes

async def echo(scope, receive, send):
    await connect(receive)
    await accept(send)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        assert message["type"] == "websocket.receive", message
        if message.get("bytes") is not None:
            await send({"type": "websocket.send", "bytes": message["bytes"]})
        else:
            await send({"type": "websocket.send", "text": message["text"]})


async def show_scope(scope, receive, send):
    await connect(receive)
    await accept(send)
    seen = {
        "type": scope["type"],
        "path": scope["path"],
        "raw_path": text_of(scope.get("raw_path")),
        "raw_path_is_bytes": isinstance(scope.get("raw_path"), bytes),
        "query_string": text_of(scope["query_string"]),
        "scheme": scope.get("scheme"),
        "http_version": scope.get("http_version"),
        "subprotocols": list(scope.get("subprotocols", [])),
        "headers": [[text_of(n), text_of(v)] for n, v in scope["headers"]],
        "asgi": dict(scope["asgi"]),
        "pid": os.getpid(),
    }
    await send({"type": "websocket.send", "text": json.dumps(seen)})
    await wait_disconnect(receive)


async def subprotocol(scope, receive, send):
    await connect(receive)
    offered = list(scope.get("subprotocols", []))
    chosen = offered[-1] if offered else None
    await accept(send, subprotocol=chosen)
    await send({"type": "websocket.send", "text": chosen or ""})
    await wait_disconnect(receive)


async def accept_headers(scope, receive, send):
    await connect(receive)
    await accept(send, headers=[(b"x-ws-custom", b"yes")])
    await send({"type": "websocket.send", "text": "ok"})
    await wait_disconnect(receive)


async def close(scope, receive, send):
    q = query(scope)
    await connect(receive)
    await accept(send)
    await send({"type": "websocket.close", "code": int(q.get("code", "1000")),
                "reason": q.get("reason", "")})


async def deny(scope, receive, send):
    await connect(receive)
    await send({"type": "websocket.close"})


async def deny_response(scope, receive, send):
    await connect(receive)
    await send({"type": "websocket.http.response.start", "status": 401,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "websocket.http.response.body", "body": b"nope"})


async def raise_before_accept(scope, receive, send):
    await connect(receive)
    raise RuntimeError("ws boom before accept")


async def raise_after_accept(scope, receive, send):
    await connect(receive)
    await accept(send)
    raise RuntimeError("ws boom after accept")


async def return_after_accept(scope, receive, send):
    await connect(receive)
    await accept(send)
    await send({"type": "websocket.send", "text": "bye"})


async def record(scope, receive, send):
    await connect(receive)
    await accept(send)
    code = await wait_disconnect(receive)
    if WS_EVENTS:
        with open(WS_EVENTS, "a") as f:
            f.write(f"{code}\n")


async def big(scope, receive, send):
    n = int(query(scope).get("n", str(1 << 20)))
    await connect(receive)
    await accept(send)
    await send({"type": "websocket.send", "bytes": b"x" * n})
    await wait_disconnect(receive)


async def slow_consumer(scope, receive, send):
    await connect(receive)
    await accept(send)
    await asyncio.sleep(3600)


WS_ROUTES = {"/echo": echo, "/scope": show_scope, "/subprotocol": subprotocol,
             "/accept-headers": accept_headers, "/close": close, "/deny": deny,
             "/deny-response": deny_response, "/raise-before-accept": raise_before_accept,
             "/raise-after-accept": raise_after_accept,
             "/return-after-accept": return_after_accept, "/record": record, "/big": big,
             "/slow-consumer": slow_consumer}


# ----------------------------------------------------------------------------------------------
# HTTP and lifespan

async def http(scope, receive, send):
    while True:                                  # drain the request body
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"http ok"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def lifespan(scope, receive, send):
    await acknowledge(receive, send)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    if scope["type"] == "http":
        return await http(scope, receive, send)
    assert scope["type"] == "websocket", scope["type"]
    handler = WS_ROUTES.get(scope["path"], deny)
    await handler(scope, receive, send)


application = app
