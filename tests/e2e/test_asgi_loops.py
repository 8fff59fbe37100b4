"""The ASGI worker's event loop (`--asgi-loop auto|asyncio|uvloop`): the app runs on the loop
chosen - `type(asyncio.get_running_loop()).__module__` is "uvloop" or "asyncio.unix_events" -
`auto` picks uvloop when it can be imported and falls back to asyncio when it cannot, and the
same requests (hello, POST echo with Content-Length and chunked bodies, streaming, concurrent
sleeps, keep-alive, run_in_executor) are served under each loop. `--asgi-loop uvloop` without
uvloop stops start-up with the reason; an unknown loop name is a one-line command-line error.

App: tests/apps/asgi_app.py (/loop reports the running loop). Needs Debian's python3-uvloop.
Against the reference (Gunicorn 20.1 + uvicorn 0.17.6, whose worker always uses `auto`, and
which has no --asgi-loop: those tests skip):

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_loops.py
"""

import concurrent.futures
import importlib.util
import json
import os

import pytest
import requests

from conftest import PRODUCT, WAIT_DEADLINE, run_cli
from httpclient import build_request, connect, parse_response, read_until_close

ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
APP = "asgi_app:app"
HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None
UVLOOP = "uvloop"                       # type(loop).__module__ of uvloop's Loop
ASYNCIO = "asyncio.unix_events"         # ... of asyncio's default loop on Linux
EXPECTED = {"asyncio": ASYNCIO, "uvloop": UVLOOP, "auto": UVLOOP if HAVE_UVLOOP else ASYNCIO}
needs_uvloop = pytest.mark.skipif(not HAVE_UVLOOP, reason="python3-uvloop is not installed")


def has_flag(flag):
    return flag in run_cli(["--help"]).stdout


def loop_args(loop):
    """-k and, but for the reference's implicit auto, --asgi-loop LOOP."""
    args = ["-k", ASGI_WORKER, "-w", "1"]
    if loop == "auto" and REFERENCE:
        return args                     # uvicorn's worker: loop "auto", no setting for it
    if not has_flag("--asgi-loop"):
        pytest.skip("this server has no --asgi-loop setting")
    return [*args, "--asgi-loop", loop]


def fetch(server, method, path, headers=None, body=b""):
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    pairs.append(("Connection", "close"))
    data = build_request(method, path, headers=pairs, body=body)
    return parse_response(server.raw(data), method=method)


LOOPS = [pytest.param("asyncio"), pytest.param("uvloop", marks=needs_uvloop),
         pytest.param("auto")]


@pytest.fixture(scope="module", params=LOOPS)
def loop_server(request, module_server_factory):
    """One asgi worker per --asgi-loop value, serving asgi_app."""
    server = module_server_factory(APP, *loop_args(request.param))
    server.loop = request.param
    return server


# ---------------------------------------------------------------------------------------------
# the loop the app runs on

def test_app_runs_on_the_chosen_loop(loop_server):
    data = json.loads(fetch(loop_server, "GET", "/loop").body)
    assert data["module"] == EXPECTED[loop_server.loop], data
    if data["module"] == UVLOOP:
        assert data["class"] == "Loop"
    assert data["pid"] in loop_server.worker_pids()


def test_loop_is_the_same_for_every_request(loop_server):
    """One loop per worker: keep-alive requests and fresh connections all see it."""
    seen = set()
    with requests.Session() as session:
        for _ in range(3):
            seen.add(session.get(loop_server.url + "/loop", timeout=WAIT_DEADLINE).text)
    seen.add(fetch(loop_server, "GET", "/loop").body.decode())
    assert len(seen) == 1, seen


# ---------------------------------------------------------------------------------------------
# the same requests under each loop

def test_hello(loop_server):
    resp = fetch(loop_server, "GET", "/")
    assert resp.status == 200 and resp.body == b"Hello, World!"
    assert resp.header("Content-Length") == "13"


