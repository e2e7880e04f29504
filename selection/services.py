"""Writes for selection: framework versions, rounds, conflicts, assessments, scoring runs, decisions."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.models import FundingLine, Initiative
from portal import permissions, webhook_services
from portal.exceptions import ConflictError, InvalidTransition
from portal.models import EcosystemPartner, FundingInstrument, Priority, Region, User
from portal.services import activity_record
from selection import aggregation, suggestions
from selection.models import (
    Assessment,
    ConflictDeclaration,
    Criterion,
    Decision,
    FrameworkVersion,
    InitiativeRoundResult,
    RoundAssignment,
    Score,
    ScoringChunk,
    ScoringRun,
    SelectionRound,
)

ALREADY_SUBMITTED_MSG = gettext_noop("This assessment has already been submitted.")
RUN_ALREADY_RUNNING_MSG = gettext_noop("A scoring run for this round is already running.")
# A run still "running" after this long is taken as dead (its worker vanished) so a new run may start.
STALE_RUN_AFTER = dt.timedelta(hours=2)
QUEUE_UNAVAILABLE_MSG = "The job queue (Redis) was unavailable; the run was not started. Start it again."
DEFAULT_CHUNK_SIZE = 1000

SCOPE_KEYS = ("themes", "priorities", "regions", "stages")


# --- framework versions ---------------------------------------------------------------------

CRITERION_EDITABLE = (
    "question_nl", "question_en", "help_text", "weight", "scale_min", "scale_max", "allows_not_applicable",
    "suggestion_rule",
)


def framework_version_has_scores(version: FrameworkVersion) -> bool:
    return Score.objects.filter(criterion__version=version).exists()


@transaction.atomic
def framework_version_revise(
    *, version: FrameworkVersion, actor: User, changes: dict[str, dict[str, Any]], note: str = ""
) -> FrameworkVersion:
    """Apply criterion changes ({code: {field: value}}).

    A version that already has scores is never changed: a new version is created with the changes,
    and the old scores keep the version they were given under. Returns the version changed.
    """
    permissions.access_write(actor, version)
    unknown = set(changes) - set(version.criteria.values_list("code", flat=True))
    if unknown:
        raise ValidationError({"code": _("Unknown criteria: %(codes)s") % {"codes": ", ".join(sorted(unknown))}})
    target = version
    if framework_version_has_scores(version):
        latest = FrameworkVersion.objects.filter(framework=version.framework).order_by("-number").first()
        target = FrameworkVersion.objects.create(
            framework=version.framework, number=latest.number + 1, note=note, created_by=actor
        )
        copies = []
        for criterion in version.criteria.all():
            criterion.pk = None
            criterion.version = target
            copies.append(criterion)
        Criterion.objects.bulk_create(copies)
    for criterion in target.criteria.filter(code__in=changes):
        for field_name, value in changes[criterion.code].items():
            if field_name not in CRITERION_EDITABLE:
                raise ValidationError({field_name: _("This field cannot be changed.")})
            setattr(criterion, field_name, value)
        criterion.full_clean()
        criterion.save()
    activity_record(
        actor=actor, verb="framework.revised", target=target,
        changes={code: [None, {k: str(v) for k, v in fields.items()}] for code, fields in changes.items()}, note=note,
    )
    return target


# --- rounds and scope -----------------------------------------------------------------------


def round_scope_queryset(selection_round: SelectionRound) -> QuerySet[Initiative]:
    """The initiatives a round's saved filter selects (drafts, merged and archived ones never)."""
    scope = selection_round.scope or {}
    qs = Initiative.objects.exclude(
        status__in=[Initiative.Status.DRAFT, Initiative.Status.MERGED, Initiative.Status.ARCHIVED]
    )
    if scope.get("themes"):
        qs = qs.filter(theme__code__in=scope["themes"])
    if scope.get("stages"):
        qs = qs.filter(stage__in=scope["stages"])
    # Many-to-many filters as subqueries so an initiative never appears twice.
    if scope.get("priorities"):
        qs = qs.filter(id__in=Initiative.priorities.through.objects.filter(
            priority__code__in=scope["priorities"]).values("initiative_id"))
    if scope.get("regions"):
        codes = scope["regions"]
        qs = qs.filter(id__in=Initiative.regions.through.objects.filter(
            region__code__in=codes).values("initiative_id") | Initiative.regions.through.objects.filter(
            region__parent__code__in=codes).values("initiative_id"))
    return qs


