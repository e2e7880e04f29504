"""Browser URLs of the initiatives app (included at the site root by portal/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "initiatives"
urlpatterns: list = []
