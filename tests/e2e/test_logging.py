"""Error log and access log formats, levels, files, USR1 reopen, --capture-output."""

import os
import re
import signal

from conftest import EXAMPLES, PRODUCT, WAIT_DEADLINE
from httpclient import build_request, wait_until

ERROR_LINE = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[(\d+)\] "
    r"\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] (.*)$")
ACCESS_LINE = re.compile(
    r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
    r'"GET /hello\?q=1 HTTP/1\.1" 200 13 "-" "curl/7\.88\.1"$')


def error_lines(text):
    """Parsed error-log lines; tracebacks and other continuation lines are skipped."""
    return [m.groups() for m in map(ERROR_LINE.match, text.splitlines()) if m]


def test_startup_lines(start_server):
    server = start_server("hello:application", cwd=EXAMPLES)
    server.wait_for_log(r"Booting worker with pid: \d+")
    lines = error_lines(server.log_text())
    messages = [msg for _, level, msg in lines if level == "INFO"]
    assert any(re.fullmatch(rf"Starting {PRODUCT} \S+", m) for m in messages), messages
    assert f"Listening at: http://127.0.0.1:{server.port} ({server.pid})" in messages
    assert "Using worker: sync" in messages
    worker = server.wait_workers(1)[0]
    assert f"Booting worker with pid: {worker}" in messages
    pids = {int(pid) for pid, _, _ in lines}
    assert pids == {server.pid, worker}
    # every non-empty line is a well-formed log line at start-up (no stray output)
    for line in server.log_text().splitlines():
        assert ERROR_LINE.match(line), line


def test_shutdown_lines(start_server):
    server = start_server("hello:application", cwd=EXAMPLES)
    server.wait_workers(1)
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    text = server.log_text()
    assert "Handling signal: term" in text
    assert "Shutting down: Master" in text
    assert re.search(r"Worker exiting \(pid: \d+\)", text)


def test_default_access_log_to_stdout(start_server):
    server = start_server("hello:application", "--access-logfile", "-", cwd=EXAMPLES)
    raw = server.raw(build_request("GET", "/hello?q=1", headers={"User-Agent": "curl/7.88.1"}))
    assert raw.startswith(b"HTTP/1.1 200")
    line = server.wait_for_log(r"^127\.0\.0\.1 .*$", source=server.stdout_text).group(0)
    assert ACCESS_LINE.match(line), line
    assert "GET /hello" not in server.log_text()      # not in the error log


def test_no_access_log_by_default(start_server):
    server = start_server("hello:application", cwd=EXAMPLES)
    assert server.get("/hello").status_code == 200
    assert server.get("/pid").status_code == 200
    # the worker has answered; give the (absent) access line no chance to hide in a buffer
    server.signal(signal.SIGTERM)
    server.wait_exit()
    assert "GET /hello" not in server.stdout_text() + server.log_text()


def test_custom_access_log_format(start_server):
    fmt = ("%(m)s %(U)s %(q)s %(s)s %(B)s %(p)s %({user-agent}i)s %({content-type}o)s "
           "%(L)s %(H)s %(b)s %(f)s %({x-missing}i)s")
    server = start_server("pep3333_app:application", "--access-logfile", "-",
                          "--access-logformat", fmt)
    server.raw(build_request("GET", "/hello?q=1", headers={"User-Agent": "agent/1.0",
                                                           "Referer": "http://r/"}))
    line = server.wait_for_log(r"^GET .*$", source=server.stdout_text).group(0)
    worker = server.wait_workers(1)[0]
    match = re.fullmatch(r"GET /hello q=1 200 13 <(\d+)> agent/1\.0 text/plain (\d+\.\d{6}) "
                         r"HTTP/1\.1 13 http://r/ -", line)
    assert match, line
    assert int(match.group(1)) == worker
    assert float(match.group(2)) < 5


def test_access_log_status_and_bytes_for_errors(start_server):
    server = start_server("pep3333_app:application", "--access-logfile", "-",
                          "--access-logformat", "%(r)s %(s)s %(b)s")
    server.raw(build_request("GET", "/status/204"))
    server.raw(build_request("GET", "/stream?n=2"))
    server.wait_for_log(r'^"?GET /stream\?n=2 HTTP/1\.1"? 200 16$', source=server.stdout_text)
    server.wait_for_log(r'^"?GET /status/204 HTTP/1\.1"? 204 0$', source=server.stdout_text)


