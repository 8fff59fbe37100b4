"""The request corpus (tests/requests/, format in its README) against the real binary.

One server per distinct option set, all started at once - for the sync worker
(tests/apps/echo_app.py) and again for the asgi worker (tests/apps/asgi_echo_app.py), which
parses with the same C++ parser and must give the same answers. Each case is sent raw on its own
connection (then half-closed, so truncated input reaches EOF):
- a rejected request must get exactly Gunicorn's status line, `Connection: close`, and the
  connection closed; `status: none` means no byte at all before the close;
- a valid one must get a 200 whose JSON (what the app saw in its environ) matches the first
  request of the case (for asgi, what ASGI's scope shares with the environ: method, query,
  protocol, scheme, client address, headers, body). The connection is read until the server
  closes it after the first response, so later pipelined requests are checked by the unit driver
  only (tests/unit/http/request_corpus_test.cpp).
"""

import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest

from conftest import REPO, WAIT_DEADLINE, Server
from httpclient import parse_response

CORPUS = REPO / "tests" / "requests"
MIN_CASES = 200
UNTRUSTED_ONLY = "192.0.2.1"   # an address that is never the test client (TEST-NET-1)

REASONS = {400: "Bad Request", 403: "Forbidden", 417: "Expectation Failed",
           431: "Request Header Fields Too Large", 500: "Internal Server Error",
           501: "Bad Request"}   # Gunicorn's 501 is literally "501 Bad Request"


# --------------------------------------------------------------------------------------------
# Corpus reading (mirrors the C++ driver; rules in tests/requests/README.md)

def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
        if e in simple:
            out += simple[e]
            i += 2
        elif e == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif e == "{":
            close = text.index("}", i)
            count, _, unit = text[i + 2:close].partition(":")
            out += unescape(unit) * int(count)
            i = close + 1
        else:
            raise ValueError(f"unknown escape \\{e}")
    return bytes(out)


def parse_field(text):
    name, _, value = text.partition(":")
    if value.startswith(" "):
        value = value[1:]
    return name, unescape(value)


def load_case(http_path):
    name = str(http_path.relative_to(CORPUS).with_suffix(""))
    raw = http_path.read_text(encoding="utf-8").replace("\r", "").replace("\n", "")
    case = {"name": name, "data": unescape(raw), "options": [], "trusted": True,
            "proxy_allowed": True, "status": "200", "error": None, "requests": [],
            "e2e": True}
    for line in http_path.with_suffix(".expect").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if key == "option":
            case["options"] += value.split()
        elif key == "peer-trusted":
            case["trusted"] = value != "no"
        elif key == "proxy-allowed":
            case["proxy_allowed"] = value != "no"
        elif key == "status":
            case["status"] = value
        elif key == "error":
            case["error"] = value
        elif key == "method":
            case["requests"].append({"method": value, "headers": [], "fields": {}})
        elif key == "e2e":
            case["e2e"] = value != "skip"
        elif key == "header" or key.startswith("header*"):
            count = int(key[7:]) if key.startswith("header*") else 1
            case["requests"][-1]["headers"] += [parse_field(value)] * count
        elif key == "trailer":
            pass  # trailers never reach the WSGI environ
        else:
            case["requests"][-1]["fields"][key] = unescape(value)
    return case


def load_corpus():
    return [load_case(p) for p in sorted(CORPUS.rglob("*.http"))]


CASES = load_corpus()


def server_args(case):
    args = list(case["options"])
    if not case["trusted"]:
        args += ["--forwarded-allow-ips", UNTRUSTED_ONLY]
    if not case["proxy_allowed"]:
        args += ["--proxy-allow-from", UNTRUSTED_ONLY]
    return tuple(args)


# --------------------------------------------------------------------------------------------
# Servers: one per option set, started together

APPS = {"sync": "echo_app:application", "asgi": "asgi_echo_app:app"}
# Environ keys the asgi echo app reports (the rest have no ASGI counterpart).
ASGI_KEYS = ("REQUEST_METHOD", "QUERY_STRING", "SERVER_PROTOCOL", "wsgi.url_scheme",
             "REMOTE_ADDR", "body")


