"""HUP (full reload of the configuration), --preload and --reuse-port."""

import os
import signal
import socket
import textwrap
import time
from pathlib import Path

import pytest

from conftest import APPS, WAIT_DEADLINE, process_alive, run_cli, wait_until
from httpclient import free_port, raw_request

APP = "reload_app:application"


def write_config(path, source):
    Path(path).write_text(textwrap.dedent(source))


def serves(host, port, path="/", timeout=WAIT_DEADLINE):
    """The body of GET path, or None when nothing answers.

    A worker that exists may still be booting: the connection then waits in the listen queue
    until it accepts, which on a loaded machine can take a while - hence the long timeout.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\nHost: t\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return None
    return data.split(b"\r\n\r\n", 1)[1].decode() if b"\r\n\r\n" in data else None


def hup_and_wait(server, count, old_pids):
    """HUP, then wait until the master runs exactly `count` workers, none of them old."""
    server.signal(signal.SIGHUP)

    def renewed():
        pids = [p for p in server.worker_pids() if process_alive(p)]
        return len(pids) == count and not set(pids) & set(old_pids)

    assert wait_until(renewed, WAIT_DEADLINE), f"workers not replaced; log:\n{server.log_text()}"
    return [p for p in server.worker_pids() if process_alive(p)]


def test_hup_rereads_the_config_file(start_server, tmp_path):
    access = tmp_path / "access.log"
    conf = tmp_path / "conf.py"
    write_config(conf, f"""
        workers = 1
        accesslog = {str(access)!r}
        access_log_format = "first %(m)s %(U)s"
    """)
    server = start_server(APP, "-c", str(conf))
    old = server.wait_workers(1)
    assert server.get("/one").status_code == 200
    write_config(conf, f"""
        workers = 3
        accesslog = {str(access)!r}
        access_log_format = "second %(m)s %(U)s"
        loglevel = "debug"
    """)
    hup_and_wait(server, 3, old)
    server.wait_for_log(r"Hang up: Master")
    assert server.get("/two").status_code == 200
    assert wait_until(lambda: "second GET /two" in access.read_text(), WAIT_DEADLINE), \
        access.read_text()
    assert "first GET /one" in access.read_text()
    # loglevel debug is live in the master: SIGCHLD handling is logged at debug level.
    server.wait_for_log(r"\[DEBUG\] Handling signal: chld")
    assert server.alive()


def test_hup_restores_ttin_changes_and_keeps_the_cli(start_server, tmp_path):
    server = start_server(APP, "-w", "2")
    old = server.wait_workers(2)
    server.signal(signal.SIGTTIN)
    server.wait_workers(3)
    hup_and_wait(server, 2, old)
    assert serves(server.host, server.port) == "Hello, World!"


def test_hup_rebinds_changed_addresses(start_server, tmp_path):
    first, second = free_port(), free_port()
    conf = tmp_path / "conf.py"
    write_config(conf, f'bind = ["127.0.0.1:{first}"]\nworkers = 2\n')
    server = start_server(APP, "-c", str(conf), bind=f"127.0.0.1:{first}", pass_bind=False)
    old = server.wait_workers(2)
    write_config(conf, f'bind = ["127.0.0.1:{second}"]\nworkers = 2\n')
    hup_and_wait(server, 2, old)
    server.wait_for_log(rf"Listening at: http://127.0.0.1:{second} ")
    assert wait_until(lambda: serves("127.0.0.1", second) == "Hello, World!", WAIT_DEADLINE)
    # The old workers are gone and the master closed its socket: nothing listens any more.
    assert wait_until(lambda: serves("127.0.0.1", first, timeout=2) is None, WAIT_DEADLINE)


def test_hup_adds_a_unix_socket_and_keeps_the_tcp_one(start_server, tmp_path):
    port = free_port()
    sock = tmp_path / "app.sock"
    conf = tmp_path / "conf.py"
    write_config(conf, f'bind = ["127.0.0.1:{port}"]\n')
    server = start_server(APP, "-c", str(conf), bind=f"127.0.0.1:{port}", pass_bind=False)
    old = server.wait_workers(1)
    write_config(conf, f'bind = ["127.0.0.1:{port}", "unix:{sock}"]\n')
    hup_and_wait(server, 1, old)
    assert serves("127.0.0.1", port) == "Hello, World!"
    # Read to the end: one recv() may return the head without the body.
    assert b"Hello, World!" in raw_request(str(sock), b"GET / HTTP/1.0\r\n\r\n",
                                           timeout=WAIT_DEADLINE)
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    assert not sock.exists()


def test_hup_with_an_invalid_config_keeps_serving(start_server, tmp_path):
    conf = tmp_path / "conf.py"
    write_config(conf, "workers = 2\n")
    server = start_server(APP, "-c", str(conf))
    old = server.wait_workers(2)
    write_config(conf, 'workers = "many"\n')
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"Reload failed; keeping the current configuration: .*workers")
    assert server.alive()
    assert serves(server.host, server.port) == "Hello, World!"
    # Syntax errors too; then a good file is picked up again.
    write_config(conf, "workers = (\n")
    server.signal(signal.SIGHUP)
    wait_until(lambda: server.log_text().count("Reload failed") >= 2, WAIT_DEADLINE)
    assert server.log_text().count("Reload failed") >= 2, server.log_text()
    assert serves(server.host, server.port) == "Hello, World!"
    write_config(conf, "workers = 1\n")
    hup_and_wait(server, 1, old)


def test_hup_restores_raw_env(start_server, tmp_path):
    conf = tmp_path / "conf.py"
    write_config(conf, 'raw_env = ["RELOAD_FOO=from-config", "HOME=/changed"]\n')
    server = start_server(APP, "-c", str(conf), env={"HOME": "/original"})
    old = server.wait_workers(1)
    assert serves(server.host, server.port, "/env?RELOAD_FOO") == "from-config"
    assert serves(server.host, server.port, "/env?HOME") == "/changed"
    write_config(conf, "workers = 1\n")
    hup_and_wait(server, 1, old)
    assert serves(server.host, server.port, "/env?RELOAD_FOO") == "<unset>"
    assert serves(server.host, server.port, "/env?HOME") == "/original"


def test_hup_reopens_the_error_log(start_server, tmp_path):
    errlog = tmp_path / "error.log"
    server = start_server(APP, "--error-logfile", str(errlog))
    old = server.wait_workers(1)
    moved = tmp_path / "error.log.1"
    errlog.rename(moved)
    hup_and_wait(server, 1, old)
    assert wait_until(lambda: "Booting worker" in errlog.read_text(), WAIT_DEADLINE)
    assert "Hang up: Master" in moved.read_text()


def test_hup_moves_the_pidfile(start_server, tmp_path):
    first, second = tmp_path / "a.pid", tmp_path / "b.pid"
    conf = tmp_path / "conf.py"
    write_config(conf, f"pidfile = {str(first)!r}\n")
    server = start_server(APP, "-c", str(conf))
    old = server.wait_workers(1)
    assert first.read_text().strip() == str(server.pid)
    write_config(conf, f"pidfile = {str(second)!r}\n")
    hup_and_wait(server, 1, old)
    assert second.read_text().strip() == str(server.pid)
    assert not first.exists()


def test_preload_imports_the_app_once_in_the_master(start_server, tmp_path):
    imports = tmp_path / "imports"
    server = start_server(APP, "--preload", "-w", "2", env={"RELOAD_IMPORT_LOG": str(imports)})
    workers = server.wait_workers(2)
    assert imports.read_text().split() == [str(server.pid)]
    pids = {serves(server.host, server.port, "/pid") for _ in range(8)}
    assert pids <= {str(p) for p in workers}
    # gc.freeze() ran in the master before the fork.
    assert int(serves(server.host, server.port, "/gc")) > 0
    # A HUP resolves the app in the master again; the workers still never import it.
    hup_and_wait(server, 2, workers)
    assert set(imports.read_text().split()) == {str(server.pid)}
    assert serves(server.host, server.port) == "Hello, World!"


def test_without_preload_each_worker_imports_the_app(start_server, tmp_path):
    imports = tmp_path / "imports"
    server = start_server(APP, "-w", "2", env={"RELOAD_IMPORT_LOG": str(imports)})
    workers = server.wait_workers(2)
    # The workers exist, but may not have imported the app yet.
    assert wait_until(lambda: len(imports.read_text().split()) == 2, WAIT_DEADLINE)
    assert sorted(imports.read_text().split()) == sorted(str(p) for p in workers)
    assert serves(server.host, server.port, "/gc") == "0"


def test_preload_failure_stops_the_master(binary, tmp_path):
    port = free_port()
    result = run_cli(["-b", f"127.0.0.1:{port}", "--preload", APP], cwd=APPS,
                     env={"RELOAD_APP_FAIL": "1"})
    assert result.returncode == 1
    assert "reload_app refuses to load" in result.stderr
    assert "Booting worker" not in result.stderr


def listening_inodes(port):
    """Socket inodes listening on TCP `port` (IPv4)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
            inodes.add(fields[9])
    return inodes


