"""Loading the application: APP_MODULE forms, failures, --chdir/--pythonpath/--env, frameworks,
virtualenvs."""

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import APPS, EXAMPLES

DJANGO = APPS / "djangoproject"


# ---------------------------------------------------------------------------------------------
# APP_MODULE forms

@pytest.mark.parametrize("spec, body", [
    ("factory_app", "Default from factory"),                        # `application` by default
    ("factory_app:app", "Plain from factory"),
    ("factory_app:create_app()", "Hello from factory"),
    ("factory_app:create_app('Hi', times=2)", "Hi Hi from factory"),
    ("factory_app:create_app(greeting=\"Yo\")", "Yo from factory"),
    ("factory_app:holder.app", "Attribute from factory"),          # module:var.attr
])
def test_app_spec_forms(start_server, spec, body):
    server = start_server(spec)
    resp = server.get("/")
    assert resp.status_code == 200
    assert resp.text == body


def test_hello_example(start_server):
    server = start_server("hello:application", cwd=EXAMPLES)
    resp = server.get("/")
    assert resp.status_code == 200
    assert resp.content == b"Hello, World!"
    assert resp.headers["Content-Length"] == "13"
    assert resp.headers["Content-Type"] == "text/plain"


def expect_load_failure(server, codes, reason, *messages):
    code = server.wait_exit()
    text = server.log_text()
    assert code in codes, f"exit code {code}; log:\n{text}"
    assert reason in text, text
    for message in messages:
        assert message in text, text


@pytest.mark.parametrize("spec, message", [
    ("factory_app:nope", "Failed to find attribute 'nope' in 'factory_app'."),
    ("factory_app:not_callable", "Application object must be callable."),
    ("factory_app:holder.nope", "Failed to find attribute 'holder.nope' in 'factory_app'."),
    ("factory_app:create_app(print)", "Failed to parse arguments as literal values"),
])
def test_app_load_error_exits_4(start_server, spec, message):
    server = start_server(spec, wait=False)
    expect_load_failure(server, (4,), "App failed to load", message)


def test_missing_module(start_server):
    """A missing app module is "App failed to load." with exit 4 (the issue asks for it; Gunicorn
    26 exits 3 here - see docs/differences.md)."""
    server = start_server("no_such_module_xyz:application", wait=False)
    code = server.wait_exit()
    text = server.log_text()
    assert code == 4, text
    assert "No module named 'no_such_module_xyz'" in text, text
    assert "App failed to load." in text, text


def test_import_error_inside_the_app_is_a_boot_error(start_server, tmp_path):
    """A dependency the app itself cannot import is the app's bug: exit 3 with the traceback."""
    (tmp_path / "needs_dep.py").write_text("import no_such_dependency_xyz\n")
    server = start_server("needs_dep:application", cwd=tmp_path, wait=False)
    code = server.wait_exit()
    text = server.log_text()
    assert code == 3, text
    assert "Worker failed to boot." in text, text
    assert "Traceback (most recent call last)" in text, text


def test_syntax_error_in_app(start_server, tmp_path):
    (tmp_path / "broken_app.py").write_text("def application(:\n")
    server = start_server("broken_app:application", cwd=tmp_path, wait=False)
    code = server.wait_exit()
    assert code in (3, 4)
    assert "SyntaxError" in server.log_text()


# ---------------------------------------------------------------------------------------------
# Where the app comes from, what it sees

def test_chdir(start_server, tmp_path):
    (tmp_path / "chdir_app.py").write_text(textwrap.dedent("""
        import os
        def application(environ, start_response):
            body = os.getcwd().encode()
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [body]
    """))
    # Launched from tests/apps, --chdir makes tmp_path both the cwd and importable.
    server = start_server("chdir_app:application", "--chdir", str(tmp_path), cwd=APPS,
                          chdir=False)
    assert server.get("/").text == str(tmp_path)


