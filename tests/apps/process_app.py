"""Reports on the worker process itself, for the process-settings tests (test_process.py).

/ids     uid gid euid egid and the supplementary groups, as JSON
/orphan  starts a `sleep` through a shell that exits at once, so the sleep is orphaned and
         re-parented to PID 1 (or the nearest subreaper); answers the sleep's pid
/pid     the worker's pid
"""

import json
import os
import subprocess


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/ids":
        body = json.dumps({"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(),
                           "egid": os.getegid(), "groups": sorted(os.getgroups())})
    elif path == "/orphan":
        seconds = environ.get("QUERY_STRING") or "1"
        out = subprocess.run(["/bin/sh", "-c", f"sleep {seconds} >/dev/null 2>&1 & echo $!"],
                             check=True, capture_output=True, text=True).stdout
        body = out.strip()
    elif path == "/pid":
        body = str(os.getpid())
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    data = body.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
