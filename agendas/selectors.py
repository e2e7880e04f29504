"""Reads for agendas: versions with their rows, check input, comparison table, diffs."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from agendas import checks
from agendas.models import (
    CONTENT_FIELDS,
    CRITERIA,
    PART_MODELS,
    Action,
    Agenda,
    AgendaFundingLine,
    AgendaVersion,
    Status,
)
from portal import permissions
from portal.models import Ecosystem
from portal.permissions import AnyUser

PART_PREFETCH = [
    *[related for _model, related in PART_MODELS.values() if related not in {"actions", "funding_lines"}],
    Prefetch("actions", queryset=Action.objects.prefetch_related("initiatives")),
    Prefetch("funding_lines", queryset=AgendaFundingLine.objects.select_related("instrument")),
    "assessments",
]


def versions_with_parts() -> QuerySet[AgendaVersion]:
    return AgendaVersion.objects.select_related("agenda__ecosystem").prefetch_related(*PART_PREFETCH)


def version_get(*, version_id: int) -> AgendaVersion:
    return versions_with_parts().get(pk=version_id)


def agenda_for_ecosystem(*, slug: str) -> Agenda | None:
    return Agenda.objects.select_related("ecosystem").filter(ecosystem__slug=slug).first()


def agenda_versions(*, agenda: Agenda, user: AnyUser) -> list[AgendaVersion]:
    """The versions this user may see, newest first."""
    return [v for v in agenda.versions.select_related("agenda").order_by("-number") if permissions.can_read(user, v)]


def check_input(version: AgendaVersion) -> checks.AgendaData:
    """Turn a version (with prefetched rows) into the plain data the checks read."""
    return checks.AgendaData(
        vision=version.vision,
        dna_analysis=version.dna_analysis,
        horizon_start=version.horizon_start,
        horizon_end=version.horizon_end,
        last_revision=version.last_revision,
        review_dates=tuple(r.planned_on for r in version.review_moments.all()),
        impact=version.impact,
        governance=version.governance,
        monitoring=version.monitoring,
        endorsements=tuple(checks.EndorsementData(e.organisation, e.helix_role) for e in version.endorsements.all()),
        goals=tuple(
            checks.GoalData(g.title, g.indicator, g.baseline, g.target, g.target_year) for g in version.goals.all()
        ),
        commitments=tuple(checks.CommitmentData(c.party, c.kind, c.amount) for c in version.commitments.all()),
        actions=tuple(checks.ActionData(a.title, a.scope) for a in version.actions.all()),
        human_capital=tuple(
            checks.HumanCapitalData(h.title, h.with_mbo, h.with_hogeschool, h.with_university)
            for h in version.human_capital_actions.all()
        ),
        funding=tuple(
            checks.FundingData(f.amount, f.is_private, f.form, f.revolving_share) for f in version.funding_lines.all()
        ),
        agreements=tuple(
            checks.AgreementData(a.description, a.topic, a.ministry, a.regional_owner, a.national_role, a.regional_role)
            for a in version.agreements.all()
        ),
    )


def version_checks(version: AgendaVersion, *, today: dt.date | None = None) -> dict[int, checks.CriterionResult]:
    return checks.run_checks(check_input(version), today=today or timezone.localdate())


@dataclass
class CriterionRow:
    number: int
    title: str
    check: checks.CriterionResult
    score: int | None = None
    feedback: str = ""


def criterion_rows(version: AgendaVersion, *, with_scores: bool = True) -> list[CriterionRow]:
    results = version_checks(version)
    scores = {a.criterion: a for a in version.assessments.all()} if with_scores else {}
    rows = []
    for number, title in CRITERIA.items():
        assessment = scores.get(number)
        rows.append(CriterionRow(
            number, str(title), results[number],
            score=assessment.score if assessment else None, feedback=assessment.feedback if assessment else "",
        ))
    return rows


# --- diff ------------------------------------------------------------------------------------


def _version_lines(version: AgendaVersion | None) -> dict[str, list[str]]:
    """The version as labelled blocks of lines: one per text field and one per kind of row."""
    if version is None:
        return {}
    blocks: dict[str, list[str]] = {}
    for name in CONTENT_FIELDS:
        label = str(AgendaVersion._meta.get_field(name).verbose_name)
        value = getattr(version, name)
        blocks[label] = [] if value in (None, "") else str(value).splitlines()
    for model, related in PART_MODELS.values():
        label = str(model._meta.verbose_name_plural)
        lines = []
        for row in getattr(version, related).all():
            values = []
            for f in model._meta.concrete_fields:
                if f.name in {"id", "version", "position"}:
                    continue
                display = getattr(row, f"get_{f.name}_display", None)
                value = display() if display else getattr(row, f.name)
                if value not in (None, ""):
                    values.append(f"{f.verbose_name}: {value}")
            lines.append(" · ".join(values))
        blocks[label] = lines
    return blocks


@dataclass
class DiffBlock:
    label: str
    changed: bool
    lines: list[tuple[str, str]] = field(default_factory=list)  # (kind: "add"|"del"|"same", text)


def version_diff(old: AgendaVersion | None, new: AgendaVersion) -> list[DiffBlock]:
    """Per text part and per kind of row, a line diff (difflib) from `old` to `new`."""
    old_blocks, new_blocks = _version_lines(old), _version_lines(new)
    result = []
    for label, new_lines in new_blocks.items():
        old_lines = old_blocks.get(label, [])
        lines: list[tuple[str, str]] = []
        for line in difflib.ndiff(old_lines, new_lines):
            tag, text = line[:2], line[2:]
            if tag == "+ ":
                lines.append(("add", text))
            elif tag == "- ":
                lines.append(("del", text))
            elif tag == "  ":
                lines.append(("same", text))
        result.append(DiffBlock(label, old_lines != new_lines, lines))
    return result


def previous_version(version: AgendaVersion) -> AgendaVersion | None:
    """The latest frozen version before this one (what the reviewer compares against)."""
    prev = (
        AgendaVersion.objects.filter(agenda_id=version.agenda_id, frozen=True, number__lt=version.number)
        .order_by("-number").first()
    )
    return version_get(version_id=prev.pk) if prev else None


# --- comparison ------------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    ecosystem: Ecosystem
    agenda: Agenda | None
    version: AgendaVersion | None
    criteria: list[CriterionRow]
    total_score: int | None

    @property
    def status_label(self) -> str:
        return str(Status(self.agenda.status).label) if self.agenda else ""


def comparison_table(*, user: AnyUser, sort: str = "ecosystem") -> list[ComparisonRow]:
    """All ecosystems by the seven criteria, on each agenda's latest submitted version.

    Programme team only (it shows versions under review). A fixed number of queries: the
    versions and all their rows come in with prefetches.
    """
    if not permissions.is_programme_team(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    ecosystems = list(Ecosystem.objects.order_by("name"))
    latest: dict[int, AgendaVersion] = {}
    for version in versions_with_parts().filter(frozen=True).order_by("agenda_id", "-number"):
        latest.setdefault(version.agenda.ecosystem_id, version)
    agendas = {a.ecosystem_id: a for a in Agenda.objects.all()}
    rows = []
    for eco in ecosystems:
        version = latest.get(eco.id)
        criteria = criterion_rows(version) if version else []
        scores = [c.score for c in criteria if c.score is not None]
        rows.append(ComparisonRow(eco, agendas.get(eco.id), version, criteria, sum(scores) if scores else None))
    return sort_comparison(rows, sort)


_STATUS_ORDER = {checks.MET: 2, checks.PARTLY: 1, checks.MISSING: 0}


def sort_comparison(rows: list[ComparisonRow], sort: str) -> list[ComparisonRow]:
    key: Any
    if sort == "score":
        key = lambda r: (r.total_score is None, -(r.total_score or 0), r.ecosystem.name)  # noqa: E731
    elif sort.startswith("c") and sort[1:].isdigit() and int(sort[1:]) in CRITERIA:
        n = int(sort[1:]) - 1
        key = lambda r: (  # noqa: E731
            not r.criteria, -_STATUS_ORDER[r.criteria[n].check.status] if r.criteria else 0,
            -(r.criteria[n].score or -1) if r.criteria else 0, r.ecosystem.name,
        )
    elif sort == "status":
        key = lambda r: (r.agenda is None, r.status_label, r.ecosystem.name)  # noqa: E731
    else:
        key = lambda r: r.ecosystem.name  # noqa: E731
    return sorted(rows, key=key)


def agenda_status_by_ecosystem() -> dict[int, dict[str, Any]]:
    """For the dashboard: per ecosystem id, the agenda's workflow status and latest version number."""
    out: dict[int, dict[str, Any]] = {}
    for agenda in Agenda.objects.all():
        out[agenda.ecosystem_id] = {"status": agenda.status, "status_label": str(Status(agenda.status).label)}
    return out


def adopted_versions() -> QuerySet[AgendaVersion]:
    """Every adopted version, newest first per agenda (the API's list)."""
    return versions_with_parts().filter(status=Status.ADOPTED).order_by("agenda__ecosystem__name", "-number")
