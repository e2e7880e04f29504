"""Query parameters shared by the API's list views."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

BAD_CHOICE_MSG = _("Choose one of: %(choices)s.")


def choice_param(params: Mapping[str, str], name: str, choices: Collection[str], *, default: str = "") -> str:
    """The parameter's value when it is one of `choices` (or absent/blank with a blank default).

    Anything else is a 400 in the API's error shape, naming the parameter and the choices.
    """
    value = params.get(name, default)
    if value in choices or (value == "" and default == ""):
        return value
    raise serializers.ValidationError({name: [BAD_CHOICE_MSG % {"choices": ", ".join(choices)}]})
