"""ASGI twin of echo_app.py for the request corpus run against `-k asgi`
(tests/e2e/test_request_corpus.py): reads the whole body, then answers 200 with a JSON object of
what the app saw, in the environ's names where ASGI has the same fact (REQUEST_METHOD,
QUERY_STRING, SERVER_PROTOCOL, wsgi.url_scheme, REMOTE_ADDR, HTTP_* headers joined with ","
as WSGI joins repeated headers) and the body. Strings are latin-1 text of the exact bytes."""

import json


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    seen = {"REQUEST_METHOD": scope["method"],
            "QUERY_STRING": scope["query_string"].decode("latin-1"),
            "SERVER_PROTOCOL": "HTTP/" + scope["http_version"],
            "wsgi.url_scheme": scope["scheme"],
            "body": body.decode("latin-1")}
    if scope.get("client"):
        seen["REMOTE_ADDR"] = scope["client"][0]
    for name, value in scope["headers"]:
        key = name.decode("latin-1").upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
        value = value.decode("latin-1")
        seen[key] = seen[key] + "," + value if key in seen else value
    payload = json.dumps(seen, sort_keys=True).encode("ascii")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