@pytest.mark.parametrize("size", [0, 5, 200 * 1024])
def test_post_echo_content_length(loop_server, size):
    body = os.urandom(size)
    resp = fetch(loop_server, "POST", "/echo", body=body,
                 headers={"Content-Length": str(size)})
    assert resp.status == 200
    assert resp.body == body
    assert resp.header("X-Body-Length") == str(size)


def test_post_echo_chunked(loop_server):
    parts = [os.urandom(70000), b"x", os.urandom(150000)]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    resp = fetch(loop_server, "POST", "/echo", body=chunked,
                 headers={"Transfer-Encoding": "chunked"})
    assert resp.status == 200
    assert resp.body == b"".join(parts)


def test_post_echo_one_mib_with_requests(loop_server):
    blob = os.urandom(1 << 20)
    resp = requests.post(loop_server.url + "/echo", data=blob, timeout=WAIT_DEADLINE)
    assert resp.status_code == 200 and resp.content == blob


def test_streaming(loop_server):
    resp = fetch(loop_server, "GET", "/stream?n=4&delay=0.01")
    assert resp.status == 200 and resp.chunked and resp.complete
    assert resp.body == b"chunk 0\nchunk 1\nchunk 2\nchunk 3\n"


def test_concurrent_sleeps_overlap(loop_server):
    """50 requests each awaiting asyncio.sleep(0.5) on the one worker: they overlap."""
    def one(i):
        return requests.get(loop_server.url + f"/sleep?s=0.5&id=c{i}", timeout=WAIT_DEADLINE)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(one, range(50)))
    assert all(r.status_code == 200 for r in answers)
    assert [r.json()["context"] for r in answers] == [f"c{i}" for i in range(50)]
    assert max(r.json()["peak"] for r in answers) > 1


def test_run_in_executor(loop_server):
    data = json.loads(fetch(loop_server, "GET", "/executor").body)
    assert data["result"] == 42
    assert data["loop_thread"] != data["executor_thread"]


def test_keep_alive_and_pipelining(loop_server):
    with connect(loop_server.address()) as sock:
        sock.sendall(build_request("GET", "/") + build_request("POST", "/echo", body=b"abc")
                     + build_request("GET", "/", headers={"Connection": "close"}))
        raw = read_until_close(sock, WAIT_DEADLINE)
    assert raw.count(b"HTTP/1.1 200 OK") == 3, raw
    assert raw.count(b"Hello, World!") == 2 and b"\r\n\r\nabc" in raw, raw


# ---------------------------------------------------------------------------------------------
# choosing a loop that is not there

@pytest.fixture
def no_uvloop(tmp_path):
    """A --pythonpath directory whose `uvloop` package fails to import (as if not installed)."""
    package = tmp_path / "hide" / "uvloop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('raise ImportError("uvloop hidden by the test")\n')
    return str(tmp_path / "hide")


def test_auto_falls_back_to_asyncio_without_uvloop(start_server, no_uvloop):
    args = loop_args("auto")
    server = start_server(APP, *args, "--pythonpath", no_uvloop)
    data = json.loads(fetch(server, "GET", "/loop").body)
    assert data["module"] == ASYNCIO, data
    resp = fetch(server, "POST", "/echo", body=b"still served")
    assert resp.status == 200 and resp.body == b"still served"


def test_uvloop_without_uvloop_stops_start_up(start_server, no_uvloop):
    server = start_server(APP, *loop_args("uvloop"), "--pythonpath", no_uvloop, wait=False)
    code = server.wait_exit()
    log = server.log_text()
    assert code != 0, log
    assert "uvloop" in log and "Worker failed to boot" in log, log


@pytest.mark.skipif(REFERENCE, reason="greenfork-only behaviour: --asgi-loop is checked")
def test_unknown_loop_is_a_command_line_error():
    result = run_cli(["-k", "asgi", "--asgi-loop", "tokio", APP])
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--asgi-loop" in lines[0] and "tokio" in lines[0], lines
    for name in ("auto", "asyncio", "uvloop"):
        assert name in lines[0], lines
