"""Admin for selection. Criteria of a version that already has scores are read-only (change them
through a new version, see services.framework_version_revise); assessments, results, runs and
decisions are shown read-only because their services keep the invariants and the activity log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import RecordedAdmin
from selection.models import (
    Assessment,
    ConflictDeclaration,
    Criterion,
    Decision,
    Framework,
    FrameworkVersion,
    InitiativeRoundResult,
    Score,
    ScoringRun,
    SelectionRound,
)
from selection.services import framework_version_has_scores


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0

    def _locked(self, obj: FrameworkVersion | None) -> bool:
        return obj is not None and obj.pk is not None and framework_version_has_scores(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Framework)
class FrameworkAdmin(RecordedAdmin):
    list_display = ["name", "code"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(RecordedAdmin):
    list_display = ["framework", "number", "note", "created_at"]
    inlines = [CriterionInline]


@admin.register(SelectionRound)
class SelectionRoundAdmin(RecordedAdmin):
    list_display = ["name", "framework_version", "status", "deadline"]
    list_filter = ["status"]
    filter_horizontal = ["assessors"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["round", "initiative", "assessor", "status", "submitted_at"]
    list_filter = ["status", "round"]
    list_select_related = ["round", "initiative", "assessor"]
    inlines = [ScoreInline]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["round", "initiative", "assessor", "declared_at"]
    list_select_related = ["round", "initiative", "assessor"]


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ["round", "status", "initiatives_done", "initiative_count", "started_at", "finished_at"]
    list_filter = ["status"]


@admin.register(InitiativeRoundResult)
class InitiativeRoundResultAdmin(ReadOnlyAdmin):
    list_display = ["round", "initiative", "weighted_total", "coverage", "disagreement"]
    list_select_related = ["round", "initiative"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["round", "initiative", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome", "round"]
    list_select_related = ["round", "initiative", "decided_by"]
