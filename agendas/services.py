"""Writes for agendas: drafts (with optimistic locking), rows, the workflow, assessments.

Every function takes the acting user and checks permissions itself; every change writes an
Activity row. A frozen (submitted) version is never changed here: `_ensure_draft` guards every
content write, so the immutability rule holds for views, the API, imports and the admin alike.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agendas import workflow
from agendas.models import (
    CONTENT_FIELDS,
    CRITERIA,
    PART_MODELS,
    Agenda,
    AgendaVersion,
    CriterionAssessment,
    Status,
    VersionPart,
)
from portal import permissions
from portal.exceptions import ApplicationError, ConflictError, InvalidTransition
from portal.models import Ecosystem, User
from portal.services import activity_record, model_update


def _ensure_draft(version: AgendaVersion) -> None:
    if version.frozen:
        raise ApplicationError(
            _("Version %(number)s has been submitted and can no longer be changed.") % {"number": version.number}
        )


@transaction.atomic
def agenda_create(*, ecosystem: Ecosystem, actor: User, title: str = "") -> Agenda:
    """Start the ecosystem's agenda with an empty draft version 1. Idempotent per ecosystem."""
    if not (permissions.is_admin(actor) or ecosystem.id in permissions.board_ecosystem_ids(actor)):
        raise PermissionDenied
    agenda, created = Agenda.objects.get_or_create(
        ecosystem=ecosystem, defaults={"title": title or _("RIEA %(name)s") % {"name": ecosystem.name}}
    )
    if created:
        AgendaVersion.objects.create(agenda=agenda, number=1)
        activity_record(actor=actor, verb="agenda.created", target=agenda)
    return agenda


def _lock_draft(version: AgendaVersion) -> AgendaVersion:
    """Re-read the version under a row lock so concurrent saves are serialised."""
    return AgendaVersion.objects.select_for_update().select_related("agenda").get(pk=version.pk)


