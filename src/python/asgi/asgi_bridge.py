# The Python half of greenfork's ASGI worker, compiled into the binary (asgi_bridge_source.hpp)
# and run as the module `_greenfork_asgi_bridge`. The C++ side owns the connections, parses the
# requests and writes the responses; this module holds what is simplest said in Python: the
# event loop's creation, the lifespan protocol, and the coroutine that runs one request.
import asyncio
import collections
import inspect


def new_event_loop(kind):
    """Gunicorn's asgi_loop: 'auto' takes uvloop when it is installed, 'uvloop' demands it."""
    if kind in ("auto", "uvloop"):
        try:
            import uvloop
        except ImportError:
            if kind == "uvloop":
                raise RuntimeError("asgi_loop is 'uvloop' but uvloop is not installed")
        else:
            # As uvicorn does: loops the app makes itself (in threads) are uvloop's too.
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def is_asgi3(app):
    """uvicorn's test: a coroutine function (or an object whose __call__ is one) takes
    (scope, receive, send) at once; anything else is an ASGI 2 double callable."""
    if inspect.isclass(app):
        return hasattr(app, "__await__")
    if inspect.isfunction(app) or inspect.ismethod(app):
        return asyncio.iscoroutinefunction(app)
    call = getattr(app, "__call__", None)
    return asyncio.iscoroutinefunction(call)


def single_callable(app):
    if is_asgi3(app):
        return app

    async def asgi2(scope, receive, send):
        instance = app(scope)
        await instance(receive, send)

    return asgi2


async def run_request(app, scope, channel):
    """One HTTP request: the app's coroutine in the Task the C++ side created for it."""
    try:
        await app(scope, channel.receive, channel.send)
    except asyncio.CancelledError:
        channel.finished(False)  # cut short by the server (client gone, worker stopping)
        raise
    except BaseException as exc:  # noqa: B036 - the server answers for whatever the app raised
        channel.finished(exc)
        if not isinstance(exc, Exception):
            raise
    else:
        channel.finished(None)


class ClientDisconnected(OSError):
    """A WebSocket message sent after the client went away (uvicorn raises the same)."""


# Messages a WebSocket client may get ahead of the app before the server stops reading from it
# (uvicorn's --ws-max-queue).
_WS_QUEUE = 32
_CONNECTING, _OPEN, _RESPONSE, _CLOSED = range(4)


