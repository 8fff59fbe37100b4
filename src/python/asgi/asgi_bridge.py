# The Python half of greenfork's ASGI worker, compiled into the binary (asgi_bridge_source.hpp)
# and run as the module `_greenfork_asgi_bridge`. The C++ side owns the connections, parses the
# requests and writes the responses; this module holds what is simplest said in Python: the
# event loop's creation, the lifespan protocol, and the coroutine that runs one request.
import asyncio
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


def cancel_leftover_tasks(loop):
    """After the last connection: background tasks the app left behind are cancelled and given
    one chance to clean up, as asyncio.run() does."""
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())