@transaction.atomic
def version_update(
    *, version: AgendaVersion, actor: User, data: dict[str, Any], lock_version: int
) -> AgendaVersion:
    """Save text parts of a draft.

    `lock_version` is the number the editor loaded. If someone saved in between, the stored number
    is higher and ConflictError is raised: nothing is written, the caller keeps the user's text.
    """
    permissions.access_write(actor, version)
    current = _lock_draft(version)
    _ensure_draft(current)
    if current.lock_version != lock_version:
        raise ConflictError(
            _("Someone else saved this draft in the meantime. Your text has not been saved yet."),
            extra={"lock_version": current.lock_version},
        )
    unknown = set(data) - set(CONTENT_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    changes = model_update(instance=current, data=data, actor=actor, verb="agenda.draft_updated")
    if changes:
        AgendaVersion.objects.filter(pk=current.pk).update(lock_version=F("lock_version") + 1)
        current.refresh_from_db(fields=["lock_version", "updated_at"])
    return current


def _part_model(kind: str) -> tuple[type[VersionPart], str]:
    try:
        return PART_MODELS[kind]
    except KeyError as exc:
        raise ApplicationError(_("Unknown part: %(kind)s") % {"kind": kind}) from exc


@transaction.atomic
def part_add(
    *, version: AgendaVersion, actor: User, kind: str, data: dict[str, Any], initiative_ids: list[int] | None = None
) -> VersionPart:
    """Add one row (endorsement, goal, funding line, ...) to a draft."""
    permissions.access_write(actor, version)
    current = _lock_draft(version)
    _ensure_draft(current)
    model, _related = _part_model(kind)
    position = model.objects.filter(version=current).count()
    part = model(version=current, position=position, **data)
    part.full_clean()
    part.save()
    if initiative_ids:
        part.initiatives.set(initiative_ids)  # type: ignore[attr-defined]
    activity_record(
        actor=actor, verb="agenda.part_added", target=current, changes={kind: [None, str(part)]}
    )
    return part


@transaction.atomic
def part_remove(*, version: AgendaVersion, actor: User, kind: str, part_id: int) -> None:
    permissions.access_write(actor, version)
    current = _lock_draft(version)
    _ensure_draft(current)
    model, _related = _part_model(kind)
    part = model.objects.filter(version=current, pk=part_id).first()
    if part is None:
        return  # already gone: removing twice is harmless
    text = str(part)
    part.delete()
    activity_record(actor=actor, verb="agenda.part_removed", target=current, changes={kind: [text, None]})


@transaction.atomic
def parts_replace(
    *, version: AgendaVersion, actor: User, parts: dict[str, list[dict[str, Any]]]
) -> dict[str, int]:
    """Replace all rows of the given kinds (an Excel import). All or nothing: one transaction.

    Returns the number of rows written per kind.
    """
    permissions.access_write(actor, version)
    current = _lock_draft(version)
    _ensure_draft(current)
    counts: dict[str, int] = {}
    for kind, rows in parts.items():
        model, _related = _part_model(kind)
        model.objects.filter(version=current).delete()
        objs = []
        for position, row in enumerate(rows):
            obj = model(version=current, position=position, **row)
            obj.full_clean()
            objs.append(obj)
        model.objects.bulk_create(objs)
        counts[kind] = len(objs)
    activity_record(actor=actor, verb="agenda.imported", target=current, changes={
        kind: [None, n] for kind, n in counts.items()
    })
    return counts


def _copy_version(source: AgendaVersion, *, number: int) -> AgendaVersion:
    """A new draft with the source's content and rows: the board edits on from where it was."""
    draft = AgendaVersion.objects.create(
        agenda_id=source.agenda_id, number=number, **{f: getattr(source, f) for f in CONTENT_FIELDS}
    )
    for model, related in PART_MODELS.values():
        rows = list(getattr(source, related).all())
        links = [
            (row.pk, [i.id for i in row.initiatives.all()]) for row in rows if hasattr(row, "initiatives")
        ]
        old_ids = [r.pk for r in rows]
        for row in rows:
            row.pk = None
            row.id = None  # type: ignore[attr-defined]
            row.version = draft
            row._state.adding = True
        model.objects.bulk_create(rows)  # Postgres returns the new ids
        if links:
            new_by_old = dict(zip(old_ids, rows, strict=True))
            for old_id, initiative_ids in links:
                if initiative_ids:
                    new_by_old[old_id].initiatives.set(initiative_ids)  # type: ignore[attr-defined]
    return draft


def agenda_draft(agenda: Agenda) -> AgendaVersion:
    return agenda.versions.get(frozen=False)


def agenda_latest_frozen(agenda: Agenda) -> AgendaVersion | None:
    return agenda.versions.filter(frozen=True).order_by("-number").first()


@transaction.atomic
def agenda_transition(*, agenda: Agenda, actor: User, target: str, note: str = "") -> Agenda:
    """Move the agenda to `target` if ALLOWED_TRANSITIONS lets the actor's role do so.

    Submitting freezes the current draft (it becomes the version under review) and opens a new
    draft for the board. Feedback and adoption need a score for every criterion and set the
    version's overall verdict. Raises InvalidTransition when the table does not allow it.
    """
    agenda = Agenda.objects.select_for_update().select_related("ecosystem").get(pk=agenda.pk)
    role = permissions.agenda_role(actor, agenda.ecosystem_id)
    source = agenda.status
    if not workflow.is_allowed(source=source, target=target, role=role):
        raise InvalidTransition(
            _("The agenda cannot go from '%(source)s' to '%(target)s' for your role.")
            % {"source": Status(source).label, "target": Status(target).label if target in Status.values else target},
            extra={"source": source, "target": target, "role": role},
        )
    now = timezone.now()
    version: AgendaVersion | None
    if target == Status.SUBMITTED:
        version = _lock_draft(agenda_draft(agenda))
        version.frozen = True
        version.status = Status.SUBMITTED
        version.submitted_at = now
        version.submitted_by = actor
        version.save(update_fields=["frozen", "status", "submitted_at", "submitted_by", "updated_at"])
        _copy_version(version, number=version.number + 1)
    elif target == Status.REVISED:
        version = agenda_latest_frozen(agenda)
    else:
        version = agenda_latest_frozen(agenda)
        if version is None:  # the table only reaches these states after a submission
            raise ApplicationError(_("This agenda has no submitted version."))
        if target in {Status.FEEDBACK, Status.ADOPTED}:
            scored = set(version.assessments.values_list("criterion", flat=True))
            missing = [str(n) for n in CRITERIA if n not in scored]
            if missing:
                raise ApplicationError(
                    _("Score every criterion first; missing: %(list)s.") % {"list": ", ".join(missing)}
                )
            version.verdict = AgendaVersion.Verdict.ADOPT if target == Status.ADOPTED else AgendaVersion.Verdict.REVISE
            version.verdict_feedback = note
            version.verdict_by = actor
        version.status = target
        version.save(update_fields=["status", "verdict", "verdict_feedback", "verdict_by", "updated_at"])
    agenda.status = target
    agenda.save(update_fields=["status", "updated_at"])
    activity_record(
        actor=actor, verb=f"agenda.{target}", target=agenda, changes={"status": [source, target]},
        note=note if not version else f"v{version.number}: {note}".strip(": "),
    )
    transaction.on_commit(lambda: _notify(agenda_id=agenda.pk, target=target, actor_id=actor.pk))
    return agenda


def _notify(*, agenda_id: int, target: str, actor_id: int) -> None:
    """E-mail the other side: the programme team when the board acts, the board otherwise."""
    agenda = Agenda.objects.select_related("ecosystem").get(pk=agenda_id)
    board_action = target in {Status.SUBMITTED, Status.REVISED}
    if board_action:
        recipients = User.objects.filter(role=User.Role.STAFF, is_active=True)
    else:
        recipients = User.objects.filter(
            role=User.Role.BOARD, organisation_id=agenda.ecosystem.lead_organisation_id, is_active=True
        )
    addresses = sorted({e for e in recipients.exclude(id=actor_id).values_list("email", flat=True) if e})
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Agenda %(title)s: %(status)s") % {"title": agenda.title, "status": Status(target).label}
        body = _("The agenda %(title)s of %(ecosystem)s now has the status '%(status)s'.\n\nSee %(url)s") % {
            "title": agenda.title, "ecosystem": agenda.ecosystem.name, "status": Status(target).label,
            # PORTAL_BASE_URL (optional, e.g. https://portal.example.nl) makes the link absolute.
            "url": getattr(settings, "PORTAL_BASE_URL", "") + reverse("agendas:detail", args=[agenda.ecosystem.slug]),
        }
    # One message per recipient so addresses are not disclosed to each other.
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses], fail_silently=False)


