"""The permission matrix: every initiative endpoint x role x object, reads and writes.

Objects: `p1_draft` lies in province 1 (served by "rom", in the ecosystem "board" leads),
`p2_draft` in province 2 (served by "rom_other"), `p2_public` is published in province 2.
404 where the client may not even know the object exists; 403 where it may read but not write.
"""

from __future__ import annotations

import pytest

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from initiatives.tests.test_api import URL, payload
from portal.tests import api_support
from portal.tests.api_support import World

world = api_support.world
pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rom", "rom_other", "board", "staff"]
OBJECTS = ["p1_draft", "p2_draft", "p2_public"]


@pytest.fixture
def objects(world: World) -> dict[str, Initiative]:
    return {
        "p1_draft": InitiativeFactory(ecosystem=world.ecosystem, owner_organisation=world.rom_org, draft=True),
        "p2_draft": InitiativeFactory(ecosystem=world.other_ecosystem, draft=True),
        "p2_public": InitiativeFactory(ecosystem=world.other_ecosystem),
    }


READ = {
    "anonymous": {"p1_draft": 401, "p2_draft": 401, "p2_public": 401},
    "rom": {"p1_draft": 200, "p2_draft": 404, "p2_public": 200},
    "rom_other": {"p1_draft": 404, "p2_draft": 200, "p2_public": 200},
    "board": {"p1_draft": 200, "p2_draft": 404, "p2_public": 200},
    "staff": {"p1_draft": 200, "p2_draft": 200, "p2_public": 200},
}
WRITE = {
    "anonymous": {"p1_draft": 401, "p2_draft": 401, "p2_public": 401},
    "rom": {"p1_draft": 200, "p2_draft": 404, "p2_public": 403},
    "rom_other": {"p1_draft": 404, "p2_draft": 200, "p2_public": 200},
    "board": {"p1_draft": 200, "p2_draft": 404, "p2_public": 403},
    "staff": {"p1_draft": 403, "p2_draft": 403, "p2_public": 403},
}
# Creating in province 1 with the board's ecosystem / in province 2 without an ecosystem.
CREATE = {
    "anonymous": {"p1": 401, "p2": 401},
    "rom": {"p1": 201, "p2": 403},
    "rom_other": {"p1": 403, "p2": 201},
    "board": {"p1": 201, "p2": 403},
    "staff": {"p1": 403, "p2": 403},
}


def _client(world: World, role: str):  # type: ignore[no-untyped-def]
    return api_support.client_for(None) if role == "anonymous" else world.client(role)


def _create_body(world: World, where: str) -> dict[str, object]:
    if where == "p1":
        return payload(world, regions=[world.p1.code], ecosystem=world.ecosystem.slug)
    return payload(world, regions=[world.p2.code])


@pytest.mark.parametrize("role", ROLES)
def test_read_matrix(world: World, objects: dict[str, Initiative], role: str) -> None:
    client = _client(world, role)
    got = {name: client.get(f"{URL}{obj.pk}/").status_code for name, obj in objects.items()}
    assert got == READ[role]
    listed = client.get(f"{URL}?page_size=500")
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        visible = {row["id"] for row in listed.json()["results"]}
        assert visible == {obj.pk for name, obj in objects.items() if READ[role][name] == 200}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(world: World, objects: dict[str, Initiative], role: str, method: str) -> None:
    client = _client(world, role)
    got = {}
    for name, obj in objects.items():
        region = world.p1 if name == "p1_draft" else world.p2
        ecosystem = world.ecosystem if name == "p1_draft" else world.other_ecosystem
        body = payload(world, regions=[region.code], ecosystem=ecosystem.slug, title="Gewijzigd")
        response = getattr(client, method)(f"{URL}{obj.pk}/", body if method != "delete" else None, format="json")
        got[name] = response.status_code
        obj.refresh_from_db()
        changed = obj.title == "Gewijzigd" or obj.status == Initiative.Status.ARCHIVED
        assert changed == (response.status_code in (200, 204)), (name, response.status_code)
    expected = {k: (204 if v == 200 and method == "delete" else v) for k, v in WRITE[role].items()}
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_create_matrix(world: World, role: str) -> None:
    client = _client(world, role)
    got = {where: client.post(URL, _create_body(world, where), format="json").status_code for where in ("p1", "p2")}
    assert got == CREATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_upsert_matrix(world: World, role: str) -> None:
    client = _client(world, role)
    got = {
        where: client.put(f"{URL}external/E-{where}/", _create_body(world, where), format="json").status_code
        for where in ("p1", "p2")
    }
    assert got == CREATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_bulk_matrix(world: World, role: str) -> None:
    client = _client(world, role)
    got = {}
    for where in ("p1", "p2"):
        response = client.post(f"{URL}bulk/", {"items": [{**_create_body(world, where), "external_id": where}]},
                               format="json")
        got[where] = response.status_code
    # A bulk request reports a row it may not write as a row error (400), not as 403.
    expected = {k: {201: 200, 403: 400}.get(v, v) for k, v in CREATE[role].items()}
    assert got == expected


def test_rom_cannot_upsert_another_organisations_record_by_its_id(world: World) -> None:
    theirs = InitiativeFactory(ecosystem=world.ecosystem, external_id="SAME", regions=[world.p1])
    response = world.client("rom").put(f"{URL}external/SAME/", payload(world), format="json")
    assert response.status_code == 201  # a new record of the ROM's own, theirs untouched
    theirs.refresh_from_db()
    assert theirs.title != "Fieldlab waterstof"
