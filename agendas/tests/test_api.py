"""Read-only API: adopted versions with criterion results; drafts and versions in review never leak."""

from __future__ import annotations

import pytest

from agendas import services
from agendas.models import Status
from agendas.tests.factories import fill_complete
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


def make_agenda(name: str, staff, *, adopt: bool):
    eco = EcosystemFactory(name=name, slug=name.lower())
    board = board_user_for(eco)
    agenda = services.agenda_create(ecosystem=eco, actor=board)
    fill_complete(agenda.versions.get())
    services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
    if adopt:
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
        version = agenda.versions.get(number=1)
        for n in range(1, 8):
            services.criterion_assess(version=version, actor=staff, criterion=n, score=n % 4, feedback=f"f{n}")
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.ADOPTED, note="Mooi")
    return agenda


@pytest.mark.django_db
class TestAdoptedAgendaApi:
    def test_list_shows_only_adopted_versions(self, client, staff, django_assert_max_num_queries):
        for i in range(4):
            make_agenda(f"Adopted{i}", staff, adopt=True)
        make_agenda("InReview", staff, adopt=False)
        client.force_login(board_user_for(EcosystemFactory()))
        with django_assert_max_num_queries(15):
            response = client.get("/api/v1/agendas/")
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 4
        assert {r["ecosystem"]["slug"] for r in data["results"]} == {f"adopted{i}" for i in range(4)}
        first = data["results"][0]
        assert first["version"] == 1 and first["verdict"] == "adopt" and first["verdict_feedback"] == "Mooi"
        assert [c["criterion"] for c in first["criteria"]] == list(range(1, 8))
        c6 = first["criteria"][5]
        assert c6["check"] == "met"
        assert c6["figures"]["leverage"] == "2.00"
        assert c6["score"] == 2 and c6["feedback"] == "f6"

    def test_detail_and_404_for_unadopted(self, client, staff):
        make_agenda("Brainport", staff, adopt=True)
        make_agenda("Twente", staff, adopt=False)
        client.force_login(staff)
        assert client.get("/api/v1/agendas/brainport/").json()["ecosystem"]["name"] == "Brainport"
        response = client.get("/api/v1/agendas/twente/")
        assert response.status_code == 404
        assert set(response.json()) == {"message", "extra"}

    def test_anonymous_gets_error_shape(self, client, db):
        response = client.get("/api/v1/agendas/")
        assert response.status_code == 401  # no credentials: the API asks for a bearer token
        assert set(response.json()) == {"message", "extra"}
