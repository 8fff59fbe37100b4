"""An ASGI app that blocks its event loop in a named function while another request's task
awaits in a named coroutine, for the WORKER TIMEOUT dump of pending asyncio tasks."""

import asyncio
import os
import time

waiting = asyncio.Event()


async def waiter_for_test():
    waiting.set()
    await asyncio.sleep(3600)


def blocking_call_for_test():
    time.sleep(30)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # no lifespan: served without it
    path = scope["path"]
    if path == "/wait":
        await waiter_for_test()
    elif path == "/block":
        await waiting.wait()
        blocking_call_for_test()
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
