"""The one place that answers "may this user read / write this object?".

Every view, API and service asks here, never by hand. Rules (DOMAIN.md):
- programme staff, assessors and admins read everything;
- admins write everything; staff write the national frame and assessments (in their own apps);
- a regional board writes only the objects of the ecosystems its organisation leads;
- a ROM writes only initiatives whose provinces it all serves;
- anyone (also anonymous) reads published initiatives and published ecosystems.

Apps register rules for their own models with `register(Model, read=..., write=...)`, so this
module stays the single entry point without importing every app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from initiatives.models import FundingLine, Initiative
from portal.models import Ecosystem, Organisation, Region, User

AnyUser = User | AnonymousUser
Rule = Callable[[AnyUser, Any], bool]

_READ_RULES: dict[type[Model], Rule] = {}
_WRITE_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], *, read: Rule, write: Rule) -> None:
    _READ_RULES[model] = read
    _WRITE_RULES[model] = write


def _rule_for(rules: dict[type[Model], Rule], obj: Any) -> Rule:
    for klass in type(obj).__mro__:
        if klass in rules:
            return rules[klass]
    raise LookupError(f"No permission rule registered for {type(obj).__name__}")


def can_read(user: AnyUser, obj: Any) -> bool:
    return _rule_for(_READ_RULES, obj)(user, obj)


def can_write(user: AnyUser, obj: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return _rule_for(_WRITE_RULES, obj)(user, obj)


def access_read(user: AnyUser, obj: Any) -> Any:
    """Return obj or raise PermissionDenied."""
    if not can_read(user, obj):
        raise PermissionDenied
    return obj


def access_write(user: AnyUser, obj: Any) -> Any:
    if not can_write(user, obj):
        raise PermissionDenied
    return obj


# --- role helpers ----------------------------------------------------------------------------


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == User.Role.ADMIN))


def is_programme_team(user: AnyUser) -> bool:
    """Staff, assessors and admins: they read everything."""
    return bool(user.is_authenticated and (is_admin(user) or user.role in {User.Role.STAFF, User.Role.ASSESSOR}))


def is_staff_member(user: AnyUser) -> bool:
    """Programme staff proper (not plain assessors): they decide and manage the frame."""
    return bool(user.is_authenticated and (is_admin(user) or user.role == User.Role.STAFF))


def is_board(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.role == User.Role.BOARD and user.organisation_id)


def is_rom(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.role == User.Role.ROM and user.organisation_id)


def board_ecosystem_ids(user: AnyUser) -> set[int]:
    """Ids of the ecosystems whose board this user sits on (led by the user's organisation)."""
    if not is_board(user):
        return set()
    cached = getattr(user, "_board_ecosystem_ids", None)
    if cached is None:
        cached = set(Ecosystem.objects.filter(lead_organisation_id=user.organisation_id).values_list("id", flat=True))
        user._board_ecosystem_ids = cached  # type: ignore[union-attr]
    return cached


def rom_province_ids(user: AnyUser) -> set[int]:
    """Ids of the provinces the user's ROM serves."""
    if not is_rom(user):
        return set()
    cached = getattr(user, "_rom_province_ids", None)
    if cached is None:
        cached = set(
            Organisation.served_provinces.through.objects.filter(organisation_id=user.organisation_id).values_list(
                "region_id", flat=True
            )
        )
        user._rom_province_ids = cached  # type: ignore[union-attr]
    return cached


def province_ids_of_regions(region_ids: set[int]) -> set[int]:
    """Map a set of region ids (provinces or COROP regions) to their province ids.

    A landsdeel is wider than any province, so it maps to no single province and is returned as
    itself (a ROM then never "serves" it).
    """
    if not region_ids:
        return set()
    provinces: set[int] = set()
    for region_id, kind, parent_id in Region.objects.filter(id__in=region_ids).values_list("id", "kind", "parent_id"):
        if kind == Region.Kind.COROP and parent_id:
            provinces.add(parent_id)
        else:
            provinces.add(region_id)
    return provinces


def rom_serves_regions(user: AnyUser, region_ids: set[int]) -> bool:
    """True when every region lies in a province the ROM serves (and there is at least one)."""
    if not region_ids:
        return False
    return province_ids_of_regions(region_ids) <= rom_province_ids(user)


# --- rules for the core models ---------------------------------------------------------------


def _ecosystem_read(user: AnyUser, ecosystem: Ecosystem) -> bool:
    return ecosystem.published or is_programme_team(user) or ecosystem.id in board_ecosystem_ids(user) or is_rom(user)


def _ecosystem_write(user: AnyUser, ecosystem: Ecosystem) -> bool:
    return is_admin(user) or ecosystem.id in board_ecosystem_ids(user)


def _reference_read(user: AnyUser, obj: Any) -> bool:
    return True


def _admin_only_write(user: AnyUser, obj: Any) -> bool:
    return is_admin(user)


def _frame_write(user: AnyUser, obj: Any) -> bool:
    return is_staff_member(user)


def _organisation_write(user: AnyUser, organisation: Organisation) -> bool:
    return is_admin(user)


def _register_core() -> None:
    from portal.models import (
        EcosystemPartner,
        FundingInstrument,
        FutureVisionWindow,
        Priority,
        Theme,
        WeakSpot,
    )

    register(Ecosystem, read=_ecosystem_read, write=_ecosystem_write)
    register(
        EcosystemPartner,
        read=lambda u, o: _ecosystem_read(u, o.ecosystem),
        write=lambda u, o: _ecosystem_write(u, o.ecosystem),
    )
    register(
        WeakSpot,
        read=lambda u, o: _ecosystem_read(u, o.ecosystem),
        write=lambda u, o: _ecosystem_write(u, o.ecosystem),
    )
    register(Region, read=_reference_read, write=_admin_only_write)
    register(Organisation, read=_reference_read, write=_organisation_write)
    for model in (Priority, FutureVisionWindow, Theme, FundingInstrument):
        register(model, read=_reference_read, write=_frame_write)
    register(User, read=lambda u, o: is_admin(u) or (u.is_authenticated and u.pk == o.pk), write=_admin_only_write)


_register_core()


# --- initiatives -----------------------------------------------------------------------------


def _initiative_region_ids(initiative: Initiative) -> set[int]:
    # Prefetched regions avoid a query per row on list pages.
    cache = getattr(initiative, "_prefetched_objects_cache", {})
    if "regions" in cache:
        return {r.id for r in cache["regions"]}
    return set(initiative.regions.values_list("id", flat=True))


def _initiative_read(user: AnyUser, initiative: Initiative) -> bool:
    if initiative.published and initiative.status != Initiative.Status.DRAFT:
        return True
    if is_programme_team(user):
        return True
    if initiative.ecosystem_id and initiative.ecosystem_id in board_ecosystem_ids(user):
        return True
    if is_rom(user):
        return initiative.owner_organisation_id == user.organisation_id or rom_serves_regions(
            user, _initiative_region_ids(initiative)
        )
    return False


def _initiative_write(user: AnyUser, initiative: Initiative) -> bool:
    if is_admin(user):
        return True
    if is_board(user):
        return bool(initiative.ecosystem_id and initiative.ecosystem_id in board_ecosystem_ids(user))
    if is_rom(user):
        return rom_serves_regions(user, _initiative_region_ids(initiative))
    return False


def can_create_initiative(user: AnyUser, *, ecosystem_id: int | None, region_ids: set[int]) -> bool:
    """May this user register a new initiative for this ecosystem and these regions?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user):
        return True
    if is_board(user):
        return bool(ecosystem_id and ecosystem_id in board_ecosystem_ids(user))
    if is_rom(user):
        return rom_serves_regions(user, region_ids)
    return False


register(Initiative, read=_initiative_read, write=_initiative_write)
register(
    FundingLine,
    read=lambda u, o: _initiative_read(u, o.initiative),
    write=lambda u, o: _initiative_write(u, o.initiative),
)


def initiatives_visible_to(user: AnyUser, queryset: QuerySet[Initiative] | None = None) -> QuerySet[Initiative]:
    """The initiatives this user may read, as a queryset (same rules as _initiative_read)."""
    qs = queryset if queryset is not None else Initiative.objects.all()
    if is_programme_team(user):
        return qs
    public = Q(published=True) & ~Q(status=Initiative.Status.DRAFT)
    if is_board(user):
        return qs.filter(public | Q(ecosystem_id__in=board_ecosystem_ids(user)))
    if is_rom(user):
        provinces = rom_province_ids(user)
        # The served provinces and their COROP regions as a plain id list (a dozen ids), so the
        # checks below read only the tag table; "a tag inside" first narrows the rows that need
        # the "no tag outside" check.
        scope = list(Region.objects.filter(
            Q(id__in=provinces) | Q(parent_id__in=provinces, kind=Region.Kind.COROP)
        ).values_list("id", flat=True))
        tags = Initiative.regions.through.objects.filter(initiative_id=OuterRef("pk"))
        # "A tag inside, none outside" as LIMIT 1 scalar subqueries, which PostgreSQL cannot turn
        # into hashes of all tags (as it does with EXISTS / IN under an OR): each costs one index
        # probe, and only for the rows that are neither public nor the ROM's own.
        first_inside = Subquery(tags.filter(region_id__in=scope).values("region_id")[:1])
        first_outside = Subquery(tags.exclude(region_id__in=scope).values("region_id")[:1])
        in_scope = Q(IsNull(first_inside, False)) & Q(IsNull(first_outside, True))
        return qs.filter(public | Q(owner_organisation_id=user.organisation_id) | in_scope)
    return qs.filter(public)


# --- queryset scoping ------------------------------------------------------------------------


def ecosystems_visible_to(user: AnyUser, queryset: QuerySet[Ecosystem] | None = None) -> QuerySet[Ecosystem]:
    qs = queryset if queryset is not None else Ecosystem.objects.all()
    if is_programme_team(user) or is_rom(user):
        return qs
    if is_board(user):
        return qs.filter(Q(published=True) | Q(id__in=board_ecosystem_ids(user)))
    return qs.filter(published=True)


# --- agendas (RIEA) --------------------------------------------------------------------------
# Programme team reads every agenda and version; the ecosystem's own board reads and edits its
# drafts; everyone else (other boards, ROMs, public) sees only adopted versions. Whether a version
# may still change (frozen after submission) is the service's question, not this one.


def agenda_role(user: AnyUser, ecosystem_id: int) -> str | None:
    """The user's role towards one ecosystem's agenda: "board", "staff", "assessor" or None."""
    if ecosystem_id in board_ecosystem_ids(user):
        return "board"
    if is_staff_member(user):
        return "staff"
    if is_programme_team(user):
        return "assessor"
    return None


def _agenda_version_read(user: AnyUser, version: Any) -> bool:
    if is_programme_team(user) or version.agenda.ecosystem_id in board_ecosystem_ids(user):
        return True
    return version.status == "adopted"


def _agenda_version_write(user: AnyUser, version: Any) -> bool:
    return is_admin(user) or version.agenda.ecosystem_id in board_ecosystem_ids(user)


def _agenda_read(user: AnyUser, agenda: Any) -> bool:
    if is_programme_team(user) or agenda.ecosystem_id in board_ecosystem_ids(user):
        return True
    return agenda.versions.filter(status="adopted").exists()


def _register_agendas() -> None:
    from agendas.models import Agenda, AgendaVersion, CriterionAssessment, VersionPart

    register(
        Agenda,
        read=_agenda_read,
        write=lambda u, o: is_admin(u) or o.ecosystem_id in board_ecosystem_ids(u),
    )
    register(AgendaVersion, read=_agenda_version_read, write=_agenda_version_write)
    register(
        VersionPart,
        read=lambda u, o: _agenda_version_read(u, o.version),
        write=lambda u, o: _agenda_version_write(u, o.version),
    )
    # Scores are the programme team's judgement; the board reads them once feedback is given.
    register(
        CriterionAssessment,
        read=lambda u, o: is_programme_team(u) or (
            o.version.agenda.ecosystem_id in board_ecosystem_ids(u) and o.version.status in {"feedback", "adopted"}
        ) or o.version.status == "adopted",
        write=lambda u, o: is_programme_team(u),
    )


_register_agendas()
# --- selection (assessment framework, rounds, assessments, decisions) ------------------------
# Assessors see only initiatives assigned to them in open rounds; boards see decisions (and
# aggregated results) of their own ecosystems' initiatives only, never individual scores; only
# staff with the decision role (is_staff_member) manage rounds and decide.


def can_manage_selection(user: AnyUser) -> bool:
    return is_staff_member(user)


def can_decide(user: AnyUser) -> bool:
    return is_staff_member(user)


def can_assess(user: AnyUser, selection_round: Any, initiative_id: int) -> bool:
    """An open round, an assignment for this user and initiative, and no conflict of interest."""
    from selection.models import RoundAssignment, SelectionRound

    if not user.is_authenticated or not user.is_active or not is_programme_team(user):
        return False
    if selection_round.status != SelectionRound.Status.OPEN:
        return False
    return RoundAssignment.objects.filter(
        round=selection_round, initiative_id=initiative_id, assessor_id=user.pk, excluded=False
    ).exists()


def _selection_round_read(user: AnyUser, selection_round: Any) -> bool:
    if is_staff_member(user):
        return True
    return bool(
        is_programme_team(user)
        and selection_round.status == "open"
        and selection_round.assignments.filter(assessor_id=user.pk).exists()
    )


def _assessment_read(user: AnyUser, assessment: Any) -> bool:
    return is_staff_member(user) or (user.is_authenticated and assessment.assessor_id == user.pk)


def _assessment_write(user: AnyUser, assessment: Any) -> bool:
    return (
        assessment.assessor_id == user.pk
        and assessment.status == "draft"
        and can_assess(user, assessment.round, assessment.initiative_id)
    )


def _own_initiative_outcome_read(user: AnyUser, obj: Any) -> bool:
    """Results and decisions: staff, or the board of the initiative's own ecosystem."""
    if is_staff_member(user):
        return True
    ecosystem_id = obj.initiative.ecosystem_id
    return bool(ecosystem_id and ecosystem_id in board_ecosystem_ids(user))


def _decision_read(user: AnyUser, decision: Any) -> bool:
    """A decision (never the scores behind it): also for the ROM that may write the initiative."""
    if _own_initiative_outcome_read(user, decision):
        return True
    return is_rom(user) and _initiative_write(user, decision.initiative)


def decisions_visible_to(user: AnyUser) -> QuerySet:
    """The decisions this user may read, as a queryset (same rules as _decision_read)."""
    from selection.models import Decision

    qs = Decision.objects.all()
    if is_staff_member(user):
        return qs
    if is_board(user):
        return qs.filter(initiative__ecosystem_id__in=board_ecosystem_ids(user))
    if is_rom(user):
        return qs.filter(initiative_id__in=rom_writable_initiative_ids(user))
    return qs.none()


def _register_selection() -> None:
    from selection.models import (
        Assessment,
        ConflictDeclaration,
        Criterion,
        Decision,
        Framework,
        FrameworkVersion,
        InitiativeRoundResult,
        ScoringRun,
        SelectionRound,
    )

    for model in (Framework, FrameworkVersion, Criterion):
        register(model, read=lambda u, o: is_programme_team(u), write=_frame_write)
    register(SelectionRound, read=_selection_round_read, write=lambda u, o: can_manage_selection(u))
    register(ScoringRun, read=lambda u, o: is_staff_member(u), write=lambda u, o: can_manage_selection(u))
    register(Assessment, read=_assessment_read, write=_assessment_write)
    register(
        ConflictDeclaration,
        read=lambda u, o: is_staff_member(u) or (u.is_authenticated and o.assessor_id == u.pk),
        write=lambda u, o: o.assessor_id == u.pk,
    )
    register(InitiativeRoundResult, read=_own_initiative_outcome_read, write=lambda u, o: False)
    register(Decision, read=_decision_read, write=lambda u, o: can_decide(u))


_register_selection()
# --- overlap detection (initiatives app) -----------------------------------------------------
# Staff review and act on every suggestion. A board sees the suggestions that involve one of its
# own initiatives and may propose a link from its own initiative; it decides nothing else. A ROM
# sees the suggestions that involve initiatives it may write.


def _board_owns(user: AnyUser, initiative: Initiative) -> bool:
    return bool(initiative.ecosystem_id and initiative.ecosystem_id in board_ecosystem_ids(user))


def _suggestion_read(user: AnyUser, suggestion: Any) -> bool:
    if is_programme_team(user):
        return True
    if is_board(user):
        return _board_owns(user, suggestion.a) or _board_owns(user, suggestion.b)
    if is_rom(user):
        return _initiative_write(user, suggestion.a) or _initiative_write(user, suggestion.b)
    return False


def _staff_only(user: AnyUser, obj: Any) -> bool:
    return is_staff_member(user)


def can_propose_link(user: AnyUser, *, from_initiative: Initiative, to_initiative: Initiative) -> bool:
    """Staff link anything; a board links only from one of its own initiatives."""
    if not user.is_authenticated or not user.is_active or from_initiative.pk == to_initiative.pk:
        return False
    if is_staff_member(user):
        return True
    return is_board(user) and _board_owns(user, from_initiative)


def can_answer_link(user: AnyUser, link: Any) -> bool:
    """The board of the receiving initiative (or staff) accepts or declines a proposed link."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_staff_member(user) or (is_board(user) and _board_owns(user, link.to_initiative))


def overlap_suggestions_visible_to(user: AnyUser, queryset: QuerySet | None = None) -> QuerySet:
    from initiatives.models import OverlapSuggestion

    qs = queryset if queryset is not None else OverlapSuggestion.objects.all()
    if is_programme_team(user):
        return qs
    if is_board(user):
        own = board_ecosystem_ids(user)
        return qs.filter(Q(a__ecosystem_id__in=own) | Q(b__ecosystem_id__in=own))
    if is_rom(user):
        in_scope = rom_writable_initiative_ids(user)
        return qs.filter(Q(a_id__in=in_scope) | Q(b_id__in=in_scope))
    return qs.none()


def rom_writable_initiative_ids(user: AnyUser) -> QuerySet:
    """Ids (a subquery) of the initiatives a ROM may write: every region in a province it serves."""
    provinces = rom_province_ids(user)
    outside = Initiative.regions.through.objects.exclude(region_id__in=provinces).exclude(
        region__parent_id__in=provinces, region__kind=Region.Kind.COROP
    )
    return Initiative.objects.filter(regions__isnull=False).exclude(id__in=outside.values("initiative_id")).values("id")


def _register_overlap() -> None:
    from initiatives.models import InitiativeLink, OverlapRun, OverlapSuggestion

    register(OverlapSuggestion, read=_suggestion_read, write=_staff_only)
    register(OverlapRun, read=lambda u, o: is_programme_team(u), write=_staff_only)
    register(
        InitiativeLink,
        read=lambda u, o: _initiative_read(u, o.from_initiative) or _initiative_read(u, o.to_initiative),
        write=_staff_only,
    )


_register_overlap()


# --- webhooks --------------------------------------------------------------------------------
# A ROM manages the webhook endpoints of its own organisation; programme staff read them all (to
# help a ROM debug); boards and others have none.


def can_manage_webhooks(user: AnyUser) -> bool:
    return is_rom(user) and bool(user.is_active)


def _webhook_endpoint_read(user: AnyUser, endpoint: Any) -> bool:
    return is_staff_member(user) or (can_manage_webhooks(user) and endpoint.organisation_id == user.organisation_id)


def _webhook_endpoint_write(user: AnyUser, endpoint: Any) -> bool:
    return can_manage_webhooks(user) and endpoint.organisation_id == user.organisation_id


def can_read_webhooks(user: AnyUser) -> bool:
    """May use the webhook API at all (boards and others get 403)."""
    return is_staff_member(user) or can_manage_webhooks(user)


def webhook_endpoints_visible_to(user: AnyUser) -> QuerySet:
    from portal.webhooks import WebhookEndpoint

    qs = WebhookEndpoint.objects.all()
    if is_staff_member(user):
        return qs
    if can_manage_webhooks(user):
        return qs.filter(organisation_id=user.organisation_id)
    return qs.none()


def _register_webhooks() -> None:
    from portal.webhooks import WebhookDelivery, WebhookEndpoint

    register(WebhookEndpoint, read=_webhook_endpoint_read, write=_webhook_endpoint_write)
    register(
        WebhookDelivery,
        read=lambda u, o: _webhook_endpoint_read(u, o.endpoint),
        write=lambda u, o: False,
    )


_register_webhooks()
