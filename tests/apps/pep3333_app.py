"""A PEP 3333 test application for the e2e suite.

`application` wraps every route in `wsgiref.validate.validator`, so any server-side PEP 3333
violation (environ types, start_response use, iteration/close protocol) raises inside the app
and turns into a 500 + traceback in the error log. Paths under `/raw/` skip the validator: they
do things the validator itself would refuse (read() without a size, a CR/LF header value, a
str body item) so that the *server's* handling is what gets tested.

Side effects that tests need to observe after the fact (close() calls, what a read saw when
the client vanished) are appended to files in $PEP_RECORD_DIR (or the directory given by the
`dir` query parameter).
"""

import json
import os
import sys
import time
from urllib.parse import parse_qs
from wsgiref.validate import validator

HELLO = b"Hello, World!"


# ---------------------------------------------------------------------------------------------
# helpers

def query(environ):
    return {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}


def record(environ, name, line):
    directory = query(environ).get("dir") or os.environ.get("PEP_RECORD_DIR")
    if not directory:
        return
    with open(os.path.join(directory, name), "a") as f:
        f.write(line + "\n")
        f.flush()


def respond(start_response, body, status="200 OK", content_type="text/plain", extra=()):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            *extra])
    return [body]


def jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    return "<%s>" % type(value).__name__


# ---------------------------------------------------------------------------------------------
# routes: each is (environ, start_response) -> iterable

def hello(environ, start_response):
    return respond(start_response, HELLO)


def pid(environ, start_response):
    return respond(start_response, str(os.getpid()).encode())


def env(environ, start_response):
    """The environ as JSON; non-JSON values become "<typename>"."""
    data = {k: jsonable(v) for k, v in environ.items()}
    data["__pid__"] = os.getpid()
    data["__has_socket__"] = hasattr(environ.get("gunicorn.socket"), "fileno")
    return respond(start_response, json.dumps(data).encode(), content_type="application/json")


def getenv(environ, start_response):
    """os.environ[name] of the worker process (for --env / raw_env)."""
    name = query(environ).get("name", "")
    value = os.environ.get(name)
    body = json.dumps({"name": name, "value": value, "cwd": os.getcwd(),
                       "sys_path": sys.path}).encode()
    return respond(start_response, body, content_type="application/json")


def body(environ, start_response):
    """Echo the request body, read in the mode named by ?mode= (readn, readline, readlines, iter, read)."""
    stream = environ["wsgi.input"]
    mode = query(environ).get("mode", "readn")
    n = int(query(environ).get("n", "7"))
    parts = []
    if mode == "read":
        parts.append(stream.read())
    elif mode == "readn":
        while True:
            chunk = stream.read(n)
            if not chunk:
                break
            parts.append(chunk)
    elif mode == "readline":
        while True:
            line = stream.readline()
            if not line:
                break
            parts.append(line)
    elif mode == "readlines":
        parts.extend(stream.readlines())
    elif mode == "iter":
        parts.extend(iter(stream))
    else:
        raise ValueError("unknown mode %r" % mode)
    data = b"".join(parts)
    return respond(start_response, data, content_type="application/octet-stream",
                   extra=[("X-Read-Mode", mode), ("X-Pieces", str(len(parts)))])


def stream(environ, start_response):
    """No Content-Length: the server must frame it (chunked on HTTP/1.1)."""
    count = int(query(environ).get("n", "5"))
    start_response("200 OK", [("Content-Type", "text/plain")])

    def generate():
        for i in range(count):
            yield b"chunk %d\n" % i
    return generate()


