"""For the reload, --preload and --reuse-port tests (test_reload.py).

At import, appends this process's pid to $RELOAD_IMPORT_LOG (when set): with --preload only
the master imports the app.

/pid     the worker's pid
/gc      gc.get_freeze_count() (non-zero when the master froze the preloaded objects)
/env     the value of the variable named by the query string, or "<unset>"
other    "Hello, World!"
"""

import gc
import os

if os.environ.get("RELOAD_IMPORT_LOG"):
    with open(os.environ["RELOAD_IMPORT_LOG"], "a") as log:
        log.write(f"{os.getpid()}\n")

if os.environ.get("RELOAD_APP_FAIL"):
    raise RuntimeError("reload_app refuses to load")


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/pid":
        body = str(os.getpid())
    elif path == "/gc":
        body = str(gc.get_freeze_count())
    elif path == "/env":
        body = os.environ.get(environ.get("QUERY_STRING", ""), "<unset>")
    else:
        body = "Hello, World!"
    data = body.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