def clean_scope(scope: dict[str, Any]) -> dict[str, list[str]]:
    return {key: sorted({str(v) for v in scope.get(key) or []}) for key in SCOPE_KEYS}


@transaction.atomic
def round_create(
    *, actor: User, name: str, framework_version: FrameworkVersion, scope: dict[str, Any],
    deadline: dt.date | None = None, disagreement_threshold: float | None = None, shortlist_size: int = 10,
) -> SelectionRound:
    if not permissions.can_manage_selection(actor):
        raise PermissionDenied
    selection_round = SelectionRound(
        name=name, framework_version=framework_version, scope=clean_scope(scope), deadline=deadline,
        shortlist_size=shortlist_size, created_by=actor,
    )
    if disagreement_threshold is not None:
        selection_round.disagreement_threshold = disagreement_threshold
    selection_round.full_clean()
    selection_round.save()
    activity_record(actor=actor, verb="selection_round.created", target=selection_round)
    return selection_round


ROUND_TRANSITIONS = {
    SelectionRound.Status.DRAFT: {SelectionRound.Status.OPEN},
    SelectionRound.Status.OPEN: {SelectionRound.Status.CLOSED},
    SelectionRound.Status.CLOSED: {SelectionRound.Status.OPEN},
}


@transaction.atomic
def round_set_status(*, selection_round: SelectionRound, actor: User, status: str) -> SelectionRound:
    permissions.access_write(actor, selection_round)
    if status not in ROUND_TRANSITIONS.get(selection_round.status, set()):
        raise InvalidTransition(_("A round cannot go from %(old)s to %(new)s.") % {
            "old": selection_round.get_status_display(), "new": status})
    old = selection_round.status
    selection_round.status = status
    selection_round.save(update_fields=["status", "updated_at"])
    activity_record(actor=actor, verb="selection_round.status", target=selection_round, changes={"status": [old, status]})
    return selection_round


def conflicts_for(assessor: User, initiative_ids: Sequence[int]) -> dict[int, str]:
    """Initiatives where the assessor's organisation is involved, with the reason in words.

    Own organisation: lead, registering organisation or partner of the initiative. Own ecosystem:
    the assessor's organisation leads or partners in the initiative's ecosystem.
    """
    org_id = assessor.organisation_id
    if not org_id or not initiative_ids:
        return {}
    reasons: dict[int, str] = {}
    rows = Initiative.objects.filter(id__in=initiative_ids).values_list(
        "id", "lead_organisation_id", "owner_organisation_id", "ecosystem_id", "ecosystem__lead_organisation_id"
    )
    ecosystem_of: dict[int, int | None] = {}
    for initiative_id, lead_id, owner_id, ecosystem_id, eco_lead_id in rows:
        ecosystem_of[initiative_id] = ecosystem_id
        if org_id in (lead_id, owner_id):
            reasons[initiative_id] = _("Your organisation leads or registered this initiative.")
        elif org_id == eco_lead_id:
            reasons[initiative_id] = _("Your organisation leads the initiative's ecosystem.")
    for initiative_id in Initiative.partners.through.objects.filter(
        initiative_id__in=initiative_ids, organisation_id=org_id
    ).values_list("initiative_id", flat=True):
        reasons.setdefault(initiative_id, _("Your organisation is a partner in this initiative."))
    partner_ecosystems = set(
        EcosystemPartner.objects.filter(organisation_id=org_id).values_list("ecosystem_id", flat=True)
    )
    for initiative_id, ecosystem_id in ecosystem_of.items():
        if ecosystem_id in partner_ecosystems:
            reasons.setdefault(initiative_id, _("Your organisation is a partner in the initiative's ecosystem."))
    return reasons


