"""API: an initiative's contact person is personal data; only the owner organisation and the
programme team get it, everyone else gets null."""

from __future__ import annotations

import pytest

from initiatives.tests.test_api import URL, rom_initiative
from portal.tests import api_support
from portal.tests.api_support import World

world = api_support.world


@pytest.mark.django_db
def test_contact_only_for_owner_and_programme_team(world: World) -> None:
    initiative = rom_initiative(world, ecosystem=world.ecosystem, contact_name="Jan Jansen",
                                contact_email="jan@example.org")
    seen = {}
    for who in ("rom", "board", "staff"):
        response = world.client(who).get(f"{URL}{initiative.pk}/")
        assert response.status_code == 200, (who, response.content)
        body = response.json()
        seen[who] = (body["contact_name"], body["contact_email"])
        listed = world.client(who).get(URL).json()["results"]
        assert [(r["contact_name"], r["contact_email"]) for r in listed if r["id"] == initiative.pk] == [seen[who]]
    assert seen["rom"] == ("Jan Jansen", "jan@example.org")
    assert seen["board"] == (None, None)
    assert seen["staff"] == ("Jan Jansen", "jan@example.org")