def write_callable(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written-1;")
    write(b"written-2;")
    return [b"returned-3"]


def file_route(environ, start_response):
    """Serve ?path= through wsgi.file_wrapper (with Content-Length unless ?cl=0)."""
    q = query(environ)
    path = q["path"]
    f = open(path, "rb")
    headers = [("Content-Type", "application/octet-stream")]
    if q.get("cl", "1") != "0":
        headers.append(("Content-Length", str(os.path.getsize(path))))
    start_response("200 OK", headers)
    return environ["wsgi.file_wrapper"](f, 8192)


def status(environ, start_response):
    """/status/NNN: 204 and 304 carry no body and no Content-Type (the validator insists)."""
    code = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    reason = {200: "OK", 204: "No Content", 304: "Not Modified", 404: "Not Found",
              418: "I'm a teapot"}.get(code, "Whatever")
    if code in (204, 304):
        start_response("%d %s" % (code, reason), [])
        return [b""]
    return respond(start_response, b"status %d" % code, status="%d %s" % (code, reason))


def error_before_start(environ, start_response):
    raise RuntimeError("boom-before-start")


def error_after_start(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise RuntimeError("boom-after-start")


def error_after_chunk(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def generate():
        yield b"first-chunk;"
        raise RuntimeError("boom-after-chunk")
    return generate()


def error_exc_info(environ, start_response):
    """PEP 3333 error handling: replace the headers via start_response(..., exc_info)."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise ValueError("handled-by-app")
    except ValueError:
        body = b"app-handled-error"
        start_response("500 Internal Server Error",
                       [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
                       sys.exc_info())
        return [body]


def sleep(environ, start_response):
    """Sleep ?s= seconds; touches ?marker= first so a test knows the request is in flight."""
    q = query(environ)
    marker = q.get("marker")
    if marker:
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
    time.sleep(float(q.get("s", "1")))
    return respond(start_response, b"slept")


def print_route(environ, start_response):
    """print() to stdout and stderr (for --capture-output) and write to wsgi.errors."""
    msg = query(environ).get("msg", "printed")
    print("stdout:" + msg, flush=True)
    print("stderr:" + msg, file=sys.stderr, flush=True)
    environ["wsgi.errors"].write("wsgi.errors:" + msg + "\n")
    environ["wsgi.errors"].flush()
    return respond(start_response, b"printed")


class CloseTracker:
    """An iterable whose close() calls are recorded to <record dir>/close.log."""

    def __init__(self, environ, mode, tag):
        self.environ, self.mode, self.tag = environ, mode, tag

    def __iter__(self):
        if self.mode == "error-first":
            raise RuntimeError("close-tracker-error-first")
        yield b"part-1;"
        if self.mode == "error-later":
            raise RuntimeError("close-tracker-error-later")
        yield b"part-2"

    def close(self):
        record(self.environ, "close.log", "closed %s" % self.tag)


def close_tracking(environ, start_response):
    q = query(environ)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return CloseTracker(environ, q.get("mode", "ok"), q.get("tag", "-"))


def disconnect_read(environ, start_response):
    """Read the whole declared body; record whether the read completed, came back short, or raised."""
    expected = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    got = 0
    outcome = None
    try:
        while got < expected:
            chunk = stream.read(min(4096, expected - got))
            if not chunk:
                outcome = "short %d/%d" % (got, expected)
                break
            got += len(chunk)
        else:
            outcome = "complete %d" % got
    except Exception as exc:  # what the server raises is up to it, but it must raise
        outcome = "raised %s %d/%d" % (type(exc).__name__, got, expected)
    record(environ, "disconnect.log", outcome)
    return respond(start_response, outcome.encode())


def bad_header(environ, start_response):
    """A header value with CR/LF (response splitting attempt). Unvalidated: /raw/bad-header."""
    kind = query(environ).get("kind", "crlf")
    value = {"crlf": "x\r\nX-Injected: yes", "lf": "x\nX-Injected: yes", "cr": "x\rX-Injected: yes"}[kind]
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Bad", value)])
    return [b"should-not-be-sent"]


def non_bytes(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["a str, not bytes"]


def not_found(environ, start_response):
    return respond(start_response, b"not found", status="404 Not Found")


ROUTES = {
    "/": hello,
    "/hello": hello,
    "/pid": pid,
    "/env": env,
    "/getenv": getenv,
    "/body": body,
    "/stream": stream,
    "/write": write_callable,
    "/file": file_route,
    "/error/before-start": error_before_start,
    "/error/after-start": error_after_start,
    "/error/after-chunk": error_after_chunk,
    "/error/exc-info": error_exc_info,
    "/sleep": sleep,
    "/print": print_route,
    "/close-tracking": close_tracking,
    "/disconnect-read": disconnect_read,
    "/bad-header": bad_header,
    "/non-bytes": non_bytes,
}


def route(path):
    if path.startswith("/status/"):
        return status
    if path.startswith("/env/"):       # /env/<anything>: PATH_INFO decoding tests
        return env
    return ROUTES.get(path, not_found)


def raw_app(environ, start_response):
    """The same routes without the validator."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/raw/"):
        path = path[len("/raw"):]
    return route(path)(environ, start_response)


_validated = {}


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path.startswith("/raw/"):
        return raw_app(environ, start_response)
    handler = route(path)
    if handler not in _validated:
        _validated[handler] = validator(handler)
    return _validated[handler](environ, start_response)
