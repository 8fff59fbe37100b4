"""A Starlette (0.26, as in Debian 12) app for the ASGI worker's e2e tests
(tests/e2e/test_asgi_frameworks.py).

Routes: / (plain text), /json, /users/{name} (path parameter), /stream?n=N (StreamingResponse
from an async generator), /state (what lifespan left: app.state and the request's lifespan
state), /echo (POST: the body and its length as JSON), /sub/where (a Mount: root_path and path as
the mounted app sees them); anything else is Starlette's 404.

The lifespan context sets app.state.greeting (works on any ASGI server with lifespan). With
STARLETTE_YIELD_STATE=1 it also yields {"yielded": "from lifespan"}: Starlette then needs the
server to offer lifespan state (scope["state"]) and copies it into every request's scope
(request.state). STARLETTE_EVENTS_FILE, when set, gets "startup" / "shutdown" lines.
"""

import contextlib
import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Mount, Route


def record(line):
    path = os.environ.get("STARLETTE_EVENTS_FILE")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


@contextlib.asynccontextmanager
async def lifespan(app):
    app.state.greeting = "hello from lifespan"
    record("startup")
    if os.environ.get("STARLETTE_YIELD_STATE") == "1":
        yield {"yielded": "from lifespan"}
    else:
        yield
    record("shutdown")


async def home(request):
    return PlainTextResponse("Hello from Starlette")


async def json_route(request):
    return JSONResponse({"framework": "starlette", "numbers": [1, 2, 3], "text": "café"})


async def user(request):
    return JSONResponse({"name": request.path_params["name"],
                         "query": dict(request.query_params)})


async def stream(request):
    n = int(request.query_params.get("n", "5"))

    async def chunks():
        for i in range(n):
            yield f"part {i}\n"

    return StreamingResponse(chunks(), media_type="text/plain")


async def state(request):
    return JSONResponse({"app_state": getattr(request.app.state, "greeting", None),
                         "request_state": getattr(request.state, "yielded", None)})


async def echo(request):
    body = await request.body()
    return JSONResponse({"length": len(body), "body": body.decode("latin-1")})


async def where(request):
    return JSONResponse({"root_path": request.scope.get("root_path"),
                         "path": request.scope["path"], "url_path": request.url.path})


app = Starlette(routes=[
    Route("/", home),
    Route("/json", json_route),
    Route("/users/{name}", user),
    Route("/stream", stream),
    Route("/state", state),
    Route("/echo", echo, methods=["POST"]),
    Mount("/sub", routes=[Route("/where", where)]),
], lifespan=lifespan)
