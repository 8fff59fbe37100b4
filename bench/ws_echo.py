"""bench/harness.py's WebSocket echo part: which apps are measured with ws_load (bench/ws_load.c,
compiled by bench/run) instead of wrk, on which servers, how ws_load is run, and what its output
says about a warm-up.

The WebSocket echo app (ws-echo) is measured with bench/ws_load.c instead of wrk, in one mode
only ("keepalive": its connections stay open for the whole run; there is no close mode). A
measurement that ws_load could not make (no handshake succeeded, no message echoed, every
connection ended early) is recorded with its exit status and shown as failed in the table; it
does not stop the run.
"""

import os
import re
import shlex
import subprocess
import sys

# Apps measured with ws_load (WebSocket echo) instead of wrk: app -> URL path. Not in the default
# BENCH_APPS. They run on WS_SERVERS only, in the "keepalive" mode only.
WS_APPS = {"ws-echo": "/echo"}
WS_SERVERS = {"greenfork-asgi", "uvicorn", "hypercorn"}
WS_HANDSHAKE_TIMEOUT_S = 5
RUNNING = None              # the running ws_load, for kill_running() (the harness's cleanup)


def select_apps(apps, modes, ws_load, log):
    """apps without the WebSocket apps when the keepalive mode is not selected (logged); exits
    when a WebSocket app is to run and the ws_load binary is not there."""
    ws_apps = [a for a in apps if a in WS_APPS]
    if ws_apps and "keepalive" not in modes:
        log("not run: %s (WebSocket apps have only the keepalive mode; BENCH_MODES=%s)" % (
            " ".join(ws_apps), ",".join(modes)))
        apps = [a for a in apps if a not in WS_APPS]
        ws_apps = []
    if ws_apps and not os.access(ws_load, os.X_OK):
        sys.exit("error: %s not found (bench/run compiles it from bench/ws_load.c; or set "
                 "WS_LOAD_BIN)" % ws_load)
    return apps


def run_ws_load(exe, url, duration, connections, size):
    """ws_load's command, output (stdout and its error lines) and exit status; a ws_load that
    hangs is killed after its handshake timeout + duration + 30 s (status -9). exe: the ws_load
    command, with its taskset prefix if any."""
    global RUNNING
    cmd = exe + ["-c", str(connections), "-d", str(duration), "-s", str(size),
                 "-T", str(WS_HANDSHAKE_TIMEOUT_S), url]
    RUNNING = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = RUNNING.communicate(timeout=WS_HANDSHAKE_TIMEOUT_S + duration + 30)
    except subprocess.TimeoutExpired:
        RUNNING.kill()
        out, _ = RUNNING.communicate()
        out += "\nws_load: error: killed by the harness (no end after %d s)\n" % (
            WS_HANDSHAKE_TIMEOUT_S + duration + 30)
    status = RUNNING.returncode
    RUNNING = None
    return cmd, out, status


def kill_running():
    """Kill a ws_load still running (the harness is stopping early)."""
    if RUNNING is not None and RUNNING.poll() is None:
        RUNNING.kill()


def load(exe, app, port, duration, connections, size):
    """One ws_load run on the app at port: (command, output, extra bench_* fields)."""
    cmd, out, status = run_ws_load(exe, "ws://127.0.0.1:%d%s" % (port, WS_APPS[app]),
                                   duration, connections, size)
    return cmd, out, {"tool": "ws_load", "ws_load_cmd": shlex.join(cmd), "exit_status": status}


def warmup_result(out, tool):
    """The warm-up's line in the log: "WebSocket echo warm-up ok", or "... FAILED (exit status
    N): " and ws_load's reasons without their connection numbers, each once (300 characters at
    most)."""
    if tool["exit_status"] == 0:
        return "WebSocket echo warm-up ok"
    return "WebSocket echo warm-up FAILED (exit status %s): %s" % (
        tool["exit_status"], " / ".join(dict.fromkeys(
            re.sub(r"^ws_load: error: (connection \d+: )?", "", l)
            for l in out.splitlines()
            if l.startswith("ws_load:") and "further errors" not in l))[:300])
