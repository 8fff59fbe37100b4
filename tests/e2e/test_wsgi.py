"""PEP 3333 behaviour of the sync worker: environ, wsgi.input, response framing, app errors.

Most tests share one server (`pep_server`, module scope) running tests/apps/pep3333_app.py,
whose routes are wrapped in wsgiref.validate.validator unless under /raw/.
"""

import json
import os
import random
import re

import pytest

from conftest import WAIT_DEADLINE
from httpclient import build_request, connect, parse_response, read_until_close, wait_until

DATE_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                     r"Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
MULTILINE_BODY = b"line one\nline two\n\nline four is a bit longer than the others\nno newline"


def environ_of(server, path="/env", headers=None, version="HTTP/1.1", body=b""):
    resp = server.request("POST" if body else "GET", path, headers=headers, version=version,
                          body=body)
    assert resp.status == 200, resp
    return json.loads(resp.body)


def worker_pid(server):
    resp = server.get("/pid")
    assert resp.status_code == 200
    return int(resp.text)


def read_record(server, name, needle, timeout=WAIT_DEADLINE):
    """Wait for a line containing `needle` in the app's record file; return that line."""
    path = server.record_dir / name

    def find():
        if path.exists():
            for line in path.read_text().splitlines():
                if needle in line:
                    return line
        return None
    line = wait_until(find, timeout)
    assert line, f"{needle!r} not recorded in {name}; log:\n{server.log_text()}"
    return line


def chunked(body, sizes, trailers=b""):
    out, pos = [], 0
    for size in sizes:
        piece = body[pos:pos + size]
        if not piece:
            break
        out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
        pos += len(piece)
    if pos < len(body):
        out.append(b"%x\r\n%s\r\n" % (len(body) - pos, body[pos:]))
    return b"".join(out) + b"0\r\n" + trailers + b"\r\n"


# ---------------------------------------------------------------------------------------------
# environ

class TestEnviron:
    def test_basic_keys(self, pep_server):
        env = environ_of(pep_server, "/env?a=1&b=%20x")
        assert env["REQUEST_METHOD"] == "GET"
        assert env["SCRIPT_NAME"] == ""
        assert env["PATH_INFO"] == "/env"
        assert env["QUERY_STRING"] == "a=1&b=%20x"
        assert env["RAW_URI"] == "/env?a=1&b=%20x"
        assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
        assert env["SERVER_NAME"] == "127.0.0.1"
        assert env["SERVER_PORT"] == str(pep_server.port)
        assert env["REMOTE_ADDR"] == "127.0.0.1"
        assert env["REMOTE_PORT"].isdigit()
        assert env["HTTP_HOST"] == "localhost"
        assert env["wsgi.version"] == [1, 0]
        assert env["wsgi.url_scheme"] == "http"
        assert env["wsgi.multithread"] is False
        assert env["wsgi.multiprocess"] is False      # -w 1
        assert env["wsgi.run_once"] is False
        assert env["wsgi.input_terminated"] is True
        assert env["__has_socket__"] is True           # gunicorn.socket is a real socket
        for key in ("wsgi.input", "wsgi.errors", "wsgi.file_wrapper"):
            assert key in env
        assert env["SERVER_SOFTWARE"].startswith(("greenfork", "gunicorn"))

    def test_empty_query_string_present(self, pep_server):
        env = environ_of(pep_server, "/env")
        assert env["QUERY_STRING"] == ""
        assert env["RAW_URI"] == "/env"

    def test_http_1_0(self, pep_server):
        env = environ_of(pep_server, "/env", version="HTTP/1.0")
        assert env["SERVER_PROTOCOL"] == "HTTP/1.0"

    @pytest.mark.parametrize("target, path_info", [
        ("/env/a%20b/c", "/env/a b/c"),
        ("/env/a%2Fb", "/env/a/b"),                      # %2F is decoded too (as Gunicorn does)
        ("/env/caf%C3%A9", "/env/caf\u00c3\u00a9"),      # UTF-8 bytes shown as latin-1 characters
        ("/env/%E2%82%AC?x=%E2%82%AC", "/env/\u00e2\u0082\u00ac"),
        ("/env/plus+sign", "/env/plus+sign"),
        ("/env/x?a=%2F&b=%zz", "/env/x"),
    ])
    def test_path_info_decoding(self, pep_server, target, path_info):
        env = environ_of(pep_server, target)
        assert env["PATH_INFO"] == path_info
        assert env["RAW_URI"] == target
        assert env["QUERY_STRING"] == target.partition("?")[2]   # raw, not decoded

    def test_duplicate_headers_joined_with_comma(self, pep_server):
        env = environ_of(pep_server, "/env", headers=[("X-Dup", "one"), ("X-Dup", "two"),
                                                      ("X-Dup", "three")])
        assert env["HTTP_X_DUP"] == "one,two,three"

    def test_content_type_and_length_without_http_prefix(self, pep_server):
        env = environ_of(pep_server, "/env", headers={"Content-Type": "text/x-test"},
                         body=b"12345")
        assert env["REQUEST_METHOD"] == "POST"
        assert env["CONTENT_TYPE"] == "text/x-test"
        assert env["CONTENT_LENGTH"] == "5"
        assert "HTTP_CONTENT_TYPE" not in env
        assert "HTTP_CONTENT_LENGTH" not in env

    def test_header_names_mapped(self, pep_server):
        env = environ_of(pep_server, "/env", headers={"X-Custom-Header": "v  ", "Accept": "*/*"})
        assert env["HTTP_X_CUSTOM_HEADER"] == "v"       # surrounding whitespace stripped
        assert env["HTTP_ACCEPT"] == "*/*"

    def test_underscore_header_dropped(self, pep_server):
        env = environ_of(pep_server, "/env", headers={"X_Dropped": "evil", "X-Kept": "ok"})
        assert env["HTTP_X_KEPT"] == "ok"
        assert not any("DROPPED" in key for key in env)

    def test_forwarded_proto_from_trusted_localhost(self, pep_server):
        assert environ_of(pep_server, "/env",
                          headers={"X-Forwarded-Proto": "https"})["wsgi.url_scheme"] == "https"
        assert environ_of(pep_server, "/env",
                          headers={"X-Forwarded-Proto": "http"})["wsgi.url_scheme"] == "http"

    def test_multiprocess_with_two_workers(self, start_server):
        server = start_server("pep3333_app:application", "-w", "2")
        assert environ_of(server, "/env")["wsgi.multiprocess"] is True

    def test_through_requests(self, pep_server):
        resp = pep_server.get("/env", params={"q": "1"}, headers={"User-Agent": "e2e-agent"})
        assert resp.status_code == 200
        env = resp.json()
        assert env["HTTP_USER_AGENT"] == "e2e-agent"
        assert env["QUERY_STRING"] == "q=1"