def test_chdir_to_missing_directory_fails(start_server, tmp_path):
    server = start_server("hello:application", "--chdir", str(tmp_path / "missing"),
                          chdir=False, wait=False)
    assert server.wait_exit() != 0


def test_pythonpath(start_server, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "pp_app.py").write_text(textwrap.dedent("""
        def application(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"from pythonpath"]
    """))
    server = start_server("pp_app:application", "--pythonpath", f"{tmp_path / 'other'},{extra}")
    assert server.get("/").text == "from pythonpath"


def test_env_settings_visible_to_app(start_server):
    server = start_server("pep3333_app:application", "--env", "GF_ONE=first value",
                          "-e", "GF_TWO=a=b")
    assert server.get("/getenv", params={"name": "GF_ONE"}).json()["value"] == "first value"
    assert server.get("/getenv", params={"name": "GF_TWO"}).json()["value"] == "a=b"
    assert server.get("/getenv", params={"name": "GF_UNSET"}).json()["value"] is None


def test_app_directory_on_sys_path_and_cwd(start_server):
    server = start_server("pep3333_app:application")
    data = server.get("/getenv", params={"name": "X"}).json()
    assert data["cwd"] == str(APPS)
    assert str(APPS) in data["sys_path"] or "" in data["sys_path"]


# ---------------------------------------------------------------------------------------------
# Frameworks

def test_flask_app(start_server):
    server = start_server("flask_app:app")
    resp = server.get("/")
    assert resp.status_code == 200 and resp.text == "Hello from Flask"
    resp = server.post("/form", data={"name": "greenfork", "item": ["a", "b"]})
    assert resp.status_code == 200
    assert resp.json()["name"] == "greenfork" and resp.json()["items"] == ["a", "b"]
    resp = server.post("/json", json={"k": [1, 2]})
    assert resp.json() == {"received": {"k": [1, 2]}, "method": "POST"}
    resp = server.get("/user/caf%C3%A9", params={"x": "1"})
    assert resp.json()["name"] == "caf\u00e9" and resp.json()["args"] == {"x": "1"}
    assert server.get("/missing").status_code == 404


def test_django_project(start_server):
    server = start_server("mysite.wsgi", "--env", "DJANGO_SETTINGS_MODULE=mysite.settings",
                          cwd=DJANGO)
    resp = server.get("/")
    assert resp.status_code == 200 and resp.text == "Hello from Django"
    resp = server.post("/post/", data={"name": "pony"})
    assert resp.status_code == 200
    assert resp.json() == {"name": "pony", "body_len": len("name=pony"),
                           "settings": "mysite.settings"}
    assert server.get("/nope/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Virtualenvs

def site_packages(venv, version="%d.%d" % sys.version_info[:2]):
    return venv / "lib" / f"python{version}" / "site-packages"


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    path = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(path)], check=True,
                   timeout=60)
    (site_packages(path) / "greenfork_venv_marker.py").write_text("VALUE = 'from-venv'\n")
    return path


def test_virtual_env_is_used(start_server, venv):
    server = start_server("venv_probe_app:application", env={"VIRTUAL_ENV": str(venv)})
    data = server.get("/").json()
    assert data["marker"] == "from-venv"
    assert os.path.realpath(data["prefix"]) == os.path.realpath(venv)


def test_without_virtual_env_marker_is_absent(start_server):
    data = start_server("venv_probe_app:application").get("/").json()
    assert data["marker"] is None


def test_virtual_env_with_other_python_version_is_refused(start_server, tmp_path):
    fake = tmp_path / "oldenv"
    site_packages(fake, "3.8").mkdir(parents=True)
    (fake / "bin").mkdir()
    (fake / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n"
                                     "version = 3.8.1\n")
    server = start_server("venv_probe_app:application", env={"VIRTUAL_ENV": str(fake)},
                          wait=False)
    code = server.wait_exit()
    text = server.log_text() + server.stdout_text()
    assert code == 1, text
    assert "3.8" in text, text
    assert "Traceback" not in text
