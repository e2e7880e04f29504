"""Language choice: Dutch unless the user picked English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show most
visitors with an English-language browser the English site; a Dutch government portal is Dutch by
default and English on request (the switch sets the language cookie).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchByDefaultLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
