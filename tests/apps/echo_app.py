"""Echo app for the request corpus e2e test (tests/e2e/test_request_corpus.py).

Reads the whole body from wsgi.input, then answers 200 with a JSON object of what the app saw:
the request-describing environ keys (every HTTP_* key included) and the body. Strings are
latin-1 text, as WSGI hands them over, so the test can turn them back into the exact bytes.
"""

import json

KEYS = ("REQUEST_METHOD", "RAW_URI", "PATH_INFO", "QUERY_STRING", "SERVER_PROTOCOL",
        "CONTENT_LENGTH", "CONTENT_TYPE", "SCRIPT_NAME", "wsgi.url_scheme", "REMOTE_ADDR",
        "REMOTE_PORT", "PROXY_PROTOCOL", "PROXY_ADDR", "PROXY_PORT")


def application(environ, start_response):
    body = environ["wsgi.input"].read()
    seen = {k: environ[k] for k in KEYS if k in environ}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            seen[key] = value
    seen["body"] = body.decode("latin-1")
    payload = json.dumps(seen, sort_keys=True).encode("ascii")
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(payload)))])
    return [payload]
