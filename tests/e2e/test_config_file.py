"""Config files (reference §10): -c PATH, file:PATH, python:MODULE, the implicit
./gunicorn.conf.py (and greenfork.conf.py), precedence, errors, and a typical unmodified
gunicorn.conf.py serving requests."""

import shutil
import textwrap

import pytest

from conftest import APPS, EXAMPLES, run_cli
from httpclient import free_port
from test_cli import config_lines


def make_site(tmp_path, name="site"):
    """A directory holding the test app, where config files can be dropped."""
    site = tmp_path / name
    site.mkdir()
    shutil.copy(APPS / "pep3333_app.py", site / "pep3333_app.py")
    return site


def write(path, source):
    path.write_text(textwrap.dedent(source))
    return path


def print_config(args, cwd, env=None):
    result = run_cli(["--print-config", *args], cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return config_lines(result.stdout)


# --------------------------------------------------------------------------------------------
# The forms of the lookup

@pytest.mark.parametrize("form", ["{path}", "file:{path}"])
def test_explicit_file_is_applied(binary, tmp_path, form):
    site = make_site(tmp_path)
    conf = write(tmp_path / "my.conf.py", """
        workers = 3
        timeout = 17
        """)
    values = print_config(["-c", form.format(path=conf), "pep3333_app:application"], cwd=site)
    assert values["workers"] == "3"
    assert values["timeout"] == "17"


def test_relative_explicit_path_is_relative_to_the_startup_directory(binary, tmp_path):
    site = make_site(tmp_path)
    (tmp_path / "conf").mkdir()
    write(tmp_path / "conf" / "prod.py", "workers = 4\n")
    values = print_config(["-c", "conf/prod.py", "--chdir", str(site), "pep3333_app:application"],
                          cwd=tmp_path)
    assert values["workers"] == "4"


def test_python_module_form(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "myconf.py", "workers = 5\nkeepalive = 9\n")
    values = print_config(["-c", "python:myconf", "pep3333_app:application"], cwd=site)
    assert values["workers"] == "5"
    assert values["keepalive"] == "9"


def test_implicit_gunicorn_conf_py(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", "workers = 6\n")
    assert print_config(["pep3333_app:application"], cwd=site)["workers"] == "6"


def test_greenfork_conf_py_wins_over_gunicorn_conf_py(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", "workers = 6\ntimeout = 11\n")
    write(site / "greenfork.conf.py", "workers = 7\n")
    values = print_config(["pep3333_app:application"], cwd=site)
    assert values["workers"] == "7"
    assert values["timeout"] == "30", "only one file is read"


def test_implicit_file_is_looked_up_after_chdir(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", "workers = 8\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    values = print_config(["--chdir", str(site), "pep3333_app:application"], cwd=elsewhere)
    assert values["workers"] == "8"


def test_implicit_file_in_the_startup_directory_is_still_found(binary, tmp_path):
    """Gunicorn's own lookup (the start-up directory) applies when --chdir has no file."""
    site = make_site(tmp_path)
    startup = tmp_path / "startup"
    startup.mkdir()
    write(startup / "gunicorn.conf.py", "workers = 9\n")
    values = print_config(["--chdir", str(site), "pep3333_app:application"], cwd=startup)
    assert values["workers"] == "9"


def test_no_config_file_means_defaults(binary, tmp_path):
    site = make_site(tmp_path)
    assert print_config(["pep3333_app:application"], cwd=site)["workers"] == "1"


def test_explicit_file_wins_over_an_implicit_one(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", "workers = 6\n")
    conf = write(tmp_path / "other.py", "timeout = 5\n")
    values = print_config(["-c", str(conf), "pep3333_app:application"], cwd=site)
    assert values["workers"] == "1"
    assert values["timeout"] == "5"


def test_config_from_gunicorn_cmd_args(binary, tmp_path):
    site = make_site(tmp_path)
    conf = write(tmp_path / "env.conf.py", "workers = 2\n")
    values = print_config(["pep3333_app:application"], cwd=site,
                          env={"GUNICORN_CMD_ARGS": f"-c {conf}"})
    assert values["workers"] == "2"


# --------------------------------------------------------------------------------------------
# Precedence: defaults/env < config file < GUNICORN_CMD_ARGS < command line

def test_precedence(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", """
        workers = 2
        timeout = 40
        keepalive = 4
        """)
    app = "pep3333_app:application"
    values = print_config([app], cwd=site, env={"WEB_CONCURRENCY": "9"})
    assert values["workers"] == "2", "the file beats env-derived defaults"
    values = print_config(["--timeout", "50", app], cwd=site,
                          env={"GUNICORN_CMD_ARGS": "-w 3 --timeout 45"})
    assert values["workers"] == "3", "GUNICORN_CMD_ARGS beats the file"
    assert values["timeout"] == "50", "the command line beats GUNICORN_CMD_ARGS"
    assert values["keepalive"] == "4", "the file beats defaults"


# --------------------------------------------------------------------------------------------
# Values

def test_value_shapes(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", """
        import os
        import multiprocessing as mp

        bind = "127.0.0.1:9999"              # a str for a list setting: one element
        raw_env = ("A=1", "B=2")             # a tuple is a list
        forwarded_allow_ips = "10.0.0.1, 10.0.0.0/8"
        preload_app = False
        umask = "0022"
        secure_scheme_headers = {"X-SCHEME": "https"}
        max_requests = 0x10
        errorlog = None if os.environ.get("NOPE") else "-"
        UNRELATED = 3                        # not a setting: ignored
        cpus = mp.cpu_count()                # not a setting: ignored

        def helper():
            return 1

        def post_request(worker, req, environ):   # 2 to 4 parameters are accepted
            pass
        """)
    values = print_config(["pep3333_app:application"], cwd=site)
    assert values["bind"] == "['127.0.0.1:9999']"
    assert values["raw_env"] == "['A=1', 'B=2']"
    assert values["forwarded_allow_ips"] == "['10.0.0.1', '10.0.0.0/8']"
    assert values["umask"] == "18"
    assert values["secure_scheme_headers"] == "{'X-SCHEME': 'https'}"
    assert values["max_requests"] == "16"
    assert values["errorlog"] == "-"
    assert values["post_request"] == "<post_request()>"


@pytest.mark.parametrize("line, name, shown", [
    ('workers = "many"', "workers", "many"),
    ("timeout = -3", "timeout", "-3"),
    ("preload_app = 1", "preload_app", "1"),
    ("bind = [8000]", "bind", "[8000]"),
    ("loglevel = 3", "loglevel", "3"),
    ("post_fork = 3", "post_fork", "3"),
    ("def post_fork(server):\n    pass", "post_fork", "<function post_fork"),
])
def test_invalid_value_exits_1(binary, tmp_path, line, name, shown):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", line + "\n")
    result = run_cli(["-b", f"127.0.0.1:{free_port()}", "pep3333_app:application"], cwd=site)
    assert result.returncode == 1, result
    assert f"Invalid value for {name}: {shown}" in result.stderr, result.stderr
    assert "Listening at" not in result.stderr


def test_broken_file_exits_1_with_traceback(binary, tmp_path):
    site = make_site(tmp_path)
    conf = write(tmp_path / "broken.py", """
        workers = 2
        import no_such_module_here
        """)
    result = run_cli(["-c", str(conf), "pep3333_app:application"], cwd=site)
    assert result.returncode == 1
    assert f"Failed to read config file: {conf}" in result.stderr, result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "No module named 'no_such_module_here'" in result.stderr


def test_syntax_error_in_file_exits_1(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", "workers = = 2\n")
    result = run_cli(["pep3333_app:application"], cwd=site)
    assert result.returncode == 1
    assert "Failed to read config file:" in result.stderr
    assert "SyntaxError" in result.stderr, result.stderr


def test_missing_explicit_file_exits_1(binary, tmp_path):
    site = make_site(tmp_path)
    result = run_cli(["-c", "nope.conf.py", "pep3333_app:application"], cwd=site)
    assert result.returncode == 1
    assert "Error: 'nope.conf.py' doesn't exist" in result.stderr, result.stderr


def test_missing_module_exits_1(binary, tmp_path):
    site = make_site(tmp_path)
    result = run_cli(["-c", "python:no_such_conf_module", "pep3333_app:application"], cwd=site)
    assert result.returncode == 1
    assert "no_such_conf_module" in result.stderr, result.stderr


def test_other_extension_warns_but_runs(binary, tmp_path):
    site = make_site(tmp_path)
    conf = write(tmp_path / "server.conf", "workers = 3\n")
    result = run_cli(["--print-config", "-c", str(conf), "pep3333_app:application"], cwd=site)
    assert result.returncode == 0, result.stderr
    assert "WARNING: configuration file should have a valid Python extension" in result.stderr
    assert config_lines(result.stdout)["workers"] == "3"


def test_check_config_reads_the_file(binary, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", 'wsgi_app = "pep3333_app:nothing_here"\n')
    result = run_cli(["--check-config"], cwd=site)
    assert result.returncode == 1
    assert "nothing_here" in result.stderr, result.stderr


# --------------------------------------------------------------------------------------------
# Serving

def test_wsgi_app_and_raw_env_from_the_file(start_server, tmp_path):
    site = make_site(tmp_path)
    port = free_port()
    write(site / "gunicorn.conf.py", f"""
        bind = "127.0.0.1:{port}"
        wsgi_app = "pep3333_app:application"
        raw_env = ["CONF_FILE_VAR=from the file"]
        """)
    server = start_server(None, bind=f"127.0.0.1:{port}", pass_bind=False, cwd=site,
                          chdir=False)
    reply = server.get("/getenv?name=CONF_FILE_VAR")
    assert reply.status_code == 200
    assert reply.json()["value"] == "from the file"


def test_unmodified_typical_gunicorn_conf_py_serves(start_server, tmp_path):
    """Issue 3's "done when": bind, workers, accesslog, raw_env and a post_fork hook."""
    site = make_site(tmp_path)
    port = free_port()
    write(site / "gunicorn.conf.py", f"""
        # gunicorn.conf.py
        import multiprocessing
        import os

        bind = "127.0.0.1:{port}"
        workers = 2
        accesslog = "-"
        errorlog = "-"
        loglevel = "info"
        timeout = 30
        raw_env = [
            "APP_MODE=production",
            "DJANGO_SETTINGS_MODULE=mysite.settings",
        ]

        def post_fork(server, worker):
            server.log.info("Worker spawned (pid: %s)", worker.pid)

        def when_ready(server):
            server.log.info("Server is ready. Spawning workers")
        """)
    server = start_server("pep3333_app:application", bind=f"127.0.0.1:{port}", pass_bind=False,
                          cwd=site, chdir=False)
    server.wait_workers(2)
    reply = server.get("/getenv?name=APP_MODE")
    assert reply.status_code == 200
    assert reply.json()["value"] == "production"
    assert server.get("/hello").text == "Hello, World!"
    server.wait_for_log(r'"GET /hello HTTP/1.1" 200', source=server.stdout_text)
    assert "Invalid value" not in server.log_text()


def test_command_line_bind_beats_the_file(start_server, tmp_path):
    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", f'bind = "127.0.0.1:{free_port()}"\nworkers = 2\n')
    server = start_server("pep3333_app:application", cwd=site, chdir=False)  # passes -b
    server.wait_workers(2)
    assert server.get("/hello").status_code == 200


def test_hook_callable_kept_across_fork(start_server, tmp_path):
    """The master ran Python for the config file; forked workers must still boot and serve
    (PyOS_AfterFork_Child) and keep serving after a worker is replaced."""
    import os
    import signal

    site = make_site(tmp_path)
    write(site / "gunicorn.conf.py", """
        workers = 1
        def post_fork(server, worker):
            pass
        """)
    server = start_server("pep3333_app:application", cwd=site, chdir=False)
    (first,) = server.wait_workers(1)
    os.kill(first, signal.SIGKILL)
    from conftest import WAIT_DEADLINE, wait_until
    assert wait_until(lambda: [p for p in server.worker_pids() if p != first], WAIT_DEADLINE)
    server.wait_workers(1)
    assert server.get("/hello").status_code == 200


def test_example_dir_untouched(binary):
    """The examples used elsewhere must not grow a config file by accident."""
    assert not (EXAMPLES / "gunicorn.conf.py").exists()
    assert not (APPS / "gunicorn.conf.py").exists()
