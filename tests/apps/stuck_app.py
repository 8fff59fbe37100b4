"""An app that gets stuck in a named function while a second thread also sleeps, for the
WORKER TIMEOUT traceback test."""

import os
import threading
import time

_started = threading.Event()


def background_thread_for_test():
    _started.set()
    time.sleep(3600)


def slow_handler_for_test():
    time.sleep(30)


def application(environ, start_response):
    if environ["PATH_INFO"] == "/stuck":
        if not _started.is_set():
            threading.Thread(target=background_thread_for_test, daemon=True).start()
            _started.wait(5)
        slow_handler_for_test()
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
