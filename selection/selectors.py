"""Reads for selection: rounds per user, worklists, suggestions, rankings and what-if, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import Initiative
from portal import permissions
from portal.models import User
from portal.spreadsheets import neutralise
from selection import aggregation
from selection.models import (
    Assessment,
    Criterion,
    Decision,
    InitiativeRoundResult,
    RoundAssignment,
    Score,
    ScoringRun,
    SelectionRound,
)
from selection.suggestions import REASONS


def rounds_for(*, user: User) -> QuerySet[SelectionRound]:
    qs = SelectionRound.objects.select_related("framework_version__framework")
    if permissions.is_staff_member(user):
        return qs
    if permissions.is_programme_team(user):
        return qs.filter(
            status=SelectionRound.Status.OPEN,
            id__in=RoundAssignment.objects.filter(assessor_id=user.pk).values("round_id"),
        )
    return qs.none()


def round_criteria(*, selection_round: SelectionRound) -> list[Criterion]:
    return list(Criterion.objects.filter(version_id=selection_round.framework_version_id).order_by("position"))


@dataclass
class WorklistRow:
    assignment: RoundAssignment
    status: str | None  # None, "draft" or "submitted"
    declared: bool


def assessor_worklist(*, user: User, selection_round: SelectionRound) -> list[WorklistRow]:
    """The assessor's assignments in this round with their own assessment status (3 queries)."""
    assignments = list(
        RoundAssignment.objects.filter(round=selection_round, assessor=user)
        .select_related("initiative__ecosystem", "initiative__theme")
        .order_by("excluded", "initiative__title", "initiative_id")
    )
    statuses: dict[int, str] = {}
    for initiative_id, status in Assessment.objects.filter(round=selection_round, assessor=user).values_list(
        "initiative_id", "status"
    ):
        # A submitted assessment wins over a draft.
        if statuses.get(initiative_id) != Assessment.Status.SUBMITTED:
            statuses[initiative_id] = status
    declared = set(selection_round.conflicts.filter(assessor=user).values_list("initiative_id", flat=True))
    return [
        WorklistRow(assignment=a, status=statuses.get(a.initiative_id), declared=a.initiative_id in declared)
        for a in assignments
    ]


def suggestion_text(entry: dict[str, Any]) -> str:
    """A stored suggestion's reason, translated into the current language."""
    template = REASONS.get(entry.get("key", ""), "")
    try:
        return _(template).format(**entry.get("params", {})) if template else ""
    except (KeyError, IndexError, ValueError):
        return template


def live_suggestions(*, selection_round: SelectionRound, initiative: Initiative) -> dict[str, dict[str, Any]]:
    """Suggestions computed now from the initiative's data (the assessor sees the current state)."""
    from selection.services import round_results_compute

    rows = round_results_compute(selection_round=selection_round, first_id=initiative.pk, last_id=initiative.pk)
    suggestions = rows[0].suggestions if rows else {}
    return {code: {**entry, "text": suggestion_text(entry)} for code, entry in suggestions.items()}


def own_assessment(*, user: User, selection_round: SelectionRound, initiative: Initiative) -> Assessment | None:
    return (
        Assessment.objects.filter(round=selection_round, initiative=initiative, assessor=user)
        .order_by("-status")  # "submitted" sorts after "draft": prefer it
        .first()
    )


def assessment_scores(*, assessment: Assessment | None) -> dict[int, Score]:
    if assessment is None:
        return {}
    return {s.criterion_id: s for s in assessment.scores.all()}


def latest_run(*, selection_round: SelectionRound) -> ScoringRun | None:
    return selection_round.scoring_runs.order_by("-started_at", "-id").first()


# --- ranking and what-if --------------------------------------------------------------------


@dataclass
class RankingRow:
    result: InitiativeRoundResult
    total: float | None
    rank: int = 0
    baseline_rank: int = 0
    shortlisted: bool = False
    was_shortlisted: bool = False
    bars: list[dict[str, Any]] = field(default_factory=list)
    decision: Decision | None = None

    @property
    def rank_change(self) -> int:
        return self.baseline_rank - self.rank

    @property
    def shortlist_change(self) -> str:
        if self.shortlisted and not self.was_shortlisted:
            return "in"
        if self.was_shortlisted and not self.shortlisted:
            return "out"
        return ""


@dataclass
class Ranking:
    rows: list[RankingRow]
    criteria: list[Criterion]
    weights: dict[str, float]
    what_if: bool
    entered: list[RankingRow]
    left: list[RankingRow]


def _ranks(rows: list[RankingRow], value: Any) -> dict[int, int]:
    """Position per row (by object id): highest value first, rows without a value last, ties by title."""
    ordered = sorted(
        rows, key=lambda r: (value(r) is None, -(value(r) or 0), r.result.initiative.title, r.result.initiative_id)
    )
    return {id(row): position for position, row in enumerate(ordered, start=1)}


