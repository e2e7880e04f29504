"""Server error page that tells a database outage apart (bench/drills.py, drill "postgres").

Django calls handler500 inside the `except` of the failing request, so sys.exc_info() holds the
error. A lost database connection (PostgreSQL restarting) answers 503 with Retry-After and a page
that needs no database, template context processors or session; anything else stays a 500.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.utils.html import escape
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 15

_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{body}</p></main></body></html>"""


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exc_info()[1]):
        title, status = _("Temporarily unavailable"), 503
        body = _("The database cannot be reached at the moment. Nothing was saved; try again in a minute.")
    else:
        title, status = _("Something went wrong"), 500
        body = _("An unexpected error occurred. The administrators have been notified.")
    page = _PAGE.format(lang=getattr(request, "LANGUAGE_CODE", "nl"), title=escape(title), body=escape(body))
    response = HttpResponseServerError(page) if status == 500 else HttpResponse(page, status=503)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
