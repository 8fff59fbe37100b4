"""Views of the e2e Django project, served through wsgi.py (tests/e2e/test_app_loading.py) and
asgi.py (tests/e2e/test_asgi_django_quart.py).

  /         plain text (a sync view)
  /post/    POST a form: its "name" field, the body length and DJANGO_SETTINGS_MODULE
  /json/    POST JSON: the decoded object back, with the method and content type
  /async/   an `async def` view: awaits asyncio.sleep, reports whether it ran on a running
            event loop and the query string
  /where/   a sync view: the request's script name, path, scheme and the server's PID
"""

import asyncio
import json
import os
import threading

from django.http import HttpResponse, JsonResponse


def index(request):
    return HttpResponse("Hello from Django", content_type="text/plain")


def post_echo(request):
    if request.method != "POST":
        return HttpResponse("POST only", status=405, content_type="text/plain")
    return JsonResponse({"name": request.POST.get("name"), "body_len": len(request.body),
                         "settings": os.environ.get("DJANGO_SETTINGS_MODULE")})


def json_echo(request):
    if request.method != "POST":
        return HttpResponse("POST only", status=405, content_type="text/plain")
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponse("bad JSON", status=400, content_type="text/plain")
    return JsonResponse({"received": data, "method": request.method,
                         "content_type": request.content_type})


async def async_view(request):
    await asyncio.sleep(0.01)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    return JsonResponse({"async": True, "on_loop": loop is not None,
                         "loop_module": type(loop).__module__ if loop else None,
                         "thread": threading.current_thread().name,
                         "query": request.GET.dict()})


def where(request):
    return JsonResponse({"script_name": request.META.get("SCRIPT_NAME", ""),
                         "path": request.path, "path_info": request.path_info,
                         "scheme": request.scheme, "pid": os.getpid(),
                         "thread": threading.current_thread().name})
