"""A Quart (0.18, as in Debian 12's python3-quart) app for the ASGI worker's e2e tests
(tests/e2e/test_asgi_django_quart.py).

Routes:
  /                 plain text "Hello from Quart"
  /json             a JSON object (jsonify)
  /echo   POST      the raw body (await request.get_data()) described as JSON: length, sha256,
                    content type
  /json-echo POST   the request's JSON (await request.get_json()) back, with a key count
  /form   POST      a urlencoded form (await request.form) back as JSON
  /served           what the @app.before_serving hook (run by lifespan startup) left: the PID
                    it ran in, how many times it ran, and whether the loop it ran on is the
                    one serving this request

Lifespan: before_serving records "startup PID", after_serving "shutdown PID" in
$QUART_EVENTS_FILE when that is set.
"""

import asyncio
import hashlib
import os

from quart import Quart, jsonify, request

app = Quart(__name__)
SERVED = {"pid": None, "runs": 0, "loop": None}


def record(line):
    path = os.environ.get("QUART_EVENTS_FILE")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")


@app.before_serving
async def startup():
    SERVED["pid"] = os.getpid()
    SERVED["runs"] += 1
    SERVED["loop"] = asyncio.get_running_loop()
    record(f"startup {os.getpid()}")


@app.after_serving
async def shutdown():
    record(f"shutdown {os.getpid()}")


@app.route("/")
async def index():
    return "Hello from Quart", 200, {"Content-Type": "text/plain"}


@app.route("/json")
async def json_route():
    return jsonify(framework="quart", numbers=[1, 2, 3], text="café")


@app.route("/echo", methods=["POST"])
async def echo():
    body = await request.get_data()
    return jsonify(length=len(body), sha256=hashlib.sha256(body).hexdigest(),
                   content_type=request.content_type)


@app.route("/json-echo", methods=["POST"])
async def json_echo():
    data = await request.get_json()
    return jsonify(received=data, keys=len(data) if isinstance(data, dict) else None)


@app.route("/form", methods=["POST"])
async def form():
    fields = await request.form
    return jsonify(fields=fields.to_dict(flat=False))


@app.route("/served")
async def served():
    return jsonify(pid=SERVED["pid"], runs=SERVED["runs"], worker=os.getpid(),
                   same_loop=SERVED["loop"] is asyncio.get_running_loop())
