"""Tiny raw-socket HTTP/1.x client for the e2e tests: send exact bytes, read until close, parse.

Kept deliberately dumb: the point is to see exactly what the server puts on the wire.
"""

import socket
import time
from dataclasses import dataclass, field


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.05):
    """Poll `predicate` until it returns something truthy or `timeout` passes; return its value.

    "Not yet" is not a failure: a predicate that raises (a file not written yet, a connection
    refused, a half-written file that does not parse) is polled again. Only when the deadline
    passes is the outcome of the last poll reported: its exception is re-raised, or its falsy
    value returned, so the caller's assertion shows what was last seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
            error = None
        except Exception as exc:  # noqa: BLE001 - any exception means "not yet" until the deadline
            value, error = None, exc
        if value:
            return value
        if time.monotonic() >= deadline:
            if error is not None:
                raise error
            return value
        time.sleep(interval)


def connect(address, timeout=5.0):
    """address: (host, port) tuple, a port number (127.0.0.1) or a UNIX socket path."""
    if isinstance(address, int):
        address = ("127.0.0.1", address)
    if isinstance(address, str):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    return socket.create_connection(address, timeout=timeout)


def read_until_close(sock, timeout=5.0):
    """Read until EOF. Raises TimeoutError if the peer keeps the connection open past `timeout`."""
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"connection not closed within {timeout}s; got {b''.join(chunks)[:300]!r}")
        sock.settimeout(remaining)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def raw_request(address, data, timeout=5.0, half_close=False):
    """Send `data` on a new connection and return all bytes received until the server closes.

    half_close: shutdown(SHUT_WR) after sending, so the server sees EOF (for truncated input).
    """
    with connect(address, timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may reject early and close; read what it sent
        if half_close:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        return read_until_close(sock, timeout)


def build_request(method, path, headers=None, body=b"", version="HTTP/1.1", host="localhost"):
    """A well-formed request. headers: dict or list of pairs; Host is added unless given."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    if not any(k.lower() == "host" for k, _ in pairs) and host is not None:
        pairs.insert(0, ("Host", host))
    if body and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in pairs):
        pairs.append(("Content-Length", str(len(body))))
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
    return head.encode("latin-1") + body


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list                                   # [(name, value)] as received, in order
    body: bytes                                     # de-chunked when chunked
    raw_body: bytes                                 # exactly as received after the head
    interim: list = field(default_factory=list)     # 1xx responses before the final one: [(status, head)]
    complete: bool = True                           # framing finished (CL satisfied / last chunk seen)

    def header(self, name, default=None):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def has_header(self, name):
        return any(k.lower() == name.lower() for k, _ in self.headers)

    @property
    def chunked(self):
        return "chunked" in (self.header("Transfer-Encoding") or "").lower()


class ParseError(ValueError):
    pass


def _parse_head(data):
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise ParseError(f"no complete response head in {data[:300]!r}")
    head, rest = data[:end].decode("latin-1"), data[end + 4:]
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ParseError(f"bad status line {lines[0]!r}")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ParseError(f"bad header line {line!r}")
        headers.append((name, value.strip()))
    return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "", headers, rest, head


def decode_chunked(data):
    """Returns (body, complete)."""
    body, pos = [], 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return b"".join(body), False
        size = int(data[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            return b"".join(body), data.find(b"\r\n", pos) >= 0
        if len(data) < pos + size + 2:
            body.append(data[pos:pos + size])
            return b"".join(body), False
        body.append(data[pos:pos + size])
        pos += size + 2


def parse_response(data, method="GET"):
    """Parse one final response (after any 1xx) from `data`. Raises ParseError on garbage."""
    if not data:
        raise ParseError("empty response (connection closed without a byte)")
    interim = []
    while True:
        version, status, reason, headers, rest, head = _parse_head(data)
        if 100 <= status < 200 and status != 101:
            interim.append((status, head))
            data = rest
            continue
        break
    resp = Response(version, status, reason, headers, b"", rest, interim)
    te = (resp.header("Transfer-Encoding") or "").lower()
    if method == "HEAD" or status in (204, 304):
        resp.body = rest
    elif "chunked" in te:
        resp.body, resp.complete = decode_chunked(rest)
    elif resp.header("Content-Length") is not None:
        length = int(resp.header("Content-Length"))
        resp.body = rest[:length]
        resp.complete = len(rest) >= length
    else:
        resp.body = rest
    return resp


def status_of(data):
    """Status code of the first response in `data`, or None when nothing (or garbage) came back."""
    try:
        return _parse_head(data)[1]
    except ParseError:
        return None
