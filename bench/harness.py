#!/usr/bin/python3
"""bench/run's engine: starts every selected server configuration, measures them with wrk (the
WebSocket app: with ws_load) in interleaved rounds, and leaves one raw file per measurement for
bench/summarize.py.

Not meant to be called directly: bench/run installs the Debian packages, checks the greenfork
binary and compiles ws_load first. Knobs (environment): BENCH_DURATION, BENCH_ROUNDS,
BENCH_CONNECTIONS, BENCH_APPS, BENCH_WORKERS, BENCH_SERVERS, BENCH_MODES, BENCH_DEDUP, BENCH_PIN,
BENCH_WS_SIZE, GREENFORK_BIN, WS_LOAD_BIN; see bench/README.md.

A configuration is (app, server, worker processes); WSGI servers run only the WSGI apps and
ASGI servers only the ASGI apps. Every configuration is started once, checked (status 200, the
app's content type and body) and warmed up; then each round measures every
configuration in every mode once, in the same order. Per measurement it records the wrk output,
the CPU time (utime+stime from /proc/PID/stat) the server's processes used during the run, and the
RSS of the server's processes after it.

The WebSocket echo app (ws-echo) is measured with ws_load instead of wrk: see bench/ws_echo.py.
"""

import json
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import ws_echo
from ws_echo import WS_APPS, WS_HANDSHAKE_TIMEOUT_S, WS_SERVERS

REPO = Path(__file__).resolve().parent.parent
PY = "/usr/bin/python3"

# Order of the table rows; also the order in which a round visits the servers.
SERVERS = [
    "greenfork-sync", "greenfork-gthread", "greenfork-gthread-t4",
    # The same worker types from GREENFORK_BASE_BIN (an earlier build, for before/after runs).
    "base-sync", "base-gthread", "base-gthread-t4",
    "gunicorn-sync", "gunicorn-gthread", "gunicorn-gthread-t4",
    "uwsgi", "nginx",
    # ASGI servers: they run only the ASGI apps.
    "greenfork-asgi", "uvicorn", "hypercorn",
]
ASGI_SERVERS = {"greenfork-asgi", "uvicorn", "hypercorn"}
BODY = b"Hello, World!"
APPS = {
    # name: (directory, module:callable, interface, content type, body)
    "hello": (REPO / "examples", "hello:application", "wsgi", "text/plain", BODY),
    "flask": (REPO / "bench" / "apps", "flask_hello:app", "wsgi", "text/plain", BODY),
    "asgi-hello": (REPO / "bench" / "apps", "asgi_hello:app", "asgi", "text/plain", BODY),
    "fastapi": (REPO / "bench" / "apps", "fastapi_json:app", "asgi", "application/json",
                b'{"message":"Hello, World!"}'),
    # WebSocket echo; its HTTP answer is only for the start-up probe.
    "ws-echo": (REPO / "bench" / "apps", "asgi_ws_echo:app", "asgi", "text/plain", BODY),
}
MODES = ["keepalive", "close"]
WARMUP_S = 1
PAUSE_S = 0.3          # between measurements: let TIME_WAIT sockets and the kernel settle
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def interface(server):
    return "asgi" if server in ASGI_SERVERS else "wsgi"


def env_list(name, default):
    return [x for x in os.environ.get(name, default).replace(",", " ").split() if x]


def select_servers(filters):
    """BENCH_SERVERS entries match a server id exactly or as a prefix up to a '-' ("gunicorn"
    selects gunicorn-sync, gunicorn-gthread and gunicorn-gthread-t4)."""
    if not filters:
        return list(SERVERS)
    unknown = [f for f in filters if not any(s == f or s.startswith(f + "-") for s in SERVERS)]
    if unknown:
        sys.exit("error: BENCH_SERVERS: unknown %s (known: %s)" % (unknown, " ".join(SERVERS)))
    return [s for s in SERVERS if any(s == f or s.startswith(f + "-") for f in filters)]


_PORTS_TAKEN = set()


def cpu_plan(workers):
    """(wrk's CPUs, the server's CPUs) as taskset lists, or None to leave placement to the
    scheduler: wrk gets the first CPU and the server all the others, when they are at least as
    many as its worker processes. Unpinned, the scheduler now and then runs wrk and the server
    on the same CPU for a while, which moves one 10 s figure by up to 20 %."""
    if os.environ.get("BENCH_PIN", "1") == "0":
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) - 1 < workers:
        return None
    return str(cpus[0]), ",".join(str(c) for c in cpus[1:])


