"""The ASGI worker serving real frameworks from Debian 12: Starlette 0.26 (routing, JSON,
StreamingResponse, Mount, lifespan with app.state and with yielded lifespan state) and FastAPI
0.92 (path/query parameters, pydantic bodies and their 422s, UploadFile multipart,
StreamingResponse, FileResponse, background tasks, `def` endpoints in the thread pool).

Apps: tests/apps/starlette_app.py, tests/apps/fastapi_app.py. Against the reference (Gunicorn
20.1 + uvicorn 0.17.6):

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_frameworks.py
"""

import hashlib
import os
import signal

import pytest
import requests

from conftest import PRODUCT, WAIT_DEADLINE
from httpclient import build_request, parse_response, wait_until

# The worker class the tests pass to -k: greenfork's `asgi`, or the reference's uvicorn worker.
ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
ASGI = ["-k", ASGI_WORKER, "-w", "1"]


def greenfork_only(reason):
    return pytest.mark.skipif(REFERENCE, reason=f"greenfork-only behaviour: {reason}")


def raw_get(server, path):
    data = build_request("GET", path, headers={"Connection": "close"})
    return parse_response(server.raw(data))


# ---------------------------------------------------------------------------------------------
# Starlette

@pytest.fixture(scope="module")
def starlette_server(module_server_factory):
    return module_server_factory("starlette_app:app", *ASGI)


def test_starlette_plain_and_json(starlette_server):
    resp = starlette_server.get("/")
    assert resp.status_code == 200 and resp.text == "Hello from Starlette"
    assert resp.headers["Content-Type"].startswith("text/plain")
    resp = starlette_server.get("/json")
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"framework": "starlette", "numbers": [1, 2, 3], "text": "café"}


def test_starlette_routing(starlette_server):
    resp = starlette_server.get("/users/ada%20l?x=1&y=two")
    assert resp.json() == {"name": "ada l", "query": {"x": "1", "y": "two"}}
    assert starlette_server.get("/no/such/route").status_code == 404
    assert starlette_server.post("/json").status_code == 405


def test_starlette_post_body(starlette_server):
    blob = bytes(range(256)) * 1024
    resp = starlette_server.post("/echo", data=blob)
    assert resp.json()["length"] == len(blob)
    assert resp.json()["body"].encode("latin-1") == blob


def test_starlette_streaming_response(starlette_server):
    resp = raw_get(starlette_server, "/stream?n=4")
    assert resp.status == 200 and resp.chunked and resp.complete
    assert resp.body == b"part 0\npart 1\npart 2\npart 3\n"


def test_starlette_mount_root_path(starlette_server):
    assert starlette_server.get("/sub/where").json() == {
        "root_path": "/sub", "path": "/where", "url_path": "/sub/where"}


def test_starlette_lifespan_sets_app_state(starlette_server):
    assert starlette_server.get("/state").json() == {"app_state": "hello from lifespan",
                                                     "request_state": None}


def test_starlette_lifespan_startup_and_shutdown(start_server, tmp_path):
    events = tmp_path / "starlette-events.txt"
    server = start_server("starlette_app:app", *ASGI,
                          env={"STARLETTE_EVENTS_FILE": str(events)})
    assert server.get("/").status_code == 200
    assert events.read_text().splitlines() == ["startup"]
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    assert events.read_text().splitlines() == ["startup", "shutdown"]


@greenfork_only("uvicorn 0.17.6 predates lifespan state: Starlette's startup fails there")
def test_starlette_lifespan_state_reaches_requests(start_server):
    server = start_server("starlette_app:app", *ASGI, env={"STARLETTE_YIELD_STATE": "1"})
    assert server.get("/state").json() == {"app_state": "hello from lifespan",
                                           "request_state": "from lifespan"}


# ---------------------------------------------------------------------------------------------
# FastAPI

