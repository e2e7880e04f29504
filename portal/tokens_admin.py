"""Admin for API tokens: issue (the secret is shown once), inspect and revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.token_services import TOKEN_ROLES, api_token_issue, api_token_revoke, default_role_for
from portal.tokens import ApiToken


class ApiTokenAddForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("role"), required=False,
        choices=[("", _("from the organisation kind"))] + [(str(r.value), r.label) for r in TOKEN_ROLES],
    )

    class Meta:
        model = ApiToken
        fields = ["organisation", "name", "expires_at", "rate_limit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organisation = data.get("organisation")
        if organisation is not None and not data.get("role") and default_role_for(organisation) is None:
            self.add_error("role", _("Choose a role: it does not follow from this organisation's kind."))
        expires_at = data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            self.add_error("expires_at", _("Must be in the future."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["organisation__kind"]
    search_fields = ["name", "prefix", "organisation__name"]
    list_select_related = ["organisation", "user"]
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["organisation", "user", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["organisation", "name", "role", "expires_at", "rate_limit"]
        return ["organisation", "user", "name", "prefix", "created_at", "last_used_at", "expires_at",
                "rate_limit", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form validated role and expiry, so the service does not raise here.
        token, raw = api_token_issue(
            organisation=form.cleaned_data["organisation"], name=form.cleaned_data["name"],
            actor=request.user,  # type: ignore[arg-type]
            role=form.cleaned_data.get("role") or None, expires_at=form.cleaned_data.get("expires_at"),
            rate_limit=form.cleaned_data.get("rate_limit"),
        )
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        messages.warning(request, _("Copy this token now; it will not be shown again: %(token)s") % {"token": raw})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("organisation"):
            api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Tokens revoked."))
