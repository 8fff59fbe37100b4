"""Tiny raw WebSocket (RFC 6455) client for the e2e tests: exact handshakes and frames over a plain
socket, so a test can send what no real client library would (unmasked frames, reserved bits and
opcodes, bad lengths, broken UTF-8, odd close codes) and see exactly what the server answers.

    sock = connect(address)
    status, headers, leftover = handshake(sock, "/echo")
    sock.sendall(build_frame(OP_TEXT, b"hi"))
    fin, opcode, payload = read_frame(sock)
    code, reason = read_close(sock, timeout)            # None: closed without a close frame
    assert tcp_closed(sock, timeout)

Server frames are unmasked; client frames are masked unless mask=False.
"""

import base64
import hashlib
import os
import socket
import struct
import time

from httpclient import connect, read_until_close  # noqa: F401  (connect is re-exported)

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Closed(EOFError):
    """The peer closed (or reset) the TCP connection before a whole frame arrived."""


def new_key():
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_value(key):
    """The Sec-WebSocket-Accept value a server must answer `key` with."""
    return base64.b64encode(hashlib.sha1(key.encode("latin-1") + GUID).digest()).decode("ascii")


def handshake_request(path, headers=None, host="localhost", key=None):
    """The opening handshake's bytes. headers (dict or pairs) are added to, or replace (same name,
    case-insensitive), the defaults; a value of None drops that default header."""
    defaults = [("Host", host), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", key or new_key()), ("Sec-WebSocket-Version", "13")]
    extra = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    override = {name.lower() for name, _ in extra}
    pairs = [(n, v) for n, v in defaults if n.lower() not in override]
    pairs += [(n, v) for n, v in extra if v is not None]
    head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in pairs) + "\r\n"
    return head.encode("latin-1")


def _recv_head(sock, timeout):
    """Read exactly one HTTP response head (through the blank line) and nothing after it: peek,
    then consume only the head, so frames sent right behind a 101 stay in the socket."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete handshake response head")
        sock.settimeout(remaining)
        data = sock.recv(65536, socket.MSG_PEEK)
        if not data:
            raise Closed("connection closed before the handshake response")
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            return _recv_exactly(sock, end + 4, deadline - time.monotonic())
        if len(data) > 65000:
            raise ValueError(f"handshake response head too long: {data[:300]!r}")
        time.sleep(0.005)      # only part of the head has arrived; peek again


def _recv_exactly(sock, n, timeout):
    deadline = time.monotonic() + timeout
    chunks, got = [], 0
    while got < n:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"wanted {n} bytes, got {got}")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(n - got)
        except ConnectionResetError as exc:
            raise Closed("connection reset") from exc
        if not chunk:
            raise Closed(f"connection closed after {got} of {n} bytes")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def parse_head(head):
    """(status, [(name, value)]) from a response head's bytes."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return status, headers


def header(headers, name, default=None):
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return default


def handshake(sock, path, headers=None, timeout=5.0, key=None):
    """Send the opening handshake; return (status, headers, leftover).

    For a 101, leftover is b"" and the socket is positioned at the first frame. For any other
    status, leftover is the response body: Content-Length bytes, or everything until the server
    closes when there is no Content-Length.
    """
    sock.sendall(handshake_request(path, headers, key=key))
    status, response_headers = parse_head(_recv_head(sock, timeout))
    if status == 101:
        return status, response_headers, b""
    length = header(response_headers, "Content-Length")
    if length is not None:
        try:
            return status, response_headers, _recv_exactly(sock, int(length), timeout)
        except Closed:
            return status, response_headers, b""
    return status, response_headers, read_to_eof(sock, timeout)


def open_ws(address, path, headers=None, timeout=5.0):
    """connect() + a handshake that must succeed (101 with the right accept value)."""
    sock = connect(address, timeout)
    key = new_key()
    try:
        status, response_headers, _ = handshake(sock, path, headers, timeout, key=key)
    except BaseException:
        sock.close()
        raise
    if status != 101 or header(response_headers, "Sec-WebSocket-Accept") != accept_value(key):
        sock.close()
        raise AssertionError(f"handshake for {path} failed: {status} {response_headers}")
    return sock


def build_frame(opcode, payload=b"", fin=True, mask=True, rsv=0, length_override=None):
    """One frame. rsv: the three RSV bits as a number (4 = RSV1, 2 = RSV2, 1 = RSV3).
    length_override: the length to announce in the header instead of len(payload)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    first = (0x80 if fin else 0) | ((rsv & 0x7) << 4) | (opcode & 0xF)
    length = len(payload) if length_override is None else length_override
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + apply_mask(payload, key)


def apply_mask(payload, key):
    if not payload:
        return b""
    n = len(payload)
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def close_payload(code=None, reason=b""):
    """A close frame's payload: the code (2 bytes, big-endian) and the reason (bytes or str)."""
    if code is None:
        return b""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    return struct.pack("!H", code) + reason


def read_frame(sock, timeout=5.0, deflate=False):
    """(fin, opcode, payload) of the next frame. Raises Closed at EOF / reset, TimeoutError when
    nothing whole arrives within `timeout`, AssertionError for a masked server frame."""
    deadline = time.monotonic() + timeout
    first, second = _recv_exactly(sock, 2, timeout)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _recv_exactly(sock, 2, deadline - time.monotonic()))[0]
    elif length == 127:
        length = struct.unpack("!Q", _recv_exactly(sock, 8, deadline - time.monotonic()))[0]
    assert not second & 0x80, "a server frame must not be masked (RFC 6455 5.1)"
    allowed = 0x40 if deflate else 0
    assert not first & 0x70 & ~allowed, f"the server set RSV bits without an extension: {first:#x}"
    payload = _recv_exactly(sock, length, deadline - time.monotonic()) if length else b""
    if first & 0x40:  # permessage-deflate (the caller negotiated it): a whole message
        import zlib
        payload = zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff")
    return bool(first & 0x80), first & 0xF, payload


def parse_close(payload):
    """(code, reason) of a close frame's payload; (1005, "") for an empty one."""
    if not payload:
        return 1005, ""
    assert len(payload) >= 2, f"close payload of {len(payload)} byte"
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8")


def read_close(sock, timeout=5.0, others=None):
    """Read frames until a close frame; return its (code, reason), or None when the connection
    closed (or was reset) without one. Frames before it are appended to `others` (a list) when
    given, else skipped. TimeoutError when neither happens within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fin, opcode, payload = read_frame(sock, deadline - time.monotonic())
        except Closed:
            return None
        if opcode == OP_CLOSE:
            return parse_close(payload)
        if others is not None:
            others.append((fin, opcode, payload))


def read_to_eof(sock, timeout=5.0):
    """Everything received until the peer closes (EOF or reset); TimeoutError if it does not."""
    return read_until_close(sock, timeout)


def tcp_closed(sock, timeout=5.0):
    """True when the peer closes the TCP connection within `timeout` with nothing more sent
    (EOF or reset); False when it stays open, or sends anything else first."""
    try:
        return read_to_eof(sock, timeout) == b""
    except TimeoutError:
        return False


def send_close(sock, code=None, reason=b""):
    sock.sendall(build_frame(OP_CLOSE, close_payload(code, reason)))
