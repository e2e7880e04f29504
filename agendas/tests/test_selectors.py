"""Selectors (check input, diff, dashboard status), mail recipients and the read-only admin."""

from __future__ import annotations

import pytest
from django.core import mail

from agendas import selectors, services
from agendas.models import Status
from agendas.tests.factories import fill_complete
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.fixture
def setup(db):
    eco = EcosystemFactory()
    board = board_user_for(eco, email="a@example.org")
    board_user_for(eco, email="b@example.org")
    staff = UserFactory(staff=True, email="team@example.org")
    agenda = services.agenda_create(ecosystem=eco, actor=board)
    return eco, board, staff, agenda


@pytest.mark.django_db
def test_check_input_reads_every_part(setup):
    _eco, _board, _staff, agenda = setup
    version = fill_complete(agenda.versions.get())
    data = selectors.check_input(selectors.version_get(version_id=version.pk))
    assert (len(data.endorsements), len(data.goals), len(data.commitments), len(data.actions)) == (4, 1, 3, 2)
    assert (len(data.human_capital), len(data.funding), len(data.agreements), len(data.review_dates)) == (1, 2, 1, 1)


@pytest.mark.django_db
def test_version_diff_marks_only_changed_blocks(setup):
    _eco, board, _staff, agenda = setup
    services.part_add(version=agenda.versions.get(), actor=board, kind="goal", data={"title": "Banen"})
    services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
    v1, v2 = agenda.versions.get(number=1), agenda.versions.get(number=2)
    services.part_add(version=v2, actor=board, kind="goal", data={"title": "Export"})
    blocks = {b.label: b for b in selectors.version_diff(selectors.version_get(version_id=v1.pk),
                                                         selectors.version_get(version_id=v2.pk))}
    changed = [label for label, b in blocks.items() if b.changed]
    assert changed == ["goals"]
    assert ("add", "goal: Export") in blocks["goals"].lines


@pytest.mark.django_db
def test_dashboard_status_per_ecosystem(setup):
    eco, board, _staff, agenda = setup
    services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
    status = selectors.agenda_status_by_ecosystem()
    assert status[eco.id]["status"] == "submitted"


@pytest.mark.django_db
def test_mail_goes_to_the_other_side_one_message_each(setup, django_capture_on_commit_callbacks):
    _eco, board, staff, agenda = setup
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
    assert [m.to for m in mail.outbox] == [["team@example.org"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert "in beoordeling" in mail.outbox[0].subject  # mail goes out in the portal's language
    assert f"/agendas/{_eco.slug}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_admin_shows_versions_read_only(setup, client):
    _eco, _board, _staff, agenda = setup
    version = agenda.versions.get()
    client.force_login(UserFactory(admin=True))
    assert client.get("/admin/agendas/agendaversion/").status_code == 200
    response = client.get(f"/admin/agendas/agendaversion/{version.pk}/change/")
    assert response.status_code == 200
    assert 'name="vision"' not in response.content.decode()
    assert client.post(f"/admin/agendas/agendaversion/{version.pk}/change/", {"vision": "x"}).status_code == 403