def pinned(cmd, cpus):
    return (["taskset", "-c", cpus] + cmd) if cpus else cmd


def free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _PORTS_TAKEN:
            _PORTS_TAKEN.add(port)
            return port


# --- /proc ---------------------------------------------------------------------------------------
def children(pid):
    out = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                out.extend(int(x) for x in f.read().split())
    except OSError:
        pass
    return out


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return out


def stat_times(pid):
    """(utime+stime, cutime+cstime) in clock ticks, or None if the process is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state); utime/stime/cutime/cstime are fields 14..17.
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def cpu_snapshot(master):
    """{pid: own ticks} for the whole tree, plus the master's reaped-children ticks."""
    own, reaped = {}, 0
    for p in tree(master):
        t = stat_times(p)
        if t is None:
            continue
        own[p] = t[0]
        if p == master:
            reaped = t[1]
    return own, reaped


def vm_rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- servers -------------------------------------------------------------------------------------
class Server:
    def __init__(self, app, name, workers, work):
        self.app, self.name, self.workers = app, name, workers
        self.key = "%s.%s.w%d" % (app, name, workers)
        self.port = free_port()
        self.work = work
        self.proc = None
        self.closes_each_connection = None
        self.cpus = cpu_plan(workers)
        # Stopped with SIGINT: quick shutdown for greenfork, Gunicorn and nginx, and uWSGI 2.0
        # reloads on SIGTERM.
        self.cmd, self.stop_signal, self.note = self.command()

    def command(self):
        directory, module = APPS[self.app][:2]
        bind = "127.0.0.1:%d" % self.port
        w = str(self.workers)
        if self.name.startswith(("greenfork-", "gunicorn-", "base-")):
            exe = {"greenfork": GREENFORK, "gunicorn": "/usr/bin/gunicorn",
                   "base": GREENFORK_BASE}[self.name.split("-")[0]]
            kind = self.name.split("-")[1]
            threads = ["--threads", "4"] if self.name.endswith("-t4") else []
            return ([exe, "-w", w, "-k", kind] + threads
                    + ["-b", bind, "--chdir", str(directory), module], signal.SIGINT, "")
        if self.name == "uwsgi":
            # --http-socket: the worker speaks HTTP itself (no uWSGI http router in front) and, like
            # a sync worker, serves one request per connection; --add-header says so to the client
            # (without it uWSGI closes silently and wrk counts every close as a read error).
            return (["/usr/bin/uwsgi", "--http-socket", bind, "--plugin", "python3", "--master",
                     "--processes", w, "--disable-logging", "--listen", "2048", "--need-app",
                     "--add-header", "Connection: close",
                     "--chdir", str(directory), "--module", module], signal.SIGINT, "")
        if self.name == "nginx":
            return self.nginx_command(), signal.SIGINT, ""
        if self.name == "uvicorn":
            # Without --workers uvicorn serves in its one process; with --workers N > 1 a
            # supervisor spawns (multiprocessing "spawn") N workers plus multiprocessing's
            # resource tracker, all children of the supervisor. SIGINT: the supervisor
            # terminates and joins its workers.
            # WebSocket app: --ws websockets (Debian's python3-websockets 10.4), which is also what
            # its default "auto" picks when websockets is importable.
            workers = ["--workers", w] if self.workers > 1 else []
            ws = ["--ws", "websockets"] if self.app in WS_APPS else []
            return ([PY, "-m", "uvicorn", "--loop", "uvloop", "--http", "httptools"] + ws + workers
                    + ["--host", "127.0.0.1", "--port", str(self.port),
                       "--app-dir", str(directory), module,
                       "--no-access-log", "--log-level", "warning"], signal.SIGINT, "")
        if self.name == "hypercorn":
            # Hypercorn 0.13 has no --chdir/--app-dir: it imports "DIR/module:app" by putting DIR
            # on sys.path. --workers 1 serves in its one process; N > 1 forks N workers under a
            # master that only waits. Access log: off unless --access-logfile is given.
            # --backlog 2048 matches the others (Hypercorn's default is 100).
            return ([PY, "-m", "hypercorn", "-k", "uvloop", "--workers", w, "--backlog", "2048",
                     "-b", bind, "--log-level", "warning", "%s/%s" % (directory, module)],
                    signal.SIGINT, "")
        raise ValueError(self.name)

    def nginx_command(self):
        d = self.work / ("nginx-%s" % self.key)
        (d / "logs").mkdir(parents=True, exist_ok=True)
        user = "user root;" if os.getuid() == 0 else ""
        (d / "nginx.conf").write_text("""%s
daemon off;
master_process on;
worker_processes %d;
pid %s/nginx.pid;
error_log %s/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path %s/body;
    proxy_temp_path %s/proxy;
    fastcgi_temp_path %s/fastcgi;
    uwsgi_temp_path %s/uwsgi;
    scgi_temp_path %s/scgi;
    server {
        listen 127.0.0.1:%d backlog=2048;
        location / {
            default_type text/plain;
            return 200 "Hello, World!";
        }
    }
}
""" % ((user, self.workers) + (d,) * 7 + (self.port,)))
        return ["/usr/sbin/nginx", "-e", str(d / "logs/error.log"), "-p", str(d),
                "-c", str(d / "nginx.conf")]

    def display_cmd(self):
        """The command line with the per-run port and paths replaced by placeholders."""
        s = shlex.join(self.cmd).replace(str(self.port), "PORT").replace(str(self.work), "$WORK")
        return s.replace(str(REPO) + "/", "")

    def start(self):
        self.log_path = self.work / ("%s.log" % self.key)
        with open(self.log_path, "wb") as logf:
            # Own session: the server's whole tree is one process group we can kill by its id.
            self.proc = subprocess.Popen(pinned(self.cmd, self.cpus and self.cpus[1]), stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (
                    self.key, self.proc.returncode, self.log_path.read_text(errors="replace")))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("%s not listening on %d after %ds" % (self.key, self.port, timeout))

    def probe(self):
        """One keep-alive GET: check status, type and body, and whether the server then closes
        the connection (a sync worker does; then 'keepalive' mode measures the same as 'close')."""
        content_type, expected = APPS[self.app][3:]
        with socket.create_connection(("127.0.0.1", self.port), 5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n")
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            head, _, body = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length", "-1"))
            while len(body) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
            ok = (lines[0].split()[1:2] == ["200"] and body == expected
                  and headers.get("content-type", "").startswith(content_type))
            if not ok:
                raise RuntimeError("%s answered %r / %r" % (self.key, head, body))
            s.settimeout(1.0)
            try:
                self.closes_each_connection = s.recv(1) == b""
            except socket.timeout:
                self.closes_each_connection = False

    def stop(self):
        if not self.proc or self.proc.poll() is not None and not _group_alive(self.proc.pid):
            return
        try:
            os.kill(self.proc.pid, self.stop_signal)
        except ProcessLookupError:
            pass

    def kill(self):
        if not self.proc:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except OSError:
        return False


# --- measurement ---------------------------------------------------------------------------------
CURRENT_WRK = None          # the running wrk, for cleanup() (ws_echo has its ws_load's)


def run_wrk(url, duration, connections, close, latency=True, cpus=None):
    global CURRENT_WRK
    cmd = pinned(["wrk"], cpus) + [ "-t1", "-c%d" % connections, "-d%ds" % duration]
    if latency:
        cmd.append("--latency")
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append(url)
    CURRENT_WRK = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
    out, _ = CURRENT_WRK.communicate()
    CURRENT_WRK = None
    return cmd, out


def load(server, duration, connections, mode, latency=True):
    """One run of the server's load generator: (command, output, extra bench_* fields)."""
    cpus = server.cpus and server.cpus[0]
    if server.app in WS_APPS:
        return ws_echo.load(pinned([WS_LOAD], cpus), server.app, server.port, duration,
                            connections, WS_SIZE)
    cmd, out = run_wrk("http://127.0.0.1:%d/" % server.port, duration, connections,
                       mode == "close", latency=latency, cpus=cpus)
    return cmd, out, {"wrk_cmd": shlex.join(cmd)}


def measure(server, mode, duration, connections):
    master = server.proc.pid
    own0, reaped0 = cpu_snapshot(master)
    cmd, out, tool = load(server, duration, connections, mode)
    own1, reaped1 = cpu_snapshot(master)
    ticks = sum(t - own0.get(p, 0) for p, t in own1.items()) + (reaped1 - reaped0)
    pids = tree(master)
    rss = {p: vm_rss_kib(p) for p in pids}
    workers = [p for p in pids if p != master]
    extra = {
        **tool,
        "cpu_ticks": ticks,
        "clk_tck": CLK_TCK,
        "cpu_s": ticks / CLK_TCK,
        "rss_total_kib": sum(rss.values()),
        "rss_worker_max_kib": max((rss[p] for p in workers), default=rss.get(master, 0)),
        "processes": len(pids),
        # Workers should neither die nor appear during a run; if they did, say so.
        "pids_changed": sorted(own0) != sorted(own1),
    }
    return out, extra


# --- main ----------------------------------------------------------------------------------------
SERVERS_RUNNING = []


def cleanup(*_):
    global CURRENT_WRK
    if CURRENT_WRK is not None and CURRENT_WRK.poll() is None:
        CURRENT_WRK.kill()
    ws_echo.kill_running()
    for s in SERVERS_RUNNING:
        s.stop()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(
            s.proc and _group_alive(s.proc.pid) for s in SERVERS_RUNNING):
        for s in SERVERS_RUNNING:
            if s.proc:
                s.proc.poll()           # reap the master if it is done
        time.sleep(0.1)
    for s in SERVERS_RUNNING:
        s.kill()
    SERVERS_RUNNING.clear()


def on_signal(signum, _frame):
    log("got signal %d: stopping every server started" % signum)
    raise SystemExit(128 + signum)


def versions():
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=10)
            return (r.stdout.strip().splitlines() or [""])[0]
        except (OSError, subprocess.TimeoutExpired):
            return "n/a"

    def dist(name):
        return first_line([PY, "-c", "import importlib.metadata as m; print(m.version(%r))"
                           % name])
    return {
        "greenfork": first_line([GREENFORK, "--version"]),
        "greenfork-base": first_line([GREENFORK_BASE, "--version"]) if GREENFORK_BASE else "n/a",
        "gunicorn": first_line(["/usr/bin/gunicorn", "--version"]),
        "uwsgi": first_line(["/usr/bin/uwsgi", "--version"]),
        "nginx": first_line(["/usr/sbin/nginx", "-v"]),
        "flask": first_line([PY, "-c", "import flask; print(flask.__version__)"]),
        **{name: dist(name) for name in ("uvicorn", "hypercorn", "uvloop", "httptools", "h11",
                                         "fastapi", "starlette", "pydantic")},
        "python": first_line([PY, "--version"]),
        "wrk": first_line(["wrk", "-v"]),
        **{name: dist(name) for name in ("websockets", "wsproto")},
    }


