"""A FastAPI (0.92, as in Debian 12) app for the ASGI worker's e2e tests
(tests/e2e/test_asgi_frameworks.py).

Routes:
  GET  /items/{item_id}?q=      path (int) and query parameters; a non-int id is a 422
  POST /items                   a pydantic body: {"name": str, "price": float, "tags": [str]};
                                answers it back with a computed field; a bad body is a 422
  POST /upload                  multipart: UploadFile `file` + form field `note`; answers the
                                file name, size, sha256 and the note
  GET  /stream?n=N              StreamingResponse of N lines from an async generator
  GET  /file                    FileResponse of $FASTAPI_FILE (default: this source file)
  POST /background?token=T      answers at once; a background task then appends T to
                                $FASTAPI_BACKGROUND_FILE
  GET  /sync                    a plain `def` endpoint (FastAPI runs it in a thread pool)
  GET  /async                   an `async def` endpoint that awaits asyncio.sleep
"""

import asyncio
import hashlib
import os
import threading
from typing import List, Optional

from fastapi import BackgroundTasks, FastAPI, File, Form, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float
    tags: List[str] = []


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: Optional[str] = None):
    return {"item_id": item_id, "q": q}


@app.post("/items")
async def create_item(item: Item):
    return {"name": item.name, "price": item.price, "tags": item.tags,
            "price_with_tax": round(item.price * 1.2, 2)}


@app.post("/upload")
async def upload(file: UploadFile = File(...), note: str = Form(...)):
    data = await file.read()
    return {"filename": file.filename, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "note": note,
            "content_type": file.content_type}


@app.get("/stream")
async def stream(n: int = 5):
    async def lines():
        for i in range(n):
            yield f"line {i}\n".encode()
            await asyncio.sleep(0)

    return StreamingResponse(lines(), media_type="text/plain")


@app.get("/file")
async def file():
    return FileResponse(os.environ.get("FASTAPI_FILE", __file__),
                        media_type="application/octet-stream")


def write_token(token: str):
    with open(os.environ["FASTAPI_BACKGROUND_FILE"], "a") as f:
        f.write(token + "\n")


@app.post("/background")
async def background(token: str, tasks: BackgroundTasks):
    tasks.add_task(write_token, token)
    return {"queued": token}


@app.get("/sync")
def sync_endpoint():
    return {"thread": threading.get_ident(), "main": threading.main_thread().ident}


@app.get("/async")
async def async_endpoint():
    await asyncio.sleep(0.01)
    return {"thread": threading.get_ident(), "task": asyncio.current_task() is not None}