@transaction.atomic
def round_assign_assessors(
    *, selection_round: SelectionRound, actor: User, assessors: Iterable[User]
) -> int:
    """Assign every initiative in scope to each assessor; conflicts are excluded by default.

    Idempotent: existing assignments stay as they are. Returns the number of new assignments.
    """
    permissions.access_write(actor, selection_round)
    assessors = list(assessors)
    for assessor in assessors:
        if not permissions.is_programme_team(assessor):
            raise ValidationError({"assessors": _("%(user)s is not a member of the programme team.") % {"user": assessor}})
    initiative_ids = list(round_scope_queryset(selection_round).order_by("id").values_list("id", flat=True))
    rows = []
    for assessor in assessors:
        conflicts = conflicts_for(assessor, initiative_ids)
        rows.extend(
            RoundAssignment(
                round=selection_round, initiative_id=initiative_id, assessor=assessor,
                excluded=initiative_id in conflicts, conflict_reason=conflicts.get(initiative_id, ""),
            )
            for initiative_id in initiative_ids
        )
    created = RoundAssignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    selection_round.assessors.add(*assessors)
    activity_record(
        actor=actor, verb="selection_round.assessors_assigned", target=selection_round,
        changes={"assessors": [None, [a.username for a in assessors]]},
    )
    return len(created)


@transaction.atomic
def conflict_declare(
    *, selection_round: SelectionRound, initiative: Initiative, actor: User, statement: str
) -> ConflictDeclaration:
    """The assessor declares a conflict of interest; the assignment stays (or becomes) excluded."""
    assignment = RoundAssignment.objects.select_for_update().filter(
        round=selection_round, initiative=initiative, assessor=actor
    ).first()
    if assignment is None:
        raise PermissionDenied
    if not statement.strip():
        raise ValidationError({"statement": _("Describe the conflict of interest.")})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        round=selection_round, initiative=initiative, assessor=actor,
        defaults={"statement": statement.strip(), "detected_reason": assignment.conflict_reason},
    )
    if not assignment.excluded:
        assignment.excluded = True
        assignment.save(update_fields=["excluded"])
    # A draft in progress no longer counts: drop it so it cannot be submitted later.
    Assessment.objects.filter(
        round=selection_round, initiative=initiative, assessor=actor, status=Assessment.Status.DRAFT
    ).delete()
    if created:
        activity_record(actor=actor, verb="selection.conflict_declared", target=initiative, note=statement.strip())
    return declaration


# --- assessments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    value: int | None = None
    not_applicable: bool = False
    motivation: str = ""


def _validate_answers(
    criteria: Sequence[Criterion], answers: dict[int, ScoreInput], *, complete: bool
) -> None:
    errors: dict[str, str] = {}
    for criterion in criteria:
        answer = answers.get(criterion.pk, ScoreInput())
        key = f"c{criterion.pk}"
        if answer.not_applicable and not criterion.allows_not_applicable:
            errors[key] = _("'Not applicable' is not allowed for this question.")
        elif answer.not_applicable and answer.value is not None:
            errors[key] = _("Give a score or choose 'not applicable', not both.")
        elif answer.value is not None and not criterion.scale_min <= answer.value <= criterion.scale_max:
            errors[key] = _("Give a score from %(min)s to %(max)s.") % {"min": criterion.scale_min, "max": criterion.scale_max}
        elif complete and answer.value is None and not answer.not_applicable:
            errors[key] = _("Give a score before submitting.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_save(
    *, selection_round: SelectionRound, initiative: Initiative, actor: User, answers: dict[int, ScoreInput],
    submit: bool = False,
) -> Assessment:
    """Save the actor's draft scores (criterion id → answer); `submit` makes it final."""
    if not permissions.can_assess(actor, selection_round, initiative.pk):
        raise PermissionDenied
    assessment = Assessment.objects.select_for_update().filter(
        round=selection_round, initiative=initiative, assessor=actor, status=Assessment.Status.DRAFT
    ).first()
    if assessment is None:
        if Assessment.objects.filter(
            round=selection_round, initiative=initiative, assessor=actor, status=Assessment.Status.SUBMITTED
        ).exists():
            raise InvalidTransition(_(ALREADY_SUBMITTED_MSG))
        assessment = Assessment.objects.create(
            round=selection_round, initiative=initiative, assessor=actor,
            framework_version_id=selection_round.framework_version_id,
        )
    criteria = list(Criterion.objects.filter(version_id=assessment.framework_version_id))
    _validate_answers(criteria, answers, complete=submit)
    rows = [
        Score(
            assessment=assessment, criterion=criterion,
            value=answers.get(criterion.pk, ScoreInput()).value,
            not_applicable=answers.get(criterion.pk, ScoreInput()).not_applicable,
            motivation=answers.get(criterion.pk, ScoreInput()).motivation.strip(),
        )
        for criterion in criteria
    ]
    Score.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["assessment", "criterion"],
        update_fields=["value", "not_applicable", "motivation"],
    )
    if submit:
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.save(update_fields=["status", "submitted_at", "updated_at"])
        activity_record(actor=actor, verb="assessment.submitted", target=initiative, note=selection_round.name)
    else:
        assessment.save(update_fields=["updated_at"])
    return assessment


