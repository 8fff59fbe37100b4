"""Behaviour that real apps and operators see, checked against Gunicorn 26.1: access-log lines for
failed responses, worker boot failures (exit statuses and log lines), SIGHUP and the worker count.
"""

import re
import signal
import socket
import textwrap

import pytest

from conftest import WAIT_DEADLINE

APP = textwrap.dedent("""\
    def application(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/raise":
            raise ValueError("boom before the headers")
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            yield b"part1"
            raise RuntimeError("boom midway")
        return body()
    """)


@pytest.fixture
def failing_app(tmp_path):
    (tmp_path / "failing_app.py").write_text(APP)
    return tmp_path


def drain(server, target):
    """GET target over a raw socket and read until the server closes."""
    with socket.create_connection(server.address(), timeout=WAIT_DEADLINE) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


def in_order(text, *patterns):
    """Every pattern matches a line of text, each one after the previous."""
    pos = 0
    for pattern in patterns:
        match = re.compile(pattern, re.M).search(text, pos)
        assert match, f"{pattern!r} not found after offset {pos}; log:\n{text}"
        pos = match.end()


def test_access_log_for_a_body_that_raises_midway(start_server, failing_app):
    """Gunicorn writes the access line in a `finally`: a response cut short by the app still
    gets one, with the status that went out and the body bytes sent."""
    server = start_server("failing_app:application", "--access-logfile", "-", cwd=failing_app)
    data = drain(server, "/midway")
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"part1" in data and not data.endswith(b"0\r\n\r\n")  # truncated, no last chunk
    server.wait_for_log(r'"GET /midway HTTP/1\.1" 200 5 ', source=server.stdout_text)
    server.wait_for_log(r"\[ERROR\] Error handling request\nTraceback")


def test_access_log_for_a_500_counts_no_body_bytes(start_server, failing_app):
    """The 500 page is written outside the app's Response, whose byte count stays 0."""
    server = start_server("failing_app:application", "--access-logfile", "-", cwd=failing_app)
    assert drain(server, "/raise").startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    server.wait_for_log(r'"GET /raise HTTP/1\.1" 500 0 ', source=server.stdout_text)


def test_exception_at_import_is_a_boot_error(start_server, tmp_path):
    """Anything but an AppImportError while loading exits the worker with 3: the master logs the
    exit code, then stops with "Worker failed to boot." and exits 3. The worker prints str(exc)
    to stderr and logs its exit like any other."""
    (tmp_path / "raising_app.py").write_text("raise RuntimeError('no database here')\n")
    server = start_server("raising_app:application", cwd=tmp_path, wait=False)
    assert server.wait_exit() == 3
    text = server.log_text()
    assert "[ERROR] Exception in worker process\nTraceback" in text, text
    assert re.search(r"^no database here$", text, re.M), text
    in_order(text, r"\[INFO\] Worker exiting \(pid: \d+\)$",
             r"\[ERROR\] Worker \(pid:\d+\) exited with code 3\.$",
             r"\[ERROR\] Shutting down: Master$", r"\[ERROR\] Reason: Worker failed to boot\.$")


def test_app_load_error_logs_the_exit_code(start_server, tmp_path):
    (tmp_path / "empty_app.py").write_text("x = 1\n")
    server = start_server("empty_app:application", cwd=tmp_path, wait=False)
    assert server.wait_exit() == 4
    text = server.log_text()
    assert re.search(r"^Failed to find attribute 'application' in 'empty_app'\.$", text, re.M), text
    in_order(text, r"\[INFO\] Worker exiting \(pid: \d+\)$",
             r"\[ERROR\] Worker \(pid:\d+\) exited with code 4\.$",
             r"\[ERROR\] Shutting down: Master$", r"\[ERROR\] Reason: App failed to load\.$")


def test_hup_restores_the_configured_worker_count(start_server):
    """SIGHUP reloads the settings, so workers added with TTIN go away again."""
    server = start_server("pep3333_app:application", "-w", "1")
    server.wait_workers(1)
    server.signal(signal.SIGTTIN)
    server.wait_workers(2)
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"Hang up: Master")
    server.wait_workers(1)


def test_server_software_is_exported_to_the_app_environment(start_server):
    """Gunicorn's arbiter sets os.environ["SERVER_SOFTWARE"]; libraries sniff it."""
    server = start_server("pep3333_app:application")
    resp = server.get("/getenv?name=SERVER_SOFTWARE")
    assert resp.status_code == 200, resp.text
    assert resp.json()["value"].startswith("greenfork/"), resp.text
