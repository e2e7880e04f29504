"""/api/v1/: each app contributes its own API URL module."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # an unknown URL is never a state change; answer 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    # Unknown API paths answer in the API's error shape, not with Django's HTML 404 page.
    return JsonResponse({"message": _("Not found."), "extra": {}}, status=404)


urlpatterns: list = [
    path("", include("portal.api.urls")),
    path("", include("initiatives.api.urls")),
    path("", include("agendas.api.urls")),
    path("", include("selection.api.urls")),
    # Keep last: other apps' API URLs are included above this line.
    re_path(r"^[\s\S]*$", api_not_found),  # also paths with newlines
]
