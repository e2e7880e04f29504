"""The open platform: anonymous visitors see published work only, and nothing internal, anywhere."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.services import initiative_update
from initiatives.tests.factories import InitiativeFactory
from portal.models import Region
from portal.tests.factories import EcosystemFactory, OrganisationFactory, board_user_for

SECRETS = [
    "Geheim concept",  # a draft
    "Verborgen initiatief",  # active but not published
    "Concept-maar-gepubliceerd",  # draft with the published flag set: still not public
    "Verborgen Ecosysteem",  # an unpublished ecosystem
    "geheim@example.org",  # contact e-mail of a published initiative
    "EXT-SECRET-42",  # external id of a published initiative
    "Bart Bestuurder",  # the person who changed it (history)
    "Registrant BV",  # the registering organisation
]


@pytest.fixture
def world(reference_data):
    region = Region.objects.get(code="CR36")
    eco = EcosystemFactory(name="Brainport Open", slug="brainport-open", regions=[region])
    hidden_eco = EcosystemFactory(name="Verborgen Ecosysteem", slug="verborgen", published=False, regions=[region])
    owner = OrganisationFactory(name="Registrant BV", short_name="Registrant BV")
    public = InitiativeFactory(
        ecosystem=eco, title="Open fieldlab", contact_email="geheim@example.org", external_id="EXT-SECRET-42",
        owner_organisation=owner, regions=[region],
    )
    initiative_update(
        initiative=public, actor=board_user_for(eco, first_name="Bart", last_name="Bestuurder"), data={"stage": "scaling"}
    )
    InitiativeFactory(ecosystem=eco, title="Geheim concept", draft=True, regions=[region])
    InitiativeFactory(ecosystem=eco, title="Verborgen initiatief", unpublished=True, regions=[region])
    InitiativeFactory(ecosystem=eco, title="Concept-maar-gepubliceerd", status="draft", published=True, regions=[region])
    return {"eco": eco, "hidden_eco": hidden_eco, "public": public}


def public_pages(world) -> list[str]:
    public = world["public"]
    return [
        reverse("home"),
        reverse("initiatives:list"),
        reverse("initiatives:list") + "?q=concept",
        reverse("initiatives:list") + "?region=PV30",
        reverse("initiatives:detail", args=[public.pk]),
        reverse("ecosystem-list"),
        reverse("ecosystem-detail", args=["brainport-open"]),
        reverse("region-panel", args=["CR36"]),
        reverse("region-panel", args=["PV30"]),
        reverse("map-boundaries"),
    ]


@pytest.mark.django_db
class TestOpenPlatform:
    def test_no_page_shows_anything_unpublished_or_internal(self, client, world):
        for url in public_pages(world):
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for secret in SECRETS:
                assert secret not in body, (url, secret)
        assert "Open fieldlab" in client.get(reverse("initiatives:list")).content.decode()

    def test_exports_hold_only_published_rows_and_no_internal_columns(self, client, world):
        response = client.get(reverse("initiatives:export", args=["csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "Open fieldlab" in text
        for secret in SECRETS:
            assert secret not in text, secret
        workbook = load_workbook(io.BytesIO(client.get(reverse("initiatives:export", args=["xlsx"])).content))
        cells = " ".join(str(v) for row in workbook.active.values for v in row if v is not None)
        assert "Open fieldlab" in cells
        for secret in SECRETS:
            assert secret not in cells, secret

    def test_hidden_things_are_not_reachable_by_url(self, client, world):
        from initiatives.models import Initiative

        for title in ("Geheim concept", "Verborgen initiatief", "Concept-maar-gepubliceerd"):
            pk = Initiative.objects.get(title=title).pk
            assert client.get(reverse("initiatives:detail", args=[pk])).status_code == 403, title
            assert client.get(reverse("initiatives:edit", args=[pk])).status_code == 302  # to login
        assert client.get(reverse("ecosystem-detail", args=["verborgen"])).status_code == 404
        assert client.get(reverse("dashboard")).status_code == 302

    def test_public_map_counts_only_published(self, client, world):
        response = client.get(reverse("home"))
        assert response.context["map_config"]["counts"]["PV30"] == 1
        assert response.context["public_count"] == 1

    def test_filter_on_status_is_not_offered_to_the_public(self, client, world):
        response = client.get(reverse("initiatives:list"), {"status": "draft"})
        assert "status" not in response.context["filter"].form.fields
        assert [i.title for i in response.context["page_obj"]] == ["Open fieldlab"]
