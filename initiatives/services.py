"""Writes for initiatives. Every change checks permissions and is recorded in the activity log."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from initiatives.models import FundingLine, Initiative
from initiatives.tasks import overlap_check_initiative as overlap_check_initiative_task
from portal import permissions
from portal.exceptions import ApplicationError, PreconditionFailed
from portal.models import Region, User
from portal.services import activity_record, model_update

M2M_FIELDS = ("regions", "partners", "priorities", "vision_windows")
# The fields the overlap detector reads (initiatives.selectors.overlap_docs).
OVERLAP_FIELDS = frozenset({"title", "description", "theme", "priorities", "partners", "regions", "type", "stage"})


def _overlap_check_on_commit(initiative_id: int) -> None:
    """Suggestions for a new or edited initiative appear seconds after the commit."""
    transaction.on_commit(functools.partial(overlap_check_initiative_task.delay, initiative_id=initiative_id))


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    scalar = {k: v for k, v in data.items() if k not in M2M_FIELDS}
    m2m = {k: v for k, v in data.items() if k in M2M_FIELDS}
    return scalar, m2m


def _region_ids(regions: Any) -> set[int]:
    return {r.id if isinstance(r, Region) else int(r) for r in regions}


@transaction.atomic
def initiative_create(*, actor: User, data: dict[str, Any]) -> Initiative:
    """Register a new initiative. `data` holds model fields; m2m fields as iterables.

    The owner organisation is the actor's organisation unless an admin says otherwise.
    """
    scalar, m2m = _split(data)
    regions = m2m.get("regions") or []
    if not regions:
        raise ValidationError({"regions": _("Choose at least one region.")})
    ecosystem = scalar.get("ecosystem")
    ecosystem_id = ecosystem.id if ecosystem is not None else scalar.get("ecosystem_id")
    if not permissions.can_create_initiative(actor, ecosystem_id=ecosystem_id, region_ids=_region_ids(regions)):
        raise PermissionDenied
    if "owner_organisation" not in scalar and "owner_organisation_id" not in scalar:
        scalar["owner_organisation_id"] = actor.organisation_id
    initiative = Initiative(**scalar, created_by=actor, updated_by=actor)
    initiative.full_clean()
    initiative.save()
    for field_name, values in m2m.items():
        if values:  # a new row has no links yet: nothing to clear (saves a query per relation)
            getattr(initiative, field_name).set(values)
    activity_record(actor=actor, verb="initiative.created", target=initiative)
    _overlap_check_on_commit(initiative.id)
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Change an initiative. Returns the changes; records them with who and when."""
    permissions.access_write(actor, initiative)
    if "regions" in data and not permissions.is_admin(actor):
        new_regions = _region_ids(data["regions"])
        if not new_regions:
            raise ValidationError({"regions": _("Choose at least one region.")})
        # A ROM must not move an initiative out of the provinces it serves.
        if permissions.is_rom(actor) and not permissions.rom_serves_regions(actor, new_regions):
            raise PermissionDenied
    if "ecosystem" in data and permissions.is_board(actor):
        new_ecosystem = data["ecosystem"]
        if new_ecosystem is None or new_ecosystem.id not in permissions.board_ecosystem_ids(actor):
            raise PermissionDenied
    changes = model_update(instance=initiative, data=data, actor=actor, verb="initiative.updated")
    if changes:
        # Who changed it last, and updated_at moves even when only relations changed: API
        # clients sync on it (updated_since) and versions (ETag) derive from it. A call that
        # changes nothing writes nothing, not even an activity row.
        initiative.updated_by = actor
        initiative.save(update_fields=["updated_by", "updated_at"])
    if OVERLAP_FIELDS & changes.keys():
        _overlap_check_on_commit(initiative.id)
    return changes


@transaction.atomic
def funding_line_add(*, initiative: Initiative, actor: User, data: dict[str, Any]) -> FundingLine:
    permissions.access_write(actor, initiative)
    line = FundingLine(initiative=initiative, **data)
    line.full_clean()
    line.save()
    activity_record(
        actor=actor, verb="initiative.funding_line_added", target=initiative,
        changes={"funding_line": [None, str(line)]},
    )
    return line


# --- API writes: versioned updates, upserts by external id, bulk, soft delete -----------------

STALE_VERSION_MSG = _("The initiative was changed since you read it; fetch it again (If-Match).")
NO_ORGANISATION_MSG = _("Upserts by external id need an organisation.")
DUPLICATE_IN_BATCH_MSG = _("This external id occurs earlier in the same request.")
NOT_ALLOWED_MSG = _("You may not write this initiative.")
BULK_FAILED_MSG = _("No initiative was saved: some rows have errors.")
BULK_MAX_ROWS = 1000