class WebSocketChannel:
    """One WebSocket between the app and the connection (ws_link.cpp): receive() and send() as
    the ASGI spec says, over a link whose frames the C++ side reads and writes."""

    __slots__ = ("link", "loop", "incoming", "waiter", "state", "ended", "writable", "paused")

    def __init__(self, link, loop):
        self.link = link
        self.loop = loop
        self.incoming = collections.deque([{"type": "websocket.connect"}])
        self.waiter = None  # the Future a receive() waits on
        self.state = _CONNECTING
        self.ended = None  # the websocket.disconnect message, once the session is over
        self.writable = None  # the Future a congested send() waits on
        self.paused = False

    async def receive(self):
        if self.incoming:
            message = self.incoming.popleft()
            if self.paused and len(self.incoming) < _WS_QUEUE // 2:
                self.paused = False
                self.link.pause(False)
            return message
        if self.ended is not None:
            return self.ended
        self.waiter = self.loop.create_future()
        try:
            return await self.waiter
        finally:
            self.waiter = None

    async def send(self, message):
        kind = message["type"]
        state = self.state
        if state == _OPEN:
            if kind == "websocket.send":
                if self.ended is not None:
                    raise ClientDisconnected()
                data = message.get("bytes")
                if data is None:
                    data = message.get("text")
                    if data is None:
                        raise TypeError("websocket.send needs 'bytes' or 'text'")
                if self.link.send(data):
                    self.writable = self.loop.create_future()
                    try:
                        await self.writable
                    finally:
                        self.writable = None
            elif kind == "websocket.close":
                self.link.close(message.get("code") or 1000, message.get("reason") or "")
                self.state = _CLOSED
            else:
                raise RuntimeError(
                    "Expected ASGI message 'websocket.send' or 'websocket.close', "
                    f"but got '{kind}'."
                )
        elif state == _CONNECTING:
            if kind == "websocket.accept":
                self.state = _OPEN
                self.link.accept(message.get("subprotocol"), message.get("headers") or ())
            elif kind == "websocket.close":
                self.state = _CLOSED
                self.link.reject(403)
            elif kind == "websocket.http.response.start":
                self.state = _RESPONSE
                self.link.deny_start(message["status"], message.get("headers") or ())
            else:
                raise RuntimeError(
                    "Expected ASGI message 'websocket.accept', 'websocket.close' or "
                    f"'websocket.http.response.start', but got '{kind}'."
                )
        elif state == _RESPONSE:
            if kind != "websocket.http.response.body":
                raise RuntimeError(
                    f"Expected ASGI message 'websocket.http.response.body', but got '{kind}'."
                )
            more = bool(message.get("more_body", False))
            self.link.deny_body(message.get("body", b""), more)
            if not more:
                self.state = _CLOSED
        else:
            raise RuntimeError(
                f"Unexpected ASGI message '{kind}', after sending 'websocket.close' "
                "or response already completed."
            )

    def finish(self, failed):
        """The app's coroutine ended: close what it left open, then let the connection go."""
        if self.state == _CONNECTING:
            self.link.reject(500 if failed else 403)
        elif self.state == _OPEN and self.ended is None:
            self.link.close(1011 if failed else 1000, "")
        elif self.state == _RESPONSE:
            self.link.deny_body(b"", False)
        self.state = _CLOSED
        self.link.finished()

    # Called by the C++ side.
    def _message(self, data):
        if isinstance(data, str):
            message = {"type": "websocket.receive", "text": data}
        else:
            message = {"type": "websocket.receive", "bytes": data}
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(message)
            return
        self.incoming.append(message)
        if not self.paused and len(self.incoming) >= _WS_QUEUE:
            self.paused = True
            self.link.pause(True)

    def _ended(self, code, reason):
        if self.ended is not None:
            return
        self.ended = {"type": "websocket.disconnect", "code": code, "reason": reason}
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(self.ended)
        self._writable()

    def _writable(self):
        writable = self.writable
        if writable is not None and not writable.done():
            writable.set_result(None)


async def run_websocket(app, scope, channel, log_error):
    """One WebSocket: the app's coroutine in the Task the C++ side created for it."""
    try:
        await app(scope, channel.receive, channel.send)
    except asyncio.CancelledError:
        channel.finish(False)
        raise
    except BaseException as exc:  # noqa: B036 - the server answers for whatever the app raised
        log_error("Exception in ASGI application\n" + _format(exc))
        channel.finish(True)
        if not isinstance(exc, Exception):
            raise
    else:
        channel.finish(False)


