"""The ASGI worker's lifespan protocol: startup completes before the first request is answered,
shutdown runs after TERM once in-flight requests are done, each worker runs its own lifespan,
lifespan state reaches the request scope, an app that raises for lifespan is served anyway
(`auto`), lifespan.startup.failed stops the server with the app's message, `--asgi-lifespan
off|on`.

App: tests/apps/asgi_app.py (its lifespan records "startup PID" / "shutdown PID" in
$ASGI_EVENTS_FILE). Against the reference (Gunicorn 20.1 + uvicorn 0.17.6):

    GREENFORK_BIN=/usr/bin/gunicorn GREENFORK_ASGI_WORKER=uvicorn.workers.UvicornWorker \\
        /usr/bin/python3 -m pytest -q tests/e2e/test_asgi_lifespan.py
"""

import json
import os
import re
import signal
import threading

import pytest
import requests

from conftest import PRODUCT, WAIT_DEADLINE, run_cli
from httpclient import build_request, parse_response, wait_until

# The worker class the tests pass to -k: greenfork's `asgi`, or the reference's uvicorn worker.
ASGI_WORKER = os.environ.get("GREENFORK_ASGI_WORKER", "asgi")
REFERENCE = ASGI_WORKER != "asgi" or PRODUCT != "greenfork"
APP = "asgi_app:app"


def greenfork_only(reason):
    return pytest.mark.skipif(REFERENCE, reason=f"greenfork-only behaviour: {reason}")


def require_flag(flag):
    if flag not in run_cli(["--help"]).stdout:
        pytest.skip(f"this server has no {flag} setting")


@pytest.fixture
def lifespan_server(start_server, tmp_path):
    """lifespan_server(*extra_args, workers=1, env=None, wait=True) -> Server with .events()."""
    def start(*args, workers=1, env=None, wait=True):
        events = tmp_path / "events.txt"
        server = start_server(APP, "-k", ASGI_WORKER, "-w", str(workers), *args,
                              env={"ASGI_EVENTS_FILE": str(events), **(env or {})}, wait=wait)
        server.events = lambda: events.read_text().splitlines() if events.exists() else []
        return server
    return start


def get(server, path):
    data = build_request("GET", path, headers={"Connection": "close"})
    return parse_response(server.raw(data))


def test_startup_completes_before_the_first_request_is_answered(lifespan_server):
    # A slow startup: a worker that served before lifespan.startup.complete would answer
    # /events without the startup line.
    server = lifespan_server(env={"ASGI_STARTUP_DELAY": "0.5"})
    resp = get(server, "/events")            # sent as soon as the master's socket accepts
    assert resp.status == 200
    pid = get(server, "/pid").body.decode()
    assert resp.body.decode().splitlines() == [f"startup {pid}"]


def test_shutdown_recorded_after_term(lifespan_server):
    server = lifespan_server()
    pid = get(server, "/pid").body.decode()
    assert server.events() == [f"startup {pid}"]
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    assert server.events() == [f"startup {pid}", f"shutdown {pid}"]


def test_term_finishes_in_flight_request_before_shutdown(lifespan_server):
    server = lifespan_server()
    pid = get(server, "/pid").body.decode()
    result = {}

    def slow_request():
        try:
            result["resp"] = requests.get(server.url + "/sleep?s=1&id=inflight&record=1",
                                          timeout=WAIT_DEADLINE)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert wait_until(lambda: "sleep-start inflight" in server.events(), WAIT_DEADLINE), \
        server.events()
    server.signal(signal.SIGTERM)
    thread.join(WAIT_DEADLINE)
    assert "error" not in result, result
    assert result["resp"].status_code == 200
    assert json.loads(result["resp"].content)["context"] == "inflight"
    assert server.wait_exit() == 0, server.log_text()
    assert server.events() == [f"startup {pid}", "sleep-start inflight", "sleep-end inflight",
                               f"shutdown {pid}"]


def test_each_worker_runs_its_own_lifespan(lifespan_server):
    server = lifespan_server(workers=2)
    workers = server.wait_workers(2)

    def started():
        return sorted(int(line.split()[1]) for line in server.events()
                      if line.startswith("startup ")) == sorted(workers)

    assert wait_until(started, WAIT_DEADLINE), (workers, server.events())
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    stopped = sorted(int(line.split()[1]) for line in server.events()
                     if line.startswith("shutdown "))
    assert stopped == sorted(workers), server.events()


@greenfork_only("uvicorn 0.17.6 predates lifespan state (scope['state'])")
def test_lifespan_state_reaches_request_scope(lifespan_server):
    server = lifespan_server()
    scope = json.loads(get(server, "/scope").body)
    assert scope["has_state"] is True
    assert scope["state"] == {"started": True}


def test_app_raising_for_lifespan_is_served_in_auto_mode(lifespan_server):
    """Django 3.2's ASGIHandler raises for a lifespan scope: `auto` serves it anyway."""
    server = lifespan_server(env={"ASGI_LIFESPAN_UNSUPPORTED": "1"})
    resp = get(server, "/")
    assert resp.status == 200 and resp.body == b"Hello, World!"
    assert server.events() == []
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()


def test_startup_failed_exits_non_zero_with_the_message(lifespan_server):
    message = "database unreachable at db.example:5432 (lifespan test)"
    server = lifespan_server(env={"ASGI_LIFESPAN_FAIL": message}, wait=False)
    code = server.wait_exit()
    output = server.log_text() + server.stdout_text()
    assert code != 0, output
    assert message in output, output
    assert server.events() == []


def test_lifespan_off_sends_no_lifespan_events(lifespan_server):
    require_flag("--asgi-lifespan")
    # The startup would fail, were it run.
    server = lifespan_server("--asgi-lifespan", "off", env={"ASGI_LIFESPAN_FAIL": "must not run"})
    resp = get(server, "/scope")
    assert resp.status == 200
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0, server.log_text()
    assert server.events() == []
    assert "must not run" not in server.log_text()


def test_lifespan_on_requires_support(lifespan_server):
    require_flag("--asgi-lifespan")
    server = lifespan_server("--asgi-lifespan", "on", env={"ASGI_LIFESPAN_UNSUPPORTED": "1"},
                             wait=False)
    code = server.wait_exit()
    text = server.log_text()
    assert code != 0, text
    assert re.search(r"lifespan", text, re.I), text


def test_lifespan_on_with_support_serves(lifespan_server):
    require_flag("--asgi-lifespan")
    server = lifespan_server("--asgi-lifespan", "on")
    pid = get(server, "/pid").body.decode()
    assert server.events() == [f"startup {pid}"]