@transaction.atomic
def criterion_assess(
    *, version: AgendaVersion, actor: User, criterion: int, score: int, feedback: str = ""
) -> CriterionAssessment:
    """Score one criterion of a version under review (0-3), with feedback for the board."""
    if not permissions.is_programme_team(actor):
        raise PermissionDenied
    version = AgendaVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.IN_REVIEW:
        raise ApplicationError(_("Only a version that is in review can be assessed."))
    if criterion not in CRITERIA:
        raise ApplicationError(_("Unknown criterion: %(n)s") % {"n": criterion})
    existing = CriterionAssessment.objects.filter(version=version, criterion=criterion).first()
    if existing is None:
        assessment = CriterionAssessment(
            version=version, criterion=criterion, score=score, feedback=feedback, assessed_by=actor
        )
        assessment.full_clean()
        assessment.save()
        activity_record(
            actor=actor, verb="agenda.assessed", target=version,
            changes={f"criterion_{criterion}": [None, f"{score}: {feedback}"]},
        )
        return assessment
    if existing.score != score or existing.feedback != feedback:
        old = f"{existing.score}: {existing.feedback}"
        existing.score, existing.feedback, existing.assessed_by = score, feedback, actor
        existing.full_clean()
        existing.save(update_fields=["score", "feedback", "assessed_by", "updated_at"])
        activity_record(
            actor=actor, verb="agenda.assessed", target=version,
            changes={f"criterion_{criterion}": [old, f"{score}: {feedback}"]},
        )
    return existing
