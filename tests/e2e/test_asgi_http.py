"""The ASGI worker (`-k asgi`), HTTP part: the scope, request bodies, responses (streaming, HEAD,
no-body statuses), keep-alive and HTTP/1.0, app exceptions, asyncio in the app (sleep,
run_in_executor, current_task, contextvars, 200 concurrent requests), client disconnect,
back-pressure, `--root-path`; and greenfork-only behaviour: the worker class aliases, an ASGI
app given to the sync worker, the access-log format, strict request parsing.

App: tests/apps/asgi_app.py. Every test also runs against a reference server:

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_http.py

(Debian's Gunicorn 20.1 + uvicorn 0.17.6); the greenfork-only tests skip there.
"""

import asyncio
import http.client
import json
import os
import re
import socket
import subprocess
import time

import pytest
import requests

from conftest import PRODUCT, WAIT_DEADLINE, run_cli
from httpclient import build_request, connect, parse_response, read_until_close, wait_until

# The worker class the tests pass to -k: greenfork's `asgi`, or the reference's uvicorn worker.
ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
APP = "asgi_app:app"
ASGI = ["-k", ASGI_WORKER, "-w", "1"]


def greenfork_only(reason):
    return pytest.mark.skipif(REFERENCE, reason=f"greenfork-only behaviour: {reason}")


def require_flag(flag):
    if flag not in run_cli(["--help"]).stdout:
        pytest.skip(f"this server has no {flag} setting")