# --- decisions ------------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *, selection_round: SelectionRound, initiative: Initiative, actor: User, outcome: str, rationale: str
) -> Decision:
    if not permissions.can_decide(actor):
        raise PermissionDenied
    errors = {}
    if outcome not in Decision.Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    if not rationale.strip():
        errors["rationale"] = _("Give the reasons for the decision.")
    if errors:
        raise ValidationError(errors)
    existing = Decision.objects.select_for_update().filter(round=selection_round, initiative=initiative).first()
    old = (existing.outcome, existing.rationale) if existing else (None, None)
    decision, _created = Decision.objects.update_or_create(
        round=selection_round, initiative=initiative,
        defaults={"outcome": outcome, "rationale": rationale.strip(), "decided_by": actor},
    )
    activity_record(
        actor=actor, verb="selection.decided", target=initiative,
        changes={"outcome": [old[0], outcome], "rationale": [old[1], decision.rationale]}, note=selection_round.name,
    )
    if old != (decision.outcome, decision.rationale):
        webhook_services.decision_taken_emit(decision=decision)
    return decision


# --- batch scoring --------------------------------------------------------------------------


def scoring_run_start(
    *, selection_round: SelectionRound, actor: User | None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> ScoringRun:
    """Create a run and enqueue its dispatcher after commit. One running run per round (constraint)."""
    from selection.tasks import scoring_run_dispatch as scoring_run_dispatch_task

    if actor is not None:
        permissions.access_write(actor, ScoringRun(round=selection_round))
    ScoringRun.objects.filter(
        round=selection_round, status=ScoringRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_RUN_AFTER
    ).update(status=ScoringRun.Status.FAILED, error="stale: no progress", finished_at=timezone.now())
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(round=selection_round, triggered_by=actor)
            transaction.on_commit(lambda: _enqueue_dispatch(scoring_run_dispatch_task, run.pk, chunk_size))
    except IntegrityError as exc:
        raise ConflictError(_(RUN_ALREADY_RUNNING_MSG)) from exc
    return run


def _enqueue_dispatch(task: Any, run_id: int, chunk_size: int) -> None:
    """Queue the dispatcher; with the broker (Redis) down the run is marked failed, not left running.

    Without this the committed run would stay 'running' with nothing queued (lost silently) and
    block new runs of the round until it went stale.
    """
    try:
        task.delay(run_id, chunk_size)
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise several types for "broker unavailable"
        scoring_run_fail(run_id=run_id, error=f"{QUEUE_UNAVAILABLE_MSG} ({type(exc).__name__}: {exc})")


def scoring_run_dispatch(*, run_id: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[int]:
    """Walk the round's initiatives by primary key (keyset) and record one chunk per page.

    Returns the ids of the chunks still to do. A redelivered dispatch returns the same chunks.
    """
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().select_related("round").get(pk=run_id)
        if run.status != ScoringRun.Status.RUNNING:
            return []
        if not run.dispatched:
            scope = round_scope_queryset(run.round).order_by("id")
            chunks: list[ScoringChunk] = []
            total = 0
            last_id = 0
            while True:
                ids = list(scope.filter(id__gt=last_id).values_list("id", flat=True)[:chunk_size])
                if not ids:
                    break
                chunks.append(ScoringChunk(run=run, index=len(chunks), first_id=ids[0], last_id=ids[-1]))
                total += len(ids)
                last_id = ids[-1]
            ScoringChunk.objects.bulk_create(chunks)
            run.chunk_count, run.initiative_count, run.dispatched = len(chunks), total, True
            fields = ["chunk_count", "initiative_count", "dispatched"]
            if not chunks:
                run.status, run.finished_at = ScoringRun.Status.DONE, timezone.now()
                fields += ["status", "finished_at"]
            run.save(update_fields=fields)
        return list(run.chunks.filter(done=False).order_by("index").values_list("id", flat=True))


def _criteria_specs(version_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(version_id=version_id).order_by("position"))


def _facts_for(initiative_ids: list[int], lead_orgs: dict[int, tuple[str, str, str]]) -> dict[int, suggestions.InitiativeFacts]:
    """Gather every rule's inputs for a chunk in a fixed number of queries.

    Filters use the id range (cheap to plan and compile, unlike a thousand-id IN list); rows of
    initiatives outside the round are ignored.
    """
    id_range = (initiative_ids[0], initiative_ids[-1])
    priorities: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for initiative_id, name, kind in Initiative.priorities.through.objects.filter(
        initiative_id__gte=id_range[0], initiative_id__lte=id_range[1]
    ).values_list("initiative_id", "priority__name_nl", "priority__kind").order_by("initiative_id", "priority__code"):
        priorities[initiative_id].append((name, kind))
    provinces: dict[int, set[int]] = defaultdict(set)
    landsdelen: dict[int, set[int]] = defaultdict(set)
    decline: dict[int, list[str]] = defaultdict(list)
    for initiative_id, region_id, kind, parent_id, grandparent_id, in_decline, name in (
        Initiative.regions.through.objects.filter(initiative_id__gte=id_range[0], initiative_id__lte=id_range[1])
        .values_list("initiative_id", "region_id", "region__kind", "region__parent_id", "region__parent__parent_id",
                     "region__population_decline", "region__name")
        .order_by("initiative_id", "region__code")
    ):
        if kind == Region.Kind.COROP:
            provinces[initiative_id].add(parent_id)
            landsdelen[initiative_id].add(grandparent_id)
        elif kind == Region.Kind.PROVINCE:
            provinces[initiative_id].add(region_id)
            landsdelen[initiative_id].add(parent_id)
        else:
            landsdelen[initiative_id].add(region_id)
        if in_decline:
            decline[initiative_id].append(name)
    partners: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for initiative_id, kind, helix, country in Initiative.partners.through.objects.filter(
        initiative_id__gte=id_range[0], initiative_id__lte=id_range[1]
    ).values_list("initiative_id", "organisation__kind", "organisation__helix_role", "organisation__country").order_by(
        "initiative_id", "organisation_id"
    ):
        partners[initiative_id].append((kind, helix, country))
    eu: dict[int, set[str]] = defaultdict(set)
    for initiative_id, name in FundingLine.objects.filter(
        initiative_id__gte=id_range[0], initiative_id__lte=id_range[1], instrument__level=FundingInstrument.Level.EU
    ).values_list("initiative_id", "instrument__name"):
        eu[initiative_id].add(name)
    return {
        initiative_id: suggestions.InitiativeFacts(
            priority_names=[name for name, _kind in priorities[initiative_id]],
            transition_challenge_count=sum(
                1 for _n, kind in priorities[initiative_id] if kind == Priority.Kind.TRANSITION_CHALLENGE
            ),
            province_count=len(provinces[initiative_id]),
            landsdeel_count=len(landsdelen[initiative_id] - {None}),
            decline_region_names=decline[initiative_id],
            partners=[lead_orgs[initiative_id], *partners[initiative_id]],
            eu_instrument_names=sorted(eu[initiative_id]),
        )
        for initiative_id in initiative_ids
    }


def _chunk_scope(selection_round: SelectionRound, first_id: int, last_id: int) -> dict[int, tuple[str, str, str]]:
    """The round's initiatives in the id range, with their lead organisation's (kind, helix, country)."""
    return {
        initiative_id: (kind, helix, country)
        for initiative_id, kind, helix, country in round_scope_queryset(selection_round)
        .filter(id__gte=first_id, id__lte=last_id)
        .values_list("id", "lead_organisation__kind", "lead_organisation__helix_role", "lead_organisation__country")
    }


def _suggestions_for(
    criteria: Sequence[Criterion], lead_orgs: dict[int, tuple[str, str, str]]
) -> dict[int, dict[str, dict[str, Any]]]:
    """{initiative id: {criterion code: {"score", "key", "params"}}} for the criteria with a rule."""
    rules = [(c.code, c.suggestion_rule, c.scale_min, c.scale_max) for c in criteria if c.suggestion_rule]
    initiative_ids = sorted(lead_orgs)
    if not rules or not initiative_ids:
        return {initiative_id: {} for initiative_id in initiative_ids}
    facts = _facts_for(initiative_ids, lead_orgs)
    result: dict[int, dict[str, dict[str, Any]]] = {}
    for initiative_id in initiative_ids:
        suggested = {}
        for code, rule, low, high in rules:
            suggestion = suggestions.suggest(rule, facts[initiative_id])
            if suggestion is not None:
                suggested[code] = {"score": suggestion.on_scale(low, high), "key": suggestion.key, "params": suggestion.params}
        result[initiative_id] = suggested
    return result


def round_results_compute(
    *, selection_round: SelectionRound, first_id: int, last_id: int
) -> list[InitiativeRoundResult]:
    """Aggregates (selection.aggregation) and suggestions for the round's initiatives in the id range.

    The reference implementation, in Python; PostgreSQL runs use round_results_write_sql, which a
    test holds to the same numbers.
    """
    lead_orgs = _chunk_scope(selection_round, first_id, last_id)
    initiative_ids = sorted(lead_orgs)
    if not initiative_ids:
        return []
    criteria = _criteria_specs(selection_round.framework_version_id)
    code_of = {c.pk: c.code for c in criteria}
    specs = [
        aggregation.CriterionSpec(code=c.code, weight=float(c.weight), scale_min=c.scale_min, scale_max=c.scale_max)
        for c in criteria
    ]
    values: dict[int, dict[str, list[float | None]]] = defaultdict(lambda: defaultdict(list))
    submitted: dict[int, set[int]] = defaultdict(set)
    for initiative_id, assessment_id, criterion_id, value in Score.objects.filter(
        assessment__round=selection_round, assessment__status=Assessment.Status.SUBMITTED,
        assessment__initiative_id__gte=initiative_ids[0], assessment__initiative_id__lte=initiative_ids[-1],
    ).values_list("assessment__initiative_id", "assessment_id", "criterion_id", "value"):
        if criterion_id in code_of:
            values[initiative_id][code_of[criterion_id]].append(value)
            submitted[initiative_id].add(assessment_id)
    assigned: dict[int, int] = defaultdict(int)
    for initiative_id in RoundAssignment.objects.filter(
        round=selection_round, initiative_id__gte=initiative_ids[0], initiative_id__lte=initiative_ids[-1], excluded=False
    ).values_list("initiative_id", flat=True):
        assigned[initiative_id] += 1
    suggested = _suggestions_for(criteria, lead_orgs)
    threshold = float(selection_round.disagreement_threshold)
    now = timezone.now()
    results = []
    for initiative_id in initiative_ids:
        agg = aggregation.aggregate(
            values[initiative_id], specs, threshold=threshold,
            submitted=len(submitted[initiative_id]), assigned=assigned[initiative_id],
        )
        results.append(InitiativeRoundResult(
            round=selection_round, initiative_id=initiative_id,
            criteria={code: a.as_dict() for code, a in agg.criteria.items()}, suggestions=suggested[initiative_id],
            weighted_total=agg.weighted_total, max_spread=agg.max_spread, disagreement=agg.disagreement,
            submitted_count=len(submitted[initiative_id]), assigned_count=assigned[initiative_id],
            coverage=agg.coverage, computed_at=now,
        ))
    return results


# The same arithmetic as selection.aggregation, set-based: per criterion percentile_cont(0.5)
# (the median with the two middle values averaged), mean, n and spread over the given scores
# ("not applicable" is NULL and skipped by the aggregates), the weighted mean of normalised
# medians over criteria with a median, coverage = submitted / assigned. Suggestions come from
# Python as one jsonb parameter. Results are upserted by (round, initiative).
_AGGREGATE_UPSERT_SQL = """
WITH scope AS (
    SELECT unnest(%(ids)s::bigint[]) AS initiative_id
), crit AS (
    SELECT id, code, weight::float8 AS w, scale_min, scale_max FROM selection_criterion WHERE version_id = %(version)s
), agg AS (
    SELECT a.initiative_id, s.criterion_id,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.value) AS median,
           avg(s.value)::float8 AS mean, count(s.value) AS n, (max(s.value) - min(s.value))::float8 AS spread
    FROM selection_assessment a
    -- LATERAL ... OFFSET 0 keeps this a per-assessment index lookup: a hash join would scan every
    -- score of every round once per chunk, which makes a run quadratic in the round's size.
    CROSS JOIN LATERAL (
        SELECT sc.criterion_id, sc.value FROM selection_score sc WHERE sc.assessment_id = a.id OFFSET 0
    ) s
    WHERE a.round_id = %(round)s AND a.status = 'submitted' AND a.initiative_id BETWEEN %(first)s AND %(last)s
    GROUP BY a.initiative_id, s.criterion_id
), grid AS (
    SELECT sc.initiative_id, crit.code, crit.w, crit.scale_min, crit.scale_max,
           agg.median, agg.mean, coalesce(agg.n, 0) AS n, agg.spread
    FROM scope sc CROSS JOIN crit
    LEFT JOIN agg ON agg.initiative_id = sc.initiative_id AND agg.criterion_id = crit.id
), totals AS (
    SELECT initiative_id,
           jsonb_object_agg(code, jsonb_build_object(
               'median', median, 'mean', mean, 'n', n, 'spread', spread,
               'disagreement', coalesce(spread > %(threshold)s, false))) AS criteria,
           round((100 * sum(w * (median - scale_min) / (scale_max - scale_min)) FILTER (WHERE median IS NOT NULL AND w > 0)
                  / NULLIF(sum(w) FILTER (WHERE median IS NOT NULL AND w > 0), 0))::numeric, 6)::float8 AS weighted_total,
           max(spread) AS max_spread, coalesce(bool_or(spread > %(threshold)s), false) AS disagreement
    FROM grid GROUP BY initiative_id
), submitted AS (
    SELECT initiative_id, count(*) AS c FROM selection_assessment
    WHERE round_id = %(round)s AND status = 'submitted' AND initiative_id BETWEEN %(first)s AND %(last)s
    GROUP BY initiative_id
), assigned AS (
    SELECT initiative_id, count(*) AS c FROM selection_roundassignment
    WHERE round_id = %(round)s AND NOT excluded AND initiative_id BETWEEN %(first)s AND %(last)s
    GROUP BY initiative_id
)
INSERT INTO selection_initiativeroundresult
    (round_id, initiative_id, criteria, suggestions, weighted_total, max_spread, disagreement,
     submitted_count, assigned_count, coverage, computed_at)
SELECT %(round)s, t.initiative_id, t.criteria, coalesce(sg.value, '{}'::jsonb), t.weighted_total, t.max_spread,
       t.disagreement, coalesce(sub.c, 0), coalesce(asg.c, 0),
       CASE WHEN coalesce(asg.c, 0) > 0 THEN least(1.0, coalesce(sub.c, 0)::float8 / asg.c) ELSE 0 END, %(now)s
FROM totals t
LEFT JOIN submitted sub ON sub.initiative_id = t.initiative_id
LEFT JOIN assigned asg ON asg.initiative_id = t.initiative_id
LEFT JOIN jsonb_each(%(suggestions)s::jsonb) sg ON sg.key::bigint = t.initiative_id
ON CONFLICT (round_id, initiative_id) DO UPDATE SET
    criteria = EXCLUDED.criteria, suggestions = EXCLUDED.suggestions, weighted_total = EXCLUDED.weighted_total,
    max_spread = EXCLUDED.max_spread, disagreement = EXCLUDED.disagreement,
    submitted_count = EXCLUDED.submitted_count, assigned_count = EXCLUDED.assigned_count,
    coverage = EXCLUDED.coverage, computed_at = EXCLUDED.computed_at
"""


def round_results_write_sql(*, selection_round: SelectionRound, first_id: int, last_id: int) -> int:
    """PostgreSQL: aggregate and upsert the id range in one statement (suggestions from Python).

    Four queries for the suggestions' inputs, one for scope and one for criteria, one write,
    whatever the chunk size. Returns the number of initiatives written.
    """
    lead_orgs = _chunk_scope(selection_round, first_id, last_id)
    if not lead_orgs:
        return 0
    ids = sorted(lead_orgs)
    criteria = _criteria_specs(selection_round.framework_version_id)
    suggested = _suggestions_for(criteria, lead_orgs)
    with connection.cursor() as cursor:
        if not connection.get_autocommit():
            # The per-initiative JSON aggregation spills to disk with the default 4 MB.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_AGGREGATE_UPSERT_SQL, {
            "ids": ids, "version": selection_round.framework_version_id, "round": selection_round.pk,
            "first": ids[0], "last": ids[-1], "threshold": float(selection_round.disagreement_threshold),
            "suggestions": json.dumps({str(k): v for k, v in suggested.items()}), "now": timezone.now(),
        })
    return len(ids)


