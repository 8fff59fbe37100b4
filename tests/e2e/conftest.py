"""Fixtures for the end-to-end suite: start the real greenfork binary, talk to it over sockets.

The binary is `$GREENFORK_BIN` (default `<repo>/build/greenfork`). Setting
`GREENFORK_BIN=/usr/bin/gunicorn` runs the suite against Debian's Gunicorn, which is useful to
check the helpers themselves (that Gunicorn is older and looser, so some tests are expected to
fail against it).
"""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "tests" / "apps"
EXAMPLES = REPO / "examples"
BINARY = os.environ.get("GREENFORK_BIN", str(REPO / "build" / "greenfork"))
# The name the binary uses for itself in logs, process titles and --version.
PRODUCT = "gunicorn" if "gunicorn" in Path(BINARY).name else "greenfork"

# `make sanitize` runs this suite against an ASan + UBSan build, which starts and serves a few
# times slower: give start-up more room there.
SANITIZED = os.environ.get("GREENFORK_SANITIZED") == "1"
START_DEADLINE = 30.0 if SANITIZED else 10.0  # seconds for a server to accept connections
# Seconds a test waits for another process to do what it was asked to: boot a worker, answer,
# write a log line or a file, reopen a log, exit. Only a test that is going to fail waits this
# long - a wait for something that happens ends when it happens - so it is generous: a loaded
# machine (or an ASan build on one) may take many times longer than an idle one.
WAIT_DEADLINE = 30.0 if SANITIZED else 15.0
TEST_DEADLINE = 90        # seconds before a hung test is aborted (SIGALRM)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from httpclient import free_port, raw_request, wait_until  # noqa: E402  (re-exported)


# --------------------------------------------------------------------------------------------
# Per-test hang guard (pytest-timeout is not available from Debian here).

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    def on_alarm(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_DEADLINE}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_DEADLINE)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------------------------
# Process helpers

def children_of(pid):
    """Direct children of `pid` (all threads' children files, falling back to scanning /proc)."""
    found = set()
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            try:
                found.update(int(x) for x in (task / "children").read_text().split())
            except OSError:
                pass
        if found:
            return sorted(found)
    except OSError:
        return []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..." - comm may contain spaces and parentheses.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return sorted(found)


def process_alive(pid):
    """True when pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def cmdline(pid):
    """The process title as `ps` shows it (NULs turned into spaces, trailing blanks removed)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


