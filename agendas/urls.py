"""Browser URLs of the agendas app (included at the site root by portal/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "agendas"
urlpatterns: list = []