class Lifespan:
    """The ASGI lifespan protocol (Gunicorn's asgi_lifespan: auto, on, off)."""

    def __init__(self, app, mode, log_error, log_info):
        self.app = app
        self.mode = mode
        self.log_error = log_error
        self.log_info = log_info
        self.state = {}
        self.task = None
        self.supported = mode != "off"
        self.to_app = None
        self.startup_done = None
        self.shutdown_done = None
        self.failure = None  # the message of lifespan.startup.failed / shutdown.failed

    async def startup(self):
        """Returns None when the app started (or is served without lifespan), else the reason
        the worker must not serve."""
        if not self.supported:
            return None
        loop = asyncio.get_running_loop()
        self.to_app = asyncio.Queue()
        self.startup_done = loop.create_future()
        self.shutdown_done = loop.create_future()
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        self.task = loop.create_task(self._main(scope))
        await self.to_app.put({"type": "lifespan.startup"})
        await asyncio.wait([self.startup_done, self.task], return_when=asyncio.FIRST_COMPLETED)
        if self.startup_done.done():
            return self.startup_done.result()
        return self._ended_before_startup()

    def _ended_before_startup(self):
        # The app returned or raised without answering lifespan.startup.
        exc = None if self.task.cancelled() else self.task.exception()
        if self.mode == "auto":
            # Frameworks without lifespan (Django 3.2) raise for it: serve them without it.
            if exc is not None:
                self.log_info("ASGI 'lifespan' protocol appears unsupported.")
            self.supported = False
            return None
        if exc is not None:
            self._log_exception(exc)
            return "Application startup failed: " + repr(exc)
        return "the app returned during lifespan startup"

    def _log_exception(self, exc):
        self.log_error("Exception in 'lifespan' protocol\n" + _format(exc))

    async def _main(self, scope):
        await self.app(scope, self._receive, self._send)

    async def _receive(self):
        return await self.to_app.get()

    async def _send(self, message):
        kind = message.get("type")
        text = message.get("message", "")
        if kind == "lifespan.startup.complete":
            _resolve(self.startup_done, None)
        elif kind == "lifespan.startup.failed":
            # The worker logs this and exits with it.
            _resolve(self.startup_done, "Application startup failed. Exiting. " + text)
        elif kind == "lifespan.shutdown.complete":
            _resolve(self.shutdown_done, None)
        elif kind == "lifespan.shutdown.failed":
            self.log_error("Application shutdown failed. " + text)
            _resolve(self.shutdown_done, "failed")
        else:
            raise RuntimeError("unexpected ASGI lifespan message type " + repr(kind))

    async def shutdown(self, timeout):
        if not self.supported or self.task is None:
            return
        if self.task.done():
            return
        await self.to_app.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(asyncio.shield(self._shutdown_answer()), timeout)
        except asyncio.TimeoutError:
            self.log_error("ASGI lifespan shutdown did not complete in time")

    async def _shutdown_answer(self):
        await asyncio.wait([self.shutdown_done, self.task], return_when=asyncio.FIRST_COMPLETED)
        if not self.shutdown_done.done() and not self.task.cancelled():
            exc = self.task.exception()
            if exc is not None:
                self._log_exception(exc)


def _resolve(fut, value):
    if fut is not None and not fut.done():
        fut.set_result(value)


def _format(exc):
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip("\n")


def describe_tasks(loop):
    """For WORKER TIMEOUT (stall_watchdog.cpp): what every pending task of a blocked loop awaits,
    called from the watchdog's thread while the loop's thread is stuck."""
    import io

    out = io.StringIO()
    for _ in range(3):  # the set of tasks may change under us if the loop moves meanwhile
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            break
        except RuntimeError:
            continue
    else:
        return ""
    out.write(f"Pending asyncio tasks of the blocked event loop ({len(tasks)}):\n")
    for task in tasks:
        try:
            out.write(_describe_task(task))
        except Exception as exc:  # noqa: BLE001 - a task we cannot describe is still listed
            out.write(f"{task!r}: cannot show its stack: {exc!r}\n")
    return out.getvalue()


def _describe_task(task):
    """The task and the chain of coroutines it awaits, outermost first (Task.get_stack shows
    only the outermost frame of a suspended coroutine), ending with what the innermost awaits."""
    import traceback

    frames = []
    awaited = task.get_coro()
    while awaited is not None:
        frame = (getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
                 or getattr(awaited, "ag_frame", None))
        if frame is None:
            break
        frames.append((frame, frame.f_lineno))
        awaited = (getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
                   or getattr(awaited, "ag_await", None))
    lines = [f"Task {task.get_name()!r} (most recent call last):\n"]
    lines += traceback.StackSummary.extract(frames).format()
    if getattr(task.get_coro(), "cr_running", False):
        lines.append("  running: its stack is the loop thread's, above\n")
    elif awaited is not None and type(awaited).__name__ != "FutureIter":
        lines.append(f"  awaiting {awaited!r}\n")
    return "".join(lines)


def cancel_leftover_tasks(loop):
    """After the last connection: background tasks the app left behind are cancelled and given
    one chance to clean up, as asyncio.run() does."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())