def _check_version(initiative: Initiative | None, expected: list[str] | None) -> None:
    """`expected` holds the If-Match versions (or ["*"]); None means the client sent none."""
    from initiatives.selectors import initiative_version

    if expected is None:
        return
    if initiative is None or ("*" not in expected and initiative_version(initiative) not in expected):
        raise PreconditionFailed(STALE_VERSION_MSG)


@transaction.atomic
def initiative_update_versioned(
    *, initiative_id: int, actor: User, data: dict[str, Any], expected_versions: list[str] | None
) -> Initiative:
    """initiative_update under a row lock, refusing when the client's version is stale.

    The lock makes check-and-write one step, so two clients holding the same version cannot
    both succeed (no lost update).
    """
    from initiatives.selectors import initiative_api_get

    initiative = initiative_api_get(user=actor, initiative_id=initiative_id, for_update=True)
    _check_version(initiative, expected_versions)
    initiative_update(initiative=initiative, actor=actor, data=data)
    return initiative


@transaction.atomic
def initiative_archive(*, initiative_id: int, actor: User, expected_versions: list[str] | None = None) -> Initiative:
    """Soft delete: the row stays (history, links) with status archived."""
    return initiative_update_versioned(
        initiative_id=initiative_id, actor=actor, data={"status": Initiative.Status.ARCHIVED},
        expected_versions=expected_versions,
    )


@transaction.atomic
def initiative_upsert(
    *, actor: User, external_id: str, data: dict[str, Any], expected_versions: list[str] | None = None
) -> tuple[Initiative, bool]:
    """Create or update the actor organisation's initiative with this external id.

    Returns (initiative, created). Safe to repeat: the same call twice leaves one row.
    """
    if not actor.organisation_id:
        raise ApplicationError(NO_ORGANISATION_MSG)
    data = {k: v for k, v in data.items() if k != "external_id"}
    lookup = {"owner_organisation_id": actor.organisation_id, "external_id": external_id}
    existing = Initiative.objects.select_for_update().filter(**lookup).first()
    if existing is None:
        _check_version(None, expected_versions)
        try:
            # A savepoint: a concurrent upsert of the same id makes this insert fail, and we then
            # update the row it created instead.
            with transaction.atomic():
                return initiative_create(actor=actor, data={**data, "external_id": external_id}), True
        except IntegrityError:
            existing = Initiative.objects.select_for_update().filter(**lookup).first()
            if existing is None:
                raise
    _check_version(existing, expected_versions)
    initiative_update(initiative=existing, actor=actor, data=data)
    return existing, False


def _row_errors(exc: Exception) -> dict[str, Any]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        return {"non_field_errors": [str(m) for m in exc.messages]}
    if isinstance(exc, PermissionDenied):
        return {"non_field_errors": [str(NOT_ALLOWED_MSG)]}
    if isinstance(exc, ApplicationError):
        return exc.extra.get("fields") or {"non_field_errors": [exc.message]}
    raise exc


@transaction.atomic
def initiative_bulk_upsert(*, actor: User, rows: list[dict[str, Any]]) -> list[tuple[Initiative, bool]]:
    """Upsert many rows by external id, all or nothing.

    Every row is tried (each in a savepoint), so the client gets all row errors at once; if any
    row fails, ApplicationError is raised with `extra["rows"]` = [{index, external_id, fields}]
    and the whole transaction rolls back.
    """
    if len(rows) > BULK_MAX_ROWS:
        raise ApplicationError(
            _("At most %(n)d rows per request.") % {"n": BULK_MAX_ROWS}, extra={"fields": {"items": [
                _("At most %(n)d rows per request.") % {"n": BULK_MAX_ROWS}]}},
        )
    results: list[tuple[Initiative, bool]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        external_id = row["external_id"]
        if external_id in seen:
            errors.append({"index": index, "external_id": external_id,
                           "fields": {"external_id": [str(DUPLICATE_IN_BATCH_MSG)]}})
            continue
        seen.add(external_id)
        try:
            with transaction.atomic():
                results.append(initiative_upsert(actor=actor, external_id=external_id, data=row))
        except (ValidationError, PermissionDenied, ApplicationError) as exc:
            errors.append({"index": index, "external_id": external_id, "fields": _row_errors(exc)})
    if errors:
        raise ApplicationError(BULK_FAILED_MSG, extra={"fields": {}, "rows": errors})
    return results