def ranking(
    *, selection_round: SelectionRound, weights: dict[str, float] | None = None, theme: str = "",
    disagreement_only: bool = False, min_coverage: float = 0.0,
) -> Ranking:
    """All results of the round ranked by weighted total; with `weights`, re-ranked server-side.

    The shortlist is the top `shortlist_size` with a total. Filters apply after ranking so a rank
    stays the rank in the whole round.
    """
    criteria = round_criteria(selection_round=selection_round)
    base_specs = [
        aggregation.CriterionSpec(c.code, float(c.weight), c.scale_min, c.scale_max) for c in criteria
    ]
    chosen = {c.code: float(c.weight) for c in criteria}
    what_if = False
    if weights:
        for code, value in weights.items():
            if code in chosen and value >= 0 and value != chosen[code]:
                chosen[code] = value
                what_if = True
    specs = [aggregation.CriterionSpec(s.code, chosen[s.code], s.scale_min, s.scale_max) for s in base_specs]
    results = (
        InitiativeRoundResult.objects.filter(round=selection_round)
        .select_related("initiative__ecosystem", "initiative__theme")
        .order_by("initiative_id")
    )
    decisions = {d.initiative_id: d for d in Decision.objects.filter(round=selection_round)}
    rows = []
    for result in results:
        medians = {code: (data or {}).get("median") for code, data in result.criteria.items()}
        total = aggregation.weighted_total(medians, specs) if what_if else result.weighted_total
        row = RankingRow(result=result, total=total, decision=decisions.get(result.initiative_id))
        for c in criteria:
            data = result.criteria.get(c.code) or {}
            median = data.get("median")
            row.bars.append({
                "code": c.code, "position": c.position, "median": median, "min": c.scale_min, "max": c.scale_max,
                "disagreement": data.get("disagreement", False), "spread": data.get("spread"),
            })
        rows.append(row)
    now = _ranks(rows, lambda r: r.total)
    before = _ranks(rows, lambda r: r.result.weighted_total)
    for row in rows:
        row.rank, row.baseline_rank = now[id(row)], before[id(row)]
    size = selection_round.shortlist_size
    for row in rows:
        row.shortlisted = row.total is not None and row.rank <= size
        row.was_shortlisted = row.result.weighted_total is not None and row.baseline_rank <= size
    rows.sort(key=lambda r: r.rank)
    entered = [r for r in rows if r.shortlist_change == "in"]
    left = [r for r in rows if r.shortlist_change == "out"]
    if theme:
        rows = [r for r in rows if r.result.initiative.theme and r.result.initiative.theme.code == theme]
    if disagreement_only:
        rows = [r for r in rows if r.result.disagreement]
    if min_coverage:
        rows = [r for r in rows if r.result.coverage >= min_coverage]
    return Ranking(rows=rows, criteria=criteria, weights=chosen, what_if=what_if, entered=entered, left=left)


def criterion_label(criterion: Criterion) -> str:
    return criterion.question(get_language() or "nl")


# --- decisions for boards -------------------------------------------------------------------


def decisions_for_board(*, user: User) -> QuerySet[Decision]:
    """Decisions about the initiatives of the user's own ecosystems (never the scores behind them)."""
    ecosystem_ids = permissions.board_ecosystem_ids(user)
    if not ecosystem_ids:
        return Decision.objects.none()
    return (
        Decision.objects.filter(initiative__ecosystem_id__in=ecosystem_ids)
        .select_related("initiative__ecosystem", "round")
        .order_by("-decided_at", "-id")
    )


def assessor_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[User.Role.STAFF, User.Role.ASSESSOR]).order_by("username")


def initiatives_with_decision(*, selection_round: SelectionRound) -> QuerySet[Initiative]:
    return Initiative.objects.filter(
        Exists(Decision.objects.filter(round=selection_round, initiative=OuterRef("pk")))
    )


def export_rows(*, ranking_: Ranking) -> tuple[list[str], list[Sequence[Any]]]:
    header = [
        _("Rank"), _("Initiative"), _("Ecosystem"), _("Weighted total"), _("Coverage"), _("Disagreement"),
        *[f"{c.position}. {c.code}" for c in ranking_.criteria], _("Shortlist"), _("Decision"),
    ]
    rows = []
    for row in ranking_.rows:
        initiative = row.result.initiative
        rows.append([
            row.rank, initiative.title, str(initiative.ecosystem or ""),
            None if row.total is None else round(row.total, 2), round(row.result.coverage, 2),
            _("yes") if row.result.disagreement else _("no"),
            *[bar["median"] for bar in row.bars],
            _("yes") if row.shortlisted else _("no"),
            row.decision.get_outcome_display() if row.decision else "",
        ])
    return header, [[neutralise(v) for v in r] for r in rows]


def decision_api_list(*, user: User, outcome: str = "") -> QuerySet[Decision]:
    """Decisions the user may read (the API's list), in one shape whatever the page size."""
    qs = permissions.decisions_visible_to(user).select_related("round", "initiative")
    return qs.filter(outcome=outcome) if outcome else qs
