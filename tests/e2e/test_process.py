"""Daemon and process settings: --pid, --user/--group/--initgroups/--umask, -D/-R, WINCH,
--worker-tmp-dir, systemd socket activation and sd_notify, and running as PID 1."""

import json
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (APPS, BINARY, EXAMPLES, WAIT_DEADLINE, children_of, make_env,
                      process_alive, run_cli)
from httpclient import free_port, parse_response, raw_request, wait_until

IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="switching users needs root")


def get(address, path, timeout=WAIT_DEADLINE):
    return parse_response(raw_request(address, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
                                      timeout=timeout))


def read_status(pid):
    """/proc/<pid>/status as a dict of raw values."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def dead_pid():
    proc = subprocess.Popen(["/bin/true"])
    proc.wait()
    return proc.pid


def kill_quietly(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------------------------
# --pid

def test_pidfile_is_written_and_removed(start_server, tmp_path):
    pidfile = tmp_path / "app.pid"
    server = start_server("hello:application", "-p", str(pidfile), cwd=EXAMPLES)
    assert wait_until(pidfile.exists, WAIT_DEADLINE)
    assert pidfile.read_text() == f"{server.pid}\n"
    assert stat.S_IMODE(pidfile.stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".greenfork-pid-*")), "temp file left behind"
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    assert not pidfile.exists()


def test_pidfile_naming_a_live_process_stops_start_up(tmp_path):
    pidfile = tmp_path / "app.pid"
    pidfile.write_text(f"{os.getpid()}\n")  # this test process is certainly alive
    result = run_cli(["-b", f"127.0.0.1:{free_port()}", "-p", str(pidfile), "hello:application"],
                     cwd=EXAMPLES)
    assert result.returncode == 1
    assert (f"Error: Already running on PID {os.getpid()} (or pid file '{pidfile}' is stale)"
            in result.stderr), result.stderr
    assert pidfile.read_text() == f"{os.getpid()}\n"


def test_stale_pidfile_is_replaced(start_server, tmp_path):
    pidfile = tmp_path / "app.pid"
    pidfile.write_text(f"{dead_pid()}\n")
    server = start_server("hello:application", "-p", str(pidfile), cwd=EXAMPLES)
    assert wait_until(lambda: pidfile.read_text() == f"{server.pid}\n", WAIT_DEADLINE), \
        pidfile.read_text()


# ---------------------------------------------------------------------------------------------
# --worker-tmp-dir

def test_worker_tmp_dir_must_exist(tmp_path, start_server):
    missing = tmp_path / "missing"
    result = run_cli(["-b", f"127.0.0.1:{free_port()}", "--worker-tmp-dir", str(missing),
                      "hello:application"], cwd=EXAMPLES)
    assert result.returncode == 1
    assert f"Error: {missing} doesn't exist. Can't create workertmp." in result.stderr
    server = start_server("hello:application", "--worker-tmp-dir", str(tmp_path), cwd=EXAMPLES)
    assert server.get("/").status_code == 200
    # Heartbeats live in shared memory: nothing is written there.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server0.stderr", "server0.stdout"]


# ---------------------------------------------------------------------------------------------
# --user / --group / --initgroups / --umask

@needs_root
def test_workers_switch_user_and_group(start_server, tmp_path):
    sock = tmp_path / "app.sock"
    access = tmp_path / "access.log"
    errors = tmp_path / "error.log"
    server = start_server("process_app:application", "-u", "nobody", "-g", "nogroup",
                          "-m", "007", "--access-logfile", str(access),
                          "--error-logfile", str(errors), bind=f"unix:{sock}")
    ids = json.loads(get(str(sock), "/ids").body)
    assert ids == {"uid": 65534, "gid": 65534, "euid": 65534, "egid": 65534, "groups": []}, \
        "root's supplementary groups must not follow the worker"
    # The master keeps its identity (it must be able to bind and signal).
    assert read_status(server.pid)["Uid"].split()[0] == "0"
    # Files the workers use later belong to them; the socket mode follows --umask.
    st = sock.stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534)
    assert stat.S_IMODE(st.st_mode) == 0o770
    for log in (access, errors):
        assert (log.stat().st_uid, log.stat().st_gid) == (65534, 65534), log
    assert wait_until(lambda: "GET /ids" in access.read_text(), WAIT_DEADLINE)


@needs_root
def test_initgroups_gives_the_users_groups(start_server):
    server = start_server("process_app:application", "-u", "nobody", "-g", "nogroup",
                          "--initgroups")
    ids = json.loads(server.get("/ids").text)
    assert ids["uid"] == 65534 and ids["gid"] == 65534
    expected = sorted({65534, *os.getgrouplist("nobody", 65534)})
    assert ids["groups"] == expected


def test_unknown_user_is_a_config_error():
    result = run_cli(["-u", "no-such-user-gf", "hello:application"], cwd=EXAMPLES)
    assert result.returncode == 1
    assert "user" in result.stderr and result.stderr.count("\n") == 1, result.stderr


# ---------------------------------------------------------------------------------------------
# -D / -R / WINCH

class Daemon:
    """A daemonized master found through its pidfile; killed (with its workers) at the end."""

    def __init__(self, tmp_path, *args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                 env=None):
        self.port = free_port()
        self.pidfile = tmp_path / "daemon.pid"
        self.errors = tmp_path / "daemon.log"
        self.launcher = subprocess.run(
            [BINARY, "-D", "-b", f"127.0.0.1:{self.port}", "--chdir", str(EXAMPLES),
             "-p", str(self.pidfile), "--error-logfile", str(self.errors), *args,
             "hello:application"],
            cwd=str(tmp_path), env=make_env(env), stdin=subprocess.DEVNULL, stdout=stdout,
            stderr=stderr, text=True, timeout=20)
        self.pid = None
        if wait_until(lambda: self.pidfile.exists() and self.pidfile.read_text().strip(),
                      WAIT_DEADLINE):
            self.pid = int(self.pidfile.read_text())

    def log(self):
        return self.errors.read_text() if self.errors.exists() else ""

    def workers(self):
        return [p for p in children_of(self.pid) if process_alive(p)]

    def kill(self):
        if self.pid:
            for pid in [self.pid, *children_of(self.pid)]:
                kill_quietly(pid)


@pytest.fixture
def daemons():
    started = []
    yield started
    for d in started:
        d.kill()


def test_daemon_detaches_and_writes_its_pidfile(tmp_path, daemons):
    d = Daemon(tmp_path)
    daemons.append(d)
    assert d.launcher.returncode == 0, d.launcher.stderr
    assert d.pid, f"no pidfile; log:\n{d.log()}"
    status = read_status(d.pid)
    assert int(status["PPid"]) != os.getpid()  # re-parented: the launcher is gone
    # Double fork: in a new session, but not its leader (cannot reacquire a terminal).
    # /proc/PID/stat after the command name: state ppid pgrp session tty_nr ...
    fields = Path(f"/proc/{d.pid}/stat").read_text().rsplit(")", 1)[1].split()
    sid, tty_nr = int(fields[3]), int(fields[4])
    # 0 would be a session begun outside this pid namespace (a container's), i.e. not ours.
    assert sid not in (0, d.pid, os.getsid(0))
    assert tty_nr == 0  # no controlling terminal
    # The pidfile is written before the sockets are bound and "Listening at" is logged.
    assert wait_until(lambda: f"Listening at: http://127.0.0.1:{d.port} ({d.pid})" in d.log(),
                      WAIT_DEADLINE), d.log()
    for fd in (0, 1, 2):
        assert os.readlink(f"/proc/{d.pid}/fd/{fd}") == "/dev/null"
    assert int(status["Umask"], 8) == 0o022
    assert get(d.port, "/").status == 200
    os.kill(d.pid, signal.SIGTERM)
    assert wait_until(lambda: not process_alive(d.pid), WAIT_DEADLINE), d.log()
    assert not d.pidfile.exists()


def test_daemon_keeps_redirected_stdio_with_R(tmp_path, daemons):
    out_path = tmp_path / "out.txt"
    # Files, not pipes: a kept pipe would never see EOF while the daemon runs.
    with open(out_path, "w") as out, open(tmp_path / "err.txt", "w") as err:
        d = Daemon(tmp_path, "-R", stdout=out, stderr=err)
    daemons.append(d)
    assert d.pid, d.log()
    assert os.readlink(f"/proc/{d.pid}/fd/0") == "/dev/null"
    assert os.readlink(f"/proc/{d.pid}/fd/1") == str(out_path)
    assert os.readlink(f"/proc/{d.pid}/fd/2") == str(tmp_path / "err.txt")


def test_winch_stops_the_workers_of_a_daemon(tmp_path, daemons):
    d = Daemon(tmp_path, "-w", "2")
    daemons.append(d)
    assert d.pid, d.log()
    assert wait_until(lambda: len(d.workers()) == 2, WAIT_DEADLINE)
    os.kill(d.pid, signal.SIGWINCH)
    assert wait_until(lambda: not d.workers(), WAIT_DEADLINE), d.log()
    assert "graceful stop of workers" in d.log()
    time.sleep(1.5)  # the master stays up and does not respawn
    assert process_alive(d.pid) and not d.workers()
    os.kill(d.pid, signal.SIGTTIN)
    assert wait_until(lambda: len(d.workers()) == 1, WAIT_DEADLINE), d.log()


def test_winch_is_ignored_in_the_foreground(start_server):
    server = start_server("hello:application", "--log-level", "debug", cwd=EXAMPLES)
    worker = server.wait_workers(1)[0]
    server.signal(signal.SIGWINCH)
    server.wait_for_log("SIGWINCH ignored. Not daemonized")
    assert server.wait_workers(1) == [worker]


def test_daemon_warns_under_systemd_notify(tmp_path, daemons):
    d = Daemon(tmp_path, env={"NOTIFY_SOCKET": "@gf-test-unused"})
    daemons.append(d)
    assert "you shouldn't specify `daemon = True`" in d.launcher.stderr


# ---------------------------------------------------------------------------------------------
# systemd

def start_socket_activated(sockets, args, tmp_path, extra_env=None):
    """Start greenfork the way systemd does: sockets at fds 3.., LISTEN_FDS, LISTEN_PID."""
    fds = [s.fileno() for s in sockets]

    def place_fds():
        # dup everything out of the way first, then onto 3, 4, ...
        temp = [os.dup(fd) for fd in fds]
        for i, fd in enumerate(temp):
            os.dup2(fd, 3 + i)

    env = make_env(extra_env)
    env["LISTEN_FDS"] = str(len(sockets))
    err = open(tmp_path / "activated.stderr", "wb")
    # The shell learns its own pid ($$) and keeps it across exec: LISTEN_PID names greenfork.
    proc = subprocess.Popen(
        ["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@"', BINARY, "--chdir", str(EXAMPLES),
         *args, "hello:application"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        preexec_fn=place_fds, pass_fds=tuple(range(3, 3 + len(sockets))),
        start_new_session=True)
    err.close()
    return proc


def test_systemd_socket_activation(tmp_path):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    port = tcp.getsockname()[1]
    unix_path = tmp_path / "activated.sock"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(unix_path))
    # --bind is ignored when systemd passes sockets; this port must never be bound.
    unused = free_port()
    proc = start_socket_activated([tcp, unix], ["-b", f"127.0.0.1:{unused}", "-w", "1"], tmp_path)
    log = tmp_path / "activated.stderr"
    try:
        assert wait_until(lambda: "Booting worker" in log.read_text(), WAIT_DEADLINE), \
            log.read_text()
        assert get(port, "/").status == 200
        assert get(str(unix_path), "/").status == 200
        assert f"http://127.0.0.1:{port}" in log.read_text()
        assert f"unix:{unix_path}" in log.read_text()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", unused), timeout=1).close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=WAIT_DEADLINE) == 0
        assert unix_path.exists(), "a socket-activated UNIX socket file belongs to systemd"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        tcp.close()
        unix.close()


def test_listen_fds_for_another_pid_are_ignored(start_server, tmp_path):
    server = start_server("hello:application", env={"LISTEN_FDS": "1", "LISTEN_PID": "1"},
                          cwd=EXAMPLES)
    assert server.get("/").status_code == 200


class NotifySocket:
    def __init__(self, name):
        self.name = name
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + name[1:] if name.startswith("@") else name)
        self.sock.settimeout(WAIT_DEADLINE)

    def receive(self):
        return self.sock.recv(4096).decode()


@pytest.mark.parametrize("abstract", [True, False], ids=["abstract", "path"])
def test_sd_notify_ready_reloading_stopping(start_server, tmp_path, abstract):
    name = f"@gf-notify-{os.getpid()}-{time.monotonic_ns()}" if abstract \
        else str(tmp_path / "notify.sock")
    notify = NotifySocket(name)
    server = start_server("hello:application", env={"NOTIFY_SOCKET": name}, cwd=EXAMPLES)
    assert notify.receive() == "READY=1\nSTATUS=greenfork arbiter booted"
    assert server.worker_pids(), "workers are forked before READY"
    server.signal(signal.SIGHUP)
    reloading = notify.receive()
    assert reloading.startswith("RELOADING=1\nMONOTONIC_USEC="), reloading
    assert int(reloading.rsplit("=", 1)[1]) <= time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert notify.receive() == "READY=1"
    server.signal(signal.SIGTERM)
    assert notify.receive() == "STOPPING=1"
    assert server.wait_exit() == 0


# ---------------------------------------------------------------------------------------------
# PID 1 in a container

def namespace_pid_one(unshare_pid):
    """greenfork's pid (as seen from here) once unshare has forked it."""
    kids = wait_until(lambda: children_of(unshare_pid), WAIT_DEADLINE)
    return kids[0] if kids else None


