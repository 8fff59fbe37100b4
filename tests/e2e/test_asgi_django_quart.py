"""The ASGI worker serving Django 3.2 through `django.core.asgi.get_asgi_application()` and Quart
0.18 (both from Debian 12).

Django (tests/apps/djangoproject, `mysite.asgi:application`): a sync view (run by Django in its
thread, off the loop), an `async def` view (on the loop), form, JSON and chunked POST bodies,
keep-alive, 404 - under `-k asgi` and under `-k uvicorn.workers.UvicornWorker` (greenfork's alias
for the same worker). Django 3.2's ASGIHandler raises for the lifespan scope: in the default
`--asgi-lifespan auto` it is served anyway, with no traceback in the error log.

Quart (tests/apps/quart_app.py): a JSON route, routes reading the body (raw, JSON, form), and an
`@app.before_serving` hook run by lifespan startup, whose effect /served shows; after_serving on
TERM.

Against the reference (Gunicorn 20.1 + uvicorn 0.17.6), where the Django tests run under the
uvicorn worker only:

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_django_quart.py
"""

import hashlib
import json
import os
import re
import signal

import pytest
import requests

from conftest import APPS, PRODUCT, WAIT_DEADLINE, Server
from httpclient import build_request, connect, parse_response, read_until_close, wait_until

# The worker class the tests pass to -k: greenfork's `asgi`, or the reference's uvicorn worker.
ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
DJANGO = APPS / "djangoproject"
DJANGO_APP = "mysite.asgi:application"
# greenfork: its own name and the class path a Gunicorn + uvicorn deployment already names.
DJANGO_WORKERS = [ASGI_WORKER] if REFERENCE else ["asgi", "uvicorn.workers.UvicornWorker"]


def fetch(server, method, path, headers=None, body=b""):
    """One request on its own connection (closed after the response); parsed Response."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    pairs.append(("Connection", "close"))
    data = build_request(method, path, headers=pairs, body=body)
    return parse_response(server.raw(data), method=method)


def tracebacks(text):
    """Error-log lines that show a Python exception was logged."""
    return [line for line in text.splitlines()
            if "Traceback" in line or re.search(r"\b\w+Error: ", line) or "[ERROR]" in line]


@pytest.fixture(scope="module", params=DJANGO_WORKERS)
def django_server(request, tmp_path_factory):
    """One worker serving the Django project through asgi.py, per worker class name."""
    server = Server(DJANGO_APP, ["-k", request.param, "-w", "1"],
                    tmp_path_factory.mktemp("django"), cwd=DJANGO)
    try:
        server.wait_ready()
    except BaseException:
        server.kill()
        raise
    server.worker = request.param
    yield server
    server.kill()


# ---------------------------------------------------------------------------------------------
# Django

def test_django_sync_view(django_server):
    resp = django_server.get("/")
    assert resp.status_code == 200, resp.text
    assert resp.text == "Hello from Django"
    assert resp.headers["Content-Type"] == "text/plain"
    if not REFERENCE:
        django_server.wait_for_log(rf"Using worker: {re.escape(django_server.worker)}$")


def test_django_sync_view_runs_off_the_loop_thread(django_server):
    """Django 3.2 runs a sync view through sync_to_async: in a thread, not on the loop."""
    data = django_server.get("/where/").json()
    assert data["thread"] != "MainThread", data
    assert data["path"] == "/where/" and data["script_name"] == "" and data["scheme"] == "http"
    assert data["pid"] in django_server.worker_pids()


def test_django_async_view_runs_on_the_loop(django_server):
    data = django_server.get("/async/?who=ada&n=2").json()
    assert data["async"] is True and data["on_loop"] is True, data
    assert data["thread"] == "MainThread", data              # the worker's loop thread
    assert data["query"] == {"who": "ada", "n": "2"}


def test_django_form_post(django_server):
    resp = django_server.post("/post/", data={"name": "pony"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"name": "pony", "body_len": len("name=pony"),
                           "settings": "mysite.settings"}


def test_django_form_post_multi_field_and_unicode(django_server):
    resp = django_server.post("/post/", data={"name": "café ☕", "other": "x" * 5000})
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert data["name"] == "café ☕"
    assert data["body_len"] == len(resp.request.body)


def test_django_json_post(django_server):
    payload = {"numbers": list(range(100)), "text": "naïve", "nested": {"ok": True}}
    resp = django_server.post("/json/", json=payload)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"received": payload, "method": "POST",
                           "content_type": "application/json"}


def test_django_chunked_json_post(django_server):
    """A chunked request body of 300 KiB reaches the view whole (several http.request
    messages for Django's ASGIHandler to join)."""
    payload = {"blob": "z" * (300 * 1024)}
    raw = json.dumps(payload).encode()
    pieces = (raw[i:i + 65536] for i in range(0, len(raw), 65536))
    resp = django_server.post("/json/", data=pieces,
                              headers={"Content-Type": "application/json"})
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    assert resp.status_code == 200, resp.text
    assert resp.json()["received"] == payload


def test_django_bad_json_and_wrong_method(django_server):
    resp = django_server.post("/json/", data=b"{not json",
                              headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.text == "bad JSON"
    assert django_server.get("/json/").status_code == 405


def test_django_404(django_server):
    resp = fetch(django_server, "GET", "/nope/")
    assert resp.status == 404


def test_django_keep_alive_mixes_sync_and_async_views(django_server):
    with requests.Session() as session:
        for i in range(3):
            assert session.get(django_server.url + "/", timeout=WAIT_DEADLINE).status_code == 200
            data = session.get(django_server.url + f"/async/?i={i}", timeout=WAIT_DEADLINE).json()
            assert data["query"] == {"i": str(i)}
            resp = session.post(django_server.url + "/post/", data={"name": str(i)},
                                timeout=WAIT_DEADLINE)
            assert resp.json()["name"] == str(i)


def test_django_head_has_no_body(django_server):
    with connect(django_server.address()) as sock:
        sock.sendall(build_request("HEAD", "/", headers={"Connection": "close"}))
        raw = read_until_close(sock, WAIT_DEADLINE)
    resp = parse_response(raw, method="HEAD")
    assert resp.status == 200 and resp.body == b"", raw


@pytest.mark.parametrize("worker", DJANGO_WORKERS)
def test_django_lifespan_unsupported_is_served_without_traceback(start_server, worker):
    """Django 3.2 raises ValueError for the lifespan scope. `--asgi-lifespan auto` (the
    default) serves it anyway; that is not an application error: no traceback, no ERROR line,
    from start-up to a graceful stop."""
    server = start_server(DJANGO_APP, "-k", worker, "-w", "1", cwd=DJANGO)
    assert server.get("/").text == "Hello from Django"
    assert server.post("/post/", data={"name": "x"}).json()["name"] == "x"
    server.wait_for_log(r"lifespan")                 # the one info line about it
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    log = server.log_text()
    assert tracebacks(log) == [], log
    assert "Django can only handle ASGI/HTTP connections" not in log, log
    lifespan_lines = [line for line in log.splitlines() if "lifespan" in line.lower()]
    assert len(lifespan_lines) == 1 and "[INFO]" in lifespan_lines[0], log


# ---------------------------------------------------------------------------------------------
# Quart

def quart_events(path):
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(scope="module")
def quart_server(module_server_factory, tmp_path_factory):
    events = tmp_path_factory.mktemp("quart") / "events.txt"
    server = module_server_factory("quart_app:app", "-k", ASGI_WORKER, "-w", "1",
                                   env={"QUART_EVENTS_FILE": str(events)})
    server.events_file = events
    return server


def test_quart_plain_and_json(quart_server):
    resp = quart_server.get("/")
    assert resp.status_code == 200 and resp.text == "Hello from Quart"
    resp = quart_server.get("/json")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"framework": "quart", "numbers": [1, 2, 3], "text": "café"}


@pytest.mark.parametrize("size", [0, 11, 300 * 1024])
def test_quart_reads_raw_body(quart_server, size):
    blob = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    resp = quart_server.post("/echo", data=blob,
                             headers={"Content-Type": "application/octet-stream"})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"length": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                           "content_type": "application/octet-stream"}


