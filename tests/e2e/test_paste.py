"""--paste/--paster PasteDeploy apps (reference §2 `paste`, `raw_paste_global_conf`, §10): the
app from loadapp("config:<abs ini>[#name]"), --paste-global into global_conf, and the ini's
[server:main] section as settings below the config file and the command line."""

import shutil
import signal

import pytest

from conftest import APPS, WAIT_DEADLINE, run_cli
from httpclient import free_port, wait_until
from test_cli import config_lines


@pytest.fixture
def site(tmp_path):
    """A copy of tests/apps/paste whose [server:main] binds a free port; returns (dir, port)."""
    site = tmp_path / "site"
    shutil.copytree(APPS / "paste", site)
    port = free_port()
    ini = site / "app.ini"
    ini.write_text(ini.read_text().replace("port = 8765", f"port = {port}"))
    return site, port


def test_serves_the_ini_app_with_its_server_section(start_server, site):
    site, port = site
    server = start_server(None, "--paste", "app.ini", cwd=site, bind=f"127.0.0.1:{port}",
                          pass_bind=False)
    response = server.get("/")
    assert response.status_code == 200
    assert response.text == f"greeting=hello extra=from-ini here={site}\n"
    server.wait_workers(2)  # workers = 2 in [server:main]


def test_paster_alias_and_section_selection(start_server, site):
    site, _ = site
    server = start_server(None, "--paster", "app.ini#other", cwd=site)
    assert server.get("/").text.startswith("greeting=bonjour ")


def test_paste_global_reaches_global_conf(start_server, site):
    site, _ = site
    server = start_server(None, "--paste", "app.ini", "--paste-global", "extra=a\\=b",
                          "--paste-global", "unused=1", cwd=site)
    assert "extra=a=b " in server.get("/").text


def test_command_line_overrides_server_section(start_server, site):
    site, ini_port = site
    server = start_server(None, "--paste", "app.ini", "-w", "1", cwd=site)
    assert server.port != ini_port
    assert server.get("/").status_code == 200
    server.wait_workers(1)


def test_preloaded_paste_app(start_server, site):
    site, _ = site
    server = start_server(None, "--paste", "app.ini#other", "--preload", cwd=site)
    assert server.get("/").text.startswith("greeting=bonjour ")


def test_precedence_and_proc_name(site):
    site, port = site
    (site / "gunicorn.conf.py").write_text("timeout = 17\n")
    (site / "app.ini").write_text((site / "app.ini").read_text() + "timeout = 5\nkeepalive = 7\n")
    result = run_cli(["--print-config", "--paste", "app.ini", "--keep-alive", "9"], cwd=site)
    assert result.returncode == 0, result.stderr
    values = config_lines(result.stdout)
    assert values["bind"] == f"['127.0.0.1:{port}']"
    assert values["workers"] == "2"
    assert values["timeout"] == "17"    # the config file wins over the ini
    assert values["keepalive"] == "9"   # and the command line over both
    assert values["default_proc_name"] == str(site / "app.ini")


def test_app_module_not_needed_but_paste_wins(site):
    site, _ = site
    result = run_cli(["--check-config", "--paste", "app.ini"], cwd=site)
    assert result.returncode == 0, result.stderr


def test_missing_ini_is_an_error_before_binding(tmp_path):
    result = run_cli(["--paste", "nope.ini"], cwd=tmp_path)
    assert result.returncode == 1
    assert f"Error: '{tmp_path / 'nope.ini'}' not found" in result.stderr
    assert "Listening" not in result.stderr


def test_unknown_app_section_is_an_error_before_binding(site):
    site, _ = site
    result = run_cli(["--paste", "app.ini#nosuch"], cwd=site)
    assert result.returncode == 1
    assert "nosuch" in result.stderr
    assert "Listening" not in result.stderr


def test_bad_server_section_value(site):
    site, _ = site
    ini = site / "app.ini"
    ini.write_text(ini.read_text().replace("workers = 2", "workers = lots"))
    result = run_cli(["--paste", "app.ini"], cwd=site)
    assert result.returncode == 1
    assert "Invalid value for workers: 'lots'" in result.stderr


def test_factory_failure_halts_like_a_failed_boot(start_server, site):
    site, _ = site
    (site / "broken.py").write_text("def make_app(global_conf, **local):\n    raise ValueError('nope')\n")
    ini = site / "app.ini"
    ini.write_text(ini.read_text() + "\n[app:broken]\npaste.app_factory = broken:make_app\n")
    server = start_server(None, "--paste", "app.ini#broken", cwd=site, wait=False)
    assert server.wait_exit() == 3
    assert "ValueError: nope" in server.log_text()


def test_hup_rereads_the_ini(start_server, site):
    site, _ = site
    server = start_server(None, "--paste", "app.ini", "-w", "1", cwd=site)
    ini = site / "app.ini"
    ini.write_text(ini.read_text().replace("greeting = hello", "greeting = reloaded"))
    server.signal(signal.SIGHUP)
    server.wait_for_log(r"Handling signal: hup")
    assert wait_until(lambda: server.get("/").text.startswith("greeting=reloaded "),
                      WAIT_DEADLINE)