def zombie_children(pid):
    out = []
    for child in children_of(pid):
        try:
            stat_text = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            continue
        if stat_text[stat_text.rindex(")") + 2] == "Z":
            out.append(child)
    return out


@needs_root
def test_pid_1_reaps_orphans(tmp_path):
    if subprocess.run(["unshare", "--fork", "--pid", "--mount-proc", "true"]).returncode != 0:
        pytest.skip("unshare --pid is not permitted here")
    port = free_port()
    err = open(tmp_path / "pid1.stderr", "wb")
    proc = subprocess.Popen(
        ["unshare", "--fork", "--pid", "--mount-proc", BINARY, "-b", f"127.0.0.1:{port}",
         "--chdir", str(APPS), "-w", "1", "process_app:application"],
        env=make_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        start_new_session=True)
    err.close()
    log = tmp_path / "pid1.stderr"
    try:
        master = namespace_pid_one(proc.pid)
        assert master, log.read_text()
        assert wait_until(lambda: "Booting worker" in log.read_text(), WAIT_DEADLINE), \
            log.read_text()
        assert read_status(master)["NSpid"].split()[-1] == "1"
        worker = int(get(port, "/pid").body)
        assert read_status(master)["NSpid"].split()[-1] == "1"
        # The app double-forks a short sleep; its shell exits, so the sleep is re-parented to
        # the master (PID 1), which must reap it when it exits. It sleeps long enough to be
        # seen re-parented even when this test is slow to look.
        sleeper_ns_pid = int(get(port, "/orphan?3").body)
        assert sleeper_ns_pid > 1

        def sleeper():
            return [p for p in children_of(master)
                    if p != worker and Path(f"/proc/{p}/comm").read_text().strip() == "sleep"]

        assert wait_until(sleeper, WAIT_DEADLINE), "the orphan should be re-parented to PID 1"
        assert wait_until(lambda: not sleeper() and not zombie_children(master),
                          WAIT_DEADLINE), f"zombies left under PID 1: {zombie_children(master)}"
        assert get(port, "/pid").status == 200
        os.kill(master, signal.SIGTERM)
        assert proc.wait(timeout=WAIT_DEADLINE) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
