"""Writes for initiatives. Every change checks permissions and is recorded in the activity log."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from initiatives.models import FundingLine, Initiative
from initiatives.tasks import overlap_check_initiative as overlap_check_initiative_task
from portal import permissions
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
    if data:
        data = {**data, "updated_by": actor}
    changes = model_update(instance=initiative, data=data, actor=actor, verb="initiative.updated")
    changes.pop("updated_by", None)
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
