from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.models import Organisation, User
from portal.tests import api_support
from portal.tests.api_support import World, client_for, issue
from portal.tests.factories import OrganisationFactory, UserFactory
from portal.token_services import api_token_revoke, token_hash
from portal.tokens import ApiToken

world = api_support.world
pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored(world: World) -> None:
    token, raw = issue(world.rom_org)
    token.refresh_from_db()
    assert token.token_hash == token_hash(raw)
    assert raw not in {str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()}
    assert raw.startswith(token.prefix)


def test_token_acts_as_service_user_with_role_from_organisation_kind(world: World) -> None:
    response = world.client("rom").get("/api/v1/token/")
    assert response.status_code == 200
    assert response.json()["organisation"] == "rom-een"
    assert response.json()["role"] == User.Role.ROM
    assert response.json()["provinces_served"] == ["TP01"]
    assert world.user("staff").role == User.Role.STAFF
    assert world.user("board").role == User.Role.BOARD


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nonsense", "Bearer a b", "Basic abc"])
def test_missing_or_wrong_credentials_are_401(world: World, header: str) -> None:
    client = client_for(None)
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/token/")
    assert response.status_code == 401
    assert set(response.json()) == {"message", "extra"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(world: World) -> None:
    token, raw = issue(world.rom_org)
    assert client_for(raw).get("/api/v1/token/").status_code == 200
    api_token_revoke(token=token, actor=None)
    assert client_for(raw).get("/api/v1/token/").status_code == 401


def test_expired_token_is_401(world: World) -> None:
    token, raw = issue(world.rom_org, expires_at=timezone.now() + dt.timedelta(days=1))
    assert client_for(raw).get("/api/v1/token/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client_for(raw).get("/api/v1/token/").status_code == 401


def test_last_used_is_updated_at_most_once_a_minute(world: World) -> None:
    token, raw = issue(world.rom_org)
    assert token.last_used_at is None
    client_for(raw).get("/api/v1/token/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client_for(raw).get("/api/v1/token/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client_for(raw).get("/api/v1/token/")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


def test_command_prints_the_token_once_and_stores_its_hash(world: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "rom-een", "--name", "CRM-koppeling", "--expires-days", "30", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(token_hash=token_hash(raw))
    assert token.name == "CRM-koppeling"
    assert token.organisation == world.rom_org
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert "shown only once" in err.getvalue()
    assert client_for(raw).get("/api/v1/token/").status_code == 200


def test_command_rejects_unknown_organisation_and_bad_options(world: World) -> None:
    with pytest.raises(CommandError, match="organisation"):
        call_command("issue_api_token", "bestaat-niet", stdout=io.StringIO())
    with pytest.raises(CommandError, match="expires-days"):
        call_command("issue_api_token", "rom-een", "--expires-days", "0", stdout=io.StringIO())
    company = OrganisationFactory(kind=Organisation.Kind.COMPANY, slug="bedrijf")
    with pytest.raises(CommandError, match="role"):
        call_command("issue_api_token", company.slug, stdout=io.StringIO())


def test_admin_issues_token_and_shows_it_once(world: World, client: object) -> None:
    admin = UserFactory(admin=True)
    admin_client = client
    admin_client.force_login(admin)  # type: ignore[attr-defined]
    response = admin_client.post(  # type: ignore[attr-defined]
        "/admin/portal/apitoken/add/",
        {"organisation": world.rom_org.pk, "name": "via admin", "role": "", "expires_at_0": "", "expires_at_1": "",
         "rate_limit": ""},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="via admin")
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m.split(": ")[-1] for m in shown if token.prefix in m)
    assert token_hash(raw) == token.token_hash
    response = admin_client.post(  # type: ignore[attr-defined]
        "/admin/portal/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
