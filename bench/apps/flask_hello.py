"""bench/run's Flask app: one route with the same 13-byte text/plain body as examples/hello.py.

    greenfork --chdir bench/apps flask_hello:app
"""

from flask import Flask

app = Flask(__name__)

BODY = "Hello, World!"


@app.route("/")
def hello():
    return BODY, 200, {"Content-Type": "text/plain"}
