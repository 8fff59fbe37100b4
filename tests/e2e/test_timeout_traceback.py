"""A worker killed for a timeout first writes the Python stacks of all its threads to the error
log (gunicorn#185), then the master replaces it."""

import os
import re
import threading
from pathlib import Path

from conftest import WAIT_DEADLINE, process_alive
from httpclient import wait_until


def _stuck_request(server):
    def run():
        try:
            server.request("GET", "/stuck", timeout=2 * WAIT_DEADLINE)
        except Exception:  # the worker dies under it: no response is the expected outcome
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _check_dump(server, log_text, stuck, zone=None):
    # The line before the dump is formatted inside the signal handler: same format as the rest.
    stamp = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([+-]\d{4})\]"
    line = re.search(rf"^{stamp} \[{stuck}\] \[ERROR\] Worker \(pid:{stuck}\) aborted; "
                     r"Python stacks of all threads follow$", log_text, re.M)
    assert line, log_text
    timeout_line = re.search(rf"^{stamp} \[\d+\] \[CRITICAL\] WORKER TIMEOUT", log_text, re.M)
    assert line.group(1) == timeout_line.group(1)
    if zone:
        assert line.group(1) == zone
    dump = log_text[log_text.index(f"Worker (pid:{stuck}) aborted"):]
    assert "Current thread" in dump or "Thread 0x" in dump
    assert "in slow_handler_for_test" in dump
    assert "in background_thread_for_test" in dump
    assert wait_until(lambda: not process_alive(stuck), WAIT_DEADLINE)
    new_pid = int(server.get("/").text)
    assert new_pid != stuck
    assert server.alive()


def test_timeout_dumps_all_threads_to_stderr_log(start_server):
    server = start_server("stuck_app:application", "--timeout", "2")
    stuck = server.wait_workers(1)[0]
    request = _stuck_request(server)
    server.wait_for_log(rf"WORKER TIMEOUT \(pid:{stuck}\)")
    server.wait_for_log(r"in slow_handler_for_test")
    request.join(WAIT_DEADLINE)  # ends when the worker is gone: its dump is complete by then
    assert not request.is_alive()
    _check_dump(server, server.log_text(), stuck)
    # The dump comes before the worker's exit is noticed by the master.
    log = server.log_text()
    assert log.index("in slow_handler_for_test") > log.index(f"WORKER TIMEOUT (pid:{stuck})")


def open_files(pid):
    """The paths of the files `pid` has open (its descriptors' targets)."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            pass
    return found


def test_timeout_dump_follows_error_logfile_and_reopen(start_server, tmp_path):
    import signal

    error_log = tmp_path / "error.log"
    # A zone with a half-hour offset checks the handler's own time formatting.
    server = start_server("stuck_app:application", "--timeout", "2",
                          "--error-logfile", str(error_log), env={"TZ": "IST-05:30"})
    stuck = server.wait_workers(1)[0]
    # Rotate the log as logrotate would: the dump must land in the new file.
    os.rename(error_log, tmp_path / "error.log.1")
    server.signal(signal.SIGUSR1)
    assert wait_until(error_log.exists, WAIT_DEADLINE)
    # The master reopens, then passes USR1 on: the worker reopens on its own, a little later.
    assert wait_until(lambda: str(error_log) in open_files(stuck), WAIT_DEADLINE), \
        open_files(stuck)
    request = _stuck_request(server)
    server.wait_for_log(r"in slow_handler_for_test", source=error_log.read_text)
    request.join(WAIT_DEADLINE)  # ends when the worker is gone: its dump is complete by then
    assert not request.is_alive()
    _check_dump(server, error_log.read_text(), stuck, zone="+0530")


def test_asgi_timeout_dump_lists_the_pending_asyncio_tasks(start_server):
    # The loop is blocked in blocking_call_for_test; the dump shows that thread's stack and,
    # after it, what the other request's task was awaiting (waiter_for_test).
    server = start_server("asgi_stuck_app:app", "-k", "asgi", "--timeout", "2")
    stuck = server.wait_workers(1)[0]
    requests = []
    for path in ("/wait", "/block"):
        def run(path=path):
            try:
                server.request("GET", path, timeout=2 * WAIT_DEADLINE)
            except Exception:  # the worker dies under it: no response is the expected outcome
                pass
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        requests.append(thread)
    server.wait_for_log(rf"WORKER TIMEOUT \(pid:{stuck}\)")
    server.wait_for_log(r"Pending asyncio tasks of the blocked event loop")
    for thread in requests:
        thread.join(WAIT_DEADLINE)
    assert wait_until(lambda: not process_alive(stuck), WAIT_DEADLINE)
    log = server.log_text()
    dump = log[log.index(f"Worker (pid:{stuck}) aborted"):]
    assert "in blocking_call_for_test" in dump  # the loop thread's stack
    tasks = dump[dump.index("Pending asyncio tasks of the blocked event loop"):]
    assert "waiter_for_test" in tasks
    assert int(server.get("/").text) != stuck