RESULT_UPDATE_FIELDS = [
    "criteria", "suggestions", "weighted_total", "max_spread", "disagreement", "submitted_count",
    "assigned_count", "coverage", "computed_at",
]

# The chunk's rows travel as ONE json parameter and are unpacked by PostgreSQL: building a
# thousand-row, ten-thousand-parameter INSERT in Django and psycopg cost more than the insert.
_UPSERT_SQL = """
INSERT INTO selection_initiativeroundresult
    (round_id, initiative_id, criteria, suggestions, weighted_total, max_spread, disagreement,
     submitted_count, assigned_count, coverage, computed_at)
SELECT %(round)s, r.initiative_id, r.criteria, r.suggestions, r.weighted_total, r.max_spread, r.disagreement,
       r.submitted_count, r.assigned_count, r.coverage, %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
    initiative_id bigint, criteria jsonb, suggestions jsonb, weighted_total double precision,
    max_spread double precision, disagreement boolean, submitted_count integer, assigned_count integer,
    coverage double precision)
ON CONFLICT (round_id, initiative_id) DO UPDATE SET
    criteria = EXCLUDED.criteria, suggestions = EXCLUDED.suggestions, weighted_total = EXCLUDED.weighted_total,
    max_spread = EXCLUDED.max_spread, disagreement = EXCLUDED.disagreement,
    submitted_count = EXCLUDED.submitted_count, assigned_count = EXCLUDED.assigned_count,
    coverage = EXCLUDED.coverage, computed_at = EXCLUDED.computed_at
"""


