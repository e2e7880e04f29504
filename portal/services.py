"""Writes for the core: the activity log, generic field updates, ecosystems, statistics."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from portal import permissions
from portal.models import (
    Activity,
    Ecosystem,
    EcosystemPartner,
    EcosystemStatistics,
    HelixRole,
    User,
    WeakSpot,
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(_jsonable(v) for v in value)
    return value


def activity_record(
    *, actor: User | None, verb: str, target: models.Model, changes: dict[str, Any] | None = None, note: str = ""
) -> Activity:
    """Record one change. `changes` maps field name to [old, new]."""
    return Activity.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=target.pk,
        target_repr=str(target)[:300],
        changes={k: [_jsonable(v[0]), _jsonable(v[1])] for k, v in (changes or {}).items()},
        note=note,
    )


def model_update(*, instance: models.Model, data: dict[str, Any], actor: User | None, verb: str) -> dict[str, Any]:
    """Set the fields in `data` that differ, validate, save only those, and record the change.

    Many-to-many fields are set after the save. Returns the changes as {field: [old, new]}; an
    empty dict means nothing changed and nothing was written.
    """
    changes: dict[str, Any] = {}
    m2m_updates: dict[str, Any] = {}
    for field_name, new_value in data.items():
        field = instance._meta.get_field(field_name)
        if field.many_to_many:
            current = set(getattr(instance, field_name).all())
            wanted = set(new_value)
            if current != wanted:
                changes[field_name] = [current, wanted]
                m2m_updates[field_name] = wanted
            continue
        old_value = getattr(instance, field_name)
        if old_value != new_value:
            changes[field_name] = [old_value, new_value]
            setattr(instance, field_name, new_value)
    if not changes:
        return {}
    instance.full_clean()
    scalar = [f for f in changes if f not in m2m_updates]
    if scalar:
        update_fields = [instance._meta.get_field(f).attname for f in scalar]
        if any(f.name == "updated_at" for f in instance._meta.fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    for field_name, values in m2m_updates.items():
        getattr(instance, field_name).set(values)
    activity_record(actor=actor, verb=verb, target=instance, changes=changes)
    return changes


@transaction.atomic
def ecosystem_update(*, ecosystem: Ecosystem, actor: User, data: dict[str, Any]) -> Ecosystem:
    permissions.access_write(actor, ecosystem)
    model_update(instance=ecosystem, data=data, actor=actor, verb="ecosystem.updated")
    return ecosystem


@transaction.atomic
def weak_spot_set(
    *, ecosystem: Ecosystem, actor: User, category: str, severity: int, description: str = ""
) -> WeakSpot:
    permissions.access_write(actor, ecosystem)
    spot, created = WeakSpot.objects.get_or_create(
        ecosystem=ecosystem, category=category, defaults={"severity": severity, "description": description}
    )
    if created:
        spot.full_clean()
        activity_record(actor=actor, verb="ecosystem.weak_spot_added", target=ecosystem, changes={
            "weak_spot": [None, f"{spot.get_category_display()} ({spot.get_severity_display()})"]
        })
    else:
        model_update(
            instance=spot, data={"severity": severity, "description": description}, actor=actor,
            verb="ecosystem.weak_spot_updated",
        )
    return spot


def ecosystem_statistics_compute(*, ecosystem_id: int) -> EcosystemStatistics:
    """Recompute an ecosystem's derived figures. Idempotent: one row per ecosystem, overwritten."""
    from initiatives.models import Initiative

    helix = Counter(
        EcosystemPartner.objects.filter(ecosystem_id=ecosystem_id).values_list("helix_role", flat=True)
    )
    partners_per_role = {role.value: helix.get(role.value, 0) for role in HelixRole}
    themes = Counter(
        Initiative.objects.filter(ecosystem_id=ecosystem_id)
        .exclude(status__in=[Initiative.Status.MERGED, Initiative.Status.ARCHIVED])
        .values_list("theme__code", flat=True)
    )
    stats, _created = EcosystemStatistics.objects.update_or_create(
        ecosystem_id=ecosystem_id,
        defaults={
            "initiative_count": sum(themes.values()),
            "partners_per_helix_role": partners_per_role,
            "initiatives_per_theme": {code or "": n for code, n in sorted(themes.items(), key=lambda kv: kv[0] or "")},
            "all_helix_roles_present": all(partners_per_role.values()),
            "computed_at": timezone.now(),
        },
    )
    return stats