def test_access_logfile_and_usr1_reopen(start_server, tmp_path):
    log = tmp_path / "access.log"
    server = start_server("hello:application", "--access-logfile", str(log), cwd=EXAMPLES)
    assert server.get("/first").status_code == 200
    assert wait_until(lambda: "/first" in log.read_text(), WAIT_DEADLINE)
    rotated = tmp_path / "access.log.1"
    os.rename(log, rotated)
    server.signal(signal.SIGUSR1)
    # The master reopens its files and forwards USR1 to the workers; keep asking until a
    # request lands in a freshly created file.
    def reopened():
        server.get("/second")
        return log.exists() and "/second" in log.read_text()
    assert wait_until(reopened, WAIT_DEADLINE, interval=0.2), server.log_text()
    assert "/first" not in log.read_text()
    assert "/first" in rotated.read_text()
    assert "Handling signal: usr1" in server.log_text()


def test_error_logfile(start_server, tmp_path):
    log = tmp_path / "error.log"
    server = start_server("hello:application", "--error-logfile", str(log), cwd=EXAMPLES)
    server.wait_workers(1)
    assert wait_until(lambda: "Booting worker" in log.read_text(), WAIT_DEADLINE)
    assert "Listening at" in log.read_text()
    assert "Listening at" not in server.log_text()        # stderr stays quiet
    for line in log.read_text().splitlines():
        assert ERROR_LINE.match(line), line


def test_log_file_alias(start_server, tmp_path):
    log = tmp_path / "alias.log"
    server = start_server("hello:application", "--log-file", str(log), cwd=EXAMPLES)
    server.wait_workers(1)
    assert wait_until(lambda: "Listening at" in log.read_text(), WAIT_DEADLINE)


def test_log_level_debug(start_server):
    server = start_server("pep3333_app:application", "--log-level", "debug")
    assert server.get("/hello").status_code == 200
    server.wait_for_log(r"\[DEBUG\] ")
    # the default pre_request hook logs "METHOD PATH" at debug level
    server.wait_for_log(r"\[DEBUG\] GET /hello$")


def test_log_level_warning(start_server):
    server = start_server("pep3333_app:application", "--log-level", "warning")
    assert server.get("/hello").status_code == 200
    assert server.get("/error/before-start").status_code == 500
    server.wait_for_log(r"\[ERROR\] Error handling request")
    levels = {level for _, level, _ in error_lines(server.log_text())}
    assert "INFO" not in levels and "DEBUG" not in levels, server.log_text()


def test_app_error_is_logged_with_traceback(start_server):
    server = start_server("pep3333_app:application")
    assert server.get("/error/before-start").status_code == 500
    match = server.wait_for_log(r"\[ERROR\] Error handling request.*\nTraceback \(most recent "
                                r"call last\):\n[\s\S]*RuntimeError: boom-before-start")
    assert match


def test_capture_output(start_server, tmp_path):
    log = tmp_path / "captured.log"
    server = start_server("pep3333_app:application", "--capture-output", "--error-logfile",
                          str(log))
    assert server.get("/print", params={"msg": "xyzzy"}).status_code == 200
    for needle in ("stdout:xyzzy", "stderr:xyzzy", "wsgi.errors:xyzzy"):
        assert wait_until(lambda: needle in log.read_text(), WAIT_DEADLINE), \
            (needle, log.read_text())


def test_without_capture_output_print_goes_to_stdout(start_server, tmp_path):
    log = tmp_path / "error.log"
    server = start_server("pep3333_app:application", "--error-logfile", str(log))
    assert server.get("/print", params={"msg": "plugh"}).status_code == 200
    assert wait_until(lambda: "stdout:plugh" in server.stdout_text(), WAIT_DEADLINE)
    assert wait_until(lambda: "wsgi.errors:plugh" in log.read_text(), WAIT_DEADLINE)
    assert "stdout:plugh" not in log.read_text()


def test_relative_log_paths_resolve_in_chdir(start_server, tmp_path):
    """As in Gunicorn, --chdir happens before anything else: relative log paths land there."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "hello.py").write_bytes((EXAMPLES / "hello.py").read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = start_server("hello:application", "--chdir", str(workdir),
                          "--error-logfile", "error.log", "--access-logfile", "access.log",
                          cwd=elsewhere, chdir=False)
    assert server.get("/").status_code == 200
    access = workdir / "access.log"
    assert wait_until(lambda: '"GET / HTTP/1.1" 200' in access.read_text(), WAIT_DEADLINE)
    assert "Listening at" in (workdir / "error.log").read_text()
    assert list(elsewhere.iterdir()) == []