def fetch(server, method, path, headers=None, body=b"", version="HTTP/1.1"):
    """One request on its own connection (closed after the response); parsed Response."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    if version == "HTTP/1.1" and not any(k.lower() == "connection" for k, _ in pairs):
        pairs.append(("Connection", "close"))
    data = build_request(method, path, headers=pairs, body=body, version=version)
    return parse_response(server.raw(data), method=method)


def events_of(server):
    try:
        return server.events_file.read_text().splitlines()
    except FileNotFoundError:
        return []


def wait_event(server, line):
    assert wait_until(lambda: line in events_of(server), WAIT_DEADLINE), \
        f"{line!r} not recorded; events: {events_of(server)}; log:\n{server.log_text()}"


@pytest.fixture(scope="module")
def asgi_server(module_server_factory, tmp_path_factory):
    """One ASGI worker serving tests/apps/asgi_app.py for the whole module."""
    events = tmp_path_factory.mktemp("asgi") / "events.txt"
    server = module_server_factory(APP, *ASGI, env={"ASGI_EVENTS_FILE": str(events)})
    server.events_file = events
    return server


@pytest.fixture
def own_server(start_server, tmp_path):
    """start_server for asgi_app with its events file; own_server(*extra_args, env=...)."""
    def start(*args, env=None, **kwargs):
        events = tmp_path / f"events{len(list(tmp_path.glob('events*')))}.txt"
        server = start_server(APP, *ASGI, *args,
                              env={"ASGI_EVENTS_FILE": str(events), **(env or {})}, **kwargs)
        server.events_file = events
        return server
    return start


# ---------------------------------------------------------------------------------------------
# Hello and the scope

def test_hello(asgi_server):
    resp = fetch(asgi_server, "GET", "/")
    assert resp.status == 200
    assert resp.body == b"Hello, World!"
    assert resp.header("Content-Length") == "13"
    assert resp.header("Content-Type") == "text/plain"
    assert not resp.chunked
    assert resp.header("Date")


def test_scope_contents(asgi_server):
    with connect(asgi_server.address(), timeout=WAIT_DEADLINE) as sock:
        client_port = sock.getsockname()[1]
        sock.sendall(b"GET /scope/caf%C3%A9?a=1&b=%20x&c HTTP/1.1\r\nHost: example.test\r\n"
                     b"X-Custom: Some Value\r\nX-Dup: 1\r\nx-dup: 2\r\nConnection: close\r\n\r\n")
        resp = parse_response(read_until_close(sock, WAIT_DEADLINE))
    assert resp.status == 200
    scope = json.loads(resp.body)
    assert scope["type"] == "http"
    assert scope["asgi"]["version"] == "3.0"
    spec = scope["asgi"]["spec_version"]
    assert isinstance(spec, str) and tuple(map(int, spec.split("."))) >= (2, 3), spec
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "GET"
    assert scope["scheme"] == "http"
    assert scope["path"] == "/scope/café"                       # percent-decoded, UTF-8
    assert scope["raw_path"] == "/scope/caf%C3%A9" and scope["raw_path_is_bytes"]
    assert scope["query_string"] == "a=1&b=%20x&c" and scope["query_string_is_bytes"]
    assert scope["root_path"] == ""
    # lower-cased names, values as sent, in order, duplicates kept (not joined)
    assert scope["headers"] == [["host", "example.test"], ["x-custom", "Some Value"],
                                ["x-dup", "1"], ["x-dup", "2"], ["connection", "close"]]
    assert scope["header_types_ok"]
    assert scope["client"] == ["127.0.0.1", client_port]
    assert scope["server"] == ["127.0.0.1", asgi_server.port]


@pytest.mark.parametrize("target, path, raw_path", [
    ("/scope/a%2Fb", "/scope/a/b", "/scope/a%2Fb"),
    ("/scope/sp%20ace/%7Etilde", "/scope/sp ace/~tilde", "/scope/sp%20ace/%7Etilde"),
    ("/scope/plain", "/scope/plain", "/scope/plain"),
])
def test_path_decoding(asgi_server, target, path, raw_path):
    scope = json.loads(fetch(asgi_server, "GET", target).body)
    assert (scope["path"], scope["raw_path"], scope["query_string"]) == (path, raw_path, "")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_scope_method(asgi_server, method):
    scope = json.loads(fetch(asgi_server, method, "/scope", body=b"x").body)
    assert scope["method"] == method


def test_http_1_0_scope_and_close(asgi_server):
    resp = fetch(asgi_server, "GET", "/scope", version="HTTP/1.0")   # read until the close
    assert resp.status == 200 and resp.complete
    assert json.loads(resp.body)["http_version"] == "1.0"
    resp = fetch(asgi_server, "GET", "/", version="HTTP/1.0")
    assert resp.body == b"Hello, World!"


def test_root_path_setting(own_server):
    require_flag("--root-path")
    server = own_server("--root-path", "/api")
    scope = json.loads(fetch(server, "GET", "/scope").body)
    assert scope["root_path"] == "/api"


@greenfork_only("root_path from a trusted proxy's SCRIPT_NAME header, as WSGI's SCRIPT_NAME")
def test_root_path_from_a_trusted_proxys_script_name(own_server):
    server = own_server("--root-path", "/api")
    scope = json.loads(fetch(server, "GET", "/scope/sub", headers={"SCRIPT_NAME": "/scope"}).body)
    assert scope["root_path"] == "/scope"
    assert scope["path"] == "/scope/sub"  # the full path, as ASGI 2.4 asks
    # From a peer outside --forwarded-allow-ips the header is dropped: the setting applies.
    server = own_server("--root-path", "/api", "--forwarded-allow-ips", "10.9.9.9")
    scope = json.loads(fetch(server, "GET", "/scope", headers={"SCRIPT_NAME": "/mount"}).body)
    assert scope["root_path"] == "/api"


# ---------------------------------------------------------------------------------------------
# Request bodies

def test_content_length_body(asgi_server):
    resp = fetch(asgi_server, "POST", "/echo", body=b"hello body")
    assert resp.status == 200 and resp.body == b"hello body"
    assert resp.header("X-Body-Length") == "10"


def test_chunked_body(asgi_server):
    body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    resp = fetch(asgi_server, "POST", "/echo", headers={"Transfer-Encoding": "chunked"},
                 body=body)
    assert resp.status == 200 and resp.body == b"hello world"


def test_no_body_is_one_empty_message(asgi_server):
    resp = fetch(asgi_server, "GET", "/echo")
    assert resp.status == 200 and resp.body == b""
    assert resp.header("X-Request-Messages") == "1"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_one_mib_upload_echoed_intact(asgi_server, framing):
    blob = os.urandom(1 << 20)
    if framing == "chunked":      # requests sends a generator chunked
        data = (blob[i:i + 100_000] for i in range(0, len(blob), 100_000))
    else:
        data = blob
    resp = requests.post(asgi_server.url + "/echo", data=data, timeout=WAIT_DEADLINE)
    assert resp.status_code == 200
    assert resp.headers["X-Body-Length"] == str(len(blob))
    assert int(resp.headers["X-Request-Messages"]) >= 1
    assert resp.content == blob


def test_expect_100_continue(asgi_server):
    with connect(asgi_server.address(), timeout=WAIT_DEADLINE) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                     b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk, f"closed before 100 Continue: {data!r}"
            data += chunk
        assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), data
        sock.sendall(b"hello")
        resp = parse_response(data + read_until_close(sock, WAIT_DEADLINE))
    assert resp.status == 200 and resp.body == b"hello"


# ---------------------------------------------------------------------------------------------
# Responses

def test_streaming_response_is_chunked(asgi_server):
    resp = fetch(asgi_server, "GET", "/stream?n=5")
    assert resp.status == 200
    assert resp.chunked and not resp.has_header("Content-Length")
    assert resp.complete and resp.raw_body.endswith(b"0\r\n\r\n")
    assert resp.body == b"".join(b"chunk %d\n" % i for i in range(5))


def test_streamed_chunk_is_sent_before_the_app_finishes(asgi_server):
    """The first chunk reaches the client while the app still sleeps before the second one."""
    with connect(asgi_server.address(), timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_request("GET", f"/stream?n=2&delay={2 * WAIT_DEADLINE}"))
        data = b""
        deadline = time.monotonic() + WAIT_DEADLINE
        while b"chunk 0\n" not in data and time.monotonic() < deadline:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                chunk = sock.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    assert b"chunk 0\n" in data, data
    assert b"chunk 1\n" not in data


@greenfork_only("uvicorn 0.17.6 answers HTTP/1.0 with Transfer-Encoding: chunked")
def test_http_1_0_stream_is_not_chunked(asgi_server):
    resp = fetch(asgi_server, "GET", "/stream?n=3", version="HTTP/1.0")
    assert resp.status == 200 and not resp.chunked
    assert resp.body == b"chunk 0\nchunk 1\nchunk 2\n"


@pytest.mark.parametrize("path", ["/", "/stream"])
def test_head_has_no_body(asgi_server, path):
    resp = fetch(asgi_server, "HEAD", path)
    assert resp.status == 200
    assert resp.raw_body == b""
    if path == "/":
        assert resp.header("Content-Length") == "13"


@pytest.mark.parametrize("code", [201, 404, 418, 503])
def test_status(asgi_server, code):
    resp = fetch(asgi_server, "GET", f"/status/{code}")
    assert resp.status == code and resp.body == f"status {code}".encode()


@pytest.mark.parametrize("code", [204, 304])
def test_no_body_status_keeps_connection_usable(asgi_server, code):
    conn = http.client.HTTPConnection(asgi_server.host, asgi_server.port, timeout=WAIT_DEADLINE)
    conn.request("GET", f"/status/{code}")
    resp = conn.getresponse()
    assert resp.status == code and resp.read() == b""
    assert resp.getheader("Transfer-Encoding") is None
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"Hello, World!"
    conn.close()


def test_duplicate_and_custom_response_headers(asgi_server):
    resp = fetch(asgi_server, "GET", "/headers")
    assert resp.status == 200
    assert resp.header("X-Custom") == "custom value"
    assert resp.header_all("Set-Cookie") == ["a=1", "b=2"]
    assert resp.header_all("X-Dup") == ["one", "two"]


def test_large_body_with_back_pressure(asgi_server):
    """A client that does not read holds a 32 MiB response: the app is paused (its sends wait),
    other clients are served meanwhile, and the body arrives intact once the client reads."""
    total, chunk = 32 << 20, 65536
    slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)    # before connect: small window
    slow.settimeout(WAIT_DEADLINE)
    try:
        slow.connect(asgi_server.address())
        slow.sendall(build_request("GET", f"/large?n={total}&id=bp",
                                   headers={"Connection": "close"}))
        wait_event(asgi_server, "large-start bp")
        assert fetch(asgi_server, "GET", "/").body == b"Hello, World!"
        assert "large-done bp" not in events_of(asgi_server), "the app was not paused"
        resp = parse_response(read_until_close(slow, WAIT_DEADLINE))
    finally:
        slow.close()
    assert resp.status == 200 and resp.complete
    assert resp.header("Content-Length") == str(total)
    expected = b"".join(bytes([i % 251]) * chunk for i in range(total // chunk))
    assert resp.body == expected
    wait_event(asgi_server, "large-done bp")


# ---------------------------------------------------------------------------------------------
# Connections

def test_keep_alive_several_requests_on_one_connection(asgi_server):
    conn = http.client.HTTPConnection(asgi_server.host, asgi_server.port, timeout=WAIT_DEADLINE)
    ports = set()
    for i in range(5):
        conn.request("GET", "/scope")
        resp = conn.getresponse()
        assert resp.status == 200
        ports.add(json.loads(resp.read())["client"][1])
        conn.request("POST", "/echo", body=b"x" * i)
        assert conn.getresponse().read() == b"x" * i
        conn.request("GET", "/stream?n=2")                  # chunked, then reuse
        assert conn.getresponse().read() == b"chunk 0\nchunk 1\n"
    conn.close()
    assert len(ports) == 1, ports          # the same client port: one TCP connection all along


def test_pipelined_requests_answered_in_order(asgi_server):
    data = (build_request("GET", "/status/201") + build_request("POST", "/echo", body=b"two")
            + build_request("GET", "/", headers={"Connection": "close"}))
    raw = asgi_server.raw(data)
    bodies = []
    while raw:
        resp = parse_response(raw)
        length = int(resp.header("Content-Length"))
        bodies.append((resp.status, resp.body))
        raw = raw[raw.index(b"\r\n\r\n") + 4 + length:]
    assert bodies == [(201, b"status 201"), (200, b"two"), (200, b"Hello, World!")]


# ---------------------------------------------------------------------------------------------
# App exceptions

def test_exception_before_start_is_500_and_worker_lives(own_server):
    server = own_server()
    pid = fetch(server, "GET", "/pid").body
    resp = fetch(server, "GET", "/raise-before")
    assert resp.status == 500
    server.wait_for_log(r"RuntimeError: asgi boom before start")
    assert "Traceback (most recent call last)" in server.log_text()
    assert fetch(server, "GET", "/pid").body == pid
    assert fetch(server, "GET", "/").body == b"Hello, World!"


@pytest.mark.parametrize("chunked", ["0", "1"])
def test_exception_after_start_closes_without_complete_response(own_server, chunked):
    server = own_server()
    pid = fetch(server, "GET", "/pid").body
    with connect(server.address(), timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_request("GET", f"/raise-after?chunked={chunked}"))  # keep-alive asked
        resp = parse_response(read_until_close(sock, WAIT_DEADLINE))          # ...but closed
    assert resp.status == 200
    assert not resp.complete
    assert resp.body.startswith(b"first part")
    assert resp.chunked == (chunked == "1")
    server.wait_for_log(r"RuntimeError: asgi boom after start")
    assert fetch(server, "GET", "/pid").body == pid


# ---------------------------------------------------------------------------------------------
# asyncio in the app

def test_sleep_task_and_contextvar(asgi_server):
    resp = fetch(asgi_server, "GET", "/sleep?s=0.05&id=ctx-one")
    body = json.loads(resp.body)
    assert body["task"] is True
    assert body["context"] == "ctx-one"


def test_run_in_executor(asgi_server):
    body = json.loads(fetch(asgi_server, "GET", "/executor").body)
    assert body["result"] == 42
    assert body["executor_thread"] != body["loop_thread"]


def test_many_concurrent_requests_complete_quickly(asgi_server):
    """200 requests that each await asyncio.sleep(0.2) on one worker: one after another would
    take 40 s; a concurrent loop runs them together."""
    count, pause = 200, 0.2

    async def one(i):
        reader, writer = await asyncio.open_connection(asgi_server.host, asgi_server.port)
        writer.write(build_request("GET", f"/sleep?s={pause}&id=c{i}",
                                   headers={"Connection": "close"}))
        data = await reader.read()
        writer.close()
        return parse_response(data)

    async def run_all():
        return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))),
                                      WAIT_DEADLINE * 2)

    started = time.monotonic()
    responses = asyncio.run(run_all())
    elapsed = time.monotonic() - started
    assert all(r.status == 200 for r in responses)
    bodies = [json.loads(r.body) for r in responses]
    assert [b["context"] for b in bodies] == [f"c{i}" for i in range(count)]   # per-task context
    assert max(b["peak"] for b in bodies) >= 20, "requests did not overlap in the worker"
    assert elapsed < count * pause / 4, f"{count} requests took {elapsed:.1f}s"


def test_client_disconnect_delivers_http_disconnect(asgi_server):
    with connect(asgi_server.address(), timeout=WAIT_DEADLINE) as sock:
        sock.sendall(build_request("POST", "/disconnect?id=gone", body=b"payload"))
        wait_event(asgi_server, "disconnect-wait gone")
    wait_event(asgi_server, "disconnect gone")
    assert fetch(asgi_server, "GET", "/").status == 200


# ---------------------------------------------------------------------------------------------
# greenfork only

ALIASES = ["asgi", "gunicorn.workers.gasgi.ASGIWorker", "uvicorn.workers.UvicornWorker",
           "uvicorn.workers.UvicornH11Worker", "uvicorn_worker.UvicornWorker"]


def importable(class_path):
    """True when Debian's Python (the reference's) can import the class path's module."""
    module = class_path.rpartition(".")[0]
    return bool(module) and subprocess.run(["/usr/bin/python3", "-c", f"import {module}"],
                                           capture_output=True).returncode == 0


