"""The initiative's fields as the API reads and writes them: codes and slugs instead of ids."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.models import Initiative
from initiatives.selectors import API_RELATIONS, initiative_version
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
        return obj.contact_name if self._sees_contact(obj) else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_contact_email(self, obj: Initiative) -> str | None:
        return obj.contact_email if self._sees_contact(obj) else None

    def _sees_contact(self, obj: Initiative) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return bool(user.is_programme_team or (user.organisation_id and user.organisation_id == obj.owner_organisation_id))

    def to_representation(self, obj: Initiative) -> dict[str, Any]:
        # Hand-built: DRF's field-by-field walk cost more than the SQL for a page of 500. The
        # declared fields above still define the schema; tests compare both paths.
        fields = self.fields
        relations = getattr(obj, "api_relations", None)
        if relations is None:
            relations = {name: [getattr(o, lookup) for o in getattr(obj, name).all()]
                         for name, lookup in API_RELATIONS.items()}
        return {
            "id": obj.id,
            "external_id": obj.external_id,
            "version": initiative_version(obj),
            "title": obj.title,
            "description": obj.description,
            "regions": relations["regions"],
            "ecosystem": obj.ecosystem.slug if obj.ecosystem_id else None,
            "lead_organisation": obj.lead_organisation.slug,
            "owner_organisation": obj.owner_organisation.slug,
            "partners": relations["partners"],
            "type": obj.type,
            "stage": obj.stage,
            "scope": obj.scope,
            "theme": obj.theme.code if obj.theme_id else None,
            "priorities": relations["priorities"],
            "vision_windows": relations["vision_windows"],
            "budget": fields["budget"].to_representation(obj.budget) if obj.budget is not None else None,
            "start_date": obj.start_date.isoformat() if obj.start_date else None,
            "end_date": obj.end_date.isoformat() if obj.end_date else None,
            "status": obj.status,
            "published": obj.published,
            "website": obj.website,
            # Personal data: only the owner organisation and the programme team need the contact.
            "contact_name": obj.contact_name if self._sees_contact(obj) else None,
            "contact_email": obj.contact_email if self._sees_contact(obj) else None,
            "created_at": fields["created_at"].to_representation(obj.created_at),
            "updated_at": fields["updated_at"].to_representation(obj.updated_at),
        }