def main():
    global GREENFORK, GREENFORK_BASE, WS_LOAD, WS_SIZE
    GREENFORK = os.environ.get("GREENFORK_BIN", str(REPO / "build" / "greenfork"))
    GREENFORK_BASE = os.environ.get("GREENFORK_BASE_BIN", "")
    WS_LOAD = os.environ.get("WS_LOAD_BIN", str(REPO / "build" / "ws_load"))
    WS_SIZE = int(os.environ.get("BENCH_WS_SIZE", "32"))
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "64"))
    apps = env_list("BENCH_APPS", "hello,flask")
    workers = [int(w) for w in env_list("BENCH_WORKERS", "1 2")]
    modes = env_list("BENCH_MODES", "keepalive,close")
    dedup = os.environ.get("BENCH_DEDUP", "1") != "0"
    servers = select_servers(env_list("BENCH_SERVERS", ""))
    if not GREENFORK_BASE:
        servers = [name for name in servers if not name.startswith("base-")]
    for a in apps:
        if a not in APPS:
            sys.exit("error: BENCH_APPS: unknown app %r (known: %s)" % (a, " ".join(APPS)))
    for m in modes:
        if m not in MODES:
            sys.exit("error: BENCH_MODES: unknown mode %r (known: %s)" % (m, " ".join(MODES)))
    modes = [m for m in MODES if m in modes]
    apps = ws_echo.select_apps(apps, modes, WS_LOAD, log)

    results = REPO / "bench" / "results"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    raw = results / ("raw-" + stamp)
    raw.mkdir(parents=True, exist_ok=True)
    work = Path(os.environ.get("BENCH_WORK") or raw / "work")
    work.mkdir(parents=True, exist_ok=True)

    configs = []
    for app in apps:
        for w in workers:
            for name in servers:
                if interface(name) != APPS[app][2]:
                    continue    # WSGI servers run the WSGI apps, ASGI servers the ASGI apps
                if name == "nginx" and app != "hello":
                    continue    # nginx serves a constant; it is the no-Python limit of 'hello' only
                if app in WS_APPS and name not in WS_SERVERS:
                    continue
                configs.append(Server(app, name, w, work))
    if not configs:
        sys.exit("error: nothing selected: WSGI servers (%s) run only the WSGI apps (%s), ASGI "
                 "servers (%s) only the ASGI apps (%s)" % (
                     " ".join(s for s in SERVERS if interface(s) == "wsgi"),
                     " ".join(a for a in APPS if APPS[a][2] == "wsgi"),
                     " ".join(s for s in SERVERS if interface(s) == "asgi"),
                     " ".join(a for a in APPS if APPS[a][2] == "asgi")))
    if os.environ.get("BENCH_SERVERS"):
        idle = [name for name in servers if not any(s.name == name for s in configs)]
        if idle:
            log("not run, no selected app of their kind: %s (WSGI apps: %s; ASGI apps: %s)" % (
                " ".join(idle), " ".join(a for a in APPS if APPS[a][2] == "wsgi"),
                " ".join(a for a in APPS if APPS[a][2] == "asgi")))

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        # Estimate before start-up: the sync-style servers close every connection, so they are
        # measured once per round (in 'close' mode); so does Debian's Hypercorn 0.13 with these
        # apps (see bench/README.md). The probe below decides for real.
        per_cell = duration + PAUSE_S + 0.2
        n_max = sum(1 if s.app in WS_APPS else len(modes) for s in configs)
        n_exp = sum(1 for s in configs for m in modes
                    if not (dedup and m == "keepalive" and "close" in modes
                            and s.name in ("greenfork-sync", "base-sync", "gunicorn-sync",
                                           "uwsgi", "hypercorn") and s.app not in WS_APPS)
                    and not (s.app in WS_APPS and m != "keepalive"))
        est_start = len(configs) * (WARMUP_S + 0.5) + 5
        log("%d configurations, %d rounds x %d-%d measurements of %d s: estimate %.0f min "
            "(at most %.0f)" % (len(configs), rounds, n_exp, n_max, duration,
                                (est_start + rounds * n_exp * per_cell) / 60,
                                (est_start + rounds * n_max * per_cell) / 60))
        for s in configs:
            SERVERS_RUNNING.append(s)
            s.start()
        for s in configs:
            s.wait_ready()
            s.probe()
            _, out, tool = load(s, WARMUP_S, connections, "keepalive", latency=False)
            what = "closes every connection" if s.closes_each_connection else "keeps connections"
            if s.app in WS_APPS:
                what = ws_echo.warmup_result(out, tool)
            log("%-36s port %-5d pid %-7d %s" % (s.key, s.port, s.proc.pid, what))

        # A server that closes every connection makes 'keepalive' the same measurement as
        # 'close' (wrk reconnects per request either way): measure it once, in 'close' mode.
        # WebSocket apps: the keepalive mode only, never deduplicated (the probe's HTTP close
        # says nothing about WebSocket connections).
        cells = [(s, m) for s in configs for m in modes
                 if (m == "keepalive" if s.app in WS_APPS else
                     not (dedup and m == "keepalive" and "close" in modes
                          and s.closes_each_connection))]
        log("rounds=%d duration=%ds connections=%d: %d measurements per round; %.1f min to go;"
            " raw output in %s" % (rounds, duration, connections, len(cells),
                                   rounds * len(cells) * per_cell / 60, raw))

        meta = {
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "host": {"cpus": os.cpu_count(), "kernel": platform.release(),
                     "machine": platform.machine()},
            "versions": versions(),
            "duration": duration, "rounds": rounds, "connections": connections,
            "apps": apps, "workers": workers, "modes": modes, "servers": servers,
            "dedup": dedup, "ws_size": WS_SIZE, "ws_handshake_timeout": WS_HANDSHAKE_TIMEOUT_S,
            "configs": [{"key": s.key, "app": s.app, "server": s.name, "workers": s.workers,
                         "interface": interface(s.name), "cmd": s.display_cmd(),
                         "load": "ws_load" if s.app in WS_APPS else "wrk",
                         "cpus": ({"wrk": s.cpus[0], "server": s.cpus[1]} if s.cpus else None),
                         "closes_each_connection": s.closes_each_connection} for s in configs],
        }
        (raw / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")

        t0 = time.monotonic()
        for r in range(1, rounds + 1):
            for i, (s, mode) in enumerate(cells, 1):
                if s.proc.poll() is not None:
                    raise RuntimeError("%s died:\n%s" % (s.key, s.log_path.read_text()))
                log("round %d/%d %3d/%d: %s %s" % (r, rounds, i, len(cells), s.key, mode))
                out, extra = measure(s, mode, duration, connections)
                path = raw / ("%s.%s.r%d.txt" % (s.key, mode, r))
                path.write_text(out + "\n" + "".join(
                    "bench_%s %s\n" % (k, json.dumps(v)) for k, v in extra.items()))
                time.sleep(PAUSE_S)
        log("measured in %.1f min" % ((time.monotonic() - t0) / 60))
    finally:
        cleanup()
    print(raw)


if __name__ == "__main__":
    main()
