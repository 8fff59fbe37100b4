"""A small Flask app (Debian python3-flask) for the e2e suite: `flask_app:app`."""

import os

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from Flask"


@app.route("/form", methods=["POST"])
def form():
    return jsonify(name=request.form.get("name"), items=request.form.getlist("item"),
                   pid=os.getpid())


@app.route("/json", methods=["POST"])
def echo_json():
    return jsonify(received=request.get_json(), method=request.method)


@app.route("/user/<name>")
def user(name):
    return jsonify(name=name, path=request.path, args=request.args.to_dict())
