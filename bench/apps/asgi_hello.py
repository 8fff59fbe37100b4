"""bench/run's plain ASGI 3 app: every HTTP request gets 200 with the same 13-byte text/plain
body as examples/hello.py; lifespan startup/shutdown are acknowledged and nothing else.

    greenfork -k asgi --chdir bench/apps asgi_hello:app
"""

BODY = b"Hello, World!"
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(BODY))],
}
RESPONSE = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):
    kind = scope["type"]
    if kind == "http":
        await send(START)
        await send(RESPONSE)
    elif kind == "lifespan":
        await lifespan(receive, send)


async def lifespan(receive, send):
    """Acknowledges startup and shutdown (also used by asgi_ws_echo.py)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
