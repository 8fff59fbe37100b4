"""ASGI entry point, as `django-admin startproject` writes it (Django 3.2's ASGIHandler, which
raises for a lifespan scope: a server must serve it anyway in lifespan `auto`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = get_asgi_application()