@pytest.fixture(scope="module")
def fastapi_server(module_server_factory, tmp_path_factory):
    files = tmp_path_factory.mktemp("fastapi")
    served = files / "served.bin"
    served.write_bytes(os.urandom((1 << 20) + 123))
    server = module_server_factory("fastapi_app:app", *ASGI, env={
        "FASTAPI_FILE": str(served), "FASTAPI_BACKGROUND_FILE": str(files / "background.txt")})
    server.served = served
    server.background_file = files / "background.txt"
    return server


def test_fastapi_path_and_query_params(fastapi_server):
    assert fastapi_server.get("/items/42?q=find%20me").json() == {"item_id": 42, "q": "find me"}
    assert fastapi_server.get("/items/7").json() == {"item_id": 7, "q": None}


def test_fastapi_path_param_validation_is_422(fastapi_server):
    resp = fastapi_server.get("/items/not-a-number")
    assert resp.status_code == 422
    detail = resp.json()["detail"]
    assert detail[0]["loc"] == ["path", "item_id"], detail


def test_fastapi_json_body(fastapi_server):
    resp = fastapi_server.post("/items", json={"name": "pen", "price": 2.5, "tags": ["a"]})
    assert resp.status_code == 200
    assert resp.json() == {"name": "pen", "price": 2.5, "tags": ["a"], "price_with_tax": 3.0}


@pytest.mark.parametrize("body, loc", [
    ({"name": "pen", "price": "cheap"}, ["body", "price"]),
    ({"price": 1.0}, ["body", "name"]),
])
def test_fastapi_body_validation_is_422(fastapi_server, body, loc):
    resp = fastapi_server.post("/items", json=body)
    assert resp.status_code == 422
    assert [e["loc"] for e in resp.json()["detail"]] == [loc], resp.json()


def test_fastapi_invalid_json_is_422(fastapi_server):
    resp = fastapi_server.post("/items", data=b"{not json",
                               headers={"Content-Type": "application/json"})
    assert resp.status_code == 422


def test_fastapi_upload_file_multipart(fastapi_server):
    blob = os.urandom(300_000)
    resp = fastapi_server.post("/upload", files={"file": ("data.bin", blob, "image/png")},
                               data={"note": "héllo"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"filename": "data.bin", "size": len(blob),
                           "sha256": hashlib.sha256(blob).hexdigest(), "note": "héllo",
                           "content_type": "image/png"}


def test_fastapi_upload_missing_file_is_422(fastapi_server):
    resp = fastapi_server.post("/upload", data={"note": "no file"})
    assert resp.status_code == 422


def test_fastapi_streaming_response(fastapi_server):
    resp = raw_get(fastapi_server, "/stream?n=6")
    assert resp.status == 200 and resp.chunked and resp.complete
    assert resp.body == b"".join(b"line %d\n" % i for i in range(6))


def test_fastapi_file_response(fastapi_server):
    expected = fastapi_server.served.read_bytes()
    resp = fastapi_server.get("/file")
    assert resp.status_code == 200
    assert resp.headers["Content-Length"] == str(len(expected))
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers.get("ETag") and resp.headers.get("Last-Modified")
    assert resp.content == expected


def test_fastapi_background_task_runs(fastapi_server):
    resp = fastapi_server.post("/background?token=bg-token-1")
    assert resp.status_code == 200 and resp.json() == {"queued": "bg-token-1"}

    def written():
        return "bg-token-1" in fastapi_server.background_file.read_text().splitlines()

    assert wait_until(written, WAIT_DEADLINE), fastapi_server.log_text()


def test_fastapi_sync_endpoint_runs_off_the_loop_thread(fastapi_server):
    sync = fastapi_server.get("/sync").json()
    async_ = fastapi_server.get("/async").json()
    assert async_["task"] is True
    assert sync["thread"] != async_["thread"]


def test_fastapi_not_found_and_openapi(fastapi_server):
    resp = fastapi_server.get("/nowhere")
    assert resp.status_code == 404 and resp.json() == {"detail": "Not Found"}
    schema = fastapi_server.get("/openapi.json").json()
    assert "/items/{item_id}" in schema["paths"]