def test_quart_reads_chunked_body(quart_server):
    parts = [b"a" * 70000, b"b" * 5, b"c" * 100000]
    resp = quart_server.post("/echo", data=iter(parts))
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    whole = b"".join(parts)
    assert resp.json()["length"] == len(whole)
    assert resp.json()["sha256"] == hashlib.sha256(whole).hexdigest()


def test_quart_json_and_form_bodies(quart_server):
    payload = {"a": [1, 2], "b": "ü", "c": None}
    resp = quart_server.post("/json-echo", json=payload)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"received": payload, "keys": 3}
    resp = quart_server.post("/form", data=[("a", "1"), ("a", "2"), ("b", "x y")])
    assert resp.json() == {"fields": {"a": ["1", "2"], "b": ["x y"]}}


def test_quart_404_and_405(quart_server):
    assert quart_server.get("/no/such/route").status_code == 404
    assert quart_server.get("/echo").status_code == 405


def test_quart_before_serving_ran_in_the_worker_before_the_first_request(quart_server):
    """The before_serving hook ran once, in the worker that answers, on the loop that serves
    the requests (lifespan startup), and before the first answer."""
    data = quart_server.get("/served").json()
    assert data["pid"] == data["worker"], data
    assert data["runs"] == 1 and data["same_loop"] is True, data
    assert quart_events(quart_server.events_file)[0] == f"startup {data['worker']}"


def test_quart_after_serving_runs_on_term(start_server, tmp_path):
    events = tmp_path / "events.txt"
    server = start_server("quart_app:app", "-k", ASGI_WORKER, "-w", "1",
                          env={"QUART_EVENTS_FILE": str(events)})
    # Sent as soon as the master's socket accepts: answered only once startup has completed.
    data = json.loads(fetch(server, "GET", "/served").body)
    assert data["runs"] == 1 and data["pid"] == data["worker"], data
    pid = data["worker"]
    assert quart_events(events) == [f"startup {pid}"]
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    assert wait_until(lambda: quart_events(events) == [f"startup {pid}", f"shutdown {pid}"],
                      WAIT_DEADLINE), quart_events(events)
    assert tracebacks(server.log_text()) == [], server.log_text()
