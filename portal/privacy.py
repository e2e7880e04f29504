"""Personal data of users: export (GDPR art. 15/20) and erasure by anonymisation (art. 17).

Erasure keeps the user row and its id, so every foreign key (created_by, assessor, activity actor,
...) and the audit trail stay intact; only the data that identifies the person is replaced. The
activity history is scrubbed too: the person's name, username and e-mail are removed from the
recorded changes and descriptions, wherever they occur.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from initiatives.models import Initiative
from portal.models import Activity, User
from portal.services import activity_record

ERASED = "[erased]"
PROFILE_FIELDS = ("id", "username", "first_name", "last_name", "email", "role", "is_active",
                  "date_joined", "last_login")


def _user_references(user: User) -> dict[str, list[int]]:
    """Every row that points at the user, as {"app.model.field": [ids]} (hidden relations too)."""
    found: dict[str, list[int]] = {}
    for rel in User._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue
        model = rel.related_model
        if model is Activity or model is User:
            continue
        field = rel.field
        if rel.many_to_many:
            ids = list(model.objects.filter(**{field.name: user}).values_list("pk", flat=True))
        else:
            ids = list(model._default_manager.filter(**{field.name: user.pk}).values_list("pk", flat=True))
        if ids:
            found[f"{model._meta.label_lower}.{field.name}"] = ids
    return found


def personal_data_export(user: User) -> dict[str, Any]:
    """Everything the portal holds about the person, JSON-ready."""
    user_type = ContentType.objects.get_for_model(User)
    activity = [
        {"id": a.id, "verb": a.verb, "target": f"{a.target_type.app_label}.{a.target_type.model}:{a.target_id}",
         "target_repr": a.target_repr, "changes": a.changes, "note": a.note, "created_at": a.created_at}
        for a in Activity.objects.filter(actor=user).select_related("target_type").order_by("id").iterator(2000)
    ]
    about = list(Activity.objects.filter(target_type=user_type, target_id=user.pk)
                 .order_by("id").values("id", "verb", "changes", "created_at"))
    contacts = list(Initiative.objects.filter(contact_email__iexact=user.email).values("id", "title", "contact_name",
                                                                                     "contact_email")) if user.email else []
    return {
        "profile": {f: getattr(user, f) for f in PROFILE_FIELDS}
        | {"organisation": user.organisation_id and str(user.organisation)},
        "activity_by_user": activity,
        "activity_about_user": about,
        "initiative_contacts": contacts,
        "references": _user_references(user),
    }


def personal_data_export_json(user: User) -> str:
    return json.dumps(personal_data_export(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            if needle and needle.lower() in value.lower():
                value = re.sub(re.escape(needle), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


@transaction.atomic
def personal_data_erase(*, user: User, actor: User | None) -> dict[str, int]:
    """Anonymise the user in place and scrub their identifying data from history. Returns counts."""
    user = User.objects.select_for_update().get(pk=user.pk)
    full_name = f"{user.first_name} {user.last_name}".strip()
    # Longest first, so "Jan Jansen" goes before "Jan". Short fragments (< 3 chars) would scrub noise.
    needles = sorted({n for n in (user.email, user.username, full_name, user.first_name, user.last_name)
                      if n and len(n) >= 3}, key=len, reverse=True)
    old_email = user.email

    user.username = f"erased-{user.pk}"
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.password = make_password(None)  # unusable
    user.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
    User.objects.filter(pk=user.pk).update(last_login=None)

    # History: rows about the user lose their recorded values; rows by the user or mentioning them
    # are scrubbed of name/username/e-mail. Ids, verbs and timestamps stay (audit integrity).
    user_type = ContentType.objects.get_for_model(User)
    about = Activity.objects.filter(target_type=user_type, target_id=user.pk)
    about_count = about.update(target_repr=f"user {user.pk}", changes={})
    scrubbed = 0
    candidates = Activity.objects.exclude(target_type=user_type, target_id=user.pk)
    text_match = models.Q()
    for needle in needles:
        text_match |= (models.Q(target_repr__icontains=needle) | models.Q(note__icontains=needle)
                       | models.Q(changes__icontains=needle))
    if needles:
        batch: list[Activity] = []
        for row in candidates.filter(text_match).only("id", "target_repr", "note", "changes").iterator(2000):
            row.target_repr = _scrub(row.target_repr, needles)[:300]
            row.note = _scrub(row.note, needles)
            row.changes = _scrub(row.changes, needles)
            batch.append(row)
            if len(batch) >= 2000:
                scrubbed += len(batch)
                Activity.objects.bulk_update(batch, ["target_repr", "note", "changes"])
                batch = []
        scrubbed += len(batch)
        Activity.objects.bulk_update(batch, ["target_repr", "note", "changes"])

    contacts = 0
    if old_email:
        contacts = Initiative.objects.filter(contact_email__iexact=old_email).update(contact_name="", contact_email="")

    activity_record(actor=actor, verb="personal_data_erased", target=user)
    return {"activity_about_user": about_count, "activity_scrubbed": scrubbed, "initiative_contacts": contacts}
