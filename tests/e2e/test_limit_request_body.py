"""`--limit-request-body` on every worker type (sync, gthread, asgi): a Content-Length over the
limit gets 413 before the app runs; a chunked body that grows past it gets 413 whether it is
found before the app runs (the prefetch) or while the app reads it; bodies at the limit pass,
and 0 means unlimited. The worker lives through all of it. greenfork only: Gunicorn and uvicorn
have no such limit.
"""

import pytest

from conftest import PRODUCT
from httpclient import build_request, parse_response

pytestmark = pytest.mark.skipif(PRODUCT != "greenfork", reason="greenfork-only setting")

WORKERS = {
    "sync": ("pep3333_app:application", ["-k", "sync"], "/body?mode=readn&n=65536"),
    "gthread": ("pep3333_app:application", ["-k", "gthread", "--threads", "2"],
                "/body?mode=readn&n=65536"),
    "asgi": ("asgi_app:app", ["-k", "asgi"], "/echo"),
}
LIMIT = 100_000


def chunked(body, piece=4096):
    out = b""
    for i in range(0, len(body), piece):
        part = body[i:i + piece]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def post(server, path, body, *, chunk=False):
    headers = [("Connection", "close")]
    if chunk:
        headers.append(("Transfer-Encoding", "chunked"))
        payload = chunked(body)
    else:
        headers.append(("Content-Length", str(len(body))))
        payload = body
    data = build_request("POST", path, headers=headers, body=payload)
    return parse_response(server.raw(data), method="POST")


@pytest.fixture(params=sorted(WORKERS))
def limited(request, start_server):
    app, args, path = WORKERS[request.param]
    server = start_server(app, *args, "-w", "1", "--limit-request-body", str(LIMIT))
    return server, path


def test_content_length_over_the_limit_is_413_before_the_app(limited):
    server, path = limited
    pids = server.worker_pids()
    r = post(server, path, b"x" * (LIMIT + 1))
    assert r.status == 413
    assert b"x" * 100 not in r.body  # not echoed: the app never ran
    assert post(server, path, b"y" * LIMIT).body == b"y" * LIMIT  # at the limit: served
    assert server.worker_pids() == pids


def test_chunked_body_over_a_small_limit_is_413(start_server):
    # Under the 64 KiB prefetch: found before the app runs (gthread and asgi), or by its first
    # read (sync).
    for app, args, path in WORKERS.values():
        server = start_server(app, *args, "-w", "1", "--limit-request-body", "1000")
        assert post(server, path, b"z" * 1001, chunk=True).status == 413
        assert post(server, path, b"z" * 1000, chunk=True).body == b"z" * 1000


def test_chunked_body_growing_past_the_limit_while_the_app_reads_is_413(limited):
    server, path = limited
    r = post(server, path, b"c" * (3 * LIMIT), chunk=True)
    assert r.status == 413
    assert post(server, path, b"d" * 5000, chunk=True).body == b"d" * 5000  # worker still serves


def test_zero_means_unlimited(start_server):
    server = start_server("pep3333_app:application", "-k", "gthread", "--limit-request-body", "0")
    big = b"u" * (2 * 1024 * 1024)
    assert post(server, "/body?mode=readn&n=65536", big).body == big


def test_a_bad_value_is_a_one_line_error(tmp_path):
    from conftest import run_cli
    result = run_cli(["--limit-request-body", "lots", "pep3333_app:application"])
    assert result.returncode == 1
    assert "limit_request_body" in result.stderr or "limit-request-body" in result.stderr