@pytest.mark.parametrize("worker", ALIASES)
def test_worker_class_aliases_select_asgi(start_server, tmp_path, worker):
    """Every class path names greenfork's own ASGI worker: it serves the app and never imports
    uvicorn (a poisoned uvicorn package is first on the path). The reference runs the uvicorn
    ones it has, without the poison."""
    args = ["-k", worker, "-w", "1"]
    if REFERENCE:
        if worker == "asgi" or not importable(worker):
            pytest.skip(f"the reference has no worker class {worker}")
    else:
        for name in ("uvicorn", "uvicorn_worker"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "__init__.py").write_text(
                f"raise ImportError('greenfork imported {name}')\n")
        args += ["--pythonpath", str(tmp_path)]
    server = start_server(APP, *args)
    resp = fetch(server, "GET", "/")
    assert resp.status == 200 and resp.body == b"Hello, World!", server.log_text()
    assert "greenfork imported" not in server.log_text()


@greenfork_only("an ASGI app under the sync worker is a start-up error (Gunicorn serves 500s)")
def test_asgi_app_under_sync_worker_fails_start_up(start_server):
    server = start_server(APP, "-w", "1", wait=False)
    statuses = []

    def exited():
        if server.proc.poll() is not None:
            return True
        try:
            statuses.append(fetch(server, "GET", "/").status)
        except Exception:  # noqa: BLE001 - refused / reset while it starts or stops
            pass
        return False

    assert wait_until(exited, WAIT_DEADLINE), server.log_text()
    assert server.proc.returncode != 0
    text = server.log_text()
    lines = [line for line in text.splitlines() if "-k asgi" in line]
    assert len(lines) == 1, text
    assert "Traceback" not in text, text
    assert 500 not in statuses, statuses


