"""Serializer building blocks shared by every API module: strict input, codes instead of ids."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

UNKNOWN_FIELD_MSG = _("Unknown field.")
UNKNOWN_CODE_MSG = _("Unknown code: %(value)s.")
EXPECTED_CODE_MSG = _("Expected a code (a string).")
INVALID_TEXT_MSG = _("The text contains characters that cannot be stored.")


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo never passes silently (400, not ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({str(name): [UNKNOWN_FIELD_MSG] for name in unknown})
        return super().to_internal_value(data)


def _storable(value: str) -> None:
    # Lone surrogates survive JSON decoding but cannot be encoded as UTF-8 for PostgreSQL.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise serializers.ValidationError(INVALID_TEXT_MSG) from None


class TextField(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn 5 into "5"."""

    default_error_messages = {"invalid": _("Not a valid string.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(_storable)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReferenceCache:
    """Resolves codes and slugs to rows once per request, so a bulk request of 1000 rows does
    not run a query per reference. Small tables load whole; organisations load on demand."""

    WHOLE_TABLE_LIMIT = 2000

    def __init__(self) -> None:
        self._maps: dict[tuple[type[Model], str], dict[str, Model]] = {}
        self._complete: set[tuple[type[Model], str]] = set()

    def prime(self, model: type[Model], lookup: str, values: set[str]) -> None:
        key = (model, lookup)
        known = self._maps.setdefault(key, {})
        wanted = {v for v in values if isinstance(v, str) and v not in known}
        if wanted and key not in self._complete:
            for obj in model._default_manager.filter(**{f"{lookup}__in": wanted}):
                known[getattr(obj, lookup)] = obj

    def get(self, model: type[Model], lookup: str, value: str) -> Model | None:
        key = (model, lookup)
        if key not in self._maps and model._default_manager.count() <= self.WHOLE_TABLE_LIMIT:
            self._maps[key] = {getattr(o, lookup): o for o in model._default_manager.all()}
            self._complete.add(key)
        if key not in self._complete:
            self.prime(model, lookup, {value})
        return self._maps.get(key, {}).get(value)


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.Field):
    """A related row named by its code or slug (CBS region code, organisation slug, ...)."""

    def __init__(self, *, model: type[Model], lookup: str = "code", **kwargs: Any) -> None:
        self.model = model
        self.lookup = lookup
        super().__init__(**kwargs)

    def _cache(self) -> ReferenceCache:
        context = self.context
        if "references" not in context:
            context["references"] = ReferenceCache()
        return context["references"]

    def to_internal_value(self, data: Any) -> Model:
        if not isinstance(data, str) or not data:
            raise serializers.ValidationError(EXPECTED_CODE_MSG)
        _storable(data)
        obj = self._cache().get(self.model, self.lookup, data)
        if obj is None:
            raise serializers.ValidationError(UNKNOWN_CODE_MSG % {"value": data[:100]})
        return obj

    def to_representation(self, value: Model) -> str:
        return getattr(value, self.lookup)