def run_cli(args, env=None, cwd=None, timeout=20):
    """Run the binary to completion (--version, --check-config, ...): CompletedProcess (text).

    A process still running at `timeout` is killed with its whole session and the test fails.
    """
    proc = subprocess.Popen([BINARY, *args], cwd=str(cwd or APPS), env=make_env(env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(args)} still running after {timeout}s; stderr:\n{err}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def make_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "PORT", "FORWARDED_ALLOW_IPS",
                        "VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "SCRIPT_NAME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    if extra:
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
    return env


# --------------------------------------------------------------------------------------------
# The server under test

class Server:
    """One greenfork master (plus workers) started as `greenfork [options] APP_MODULE`."""

    def __init__(self, app, args, tmp_path, *, bind=None, env=None, cwd=None, chdir=True,
                 pass_bind=True):
        self.tmp_path = Path(tmp_path)
        self.app = app
        self.unix_path = None
        if bind is None:
            self.port = free_port()
            bind = f"127.0.0.1:{self.port}"
        elif bind.startswith("unix:"):
            self.unix_path = bind[len("unix:"):]
            self.port = None
        else:
            self.port = int(bind.rsplit(":", 1)[1])
        self.host = "127.0.0.1"
        self.bind = bind
        if bind.startswith("["):
            self.host = bind[1:bind.index("]")]
        self.url = (f"http://[{self.host}]:{self.port}" if ":" in self.host
                    else f"http://{self.host}:{self.port}") if self.port else None
        cwd = Path(cwd or APPS)
        # pass_bind=False: `bind` only tells the fixture where to look (e.g. $PORT decides).
        self.argv = [BINARY, "-b", bind] if pass_bind else [BINARY]
        if chdir:
            self.argv += ["--chdir", str(cwd)]
        self.argv += [*args]
        if app is not None:
            self.argv.append(app)
        n = len(list(self.tmp_path.glob("server*.stderr")))
        self.stderr_path = self.tmp_path / f"server{n}.stderr"
        self.stdout_path = self.tmp_path / f"server{n}.stdout"
        with open(self.stderr_path, "wb") as err, open(self.stdout_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.argv, cwd=str(cwd), env=make_env(env), stdout=out, stderr=err,
                stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid

    # -- logs -------------------------------------------------------------------------------
    def log_text(self):
        """Everything the server wrote to stderr (the error log unless --error-logfile)."""
        return self.stderr_path.read_text(errors="replace")

    def stdout_text(self):
        """Everything the server wrote to stdout (the access log with --access-logfile -)."""
        return self.stdout_path.read_text(errors="replace")

    def wait_for_log(self, pattern, timeout=WAIT_DEADLINE, source=None):
        """Poll the log until `pattern` (regex) matches; return the match or fail with the log."""
        source = source or self.log_text
        regex = re.compile(pattern, re.M)
        match = wait_until(lambda: regex.search(source()), timeout)
        if not match:
            pytest.fail(f"pattern {pattern!r} not found within {timeout}s; log:\n{source()}")
        return match

    # -- lifecycle --------------------------------------------------------------------------
    def wait_ready(self, timeout=START_DEADLINE):
        def accepting():
            if self.proc.poll() is not None:
                return True
            try:
                if self.unix_path:
                    with socket.socket(socket.AF_UNIX) as s:
                        s.settimeout(0.5)
                        s.connect(self.unix_path)
                else:
                    with socket.create_connection((self.host, self.port), timeout=0.5):
                        pass
                return True
            except OSError:
                return False

        ok = wait_until(accepting, timeout)
        if self.proc.poll() is not None:
            pytest.fail(f"server exited with {self.proc.returncode} during start-up "
                        f"({' '.join(self.argv)}); log:\n{self.log_text()}")
        if not ok:
            self.kill()
            pytest.fail(f"server not accepting within {timeout}s ({' '.join(self.argv)}); "
                        f"log:\n{self.log_text()}")
        return self

    def worker_pids(self):
        return children_of(self.pid)

    def wait_workers(self, count, timeout=WAIT_DEADLINE):
        """Wait until the master has exactly `count` live children; return their pids.

        Only that the processes exist: a worker may still be booting (importing the app, not
        yet accepting). A test that needs a booted worker has one answer a request first.
        """
        ok = wait_until(lambda: len([p for p in self.worker_pids() if process_alive(p)]) == count,
                        timeout)
        pids = [p for p in self.worker_pids() if process_alive(p)]
        assert ok, f"expected {count} workers, have {pids}; log:\n{self.log_text()}"
        return pids

    def signal(self, sig):
        os.kill(self.pid, sig)

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout=WAIT_DEADLINE):
        """Wait for the master to exit; return its exit code (fail the test on timeout)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"server did not exit within {timeout}s; log:\n{self.log_text()}")

    def kill(self):
        """Kill the whole process tree (master, workers, strays in its session)."""
        pids = [self.pid, *self.worker_pids()]
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    # -- talking to it ------------------------------------------------------------------------
    def address(self):
        return self.unix_path if self.unix_path else (self.host, self.port)

    def raw(self, data, timeout=WAIT_DEADLINE, **kwargs):
        """Send raw bytes on a new connection, return everything received until close."""
        return raw_request(self.address(), data, timeout=timeout, **kwargs)

    def request(self, method, path, headers=None, body=b"", version="HTTP/1.1",
                timeout=WAIT_DEADLINE):
        """A well-formed request over a raw socket; returns a parsed httpclient.Response."""
        from httpclient import build_request, parse_response
        data = build_request(method, path, headers=headers, body=body, version=version)
        return parse_response(self.raw(data, timeout=timeout), method=method)

    def get(self, path, **kwargs):
        import requests
        kwargs.setdefault("timeout", WAIT_DEADLINE)
        return requests.get(self.url + path, **kwargs)

    def post(self, path, **kwargs):
        import requests
        kwargs.setdefault("timeout", WAIT_DEADLINE)
        return requests.post(self.url + path, **kwargs)


@pytest.fixture(scope="session")
def binary():
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"greenfork binary not found at {BINARY}: run `make build` or set GREENFORK_BIN")
    return BINARY


@pytest.fixture
def start_server(binary, tmp_path):
    """Factory: start_server(app, *args, bind=None, env=None, cwd=None, wait=True, chdir=True,
    pass_bind=True) -> Server.

    Every server started through it is killed (whole process tree) at teardown.
    """
    servers = []

    def start(app="pep3333_app:application", *args, bind=None, env=None, cwd=None, wait=True,
              chdir=True, pass_bind=True):
        server = Server(app, list(args), tmp_path, bind=bind, env=env, cwd=cwd, chdir=chdir,
                        pass_bind=pass_bind)
        servers.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in servers:
        server.kill()


def _module_server(tmp_path_factory, app, *args, env=None):
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"greenfork binary not found at {BINARY}: run `make build` or set GREENFORK_BIN")
    server = Server(app, list(args), tmp_path_factory.mktemp("srv"), env=env)
    try:
        server.wait_ready()
    except BaseException:
        server.kill()
        raise
    return server


@pytest.fixture(scope="module")
def module_server_factory(tmp_path_factory):
    """Like start_server, but the servers live for the whole test module (cheaper)."""
    servers = []

    def start(app="pep3333_app:application", *args, env=None):
        server = _module_server(tmp_path_factory, app, *args, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.fixture(scope="module")
def pep_server(module_server_factory, tmp_path_factory):
    """One sync worker serving tests/apps/pep3333_app.py for a whole test module."""
    record_dir = tmp_path_factory.mktemp("records")
    server = module_server_factory("pep3333_app:application", "-w", "1",
                                   env={"PEP_RECORD_DIR": str(record_dir)})
    server.record_dir = record_dir
    return server