@greenfork_only("the access log uses Gunicorn's format (uvicorn logs its own)")
def test_access_log_in_gunicorn_default_format(own_server):
    server = own_server("--access-logfile", "-")
    resp = fetch(server, "GET", "/?q=1", headers={"User-Agent": "curl/7.88.1"})
    assert resp.status == 200
    line = server.wait_for_log(r"^127\.0\.0\.1 .*$", source=server.stdout_text).group(0)
    assert re.match(r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                    r'"GET /\?q=1 HTTP/1\.1" 200 13 "-" "curl/7\.88\.1"$', line), line


@pytest.mark.parametrize("name, data", [
    ("plus-content-length",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +7\r\nConnection: close\r\n\r\nabcdefg"),
    pytest.param("bare-lf-in-header",
                 b"GET / HTTP/1.1\r\nHost: x\nX-A: b\r\nConnection: close\r\n\r\n",
                 marks=greenfork_only("httptools 0.1 accepts a bare LF ending a header line")),
    ("two-content-lengths",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n"
     b"Connection: close\r\n\r\nabcd"),
    ("content-length-and-chunked",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
     b"Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_malformed_request_is_400_and_worker_lives(asgi_server, name, data):
    """A request greenfork's WSGI workers answer 400 is a 400 here too, and the worker lives."""
    pid = fetch(asgi_server, "GET", "/pid").body
    resp = parse_response(asgi_server.raw(data, half_close=True))
    assert resp.status == 400, (name, resp)
    assert fetch(asgi_server, "GET", "/pid").body == pid


def test_malformed_chunked_body_is_never_served(asgi_server):
    """A chunk without its CRLF surfaces while the app reads the body: as in the WSGI workers
    (and Gunicorn) the connection closes without a response - never a 2xx - and the worker
    lives."""
    pid = fetch(asgi_server, "GET", "/pid").body
    raw = asgi_server.raw(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          b"Connection: close\r\n\r\n5\r\nhelloX0\r\n\r\n", half_close=True)
    assert raw == b"" or parse_response(raw).status >= 400, raw[:300]
    assert fetch(asgi_server, "GET", "/pid").body == pid
