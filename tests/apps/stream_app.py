"""Large responses for the slow-reader tests: /big?mb=N streams N MiB in 64 KiB chunks (as file
iteration and streaming views do), /write?mb=N sends them through start_response's write(),
anything else is a small hello."""

CHUNK = b"x" * 65536


def _megabytes(environ):
    return int(environ.get("QUERY_STRING", "").partition("=")[2] or 20)


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/big":
        mb = _megabytes(environ)
        start_response("200 OK", [("Content-Length", str(mb << 20))])
        return (CHUNK for _ in range(mb * 16))
    if path == "/write":
        mb = _megabytes(environ)
        write = start_response("200 OK", [("Content-Length", str(mb << 20))])
        for _ in range(mb * 16):
            write(CHUNK)
        return []
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]
