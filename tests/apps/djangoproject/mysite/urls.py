from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("post/", views.post_echo),
    path("json/", views.json_echo),
    path("async/", views.async_view),
    path("where/", views.where),
]
