import os

from django.http import HttpResponse, JsonResponse


def index(request):
    return HttpResponse("Hello from Django", content_type="text/plain")


def post_echo(request):
    if request.method != "POST":
        return HttpResponse("POST only", status=405, content_type="text/plain")
    return JsonResponse({"name": request.POST.get("name"), "body_len": len(request.body),
                         "settings": os.environ.get("DJANGO_SETTINGS_MODULE")})
