"""/api/v1/: each app contributes its own API URL module."""

urlpatterns: list = []