# ---------------------------------------------------------------------------------------------
# wsgi.input

BODY_MODES = [
    "/body?mode=readn&n=7",            # validator-wrapped
    "/body?mode=readline",
    "/body?mode=readlines",
    "/raw/body?mode=read",             # read() without a size (the validator forbids it)
    "/raw/body?mode=readn&n=1",
    "/raw/body?mode=readn&n=100000",
    "/raw/body?mode=readline",
    "/raw/body?mode=readlines",
    "/raw/body?mode=iter",
]


class TestRequestBody:
    @pytest.mark.parametrize("path", BODY_MODES)
    def test_content_length_body(self, pep_server, path):
        resp = pep_server.request("POST", path, body=MULTILINE_BODY)
        assert resp.status == 200, resp
        assert resp.body == MULTILINE_BODY

    @pytest.mark.parametrize("path", BODY_MODES)
    def test_chunked_body(self, pep_server, path):
        data = (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunked(MULTILINE_BODY, [3, 1, 10, 5]))
        resp = parse_response(pep_server.raw(data))
        assert resp.status == 200, resp
        assert resp.body == MULTILINE_BODY

    def test_chunked_body_with_extensions_and_trailers(self, pep_server):
        body = b"hello world"
        data = (b"POST /raw/body?mode=read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;name=value\r\nhello\r\n6 ;x\r\n world\r\n0\r\nVary: *\r\nX-Trailer: t\r\n\r\n")
        resp = parse_response(pep_server.raw(data))
        assert resp.status == 200, resp
        assert resp.body == body

    def test_large_body_both_framings(self, pep_server):
        body = random.Random(7).randbytes(300_000)
        resp = pep_server.request("POST", "/raw/body?mode=readn&n=65536", body=body, timeout=15)
        assert resp.status == 200 and resp.body == body
        data = (b"POST /raw/body?mode=read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunked(body, [100_000, 1, 50_000]))
        resp = parse_response(pep_server.raw(data, timeout=15))
        assert resp.status == 200 and resp.body == body

    def test_requests_generator_body_is_chunked(self, pep_server):
        resp = pep_server.post("/body?mode=readline", data=iter([b"ab\n", b"cd", b"\nef"]))
        assert resp.status_code == 200
        assert resp.content == b"ab\ncd\nef"

    def test_no_body_reads_empty(self, pep_server):
        resp = pep_server.request("GET", "/raw/body?mode=read")
        assert resp.status == 200 and resp.body == b""

    def test_expect_100_continue(self, pep_server):
        body = b"continued body"
        head = (b"POST /body?mode=readn HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body))
        with connect(pep_server.address(), timeout=5) as sock:
            sock.sendall(head)
            interim = b""
            while b"\r\n\r\n" not in interim:
                data = sock.recv(4096)
                assert data, f"closed before 100 Continue; got {interim!r}"
                interim += data
            assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
            sock.sendall(body)
            rest = read_until_close(sock)
        resp = parse_response(interim + rest)
        assert resp.status == 200
        assert [status for status, _ in resp.interim] == [100]
        assert resp.body == body

    def test_expect_100_continue_ignored_on_http_1_0(self, pep_server):
        data = (b"POST /body?mode=readn HTTP/1.0\r\nHost: x\r\nExpect: 100-continue\r\n"
                b"Content-Length: 3\r\n\r\nabc")
        raw = pep_server.raw(data)
        assert not raw.startswith(b"HTTP/1.1 100"), raw
        resp = parse_response(raw)
        assert resp.status == 200 and resp.body == b"abc"

    def test_client_disconnect_mid_body_raises_in_app(self, pep_server):
        """A truncated Content-Length body must surface as an exception, not a short read."""
        pid_before = worker_pid(pep_server)
        tag = "disc%d" % random.randrange(10**9)
        with connect(pep_server.address()) as sock:
            sock.sendall(b"POST /disconnect-read?tag=" + tag.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 100000\r\n\r\n" + b"x" * 1000)
        line = read_record(pep_server, "disconnect.log", "/100000")
        assert line.startswith("raised"), line
        assert worker_pid(pep_server) == pid_before      # the worker survived


# ---------------------------------------------------------------------------------------------
# response framing

class TestResponse:
    def test_hello_headers(self, pep_server):
        resp = pep_server.request("GET", "/hello", headers={"Connection": "keep-alive"})
        assert resp.status == 200
        assert resp.version == "HTTP/1.1"
        assert resp.body == b"Hello, World!"
        assert resp.header("Content-Length") == "13"
        assert resp.header("Connection").lower() == "close"      # sync never keeps alive
        assert resp.header("Server")
        assert DATE_RE.match(resp.header("Date")), resp.header("Date")
        assert len(resp.header_all("Date")) == 1 and len(resp.header_all("Server")) == 1
        assert not resp.chunked

    def test_response_version_mirrors_http_1_0(self, pep_server):
        resp = pep_server.request("GET", "/hello", version="HTTP/1.0")
        assert resp.version == "HTTP/1.0" and resp.status == 200
        assert resp.header("Connection").lower() == "close"

    def test_head_keeps_content_length_without_body(self, pep_server):
        raw = pep_server.raw(build_request("HEAD", "/hello"))
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert b"\r\nContent-Length: 13" in head
        assert body == b""

    def test_chunked_when_no_length(self, pep_server):
        resp = parse_response(pep_server.raw(build_request("GET", "/stream?n=5")))
        assert resp.status == 200
        assert resp.chunked
        assert not resp.has_header("Content-Length")
        assert resp.complete
        assert resp.raw_body.endswith(b"0\r\n\r\n")
        assert resp.body == b"".join(b"chunk %d\n" % i for i in range(5))
        assert resp.header("Connection").lower() == "close"

    def test_no_chunking_for_http_1_0(self, pep_server):
        resp = parse_response(pep_server.raw(build_request("GET", "/stream?n=3",
                                                           version="HTTP/1.0")))
        assert resp.status == 200
        assert not resp.chunked
        assert resp.body == b"chunk 0\nchunk 1\nchunk 2\n"

    def test_write_callable(self, pep_server):
        resp = pep_server.request("GET", "/write")
        assert resp.status == 200
        assert resp.body == b"written-1;written-2;returned-3"

    @pytest.mark.parametrize("code", [204, 304])
    def test_no_body_statuses(self, pep_server, code):
        raw = pep_server.raw(build_request("GET", f"/status/{code}"))
        head, _, body = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d" % code), raw
        assert body == b"", raw
        assert b"Transfer-Encoding" not in head

    def test_other_status_passthrough(self, pep_server):
        resp = pep_server.request("GET", "/status/418")
        assert resp.status == 418 and resp.reason == "I'm a teapot"
        assert resp.body == b"status 418"

    @pytest.mark.parametrize("with_length", [True, False])
    def test_file_wrapper_byte_exact(self, pep_server, tmp_path, with_length):
        payload = random.Random(3).randbytes(200_003)
        path = tmp_path / "payload.bin"
        path.write_bytes(payload)
        resp = pep_server.request("GET", f"/file?path={path}&cl={int(with_length)}", timeout=15)
        assert resp.status == 200
        assert resp.complete
        assert resp.body == payload
        if with_length:
            assert resp.header("Content-Length") == str(len(payload))
        else:
            assert resp.chunked

    def test_file_wrapper_through_requests(self, pep_server, tmp_path):
        payload = os.urandom(70_000)
        path = tmp_path / "p.bin"
        path.write_bytes(payload)
        resp = pep_server.get("/file", params={"path": str(path)})
        assert resp.status_code == 200 and resp.content == payload


# ---------------------------------------------------------------------------------------------
# application errors

class TestAppErrors:
    @pytest.mark.parametrize("path, marker", [
        ("/error/before-start", "boom-before-start"),
        ("/error/after-start", "boom-after-start"),
    ])
    def test_exception_gives_500_and_worker_lives(self, pep_server, path, marker):
        pid_before = worker_pid(pep_server)
        resp = pep_server.request("GET", path)
        assert resp.status == 500
        assert marker.encode() not in resp.raw_body          # no traceback to the client
        assert b"Traceback" not in resp.raw_body
        assert resp.header("Connection").lower() == "close"
        pep_server.wait_for_log(r"Traceback[\s\S]*RuntimeError: " + marker)
        assert worker_pid(pep_server) == pid_before

    def test_exc_info_replaces_headers(self, pep_server):
        resp = pep_server.request("GET", "/error/exc-info")
        assert resp.status == 500
        assert resp.body == b"app-handled-error"

    def test_exception_after_first_chunk_closes_connection(self, pep_server):
        pid_before = worker_pid(pep_server)
        raw = pep_server.raw(build_request("GET", "/error/after-chunk"))
        assert raw.startswith(b"HTTP/1.1 200"), raw
        resp = parse_response(raw)
        assert b"first-chunk;" in resp.raw_body
        assert not resp.complete, "the response must not look complete after an app error"
        pep_server.wait_for_log(r"RuntimeError: boom-after-chunk")
        assert worker_pid(pep_server) == pid_before

    @pytest.mark.parametrize("kind", ["crlf", "lf", "cr"])
    def test_header_value_with_cr_lf_is_refused(self, pep_server, kind):
        """Response splitting: the header is rejected before anything is written. Gunicorn
        raises its InvalidHeader here, which handle_error maps to 400; 500 is fine too."""
        raw = pep_server.raw(build_request("GET", f"/raw/bad-header?kind={kind}"))
        resp = parse_response(raw)
        assert resp.status in (400, 500)
        head = raw.partition(b"\r\n\r\n")[0]
        assert b"X-Injected" not in head and b"X-Bad" not in head, raw
        assert not resp.has_header("X-Injected")
        assert b"should-not-be-sent" not in raw

    def test_non_bytes_body_item(self, pep_server):
        """A str body item is an app error: never sent. Gunicorn has already written the headers
        at that point (so it closes the connection); answering 500 is also acceptable."""
        pid_before = worker_pid(pep_server)
        raw = pep_server.raw(build_request("GET", "/raw/non-bytes"))
        assert b"a str, not bytes" not in raw
        if raw:
            resp = parse_response(raw)
            assert resp.status == 500 or not resp.complete, raw
        pep_server.wait_for_log(r"TypeError")
        assert worker_pid(pep_server) == pid_before

    @pytest.mark.parametrize("mode, status", [("ok", 200), ("error-first", 500),
                                              ("error-later", 200)])
    def test_close_called_on_iterable(self, pep_server, mode, status):
        tag = "%s-%d" % (mode, random.randrange(10**9))
        raw = pep_server.raw(build_request("GET", f"/raw/close-tracking?mode={mode}&tag={tag}"))
        assert raw.startswith(b"HTTP/1.1 %d" % status), raw
        if mode == "ok":
            assert parse_response(raw).body == b"part-1;part-2"
        assert read_record(pep_server, "close.log", "closed " + tag) == "closed " + tag

    def test_validator_saw_no_protocol_violation(self, pep_server):
        """Runs last in this module: nothing above tripped wsgiref.validate's assertions."""
        text = pep_server.log_text()
        assert "AssertionError" not in text, text
        assert "Iterator garbage collected without being closed" not in text, text
