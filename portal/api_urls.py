"""/api/v1/: each app contributes its own API URL module."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("portal.api.urls")),
    path("", include("initiatives.api.urls")),
]