@pytest.fixture(scope="module", params=sorted(APPS))
def corpus_servers(request, binary, tmp_path_factory):
    worker = request.param
    servers = {"worker": worker}
    try:
        for args in sorted({server_args(c) for c in CASES if c["e2e"]}):
            # Closing after each response, as the sync worker does: one request per connection.
            servers[args] = Server(APPS[worker],
                                   ["-w", "1", "-k", worker, "--keep-alive", "0", *args],
                                   tmp_path_factory.mktemp("corpus"))
        for args, server in servers.items():
            if args != "worker":
                server.wait_ready()
        yield servers
    finally:
        for args, server in servers.items():
            if args != "worker":
                server.kill()


def test_corpus_is_big_enough():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases under {CORPUS}"


# --------------------------------------------------------------------------------------------
# Expected environ for a valid request

def text(raw):
    return raw.decode("latin-1")


def expected_environ(request):
    f = request["fields"]
    env = {"REQUEST_METHOD": request["method"], "RAW_URI": text(f["target"]),
           "SERVER_PROTOCOL": text(f["version"]), "body": text(f.get("body", b"")),
           "wsgi.url_scheme": text(f.get("scheme", b"http"))}
    if "query" in f:
        env["QUERY_STRING"] = text(f["query"])
    if "path-info" in f:
        env["PATH_INFO"] = text(f["path-info"])
    elif "path" in f:
        env["PATH_INFO"] = text(urllib.parse.unquote_to_bytes(f["path"]))
    if "script-name" in f:
        env["SCRIPT_NAME"] = text(f["script-name"])
    for key, env_key in (("remote-addr", "REMOTE_ADDR"), ("remote-port", "REMOTE_PORT"),
                         ("proxy-protocol", "PROXY_PROTOCOL"), ("proxy-addr", "PROXY_ADDR"),
                         ("proxy-port", "PROXY_PORT")):
        if key in f:
            value = text(f[key])
            env[env_key] = None if value == "None" and key.endswith("addr") else value
    headers = {}
    for name, value in request["headers"]:
        key = {"CONTENT-TYPE": "CONTENT_TYPE", "CONTENT-LENGTH": "CONTENT_LENGTH"}.get(
            name, "HTTP_" + name.replace("-", "_"))
        headers[key] = headers[key] + "," + text(value) if key in headers else text(value)
    return env, headers


def check_valid(case, raw, worker):
    request = case["requests"][0]
    resp = parse_response(raw, method=request["method"])
    assert resp.status == 200, raw[:600]
    if request["method"] == "HEAD":
        return
    seen = json.loads(resp.body)
    env, headers = expected_environ(request)
    if worker == "asgi":
        env = {k: v for k, v in env.items() if k in ASGI_KEYS and v is not None}
        env.setdefault("QUERY_STRING", "")
        if env["SERVER_PROTOCOL"] not in ("HTTP/1.0", "HTTP/1.1"):
            del env["SERVER_PROTOCOL"]  # ASGI's http_version knows only "1.0" and "1.1" here
    for key, value in env.items():
        assert seen.get(key) == value, f"{key}: app saw {seen.get(key)!r}, expected {value!r}"
    seen_headers = {k: v for k, v in seen.items()
                    if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")}
    assert seen_headers == headers


def check_rejected(case, raw):
    if case["status"] == "none":
        assert raw == b"", f"expected no response, got {raw[:300]!r}"
        return
    code = int(case["status"])
    status_line = raw.split(b"\r\n", 1)[0].decode("latin-1")
    assert status_line == f"HTTP/1.1 {code} {REASONS[code]}", raw[:300]
    resp = parse_response(raw)
    assert (resp.header("Connection") or "").lower() == "close"
    assert resp.complete


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in CASES if c["e2e"]])
def test_request_corpus(corpus_servers, case):
    server = corpus_servers[server_args(case)]
    # raw() reads until the server closes, so a connection left open fails the test here.
    raw = server.raw(case["data"], timeout=WAIT_DEADLINE, half_close=True)
    if case["requests"]:
        check_valid(case, raw, corpus_servers["worker"])
    else:
        check_rejected(case, raw)