def socket_inodes(pid):
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:["):-1])
    return found


def test_reuse_port_each_worker_binds_its_own_socket(start_server, tmp_path):
    server = start_server(APP, "--reuse-port", "-w", "2")
    workers = server.wait_workers(2)
    server.wait_for_log(rf"Listening at: http://127.0.0.1:{server.port} ")
    assert wait_until(lambda: len(listening_inodes(server.port)) == 2, WAIT_DEADLINE)
    listening = listening_inodes(server.port)
    owned = [socket_inodes(p) & listening for p in workers]
    assert all(len(o) == 1 for o in owned) and owned[0] != owned[1], (owned, listening)
    assert not socket_inodes(server.pid) & listening  # the master binds nothing
    for _ in range(6):
        assert serves(server.host, server.port) == "Hello, World!"
    # A reload keeps serving: the new workers bind next to the old ones before these retire.
    hup_and_wait(server, 2, workers)
    assert serves(server.host, server.port) == "Hello, World!"
    assert wait_until(lambda: len(listening_inodes(server.port)) == 2, WAIT_DEADLINE)


def test_hup_with_an_address_that_cannot_be_bound_keeps_serving(start_server, tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    conf = tmp_path / "conf.py"
    port = free_port()
    write_config(conf, f'bind = ["127.0.0.1:{port}"]\n')
    server = start_server(APP, "-c", str(conf), bind=f"127.0.0.1:{port}", pass_bind=False)
    old = server.wait_workers(1)
    write_config(conf, f'bind = ["127.0.0.1:{busy.getsockname()[1]}"]\n')
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"Reload failed; keeping the current configuration")
    assert serves("127.0.0.1", port) == "Hello, World!"
    assert server.wait_workers(1) == old
    busy.close()


def test_hooks_run_on_reload_and_survive_a_rejected_one(start_server, tmp_path):
    calls = tmp_path / "calls"
    conf = tmp_path / "conf.py"
    source = f"""
        def _record(name, pid):
            with open({str(calls)!r}, "a") as f:
                f.write(f"{{name}} {{pid}}\\n")

        def on_reload(server):
            import os
            _record("on_reload", os.getpid())

        def post_fork(server, worker):
            import os
            _record("post_fork", os.getpid())
    """
    write_config(conf, source)
    server = start_server(APP, "-c", str(conf))
    old = server.wait_workers(1)
    new = hup_and_wait(server, 1, old)
    assert wait_until(lambda: f"on_reload {server.pid}" in calls.read_text(), WAIT_DEADLINE), \
        calls.read_text()
    assert wait_until(lambda: f"post_fork {new[0]}" in calls.read_text(), WAIT_DEADLINE), \
        calls.read_text()
    # A rejected reload must not lose the running configuration's hooks.
    write_config(conf, source + "\nworkers = 'x'\n")
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"Reload failed")
    server.signal(signal.SIGTTIN)
    pids = server.wait_workers(2)
    extra = (set(pids) - set(new)).pop()
    assert wait_until(lambda: f"post_fork {extra}" in calls.read_text(), WAIT_DEADLINE), \
        calls.read_text()


