"""Misbehaving routes for the failure drills (tests/e2e/test_failure_drills.py).

Every route that is not a deliberate crash answers normally afterwards, so a test can check
that the same worker process (GET /pid) serves the next request.
"""

import ctypes
import json
import os
import socket
import threading
import time
from urllib.parse import parse_qs

_hogged = []          # descriptors held by /hog until its timer releases them


def query(environ):
    return {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def ok(start_response, body, status="200 OK"):
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def pid(environ, start_response):
    return ok(start_response, str(os.getpid()).encode())


def hello(environ, start_response):
    return ok(start_response, b"hello")


def work(environ, start_response):
    """A short request (?ms= of sleep) answering with the worker pid."""
    time.sleep(float(query(environ).get("ms", "10")) / 1000)
    return ok(start_response, str(os.getpid()).encode())


def segv(environ, start_response):
    ctypes.string_at(0)           # reads address 0: SIGSEGV inside the app
    return ok(start_response, b"unreachable")


def hang(environ, start_response):
    time.sleep(3600)
    return ok(start_response, b"unreachable")


def raise_before(environ, start_response):
    raise RuntimeError("drill-before-start-response")


def raise_after(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise RuntimeError("drill-after-start-response")


BAD_STATUS = {
    "no-reason-garbage": "2xx OK",
    "letters": "OK",
    "short": "20",
    "no-space": "200OK",
    "crlf": "200 OK\r\nX-Injected: yes",
    "int": 200,
    "bytes": b"200 OK",
}


def bad_status(environ, start_response):
    start_response(BAD_STATUS[query(environ)["kind"]], [("Content-Type", "text/plain")])
    return [b"should-not-be-sent"]


BAD_NAMES = {
    "space": "X Bad",
    "colon": "X:Bad",
    "empty": "",
    "crlf": "X-Bad\r\nX-Injected",
    "non-str": 42,
}


def bad_header_name(environ, start_response):
    name = BAD_NAMES[query(environ)["kind"]]
    start_response("200 OK", [("Content-Type", "text/plain"), (name, "v")])
    return [b"should-not-be-sent"]


BAD_VALUES = {
    "crlf": "x\r\nX-Injected: yes",
    "lf": "x\nX-Injected: yes",
    "cr": "x\rX-Injected: yes",
    "nul": "x\x00y",
}


def bad_header_value(environ, start_response):
    value = BAD_VALUES[query(environ)["kind"]]
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Bad", value)])
    return [b"should-not-be-sent"]


BAD_BODIES = {
    "str": lambda: ["should-not-be-sent"],
    "int": lambda: [42],
    "none": lambda: [None],
    "bare-bytes-ints": lambda: iter(b"should-not-be-sent"),     # iterating bytes gives ints
    "not-iterable": lambda: 42,
}


def bad_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return BAD_BODIES[query(environ)["kind"]]()


def upload(environ, start_response):
    """Read the whole declared body; what happens when the client vanishes is the server's."""
    stream = environ["wsgi.input"]
    total = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        total += len(chunk)
    return ok(start_response, str(total).encode())


_closed = {"big": 0}


class BigBody:
    """?mb= MiB in 64 KiB pieces; counts its close() calls (PEP 3333: the server must call it,
    also when the client went away)."""

    def __init__(self, total):
        self.left = total

    def __iter__(self):
        piece = b"x" * 65536
        while self.left > 0:
            self.left -= len(piece)
            yield piece

    def close(self):
        _closed["big"] += 1


def big(environ, start_response):
    """A large response the client abandons part-way: a generator-like iterable, or with
    ?file=PATH that file through wsgi.file_wrapper (sendfile)."""
    q = query(environ)
    if "file" in q:
        path = q["file"]
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(os.path.getsize(path)))])
        return environ["wsgi.file_wrapper"](open(path, "rb"), 65536)
    total = int(q.get("mb", "256")) * 1024 * 1024
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(total))])
    return BigBody(total)


def closed(environ, start_response):
    return ok(start_response, str(_closed["big"]).encode())


def hog(environ, start_response):
    """After ?delay= seconds, open descriptors until the process limit is reached and keep
    them ?s= seconds.

    The grab happens in a thread once this response is gone (so the client socket is closed
    too): meanwhile the worker's accept() fails with EMFILE; afterwards it must serve again.
    """
    q = query(environ)
    hog_descriptors_later(float(q.get("delay", "0.3")), float(q.get("s", "2")))
    return ok(start_response, b"hogging")


def hog_descriptors_later(delay, seconds):
    """In a thread: after `delay` seconds take every free descriptor, give them back after
    `seconds` (shared with asgi_drill_app.py)."""
    def grab_and_release():
        time.sleep(delay)
        try:
            while True:
                _hogged.append(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
        except OSError:
            pass
        time.sleep(seconds)
        while _hogged:
            os.close(_hogged.pop())
    threading.Thread(target=grab_and_release, daemon=True).start()


_pairs = []          # socket pairs opened by /socket/close, checked by /socket/check


def socket_close(environ, start_response):
    """Close environ["gunicorn.socket"], then open a socket pair: one of its ends gets the
    lowest free descriptor number, the one just closed. The server must not write its response
    into it, nor close it afterwards."""
    environ["gunicorn.socket"].close()
    _pairs.append(socket.socketpair())
    return ok(start_response, b"after-close")


def socket_check(environ, start_response):
    """What the pair from /socket/close received, and whether both ends are still open."""
    leaked, intact = b"", True
    for end in _pairs.pop():
        try:
            os.fstat(end.fileno())
            end.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
            end.setblocking(False)
            try:
                leaked += end.recv(65536)
            except BlockingIOError:
                pass
        except OSError:
            intact = False
        try:
            end.close()
        except OSError:
            pass
    body = json.dumps({"leaked": leaked.decode("latin-1"), "intact": intact}).encode()
    return ok(start_response, body)


ROUTES = {
    "/": hello,
    "/hello": hello,
    "/pid": pid,
    "/work": work,
    "/segv": segv,
    "/hang": hang,
    "/raise/before": raise_before,
    "/raise/after": raise_after,
    "/bad/status": bad_status,
    "/bad/header-name": bad_header_name,
    "/bad/header-value": bad_header_value,
    "/bad/body": bad_body,
    "/upload": upload,
    "/big": big,
    "/closed": closed,
    "/hog": hog,
    "/socket/close": socket_close,
    "/socket/check": socket_check,
}


def application(environ, start_response):
    route = ROUTES.get(environ.get("PATH_INFO", ""))
    if route is None:
        return ok(start_response, b"not found", status="404 Not Found")
    return route(environ, start_response)
