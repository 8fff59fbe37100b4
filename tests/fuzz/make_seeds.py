#!/usr/bin/python3
"""Writes the fuzzers' seed corpora.

    make_seeds.py OUT_DIR

creates OUT_DIR/fuzz_request_parser/, OUT_DIR/fuzz_proxy_protocol/ and
OUT_DIR/fuzz_websocket_frames/ with one file per seed.
Seeds come from
  * tests/requests/**/*.http (the request corpus; escapes as in tests/requests/README.md:
    the file's own line breaks are layout only, bytes are written as \\r \\n \\t \\0 \\\\ \\xHH),
  * the request strings in the http/ unit tests (adjacent C++ string literals, concatenated),
  * a few hand-made PROXY v1/v2 headers and chunked bodies.
Each request-parser seed is prefixed with the fuzzer's control bytes (see fuzz_request_parser.cpp)
in a few option/split variants; each proxy seed with one control byte.
"""

import hashlib
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\", '"': b'"', "'": b"'"}


def decode_http_file(text):
    """A tests/requests/*.http file: line breaks are layout; backslash escapes are bytes;
    \\{N:text} is `text` (itself escaped) repeated N times."""
    text = text.replace("\r", "").replace("\n", "")
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            e = text[i + 1]
            m = re.match(r"\{(\d+):([^}]*)\}", text[i + 1:])
            if m:
                out += decode_http_file(m.group(2)) * int(m.group(1))
                i += 1 + len(m.group(0))
                continue
            if e == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 2:i + 4]):
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            if e in ESCAPES:
                out += ESCAPES[e]
                i += 2
                continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def decode_cpp_literal(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            e = body[i + 1]
            m = re.match(r"x([0-9A-Fa-f]{1,2})", body[i + 1:])
            if m:
                out.append(int(m.group(1), 16))
                i += 1 + len(m.group(0))
                continue
            out += ESCAPES.get(e, e.encode())
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def unit_test_requests():
    """Runs of adjacent string literals in tests/unit/http/*.cpp that look like requests."""
    found = []
    for path in sorted((REPO / "tests" / "unit" / "http").glob("*.cpp")):
        src = path.read_text(errors="replace")
        pos = 0
        while True:
            m = LITERAL.search(src, pos)
            if not m:
                break
            parts = [m.group(1)]
            end = m.end()
            while True:
                nxt = LITERAL.match(src, end + len(src[end:]) - len(src[end:].lstrip()))
                if not nxt:
                    break
                parts.append(nxt.group(1))
                end = nxt.end()
            pos = end
            data = b"".join(decode_cpp_literal(p) for p in parts)
            if b"HTTP/" in data and b"\r\n" in data or data.startswith(b"PROXY "):
                found.append(data)
    return found


V2_SIG = b"\r\n\r\n\0\r\nQUIT\n"
PROXY_SEEDS = [
    b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n\r\n",
    b"PROXY TCP6 ::1 2001:db8::1 1_0 +443\r\n",
    b"PROXY UNKNOWN\r\n",
    V2_SIG + b"\x21\x11\x00\x0c" + bytes([127, 0, 0, 1, 10, 0, 0, 2]) + b"\x1f\x90\x00\x50"
    + b"GET / HTTP/1.1\r\n\r\n",
    V2_SIG + b"\x21\x21\x00\x24" + bytes(range(32)) + b"\x00\x01\x00\x02",
    V2_SIG + b"\x20\x00\x00\x00GET / HTTP/1.1\r\n\r\n",
    V2_SIG + b"\x21\x01\x00\x03abc",
]
EXTRA_REQUESTS = [
    b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\nGET /next HTTP/1.1\r\n\r\n",
    b"PUT /l HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloPUT /l HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
]

# Control bytes for fuzz_request_parser: (options a, options b, peer/split c, seed d).
# c: 0x06 = trusted forwarder + proxy allowed, split whole; 0x16 byte by byte; 0x26 random.
REQUEST_VARIANTS = [b"\x00\x00\x06\x00", b"\x00\x00\x16\x00", b"\x00\x00\x66\x07"]
PROXY_MODE_AUTO = 0x0C  # proxy_protocol = auto (a bits 2-3)


def write(directory, data):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


# The fuzzer's option tables (fuzz_request_parser.cpp), for the corpus's `option:` lines.
LINES = [4094, 0, 8190, 20, 100, 9000, 1, 200]
FIELDS = [100, 0, 2, 1]
FIELD_SIZES = [8190, 0, 20, 50]


def nearest(table, value):
    return min(range(len(table)), key=lambda i: abs(table[i] - value))


def control_a_b(expect_path):
    """Control bytes a, b for the options in a .expect file's `option:` lines."""
    a = b = 0
    try:
        lines = expect_path.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if not line.startswith("option:"):
            continue
        words = line[len("option:"):].split()
        name, value = words[0], (words[1] if len(words) > 1 else "")
        if name == "--header-map":
            a |= {"drop": 0, "refuse": 1, "dangerous": 2}.get(value, 0)
        elif name == "--proxy-protocol":
            a |= {"off": 0, "v1": 1, "v2": 2, "auto": 3}.get(value, 3) << 2
        elif name == "--permit-obsolete-folding":
            a |= 0x10
        elif name == "--strip-header-spaces":
            a |= 0x20
        elif name == "--permit-unconventional-http-method":
            a |= 0x40
        elif name == "--permit-unconventional-http-version":
            a |= 0x80
        elif name == "--casefold-http-method":
            b |= 1
        elif name == "--limit-request-line" and value.isdigit():
            b |= nearest(LINES, int(value)) << 1
        elif name == "--limit-request-fields" and value.isdigit():
            b |= nearest(FIELDS, int(value)) << 4
        elif name == "--limit-request-field_size" and value.isdigit():
            b |= nearest(FIELD_SIZES, int(value)) << 6
    return a, b


def ws_frame(first_byte, payload, masked=True):
    """A client WebSocket frame (RFC 6455 section 5.2)."""
    mask = b"\x37\xfa\x21\x3d"
    n = len(payload)
    bit = 0x80 if masked else 0
    if n < 126:
        head = bytes([first_byte, bit | n])
    elif n <= 0xFFFF:
        head = bytes([first_byte, bit | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([first_byte, bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


WS_SEEDS = [
    ws_frame(0x81, b"Hello"),
    ws_frame(0x82, bytes(range(256)) * 2),
    ws_frame(0x01, b"Hel") + ws_frame(0x89, b"ping") + ws_frame(0x80, b"lo"),
    ws_frame(0x02, b"a" * 10) + ws_frame(0x00, b"b" * 10) + ws_frame(0x80, b"c"),
    ws_frame(0x8A, b"pong") + ws_frame(0x88, b"\x03\xe8bye"),
    ws_frame(0x88, b""),
    ws_frame(0x81, "\u03ba\u1f79\u03c3\u03bc\u03b5".encode()),
    ws_frame(0x81, b"\xce\xba\xff"),
    ws_frame(0x81, b"x", masked=False),
    ws_frame(0x82, b"y" * 70000),
    ws_frame(0xC1, b"\xf2\x48\xcd\xc9\xc9\x07\x00"),  # RFC 7692's compressed "Hello"
    ws_frame(0x41, b"\xf2\x48") + ws_frame(0x80, b"\xcd\xc9\xc9\x07\x00"),
]


def main():
    out = Path(sys.argv[1])
    for data in WS_SEEDS:
        for control in (0x30, 0x00, 0x23, 0x1F, 0x70, 0x42):
            write(out / "fuzz_websocket_frames", bytes([control]) + data)
    seeds = []  # (data, control a, control b)
    for path in sorted((REPO / "tests" / "requests").glob("**/*.http")):
        a, b = control_a_b(path.with_suffix(".expect"))
        seeds.append((decode_http_file(path.read_text(errors="replace")), a, b))
    seeds += [(data, 0, 0) for data in unit_test_requests() + EXTRA_REQUESTS + PROXY_SEEDS]
    for data, a, b in seeds:
        is_proxy = data.startswith(b"PROXY ") or data.startswith(V2_SIG)
        if is_proxy and not a & PROXY_MODE_AUTO:
            a |= PROXY_MODE_AUTO
        for variant in REQUEST_VARIANTS:
            control = bytes([variant[0] | a, variant[1] | b]) + variant[2:]
            write(out / "fuzz_request_parser", control + data)
        if is_proxy:
            write(out / "fuzz_proxy_protocol", bytes([0x08 | (a >> 2 & 3)]) + data)  # allowed
    requests = seeds
    print(f"{len(requests)} seeds -> {out}")


if __name__ == "__main__":
    main()