def round_results_upsert(*, rows: list[InitiativeRoundResult]) -> None:
    """Idempotent upsert keyed by (round, initiative), one statement."""
    if not rows:
        return
    if connection.vendor != "postgresql":  # demo mode on SQLite
        InitiativeRoundResult.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["round", "initiative"], update_fields=RESULT_UPDATE_FIELDS,
        )
        return
    payload = json.dumps([
        {
            "initiative_id": r.initiative_id, "criteria": r.criteria, "suggestions": r.suggestions,
            "weighted_total": r.weighted_total, "max_spread": r.max_spread, "disagreement": r.disagreement,
            "submitted_count": r.submitted_count, "assigned_count": r.assigned_count, "coverage": r.coverage,
        }
        for r in rows
    ])
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL, {"round": rows[0].round_id, "now": rows[0].computed_at, "rows": payload})


def scoring_chunk_process(*, chunk_id: int) -> int:
    """Compute and upsert one chunk in one transaction (all rows or none); count it once.

    The last chunk to finish marks the run done (the row lock on the run serialises the counters).
    """
    with transaction.atomic():
        chunk = ScoringChunk.objects.select_for_update().select_related("run__round").get(pk=chunk_id)
        if chunk.done or chunk.run.status != ScoringRun.Status.RUNNING:
            return 0
        run = chunk.run
        if connection.vendor == "postgresql":
            written = round_results_write_sql(
                selection_round=run.round, first_id=chunk.first_id, last_id=chunk.last_id
            )
        else:  # demo mode on SQLite: the Python reference implementation
            rows = round_results_compute(selection_round=run.round, first_id=chunk.first_id, last_id=chunk.last_id)
            round_results_upsert(rows=rows)
            written = len(rows)
        ScoringChunk.objects.filter(pk=chunk.pk).update(done=True, attempts=F("attempts") + 1)
        ScoringRun.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1, initiatives_done=F("initiatives_done") + written
        )
        finished = ScoringRun.objects.filter(
            pk=run.pk, status=ScoringRun.Status.RUNNING, dispatched=True, chunks_done__gte=F("chunk_count")
        ).update(status=ScoringRun.Status.DONE, finished_at=timezone.now())
        if finished:
            # Initiatives that left the scope since an earlier run keep no stale result.
            InitiativeRoundResult.objects.filter(round_id=run.round_id, computed_at__lt=run.started_at).delete()
    return written


def scoring_run_fail(*, run_id: int, error: str) -> None:
    ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING).update(
        status=ScoringRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def scoring_rounds_nightly() -> list[int]:
    """Start a run for every open round (used by beat); rounds with a running run are skipped."""
    started = []
    for selection_round in SelectionRound.objects.filter(status=SelectionRound.Status.OPEN):
        try:
            started.append(scoring_run_start(selection_round=selection_round, actor=None).pk)
        except ConflictError:
            continue
    return started
