"""bench/run's WebSocket echo app, a plain ASGI 3 app (`ws-echo`): a WebSocket connection (any
path) is accepted and every message is sent back as it came, text as text and bytes as bytes,
until websocket.disconnect; an HTTP request gets 200 with the same 13-byte text/plain body as
asgi_hello.py (bench/run's start-up probe); lifespan startup/shutdown are acknowledged.

    greenfork -k asgi --chdir bench/apps asgi_ws_echo:app
    python3 -m uvicorn --loop uvloop --http httptools --ws websockets --app-dir bench/apps asgi_ws_echo:app
"""

from asgi_hello import RESPONSE, START, lifespan

ACCEPT = {"type": "websocket.accept"}


async def app(scope, receive, send):
    kind = scope["type"]
    if kind == "websocket":
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send(ACCEPT)
        while True:
            message = await receive()
            if message["type"] == "websocket.receive":
                text = message.get("text")
                if text is not None:
                    await send({"type": "websocket.send", "text": text})
                else:
                    await send({"type": "websocket.send", "bytes": message.get("bytes") or b""})
            elif message["type"] == "websocket.disconnect":
                return
    elif kind == "http":
        await send(START)
        await send(RESPONSE)
    elif kind == "lifespan":
        await lifespan(receive, send)
