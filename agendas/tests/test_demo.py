import pytest

from agendas import selectors
from agendas.demo import seed_agendas
from agendas.models import Agenda, Status
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.mark.django_db
def test_seed_agendas_is_idempotent(reference_data):
    # The same slugs and usernames as portal.demo (which needs the whole demo catalogue).
    board_user_for(EcosystemFactory(slug="brainport-eindhoven"), username="bestuur-brainport")
    board_user_for(EcosystemFactory(slug="zuid-holland"), username="bestuur-zuid-holland")
    UserFactory(staff=True, username="programmateam")
    assert seed_agendas() == 2
    assert seed_agendas() == 0
    brainport = Agenda.objects.get(ecosystem__slug="brainport-eindhoven")
    assert brainport.status == Status.ADOPTED
    assert brainport.versions.count() == 2
    adopted = selectors.version_get(version_id=brainport.versions.get(number=1).pk)
    assert {r.status for r in selectors.version_checks(adopted).values()} == {"met"}
    zh = Agenda.objects.get(ecosystem__slug="zuid-holland")
    assert zh.status == Status.FEEDBACK
    statuses = {r.status for r in selectors.version_checks(selectors.version_get(
        version_id=zh.versions.get(number=1).pk)).values()}
    assert "partly" in statuses
