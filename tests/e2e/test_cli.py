"""Command line: --version, --help, bad values, --check-config, --print-config, environment."""

import re

import pytest

from conftest import EXAMPLES, PRODUCT, run_cli
from httpclient import free_port


def config_lines(output):
    """{name: value} from --print-config's `name = value` lines."""
    values = {}
    for line in output.splitlines():
        match = re.match(r"^([a-z_0-9]+)\s*=\s*(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2).strip()
    return values


def test_version(binary):
    result = run_cli(["--version"])
    assert result.returncode == 0
    assert re.search(rf"^{PRODUCT} \(version \d+\.\d+(\.\d+)?\)$", result.stdout + result.stderr,
                     re.M), result


def test_help_lists_flags(binary):
    result = run_cli(["--help"])
    assert result.returncode == 0
    text = result.stdout
    for flag in ("--bind", "--workers", "--worker-class", "--timeout", "--graceful-timeout",
                 "--limit-request-line", "--limit-request-fields", "--limit-request-field_size",
                 "--access-logfile", "--error-logfile", "--log-level", "--chdir", "--pythonpath",
                 "--check-config", "--print-config", "--proxy-protocol", "--forwarded-allow-ips",
                 "--max-requests", "--env"):
        assert flag in text, f"{flag} missing from --help"
    assert "-w" in text and "-b" in text


@pytest.mark.parametrize("args, names", [
    (["-w", "x"], ("workers", "-w")),
    (["--workers", "x"], ("workers",)),
    (["--timeout", "soon"], ("timeout",)),
    (["--max-requests", "-1"], ("max_requests", "max-requests")),
])
def test_bad_value_is_one_clear_error(binary, args, names):
    """DESIGN.md: one clear line and exit 1, before any socket is bound. (Gunicorn's argparse
    exits 2 for type errors; the project chose 1.)"""
    port = free_port()
    result = run_cli([*args, "-b", f"127.0.0.1:{port}", "--chdir", str(EXAMPLES),
                      "hello:application"], timeout=10)
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no error message"
    assert any(any(n in line for n in names) for line in lines), result.stderr
    bad_value = args[1]
    assert any(bad_value in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    assert "Listening at" not in result.stderr    # nothing was started


def test_no_application_module(binary):
    result = run_cli(["-b", f"127.0.0.1:{free_port()}"], timeout=10)
    assert result.returncode == 1
    assert "Error: No application module specified." in result.stderr


def test_check_config_good_app(binary):
    result = run_cli(["--check-config", "--chdir", str(EXAMPLES), "hello:application"])
    assert result.returncode == 0, result
    assert "Listening at" not in result.stderr


@pytest.mark.parametrize("app", ["no_such_module_xyz:application", "hello:no_such_attribute"])
def test_check_config_bad_app(binary, app):
    result = run_cli(["--check-config", "--chdir", str(EXAMPLES), app])
    assert result.returncode == 1, result
    assert "no_such" in result.stdout + result.stderr


def test_print_config(binary):
    result = run_cli(["--print-config", "-w", "2", "--timeout", "7", "--chdir", str(EXAMPLES),
                      "hello:application"])
    assert result.returncode == 0, result
    values = config_lines(result.stdout)
    assert values["workers"] == "2"
    assert values["timeout"] == "7"
    assert values["graceful_timeout"] == "30"
    assert values["limit_request_field_size"] == "8190"
    assert "127.0.0.1:8000" in values["bind"]
    names = [line.split("=", 1)[0].strip() for line in result.stdout.splitlines()
             if re.match(r"^[a-z_0-9]+\s*=", line)]
    assert len(names) > 50
    assert names == sorted(names)


def print_config(env=None, args=()):
    result = run_cli(["--print-config", *args, "--chdir", str(EXAMPLES), "hello:application"],
                     env=env)
    assert result.returncode == 0, result
    return config_lines(result.stdout)


def test_web_concurrency_sets_default_workers(binary):
    assert print_config({"WEB_CONCURRENCY": "3"})["workers"] == "3"
    assert print_config({"WEB_CONCURRENCY": "3"}, ["-w", "2"])["workers"] == "2"


def test_gunicorn_cmd_args(binary):
    env = {"GUNICORN_CMD_ARGS": "--workers 3 --timeout 9"}
    values = print_config(env)
    assert values["workers"] == "3" and values["timeout"] == "9"
    values = print_config(env, ["-w", "5"])            # the real command line wins
    assert values["workers"] == "5" and values["timeout"] == "9"


def test_port_env_sets_default_bind(binary):
    assert "0.0.0.0:5123" in print_config({"PORT": "5123"})["bind"]


def test_port_env_serves(start_server):
    port = free_port()
    server = start_server("hello:application", cwd=EXAMPLES, bind=f"127.0.0.1:{port}",
                          pass_bind=False, env={"PORT": str(port)})
    assert server.get("/").text == "Hello, World!"
    server.wait_for_log(rf"Listening at: http://0\.0\.0\.0:{port} ")


def test_web_concurrency_spawns_workers(start_server):
    server = start_server("hello:application", cwd=EXAMPLES, env={"WEB_CONCURRENCY": "2"})
    assert len(server.wait_workers(2)) == 2


def test_unsupported_or_bad_setting_is_not_silent(start_server, tmp_path):
    """--certfile pointing nowhere must stop start-up (or at least be reported), never be ignored."""
    server = start_server("hello:application", "--certfile", str(tmp_path / "nope-cert.pem"),
                          cwd=EXAMPLES, wait=False)
    code = server.wait_exit()
    assert code != 0
    text = server.log_text().lower()
    assert "nope-cert.pem" in text or "certfile" in text, text


def test_bad_bind_address_is_a_settings_error_before_start(tmp_path):
    result = run_cli(["-b", "127.0.0.1:99999", "hello:application"], cwd=EXAMPLES)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --bind:"), result.stderr
    assert "99999" in lines[0]
    assert "Starting" not in result.stderr
