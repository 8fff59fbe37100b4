"""--reload: a worker restarts when the code it imported, or a --reload-extra-file, changes."""

import os
import time

import pytest

from conftest import WAIT_DEADLINE
from httpclient import wait_until

APP_V1 = '''
import os
import helper_mod

def application(environ, start_response):
    body = (helper_mod.VERSION + " " + str(os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
'''


def _write(path, text):
    path.write_text(text)
    # Make sure the change is visible to mtime-based checks even on coarse timestamps.
    later = time.time() + 2
    os.utime(path, (later, later))


def _body(server):
    return server.get("/").text.split()


@pytest.fixture
def app_dir(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "code_reload_app.py").write_text(APP_V1)
    (root / "helper_mod.py").write_text('VERSION = "v1"\n')
    return root


@pytest.mark.parametrize("engine", ["auto", "inotify", "poll"])
def test_edit_imported_module_serves_new_code(start_server, app_dir, engine):
    server = start_server("code_reload_app:application", "--reload", "--reload-engine", engine,
                          cwd=app_dir)
    version, pid = _body(server)
    assert version == "v1"
    time.sleep(1.5)  # let the watcher list the modules once
    _write(app_dir / "helper_mod.py", 'VERSION = "v2"\n')
    server.wait_for_log(rf"\[{pid}\] \[INFO\] Worker reloading: "
                        rf"{app_dir / 'helper_mod.py'} modified")
    assert wait_until(lambda: _body(server)[0] == "v2", WAIT_DEADLINE), server.log_text()
    assert _body(server)[1] != pid
    assert server.alive()


def test_edit_app_module_itself(start_server, app_dir):
    server = start_server("code_reload_app:application", "--reload", cwd=app_dir)
    assert _body(server)[0] == "v1"
    time.sleep(1.5)
    _write(app_dir / "code_reload_app.py", APP_V1.replace('helper_mod.VERSION + " "', '"v3 "'))
    assert wait_until(lambda: _body(server)[0] == "v3", WAIT_DEADLINE), server.log_text()


def test_unrelated_file_in_same_directory_does_not_reload(start_server, app_dir):
    server = start_server("code_reload_app:application", "--reload", cwd=app_dir)
    pid = _body(server)[1]
    time.sleep(1.5)
    _write(app_dir / "notes.txt", "scratch\n")
    time.sleep(2.5)
    assert _body(server)[1] == pid
    assert "Worker reloading" not in server.log_text()


@pytest.mark.parametrize("engine", ["inotify", "poll"])
def test_extra_file_glob_is_reexpanded(start_server, app_dir, engine):
    templates = app_dir / "templates" / "deep"
    templates.mkdir(parents=True)
    server = start_server("code_reload_app:application", "--reload", "--reload-engine", engine,
                          "--reload-extra-file", str(app_dir / "templates" / "**" / "*.html"),
                          cwd=app_dir)
    pid = _body(server)[1]
    # Created after start: only a pattern expanded again on every check can find it.
    page = templates / "page.html"
    page.write_text("<p>one</p>")
    time.sleep(2.5)
    assert _body(server)[1] == pid  # a new match is picked up, not treated as a change
    _write(page, "<p>two</p>")
    server.wait_for_log(rf"Worker reloading: {page} modified")
    assert wait_until(lambda: _body(server)[1] != pid, WAIT_DEADLINE), server.log_text()


def test_plain_extra_file(start_server, app_dir, tmp_path):
    settings = tmp_path / "settings.ini"
    settings.write_text("a=1\n")
    server = start_server("code_reload_app:application", "--reload",
                          "--reload-extra-file", str(settings), cwd=app_dir)
    pid = _body(server)[1]
    time.sleep(1.5)
    _write(settings, "a=2\n")
    server.wait_for_log(rf"Worker reloading: {settings} modified")
    assert wait_until(lambda: _body(server)[1] != pid, WAIT_DEADLINE), server.log_text()


def test_syntax_error_at_load_is_served_until_fixed(start_server, app_dir):
    """Gunicorn's dev mode: the worker stays up, answers 500 with the traceback, and reloads
    when the broken file is fixed (it is not in sys.modules, so it is watched explicitly)."""
    (app_dir / "helper_mod.py").write_text('VERSION = "broken"\ndef oops(:\n')
    server = start_server("code_reload_app:application", "--reload", cwd=app_dir)
    resp = server.get("/")
    assert resp.status_code == 500
    assert "SyntaxError" in resp.text and "helper_mod.py" in resp.text
    assert "Exception in worker process" in server.log_text()
    time.sleep(1.5)
    _write(app_dir / "helper_mod.py", 'VERSION = "fixed"\n')
    assert wait_until(lambda: server.get("/").status_code == 200, WAIT_DEADLINE), server.log_text()
    assert _body(server)[0] == "fixed"


def test_syntax_error_without_reload_still_fails_boot(start_server, app_dir):
    (app_dir / "helper_mod.py").write_text("def oops(:\n")
    server = start_server("code_reload_app:application", cwd=app_dir, wait=False)
    assert server.wait_exit() != 0


def test_editor_style_saves(start_server, app_dir):
    """An atomic save (rename over the file) and a backup-then-write save both reload once the
    new content is complete; a worker never starts while the module is missing."""
    server = start_server("code_reload_app:application", "--reload", cwd=app_dir)
    helper = app_dir / "helper_mod.py"
    time.sleep(1.5)
    fresh = app_dir / ".helper_mod.py.tmp"
    fresh.write_text('VERSION = "atomic"\n')
    os.replace(fresh, helper)
    assert wait_until(lambda: _body(server)[0] == "atomic", WAIT_DEADLINE), server.log_text()
    time.sleep(1.5)
    os.rename(helper, app_dir / "helper_mod.py~")  # vim's default: move away, then write
    time.sleep(1.2)
    helper.write_text('VERSION = "rewritten"\n')
    assert wait_until(lambda: _body(server)[0] == "rewritten", WAIT_DEADLINE), server.log_text()
    assert "Exception in worker process" not in server.log_text()
    assert server.alive()
