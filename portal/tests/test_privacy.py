"""Personal data: export, erasure (history scrubbed, ids kept), commands, admin actions, log masking."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from initiatives.tests.factories import InitiativeFactory
from portal.logging import JsonFormatter, PersonalDataFilter, mask_personal_data
from portal.models import Activity, User
from portal.privacy import personal_data_erase, personal_data_export
from portal.services import activity_record
from portal.tests.factories import UserFactory


@pytest.fixture
def person(db) -> User:
    user = UserFactory(username="jjansen", first_name="Jan", last_name="Jansen", email="jan.jansen@example.org")
    initiative = InitiativeFactory(contact_name="Jan Jansen", contact_email="Jan.Jansen@example.org")
    activity_record(actor=user, verb="update", target=initiative,
                    changes={"contact_email": ["", "jan.jansen@example.org"], "title": ["a", "b"]},
                    note="Gewijzigd door Jan Jansen")
    activity_record(actor=None, verb="update", target=user, changes={"email": ["old@example.org", user.email]})
    return user


def test_export_holds_profile_activity_and_contacts(person):
    data = personal_data_export(person)
    assert data["profile"]["email"] == "jan.jansen@example.org"
    assert data["profile"]["username"] == "jjansen"
    assert len(data["activity_by_user"]) == 1
    assert data["activity_by_user"][0]["changes"]["title"] == ["a", "b"]
    assert len(data["activity_about_user"]) == 1
    assert [c["contact_name"] for c in data["initiative_contacts"]] == ["Jan Jansen"]
    json.dumps(data, default=str)  # JSON-ready


def test_erase_anonymises_keeps_ids_and_scrubs_history(person):
    admin = UserFactory(admin=True)
    other = UserFactory(first_name="Piet", email="piet@example.org")
    activity_record(actor=other, verb="update", target=other, note="Piet blijft")
    before = Activity.objects.count()
    counts = personal_data_erase(user=person, actor=admin)
    person.refresh_from_db()
    assert person.username == f"erased-{person.pk}"
    assert (person.first_name, person.last_name, person.email, person.is_active) == ("", "", "", False)
    assert not person.has_usable_password()
    # History kept (one more row recording the erasure), actor ids kept, no trace of name or e-mail.
    assert Activity.objects.count() == before + 1
    assert Activity.objects.filter(actor=person).count() == 1
    dump = json.dumps(list(Activity.objects.values("target_repr", "note", "changes")))
    for needle in ("jan.jansen", "Jansen", "jjansen"):
        assert needle.lower() not in dump.lower()
    assert "Piet blijft" in dump
    assert counts["initiative_contacts"] == 1
    assert counts["activity_scrubbed"] == 1
    assert Activity.objects.filter(verb="personal_data_erased", actor=admin, target_id=person.pk).exists()
    other.refresh_from_db()
    assert other.email == "piet@example.org"


def test_commands(person):
    out = io.StringIO()
    call_command("export_personal_data", "jjansen", stdout=out)
    assert json.loads(out.getvalue())["profile"]["email"] == "jan.jansen@example.org"
    with pytest.raises(CommandError) as exc:
        call_command("export_personal_data", "niemand")
    assert exc.value.returncode == 2 and "Unknown user" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("erase_personal_data", "jjansen")
    assert exc.value.returncode == 2 and "--yes" in str(exc.value)
    person.refresh_from_db()
    assert person.email  # nothing erased without --yes
    with pytest.raises(CommandError) as exc:
        call_command("erase_personal_data", "niemand", "--yes")
    assert exc.value.returncode == 2
    out = io.StringIO()
    call_command("erase_personal_data", "jjansen", "--yes", stdout=out)
    person.refresh_from_db()
    assert person.email == "" and f"Erased user {person.pk}" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_command_exit_code_is_2():
    import os
    import subprocess
    import sys

    from django.db import connection

    settings_db = connection.settings_dict
    dsn = f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/{settings_db['NAME']}"
    env = {**os.environ, "DATABASE_URL": dsn, "PORTAL_DEMO": "1"}

    # The real process exit code, as an operator's script sees it.
    result = subprocess.run([sys.executable, "manage.py", "erase_personal_data", "niemand", "--yes"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2, (dsn, result.stderr[-300:])
    assert "Unknown user" in result.stderr


def test_admin_actions(client, person):
    admin = UserFactory(admin=True)
    client.force_login(admin)
    url = reverse("admin:portal_user_changelist")
    response = client.post(url, {"action": "export_personal_data", "_selected_action": [person.pk]})
    assert response.status_code == 200
    assert json.loads(response.content)["jjansen"]["profile"]["email"] == "jan.jansen@example.org"
    response = client.post(url, {"action": "erase_personal_data", "_selected_action": [person.pk, admin.pk]})
    assert response.status_code == 302
    person.refresh_from_db()
    admin.refresh_from_db()
    assert person.email == "" and person.username.startswith("erased-")
    assert admin.email  # an admin cannot erase themselves by accident


def test_log_filter_masks_email_and_ip():
    assert mask_personal_data("login jan@example.org from 10.1.2.3 user 7") == "login [email] from [ip] user 7"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad value %s for user %s", ("a.b@c.nl", 12), None)
    record.username = "jjansen"
    assert PersonalDataFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "bad value [email] for user 12"
    assert record.username == "[masked]"


def test_log_filter_masks_exception_text():
    try:
        raise ValueError("no such user jan@example.org")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    PersonalDataFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "jan@example.org" not in line and "[email]" in line


def test_configured_handlers_use_the_filter(caplog):
    # Apply the settings' LOGGING as Django does at start-up: another test in the same process
    # (an in-process Celery worker) may have replaced the root handlers since.
    logging.config.dictConfig(settings.LOGGING)
    root = logging.getLogger()
    assert any(isinstance(f, PersonalDataFilter) for h in root.handlers for f in h.filters)
