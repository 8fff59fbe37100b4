"""Reports the interpreter environment, to check VIRTUAL_ENV handling."""

import json
import sys


def application(environ, start_response):
    try:
        import greenfork_venv_marker
        marker = greenfork_venv_marker.VALUE
    except ImportError:
        marker = None
    body = json.dumps({"prefix": sys.prefix, "base_prefix": sys.base_prefix, "marker": marker,
                       "version": list(sys.version_info[:3]), "path": sys.path}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]
