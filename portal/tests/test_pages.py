"""Dashboard, map data, region panel and ecosystem pages."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from portal import selectors
from portal.models import HelixRole, Priority, Region, Theme
from portal.tests.factories import (
    EcosystemFactory,
    EcosystemPartnerFactory,
    OrganisationFactory,
    UserFactory,
    WeakSpotFactory,
    board_user_for,
)

DASHBOARD = reverse("dashboard")


@pytest.fixture
def eco(reference_data):
    return EcosystemFactory(name="Brainport Test", slug="brainport-test", regions=[Region.objects.get(code="PV30")])


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.mark.django_db
class TestRegionCounts:
    def test_corop_tags_count_once_for_their_province(self, eco):
        InitiativeFactory(ecosystem=eco, regions=[region("CR36"), region("CR35"), region("PV30")])
        InitiativeFactory(ecosystem=eco, regions=[region("CR36")])
        InitiativeFactory(ecosystem=eco, regions=[region("PV20")])
        counts = selectors.region_counts(initiatives=Initiative.objects.all(), level="province")
        assert counts["PV30"] == 2
        assert counts["PV20"] == 1
        assert counts["PV21"] == 0
        assert len(counts) == 12
        corop = selectors.region_counts(initiatives=Initiative.objects.all(), level="corop")
        assert corop["CR36"] == 2 and corop["CR35"] == 1
        assert len(corop) == 40

    def test_coverage_matrix_marks_gaps_and_crowding(self, eco):
        priority = Priority.objects.filter(active=True, kind="key_technology").first()
        for _n in range(4):
            InitiativeFactory(ecosystem=eco, regions=[region("CR36")]).priorities.set([priority])
        InitiativeFactory(ecosystem=eco, regions=[region("PV20")]).priorities.set([priority])
        matrix = selectors.coverage_matrix(initiatives=Initiative.objects.all())
        codes = [code for _name, code in matrix["provinces"]]
        row = next(r for r in matrix["rows"] if r["priority"] == priority)
        assert row["cells"][codes.index("PV30")] == {"n": 4, "state": "crowded"}
        assert row["cells"][codes.index("PV20")] == {"n": 1, "state": ""}
        assert row["cells"][codes.index("PV21")]["state"] == "gap"
        assert row["total"] == 5 and row["gaps"] == 10

    def test_theme_per_landsdeel(self, eco):
        hydrogen = Theme.objects.get(code="hydrogen")
        InitiativeFactory(ecosystem=eco, theme=hydrogen, regions=[region("CR36"), region("PV30")])
        InitiativeFactory(ecosystem=eco, theme=hydrogen, regions=[region("PV20")])
        chart = selectors.theme_landsdeel_counts(initiatives=Initiative.objects.all())
        row = next(r for r in chart["rows"] if r["theme"] == hydrogen)
        by_name = dict(zip(chart["landsdelen"], row["counts"], strict=True))
        assert by_name[region("PV30").parent.name] == 1
        assert by_name[region("PV20").parent.name] == 1
        assert sum(row["counts"]) == 2


@pytest.mark.django_db
class TestDashboard:
    def test_only_the_programme_team(self, client, eco):
        assert client.get(DASHBOARD).status_code == 302
        client.force_login(board_user_for(eco))
        assert client.get(DASHBOARD).status_code == 403
        client.force_login(UserFactory(assessor=True))
        assert client.get(DASHBOARD).status_code == 200

    def test_filters_apply_to_map_and_charts(self, client, staff, eco):
        hydrogen = Theme.objects.get(code="hydrogen")
        InitiativeFactory(ecosystem=eco, theme=hydrogen, stage="pilot", regions=[region("CR36")])
        InitiativeFactory(ecosystem=eco, stage="pilot", regions=[region("PV20")])
        client.force_login(staff)
        response = client.get(DASHBOARD, {"theme": "hydrogen"})
        counts = response.context["map_config"]["counts"]
        assert counts["PV30"] == 1 and counts["PV20"] == 0
        response = client.get(DASHBOARD, {"stage": "pilot", "level": "corop"})
        assert response.context["level"] == "corop"
        assert response.context["map_config"]["counts"]["CR36"] == 1
        assert response.status_code == 200

    def test_cached_aggregates_are_at_most_a_minute_stale(self, client, staff, eco, monkeypatch, unique_suffix):
        monkeypatch.setattr(selectors, "AGGREGATE_MAX_STALE_SECONDS", 60)
        monkeypatch.setattr(selectors, "AGGREGATE_KEY_SALT", unique_suffix)
        InitiativeFactory(ecosystem=eco, regions=[region("CR36")])
        client.force_login(staff)
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 1
        InitiativeFactory(ecosystem=eco, regions=[region("CR36")])
        # Within the window the cached figure is served ...
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 1
        # ... and once it has passed, the new data version forces a recount.
        monkeypatch.setattr(selectors, "AGGREGATE_MAX_STALE_SECONDS", 0)
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 2

    def test_cached_aggregates_follow_changes(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, regions=[region("CR36")])
        client.force_login(staff)
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 1
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 1  # from the cache
        from initiatives.services import initiative_update

        moved = InitiativeFactory(ecosystem=eco, regions=[region("CR36")])
        assert client.get(DASHBOARD).context["map_config"]["counts"]["PV30"] == 2
        initiative_update(initiative=moved, actor=board_user_for(eco), data={"regions": [region("PV20")]})
        counts = client.get(DASHBOARD).context["map_config"]["counts"]
        assert counts["PV30"] == 1 and counts["PV20"] == 1

    def test_needs_attention_lists_stale_drafts(self, client, staff, eco):
        stale = InitiativeFactory(ecosystem=eco, draft=True)
        Initiative.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=120))
        InitiativeFactory(ecosystem=eco, draft=True)
        client.force_login(staff)
        items = client.get(DASHBOARD).context["attention"]
        assert [item.count for item in items] == [1]

    def test_query_count_is_constant(self, client, staff, eco, django_assert_max_num_queries):
        client.force_login(staff)
        InitiativeFactory.create_batch(2, ecosystem=eco)
        with django_assert_max_num_queries(24) as few:  # attention providers and RIEA status included
            client.get(DASHBOARD)
        InitiativeFactory.create_batch(30, ecosystem=eco, regions=[region("CR36")])
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(DASHBOARD)

    def test_region_panel_shows_ecosystems_and_filtered_initiatives(self, client, staff, eco):
        hydrogen = Theme.objects.get(code="hydrogen")
        InitiativeFactory(ecosystem=eco, title="H2 Eindhoven", theme=hydrogen, regions=[region("CR36")])
        InitiativeFactory(ecosystem=eco, title="Iets anders", regions=[region("CR36")])
        client.force_login(staff)
        response = client.get(reverse("region-panel", args=["PV30"]), {"theme": "hydrogen"}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert "Brainport Test" in body and "H2 Eindhoven" in body and "Iets anders" not in body
        assert "<html" not in body  # a partial for htmx
        assert client.get(reverse("region-panel", args=["XX99"])).status_code == 404

    def test_boundaries_are_geojson(self, client, eco):
        data = client.get(reverse("map-boundaries"), {"level": "corop"}).json()
        assert len(data["features"]) == 40
        assert data["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        data = client.get(reverse("map-boundaries"), {"codes": "PV30,CR36"}).json()
        assert {f["id"] for f in data["features"]} == {"PV30", "CR36"}


@pytest.mark.django_db
class TestEcosystemPage:
    def test_profile_helix_weak_spots_and_initiatives(self, client, eco, django_assert_max_num_queries):
        for role, trait in [(HelixRole.BUSINESS, {}), (HelixRole.KNOWLEDGE, {"knowledge": True})]:
            EcosystemPartnerFactory(ecosystem=eco, organisation=OrganisationFactory(**trait), helix_role=role)
        WeakSpotFactory(ecosystem=eco, category="talent", severity=3, description="Te weinig technici")
        InitiativeFactory.create_batch(3, ecosystem=eco, regions=[region("CR36")])
        InitiativeFactory(ecosystem=eco, title="Geheim concept", draft=True)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("ecosystem-detail", args=[eco.slug]))
        body = response.content.decode()
        assert response.status_code == 200
        helix = response.context["helix"]
        assert not helix["complete"]
        assert {str(m) for m in helix["missing"]} == {str(HelixRole.GOVERNMENT.label), str(HelixRole.CIVIL_SOCIETY.label)}
        assert "Te weinig technici" in body
        assert response.context["initiative_count"] == 3
        assert "Geheim concept" not in body
        assert response.context["map_config"]["counts"] == {"PV30": 3}

    def test_all_four_roles_present(self, client, eco):
        for trait in ({}, {"knowledge": True}, {"civil": True}, {"board": True}):
            org = OrganisationFactory(**trait)
            EcosystemPartnerFactory(ecosystem=eco, organisation=org, helix_role=org.helix_role)
        response = client.get(reverse("ecosystem-detail", args=[eco.slug]))
        assert response.context["helix"]["complete"]

    def test_board_sees_edit_links_others_do_not(self, client, eco):
        url = reverse("ecosystem-detail", args=[eco.slug])
        edit = reverse("ecosystem-edit", args=[eco.slug])
        assert edit not in client.get(url).content.decode()
        client.force_login(board_user_for(eco))
        assert edit in client.get(url).content.decode()

    def test_list(self, client, eco):
        EcosystemFactory(name="Niet openbaar", published=False)
        body = client.get(reverse("ecosystem-list")).content.decode()
        assert "Brainport Test" in body and "Niet openbaar" not in body


@pytest.mark.django_db
def test_dashboard_shows_riea_status_and_what_needs_attention(client, eco, staff, django_assert_max_num_queries):
    from agendas.models import Status
    from agendas.tests.factories import AgendaFactory
    from selection.models import SelectionRound
    from selection.tests.factories import SelectionRoundFactory

    AgendaFactory(ecosystem=eco, status=Status.SUBMITTED)
    SelectionRoundFactory(status=SelectionRound.Status.OPEN, deadline=timezone.localdate() + dt.timedelta(days=3))
    SelectionRoundFactory(status=SelectionRound.Status.OPEN, deadline=timezone.localdate() + dt.timedelta(days=60))
    client.force_login(staff)
    with django_assert_max_num_queries(40):
        body = html.unescape(client.get(reverse("dashboard")).content.decode())
    assert "Regionale agenda's (RIEA) per ecosysteem" in body
    assert "ingediend" in body  # the agenda's status, in Dutch
    assert "Agenda's die wachten op beoordeling" in body
    assert "Selectierondes met een deadline binnen 14 dagen" in body


@pytest.mark.django_db
def test_dashboard_lists_pending_overlap_suggestions(client, eco, staff):
    from initiatives.models import OverlapSuggestion

    a, b = sorted(InitiativeFactory.create_batch(2, ecosystem=eco), key=lambda i: i.pk)
    OverlapSuggestion.objects.create(a=a, b=b, score=0.8, kind="overlap", reasons=["Gedeelde concepten: waterstof"])
    client.force_login(staff)
    body = html.unescape(client.get(reverse("dashboard")).content.decode())
    assert "overlapsuggesties" in body.lower()
