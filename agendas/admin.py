"""Admin for agendas: read-mostly. Content changes go through the editor so the rules hold."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agendas.models import (
    Action,
    Agenda,
    AgendaFundingLine,
    AgendaVersion,
    Agreement,
    Commitment,
    CriterionAssessment,
    Endorsement,
    Goal,
    HumanCapitalAction,
    ReviewMoment,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _inline(model_class: type) -> type[ReadOnlyInline]:
    return type(f"{model_class.__name__}Inline", (ReadOnlyInline,), {"model": model_class})


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ["title", "ecosystem", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "ecosystem__name"]
    readonly_fields = ["status"]


@admin.register(AgendaVersion)
class AgendaVersionAdmin(admin.ModelAdmin):
    """Versions are shown, never edited here: frozen versions are immutable and drafts have the editor."""

    list_display = ["agenda", "number", "status", "frozen", "submitted_at", "verdict"]
    list_filter = ["status", "frozen", "verdict"]
    search_fields = ["agenda__title"]
    inlines = [_inline(m) for m in (
        Endorsement, ReviewMoment, Goal, Commitment, Action, HumanCapitalAction, AgendaFundingLine, Agreement,
        CriterionAssessment,
    )]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