# Not with --reuse-port: a retiring worker's own socket takes its accept queue with it when it
# closes (Linux resets those connections unless net.ipv4.tcp_migrate_req=1), as with Gunicorn.
@pytest.mark.parametrize("mode", ["--preload"])
def test_zero_drop_hup_with(start_server, mode):
    from test_zero_drop import LoadGenerator, report

    server = start_server("pep3333_app:application", mode, "-w", "2", "--graceful-timeout", "10")
    server.wait_workers(2)
    with LoadGenerator(server.address()) as load:
        time.sleep(0.5)
        for _ in range(3):
            server.signal(signal.SIGHUP)
            time.sleep(1.0)
        time.sleep(0.5)
    assert server.alive()
    report(load, f"HUP x3 {mode}", min_sent=50)


def test_reuse_port_usr2_upgrade(start_server):
    server = start_server(APP, "--reuse-port", "-w", "1")
    (old_worker,) = server.wait_workers(1)
    server.signal(signal.SIGUSR2)
    # The new master's worker binds next to the old one: two sockets in the group.
    assert wait_until(lambda: len(listening_inodes(server.port)) == 2, WAIT_DEADLINE), \
        server.log_text()
    server.signal(signal.SIGTERM)
    assert server.wait_exit() == 0
    server.wait_for_log(r"Master has been promoted\.")
    answer = serves(server.host, server.port, "/pid")
    assert answer is not None and answer != str(old_worker)
