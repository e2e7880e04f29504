"""Admin for every core model. Changes made here are recorded in the activity log too."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from portal.models import (
    Activity,
    Ecosystem,
    EcosystemPartner,
    EcosystemStatistics,
    FundingInstrument,
    FutureVisionWindow,
    Organisation,
    Priority,
    Region,
    Theme,
    User,
    WeakSpot,
)
from portal.services import activity_record


class RecordedAdmin(admin.ModelAdmin):
    """Writes an activity row for each save, with the changed fields from the form."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {name: [form.initial.get(name), form.cleaned_data.get(name)] for name in form.changed_data}
        verb = f"{obj._meta.model_name}.{'updated' if change else 'created'}_in_admin"
        activity_record(actor=request.user, verb=verb, target=obj, changes=changes)  # type: ignore[arg-type]


@admin.register(Region)
class RegionAdmin(RecordedAdmin):
    list_display = ["code", "name", "kind", "parent", "population_decline"]
    list_filter = ["kind", "population_decline"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(RecordedAdmin):
    list_display = ["name", "short_name", "helix_role", "kind", "home_region", "country"]
    list_filter = ["helix_role", "kind", "country"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["served_provinces"]
    autocomplete_fields = ["home_region"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Portal"), {"fields": ("organisation", "role")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("Portal"), {"fields": ("organisation", "role")}))
    autocomplete_fields = ["organisation"]
    actions = ["export_personal_data", "erase_personal_data"]

    @admin.action(description=_("Export personal data (JSON)"))
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        from portal.privacy import personal_data_export

        data = {u.username: personal_data_export(u) for u in queryset}
        response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
                                content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response

    @admin.action(description=_("Erase personal data (anonymise; cannot be undone)"))
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from portal.privacy import personal_data_erase

        if not request.user.is_superuser and getattr(request.user, "role", "") != User.Role.ADMIN:
            self.message_user(request, _("Only administrators can erase personal data."), level="error")
            return
        users = [u for u in queryset if u.pk != request.user.pk]
        for user in users:
            personal_data_erase(user=user, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Erased the personal data of %(n)s users.") % {"n": len(users)})


class EcosystemPartnerInline(admin.TabularInline):
    model = EcosystemPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class WeakSpotInline(admin.TabularInline):
    model = WeakSpot
    extra = 0


@admin.register(Ecosystem)
class EcosystemAdmin(RecordedAdmin):
    list_display = ["name", "lead_organisation", "published"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["regions"]
    inlines = [EcosystemPartnerInline, WeakSpotInline]
    autocomplete_fields = ["lead_organisation"]


@admin.register(EcosystemStatistics)
class EcosystemStatisticsAdmin(admin.ModelAdmin):
    list_display = ["ecosystem", "initiative_count", "all_helix_roles_present", "computed_at"]
    readonly_fields = [f.name for f in EcosystemStatistics._meta.fields]

    # Computed by the statistics task: an "add" form of read-only fields saved an empty row (500).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FutureVisionWindow)
class FutureVisionWindowAdmin(RecordedAdmin):
    list_display = ["code", "name_nl", "name_en"]


@admin.register(Priority)
class PriorityAdmin(RecordedAdmin):
    list_display = ["code", "kind", "name_nl", "parent", "verified", "active"]
    list_filter = ["kind", "verified", "active"]
    search_fields = ["code", "name_nl", "name_en"]


@admin.register(Theme)
class ThemeAdmin(RecordedAdmin):
    list_display = ["code", "name_nl", "name_en"]
    filter_horizontal = ["priorities"]
    search_fields = ["code", "name_nl", "name_en"]


@admin.register(FundingInstrument)
class FundingInstrumentAdmin(RecordedAdmin):
    list_display = ["code", "name", "level", "form"]
    list_filter = ["level", "form"]
    search_fields = ["name"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "target_repr"]
    list_filter = ["verb"]
    search_fields = ["target_repr", "verb"]
    readonly_fields = [f.name for f in Activity._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from portal import (  # noqa: E402  (registers the token and webhook admins)
    tokens_admin,  # noqa: F401
    webhooks_admin,  # noqa: F401
)
