"""Malformed and hostile requests (reference §6): each gets Gunicorn's status, the connection is
closed after the error response, and the worker that answered survives them all.
"""

import random

import pytest

from conftest import WAIT_DEADLINE
from httpclient import build_request, parse_response, status_of

H = b"Host: x\r\n"


def req(line=b"GET / HTTP/1.1", headers=H, body=b""):
    return line + b"\r\n" + headers + b"\r\n" + body


# (id, raw request, expected status). Default limits unless stated.
MALFORMED = [
    # --- request line ---------------------------------------------------------------------
    ("missing-target", b"GET HTTP/1.1\r\n\r\n", 400),
    ("double-space", req(b"GET  / HTTP/1.1"), 400),
    ("trailing-garbage-after-version", req(b"GET / HTTP/1.1 extra"), 400),
    ("lowercase-method", req(b"get / HTTP/1.1"), 400),
    ("method-too-short", req(b"GE / HTTP/1.1"), 400),
    ("method-too-long", req(b"ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1"), 400),
    ("method-not-token", req(b"GE(T / HTTP/1.1"), 400),
    ("method-hash", req(b"GET# / HTTP/1.1"), 400),
    ("version-2.0", req(b"GET / HTTP/2.0"), 400),
    ("version-0.9", req(b"GET / HTTP/0.9"), 400),
    ("version-two-digits", req(b"GET / HTTP/1.10"), 400),
    ("version-no-minor", req(b"GET / HTTP/1"), 400),
    ("version-lowercase", req(b"GET / http/1.1"), 400),
    ("version-garbage", req(b"GET / FOO/1.1"), 400),
    ("relative-target", req(b"GET foo HTTP/1.1"), 400),
    ("asterisk-not-options", req(b"GET * HTTP/1.1"), 400),
    ("authority-form-not-connect", req(b"GET example.com:80 HTTP/1.1"), 400),
    ("bare-lf-in-request-line", b"GET / HTTP/1.1\nHost: x\r\n\r\n", 400),
    ("bare-cr-in-request-line", b"GET / HTTP/1.1\rHost: x\r\n\r\n", 400),
    ("nul-in-version", req(b"GET / HTTP/1.1\x00"), 400),
    ("request-line-too-long", req(b"GET /" + b"a" * 4100 + b" HTTP/1.1"), 400),
    ("proxy-line-when-proxy-protocol-off",
     b"PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n" + req(), 400),
    # --- header lines -----------------------------------------------------------------------
    ("space-before-colon", req(headers=H + b"Foo : bar\r\n"), 400),
    ("no-colon", req(headers=H + b"Foo bar\r\n"), 400),
    ("empty-header-name", req(headers=H + b": bar\r\n"), 400),
    ("header-name-not-token", req(headers=H + b"Fo(o: bar\r\n"), 400),
    ("header-name-with-space", req(headers=H + b"Fo o: bar\r\n"), 400),
    ("obs-fold", req(headers=H + b"X-Foo: a\r\n  folded\r\n"), 400),
    ("obs-fold-tab", req(headers=H + b"X-Foo: a\r\n\tfolded\r\n"), 400),
    ("nul-in-header-value", req(headers=H + b"X-Foo: a\x00b\r\n"), 400),
    ("bare-cr-in-header-value", req(headers=H + b"X-Foo: a\rb\r\n"), 400),
    ("bare-lf-in-header-value", req(headers=H + b"X-Foo: a\nX-Bar: b\r\n"), 400),
    ("del-in-header-value", req(headers=H + b"X-Foo: a\x7fb\r\n"), 400),
    ("ctl-in-header-value", req(headers=H + b"X-Foo: a\x01b\r\n"), 400),
    ("duplicate-host", req(headers=b"Host: a\r\nHost: b\r\n"), 400),
    ("duplicate-content-type",
     req(headers=H + b"Content-Type: text/plain\r\nContent-Type: text/html\r\n"), 400),
    ("header-field-too-large", req(headers=H + b"X-Big: " + b"a" * 8200 + b"\r\n"), 431),
    ("too-many-headers",
     req(headers=H + b"".join(b"X-H%d: v\r\n" % i for i in range(101))), 431),
    ("expect-unknown", req(headers=H + b"Expect: something-else\r\n"), 417),
    # --- body framing / smuggling -------------------------------------------------------------
    ("duplicate-content-length",
     req(b"POST / HTTP/1.1", H + b"Content-Length: 3\r\nContent-Length: 3\r\n", b"abc"), 400),
    ("conflicting-content-length",
     req(b"POST / HTTP/1.1", H + b"Content-Length: 3\r\nContent-Length: 2\r\n", b"abc"), 400),
    ("content-length-list", req(b"POST / HTTP/1.1", H + b"Content-Length: 3, 3\r\n", b"abc"), 400),
    ("content-length-negative", req(b"POST / HTTP/1.1", H + b"Content-Length: -1\r\n"), 400),
    ("content-length-plus", req(b"POST / HTTP/1.1", H + b"Content-Length: +3\r\n", b"abc"), 400),
    ("content-length-underscore",
     req(b"POST / HTTP/1.1", H + b"Content-Length: 0_3\r\n", b"abc"), 400),
    ("content-length-hex", req(b"POST / HTTP/1.1", H + b"Content-Length: 0x3\r\n", b"abc"), 400),
    ("content-length-word", req(b"POST / HTTP/1.1", H + b"Content-Length: bla\r\n"), 400),
    ("content-length-inner-space",
     req(b"POST / HTTP/1.1", H + b"Content-Length: 1 2\r\n", b"a" * 12), 400),
    ("cl-and-te",
     req(b"POST / HTTP/1.1", H + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
         b"0\r\n\r\n"), 400),
    ("te-chunked-twice-in-list",
     req(b"POST / HTTP/1.1", H + b"Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n"), 400),
    ("te-chunked-twice-in-headers",
     req(b"POST / HTTP/1.1",
         H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"), 400),
    ("te-identity-after-chunked",
     req(b"POST / HTTP/1.1", H + b"Transfer-Encoding: chunked, identity\r\n", b"0\r\n\r\n"), 400),
    ("te-gzip-after-chunked",
     req(b"POST / HTTP/1.1", H + b"Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n"), 400),
    ("te-chunked-on-http-1.0",
     req(b"POST / HTTP/1.0", H + b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n"), 400),
    ("te-unknown-coding",
     req(b"POST / HTTP/1.1", H + b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n"), 501),
    ("te-unknown-coding-in-list",
     req(b"POST / HTTP/1.1", H + b"Transfer-Encoding: foo, chunked\r\n", b"0\r\n\r\n"), 501),
    # --- forwarded headers from a trusted peer (127.0.0.1 by default) ---------------------------
    ("conflicting-secure-scheme-headers",
     req(headers=H + b"X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n"), 400),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in MALFORMED])
def test_malformed_request(pep_server, data, expected):
    raw = pep_server.raw(data)      # raises if the server keeps the connection open
    resp = parse_response(raw)
    assert resp.status == expected, raw[:400]
    assert resp.header("Connection", "").lower() == "close"
    assert resp.complete                         # a well-framed error page


@pytest.mark.parametrize("data, message", [
    (b"GET  / HTTP/1.1\r\n\r\n",
     b"Invalid Request Line &#x27;Invalid HTTP request line: &#x27;GET  / HTTP/1.1&#x27;&#x27;"),
    (b"get / HTTP/1.1\r\n\r\n", b"Invalid Method &#x27;"),
    (b"GET / HTTP/2.0\r\n\r\n", b"Invalid HTTP Version &#x27;"),
])
def test_error_page_uses_gunicorns_wording(pep_server, data, message):
    """The page body says what Gunicorn's handle_error says, HTML-escaped as html.escape does."""
    resp = parse_response(pep_server.raw(data))
    assert resp.status == 400
    assert message in resp.body, resp.body


# Chunked-body errors surface while the app reads wsgi.input: Gunicorn treats them like a
# socket error (no response, connection closed). An error response is acceptable; a 2xx is not.
CHUNK_ERRORS = [
    ("size-trailing-space", b"5\r\nhello\r\n0 \r\n\r\n"),
    ("size-negative", b"-5\r\nhello\r\n0\r\n\r\n"),
    ("size-0x-prefix", b"0x5\r\nhello\r\n0\r\n\r\n"),
    ("size-plus", b"+5\r\nhello\r\n0\r\n\r\n"),
    ("size-underscore", b"0_5\r\nhello\r\n0\r\n\r\n"),
    ("size-not-hex", b"zz\r\nhello\r\n0\r\n\r\n"),
    ("size-empty", b"\r\nhello\r\n0\r\n\r\n"),
    ("missing-chunk-terminator", b"5\r\nhelloXX0\r\n\r\n"),
    ("bare-lf-after-chunk", b"5\r\nhello\n0\r\n\r\n"),
    ("bare-cr-in-extension", b"5;a=b\rc\r\nhello\r\n0\r\n\r\n"),
    ("forbidden-trailer", b"5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n"),
    ("truncated-body", b"5\r\nhello\r\n"),
    ("truncated-before-final-crlf", b"5\r\nhello\r\n0\r\n"),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=i) for i, b in CHUNK_ERRORS])
def test_bad_chunked_body_is_not_accepted(pep_server, body):
    data = (b"POST /raw/body?mode=read HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + body)
    raw = pep_server.raw(data, half_close=True)
    status = status_of(raw)
    assert status is None or status >= 400, raw[:400]


def test_worker_survived_the_table(pep_server):
    """After every case above, the very same worker still serves a normal request."""
    pids = pep_server.worker_pids()
    assert len(pids) == 1
    resp = pep_server.get("/pid")
    assert resp.status_code == 200
    assert int(resp.text) == pids[0]
    assert pep_server.alive()


def test_empty_connection_and_partial_head_get_no_response(pep_server):
    assert pep_server.raw(b"", half_close=True) == b""
    assert pep_server.raw(b"GET / HTTP/1.1\r\nHost: x\r\n", half_close=True) == b""


# ---------------------------------------------------------------------------------------------
# Limits given on the command line

@pytest.fixture(scope="module")
def limited_server(module_server_factory):
    return module_server_factory("pep3333_app:application", "--limit-request-line", "100",
                                 "--limit-request-fields", "5",
                                 "--limit-request-field_size", "50")


def line_of(length):
    """A request line of exactly `length` bytes (CRLF excluded)."""
    prefix, suffix = b"GET /", b" HTTP/1.1"
    return prefix + b"a" * (length - len(prefix) - len(suffix)) + suffix


@pytest.mark.parametrize("length, expected", [(100, 404), (101, 400), (300, 400)])
def test_limit_request_line(limited_server, length, expected):
    assert status_of(limited_server.raw(req(line_of(length)))) == expected


@pytest.mark.parametrize("count, expected", [(5, 200), (6, 431), (40, 431)])
def test_limit_request_fields(limited_server, count, expected):
    headers = H + b"".join(b"X-H%d: v\r\n" % i for i in range(count - 1))
    assert status_of(limited_server.raw(req(b"GET /hello HTTP/1.1", headers))) == expected


@pytest.mark.parametrize("line_length, expected", [(48, 200), (49, 431), (200, 431)])
def test_limit_request_field_size(limited_server, line_length, expected):
    """The limit counts the header line plus its CRLF."""
    name = b"X-Field: "
    line = name + b"v" * (line_length - len(name))
    assert len(line) == line_length
    assert status_of(limited_server.raw(req(b"GET /hello HTTP/1.1", H + line + b"\r\n"))) == expected


def test_default_limits_accept_near_maximum(pep_server):
    """The default limits (4094-byte line, 8190-byte field) accept requests just under them."""
    assert status_of(pep_server.raw(req(line_of(4094)))) == 404
    big = b"X-Big: " + b"a" * (8190 - 2 - 7) + b"\r\n"
    assert status_of(pep_server.raw(req(b"GET /hello HTTP/1.1", H + big))) == 200
    assert status_of(pep_server.raw(req(line_of(4095)))) == 400


# ---------------------------------------------------------------------------------------------
# Fuzz: random and bit-flipped requests must never take a process down.

SEEDS = [
    build_request("GET", "/hello?x=1", headers={"User-Agent": "fuzz", "Accept": "*/*"}),
    build_request("POST", "/raw/body?mode=read", body=b"a=1&b=2",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
    b"POST /raw/body?mode=readline HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"3\r\nabc\r\n2;e=1\r\nde\r\n0\r\nT: v\r\n\r\n",
    build_request("HEAD", "/hello", version="HTTP/1.0"),
    build_request("GET", "/env/%41%2f?q", headers={"X-Forwarded-Proto": "https",
                                                   "Expect": "100-continue"}),
]


def mutate(rng, data):
    data = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:                                   # flip bits
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == 1:                                 # overwrite with random bytes
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 2:                                 # truncate
        del data[rng.randrange(1, len(data)):]
    elif kind == 3:                                 # duplicate a slice
        i = rng.randrange(len(data))
        j = min(len(data), i + rng.randint(1, 40))
        data[i:i] = data[i:j] * rng.randint(1, 4)
    elif kind == 4:                                 # insert special bytes
        for _ in range(rng.randint(1, 4)):
            data.insert(rng.randrange(len(data)), rng.choice(b"\r\n\x00 :\t;,\x7f\xff"))
    else:                                           # pure noise
        data = bytearray(rng.randbytes(rng.randint(1, 300)))
    return bytes(data)


def test_fuzz_does_not_kill_processes(start_server):
    server = start_server("pep3333_app:application", "-w", "2", "--timeout", "30")
    workers = server.wait_workers(2)
    rng = random.Random(20261125)
    for _ in range(300):
        data = mutate(rng, rng.choice(SEEDS))
        try:
            server.raw(data, timeout=WAIT_DEADLINE, half_close=True)
        except (ConnectionError, TimeoutError) as exc:
            pytest.fail(f"server misbehaved on {data!r}: {exc!r}\n{server.log_text()[-3000:]}")
    assert server.alive()
    assert sorted(server.worker_pids()) == sorted(workers), server.log_text()[-3000:]
    resp = server.get("/hello")
    assert resp.status_code == 200 and resp.text == "Hello, World!"
