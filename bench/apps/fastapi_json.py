"""bench/run's FastAPI app (Debian's python3-fastapi): one GET route returning a small JSON dict
- routing, dependency/validation machinery, JSON encoding: a realistic per-request Python cost
on the ASGI side, as bench/apps/flask_hello.py is on the WSGI side.

    greenfork -k asgi --chdir bench/apps fastapi_json:app
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello():
    return {"message": "Hello, World!"}
