"""Shared set-up for API tests: two provinces, ROMs, a board, staff, and their tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from portal.models import Organisation, Region, User
from portal.tests.factories import EcosystemFactory, OrganisationFactory, RegionFactory
from portal.token_services import api_token_issue
from portal.tokens import ApiToken


def issue(organisation: Organisation, role: str | None = None, **kwargs: object) -> tuple[ApiToken, str]:
    return api_token_issue(organisation=organisation, name="test", actor=None, role=role, **kwargs)  # type: ignore[arg-type]


def client_for(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@dataclass
class World:
    p1: Region
    p2: Region
    c1: Region  # a COROP region inside p1
    rom_org: Organisation  # serves p1
    other_rom_org: Organisation  # serves p2
    board_org: Organisation  # leads the ecosystem in p1
    staff_org: Organisation
    ecosystem: object
    other_ecosystem: object
    tokens: dict[str, str]  # role name -> raw token

    def client(self, who: str) -> APIClient:
        return client_for(self.tokens.get(who))

    def user(self, who: str) -> User:
        from portal.token_services import token_hash

        return ApiToken.objects.get(token_hash=token_hash(self.tokens[who])).user


@pytest.fixture
def world(db: None) -> World:
    p1 = RegionFactory(code="TP01", name="Provincie Een", kind=Region.Kind.PROVINCE)
    p2 = RegionFactory(code="TP02", name="Provincie Twee", kind=Region.Kind.PROVINCE)
    c1 = RegionFactory(code="TC01", name="Corop Een", kind=Region.Kind.COROP, parent=p1)
    rom_org = OrganisationFactory(rom=True, slug="rom-een", name="ROM Een")
    rom_org.served_provinces.set([p1])
    other_rom_org = OrganisationFactory(rom=True, slug="rom-twee", name="ROM Twee")
    other_rom_org.served_provinces.set([p2])
    ecosystem = EcosystemFactory(regions=[p1], slug="eco-een")
    other_ecosystem = EcosystemFactory(regions=[p2], slug="eco-twee")
    staff_org = OrganisationFactory(kind=Organisation.Kind.MINISTRY, slug="ezk", name="EZK")
    tokens = {
        "rom": issue(rom_org)[1],
        "rom_other": issue(other_rom_org)[1],
        "board": issue(ecosystem.lead_organisation)[1],
        "staff": issue(staff_org)[1],
    }
    return World(p1, p2, c1, rom_org, other_rom_org, ecosystem.lead_organisation, staff_org, ecosystem,
                 other_ecosystem, tokens)
