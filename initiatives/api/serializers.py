"""The initiative's fields as the API reads and writes them: codes and slugs instead of ids."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.models import Initiative
from initiatives.selectors import API_RELATIONS, initiative_version, version_of
from portal.api.serializers import CodeField, StrictSerializer, TextField
from portal.models import Ecosystem, FutureVisionWindow, Organisation, Priority, Region, Theme

# Merging is the programme team's decision (it needs a target), not something a client sets.
WRITABLE_STATUSES = [c for c in Initiative.Status.choices if c[0] != Initiative.Status.MERGED]
MAX_RELATED = 100


def _codes(model: type, lookup: str = "code", **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=CodeField(model=model, lookup=lookup), max_length=MAX_RELATED, **kwargs)


class InitiativeInputSerializer(StrictSerializer):
    """Full representation for create / replace (PUT); PATCH uses it with partial=True.

    Optional fields left out of a PUT get their default, so a PUT replaces the whole record;
    the exception is external_id, which stays as it is.
    """

    # No default: a PUT that leaves it out keeps the link to the client's record.
    external_id = TextField(max_length=100, required=False, allow_blank=True,
                            help_text="Uw eigen id (uniek binnen uw organisatie); weglaten laat het ongewijzigd / "
                                      "your own id (unique in your organisation); leaving it out keeps it")
    title = TextField(max_length=200, help_text="Titel / title")
    description = TextField(max_length=20000, help_text="Beschrijving / description")
    regions = _codes(Region, allow_empty=False,
                     help_text="CBS-codes van provincies of COROP-gebieden / CBS codes of provinces or COROP regions, e.g. PV25, CR15")
    ecosystem = CodeField(model=Ecosystem, lookup="slug", required=False, default=None, allow_null=True,
                          help_text="Slug van het ecosysteem / ecosystem slug")
    lead_organisation = CodeField(model=Organisation, lookup="slug", help_text="Slug van de trekker / lead organisation slug")
    partners = _codes(Organisation, "slug", required=False, default=list)
    type = serializers.ChoiceField(choices=Initiative.Type.choices)
    stage = serializers.ChoiceField(choices=Initiative.Stage.choices)
    scope = serializers.ChoiceField(choices=Initiative.Scope.choices, required=False,
                                    default=Initiative.Scope.CLUSTER_SPECIFIC)
    theme = CodeField(model=Theme, required=False, default=None, allow_null=True)
    priorities = _codes(Priority, required=False, default=list)
    vision_windows = _codes(FutureVisionWindow, required=False, default=list)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, default=None,
                                      allow_null=True)
    start_date = serializers.DateField(required=False, default=None, allow_null=True)
    end_date = serializers.DateField(required=False, default=None, allow_null=True)
    status = serializers.ChoiceField(choices=WRITABLE_STATUSES, required=False, default=Initiative.Status.DRAFT)
    published = serializers.BooleanField(required=False, default=False)
    website = serializers.URLField(max_length=200, required=False, default="", allow_blank=True)
    contact_name = TextField(max_length=120, required=False, default="", allow_blank=True)
    contact_email = serializers.EmailField(max_length=254, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": [_("The end date lies before the start date.")]})
        return attrs


CONTACT_HELP = "null unless you belong to the owner organisation or the programme team (personal data)"


class InitiativeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    version = serializers.SerializerMethodField(help_text="Voor If-Match / for If-Match")
    title = serializers.CharField()
    description = serializers.CharField()
    # "x.all" reads the selector's prefetch cache: no query per row.
    regions = _codes(Region, source="regions.all")
    ecosystem = CodeField(model=Ecosystem, lookup="slug", allow_null=True)
    lead_organisation = CodeField(model=Organisation, lookup="slug")
    owner_organisation = CodeField(model=Organisation, lookup="slug")
    partners = _codes(Organisation, "slug", source="partners.all")
    type = serializers.CharField()
    stage = serializers.CharField()
    scope = serializers.CharField()
    theme = CodeField(model=Theme, allow_null=True)
    priorities = _codes(Priority, source="priorities.all")
    vision_windows = _codes(FutureVisionWindow, source="vision_windows.all")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    published = serializers.BooleanField()
    website = serializers.CharField()
    contact_name = serializers.SerializerMethodField(help_text=CONTACT_HELP)
    contact_email = serializers.SerializerMethodField(help_text=CONTACT_HELP)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_version(self, obj: Initiative) -> str:
        return initiative_version(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_contact_name(self, obj: Initiative) -> str | None:
        return obj.contact_name if self._sees_contact(obj.owner_organisation_id) else None

    @extend_schema_field(serializers.CharField(allow_null=True))  # "" when none is known
    def get_contact_email(self, obj: Initiative) -> str | None:
        return obj.contact_email if self._sees_contact(obj.owner_organisation_id) else None

    def _sees_contact(self, owner_organisation_id: int | None) -> bool:
        """Personal data: only the owner organisation and the programme team need the contact."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return bool(user.is_programme_team or (user.organisation_id and user.organisation_id == owner_organisation_id))

    def to_representation(self, obj: Initiative | dict[str, Any]) -> dict[str, Any]:
        # Hand-built: DRF's field-by-field walk cost more than the SQL for a page of 500. The
        # declared fields above still define the schema; tests compare both paths.
        if isinstance(obj, dict):
            return self.row_representation(obj)
        fields = self.fields
        relations = getattr(obj, "api_relations", None)
        if relations is None:
            relations = {name: [getattr(o, lookup) for o in getattr(obj, name).all()]
                         for name, lookup in API_RELATIONS.items()}
        return self.row_representation({
            "id": obj.id, "external_id": obj.external_id, "title": obj.title, "description": obj.description,
            "ecosystem__slug": obj.ecosystem.slug if obj.ecosystem_id else None,
            "lead_organisation__slug": obj.lead_organisation.slug,
            "owner_organisation__slug": obj.owner_organisation.slug,
            "owner_organisation_id": obj.owner_organisation_id,
            "theme__code": obj.theme.code if obj.theme_id else None,
            "type": obj.type, "stage": obj.stage, "scope": obj.scope, "budget": obj.budget,
            "start_date": obj.start_date, "end_date": obj.end_date, "status": obj.status,
            "published": obj.published, "website": obj.website, "contact_name": obj.contact_name,
            "contact_email": obj.contact_email, "created_at": obj.created_at, "updated_at": obj.updated_at,
            **{f"rel_{name}": codes for name, codes in relations.items()},
        }, fields)

    def row_representation(self, row: dict[str, Any], fields: Any = None) -> dict[str, Any]:
        """The response for one row of selectors.initiative_api_rows (plain dict, one SELECT)."""
        fields = fields if fields is not None else self.fields
        budget, start, end = row["budget"], row["start_date"], row["end_date"]
        tz = timezone.get_current_timezone()
        sees_contact = self._sees_contact(row["owner_organisation_id"])
        return {
            "id": row["id"],
            "external_id": row["external_id"],
            "version": version_of(row["id"], row["updated_at"]),
            "title": row["title"],
            "description": row["description"],
            "regions": row["rel_regions"],
            "ecosystem": row["ecosystem__slug"],
            "lead_organisation": row["lead_organisation__slug"],
            "owner_organisation": row["owner_organisation__slug"],
            "partners": row["rel_partners"],
            "type": row["type"],
            "stage": row["stage"],
            "scope": row["scope"],
            "theme": row["theme__code"],
            "priorities": row["rel_priorities"],
            "vision_windows": row["rel_vision_windows"],
            "budget": fields["budget"].to_representation(budget) if budget is not None else None,
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
            "status": row["status"],
            "published": row["published"],
            "website": row["website"],
            "contact_name": row["contact_name"] if sees_contact else None,
            "contact_email": row["contact_email"] if sees_contact else None,
            "created_at": _iso(row["created_at"], tz),
            "updated_at": _iso(row["updated_at"], tz),
        }


def _iso(value: Any, tz: Any) -> str:
    """What DRF's DateTimeField gives for an aware datetime (current time zone, "Z" for UTC),
    without its per-call settings lookups: they were a third of a 500-row page."""
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
