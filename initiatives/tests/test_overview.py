"""The initiative overview: filters, search, sorting, pagination, exports, detail page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import Initiative
from initiatives.selectors import initiative_search
from initiatives.services import initiative_update
from initiatives.tests.factories import FundingLineFactory, InitiativeFactory
from portal.models import FundingInstrument, Organisation, Priority, Region, Theme
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for

LIST = reverse("initiatives:list")


@pytest.fixture
def eco(reference_data):
    return EcosystemFactory(name="Brainport Test", slug="brainport-test", regions=[Region.objects.get(code="CR36")])


@pytest.fixture
def staff(db):
    return UserFactory(staff=True, first_name="Pim", last_name="Programmateam")


def titles(response) -> list[str]:
    return [i.title for i in response.context["page_obj"]]


@pytest.mark.django_db
class TestOverviewFilters:
    def test_staff_sees_everything_including_drafts(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, title="Openbaar")
        InitiativeFactory(ecosystem=eco, title="Concept", draft=True)
        client.force_login(staff)
        assert set(titles(client.get(LIST))) == {"Openbaar", "Concept"}

    def test_filter_by_theme_stage_type(self, client, staff, eco):
        hydrogen, photonics = Theme.objects.get(code="hydrogen"), Theme.objects.get(code="photonics")
        InitiativeFactory(ecosystem=eco, title="H2 pilot", theme=hydrogen, stage="pilot", type="field_lab")
        InitiativeFactory(ecosystem=eco, title="H2 campus", theme=hydrogen, stage="scaling", type="campus")
        InitiativeFactory(ecosystem=eco, title="Licht", theme=photonics, stage="pilot", type="field_lab")
        client.force_login(staff)
        assert set(titles(client.get(LIST, {"theme": "hydrogen"}))) == {"H2 pilot", "H2 campus"}
        assert titles(client.get(LIST, {"theme": "hydrogen", "stage": "pilot"})) == ["H2 pilot"]
        assert titles(client.get(LIST, {"type": "campus"})) == ["H2 campus"]

    def test_region_filter_includes_corop_regions_of_a_province(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, title="In Zuidoost-Noord-Brabant", regions=[Region.objects.get(code="CR36")])
        InitiativeFactory(ecosystem=eco, title="Heel Noord-Brabant", regions=[Region.objects.get(code="PV30")])
        InitiativeFactory(ecosystem=eco, title="Groningen", regions=[Region.objects.get(code="PV20")])
        client.force_login(staff)
        assert set(titles(client.get(LIST, {"region": "PV30"}))) == {"In Zuidoost-Noord-Brabant", "Heel Noord-Brabant"}
        assert titles(client.get(LIST, {"region": "CR36"})) == ["In Zuidoost-Noord-Brabant"]
        landsdeel = Region.objects.get(code="PV30").parent
        assert set(titles(client.get(LIST, {"region": landsdeel.code}))) == {
            "In Zuidoost-Noord-Brabant", "Heel Noord-Brabant"}

    def test_priority_filter_on_a_challenge_includes_its_missions(self, client, staff, eco):
        mission = Priority.objects.filter(kind="mission", active=True, parent__isnull=False).first()
        other = Priority.objects.filter(kind="key_technology", active=True).first()
        a = InitiativeFactory(ecosystem=eco, title="Missie")
        a.priorities.set([mission])
        b = InitiativeFactory(ecosystem=eco, title="Techniek")
        b.priorities.set([other, mission])
        InitiativeFactory(ecosystem=eco, title="Niets")
        client.force_login(staff)
        assert set(titles(client.get(LIST, {"priority": mission.parent.code}))) == {"Missie", "Techniek"}
        assert titles(client.get(LIST, {"priority": other.code})) == ["Techniek"]

    def test_dutch_full_text_search_stems_words(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, title="Zonnepark", description="Een proeftuin voor groene energie.")
        InitiativeFactory(ecosystem=eco, title="Chips", description="Halfgeleiders voor de industrie.")
        client.force_login(staff)
        # "proeftuinen" (plural) finds "proeftuin" through the Dutch stemmer; a substring match would not.
        assert titles(client.get(LIST, {"q": "proeftuinen"})) == ["Zonnepark"]
        assert titles(client.get(LIST, {"q": "halfgeleiders industrie"})) == ["Chips"]
        assert titles(client.get(LIST, {"q": "kwantum"})) == []

    def test_search_fallback_for_sqlite_is_a_substring_match(self, eco):
        InitiativeFactory(ecosystem=eco, title="Zonnepark", description="Een proeftuin voor groene energie.")
        InitiativeFactory(ecosystem=eco, title="Chips", description="Halfgeleiders")
        qs = Initiative.objects.all()
        assert [i.title for i in initiative_search(queryset=qs, query="PROEFTUIN groene", vendor="sqlite")] == ["Zonnepark"]
        assert list(initiative_search(queryset=qs, query="proeftuinen", vendor="sqlite")) == []

    def test_sorting_and_pagination(self, client, staff, eco):
        for n in range(55):
            InitiativeFactory(ecosystem=eco, title=f"Initiatief {n:02d}", budget=n * 1000)
        client.force_login(staff)
        first = client.get(LIST, {"sort": "title"})
        assert first.context["page_obj"].paginator.count == 55
        assert titles(first)[:2] == ["Initiatief 00", "Initiatief 01"]
        assert len(titles(first)) == 50
        second = client.get(LIST, {"sort": "title", "page": 2})
        assert titles(second) == [f"Initiatief {n}" for n in range(50, 55)]
        assert "sort=title" in second.content.decode()  # page links keep the sort
        assert titles(client.get(LIST, {"sort": "-budget"}))[0] == "Initiatief 54"

    def test_bad_filter_values_give_a_message_not_an_error(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco)
        client.force_login(staff)
        response = client.get(LIST, {"theme": "bestaat-niet", "page": "x", "sort": "drop table"})
        assert response.status_code == 200
        assert response.context["filter"].form.errors

    def test_query_count_does_not_grow_with_rows(self, client, staff, eco, django_assert_max_num_queries):
        client.force_login(staff)
        InitiativeFactory.create_batch(3, ecosystem=eco)
        with django_assert_max_num_queries(12) as few:
            client.get(LIST, {"theme": "hydrogen", "sort": "title"})
        InitiativeFactory.create_batch(40, ecosystem=eco)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(LIST, {"theme": "hydrogen", "sort": "title"})

    def test_board_sees_published_and_its_own_unpublished(self, client, eco):
        board = board_user_for(eco)
        InitiativeFactory(ecosystem=eco, title="Eigen concept", draft=True)
        InitiativeFactory(title="Ander concept", draft=True)
        InitiativeFactory(title="Ander gepubliceerd")
        client.force_login(board)
        response = client.get(LIST)
        assert set(titles(response)) == {"Eigen concept", "Ander gepubliceerd"}
        assert reverse("initiatives:create") in response.content.decode()


@pytest.mark.django_db
class TestExports:
    def test_csv_export_holds_the_filtered_set_and_neutralises_formulas(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, title="=HYPERLINK(\"http://evil\")", stage="pilot")
        InitiativeFactory(ecosystem=eco, title="+SUM(A1)", stage="pilot", contact_email="a@example.org")
        InitiativeFactory(ecosystem=eco, title="Anders", stage="scaling")
        client.force_login(staff)
        response = client.get(reverse("initiatives:export", args=["csv"]), {"stage": "pilot"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        header, body = rows[0], rows[1:]
        assert len(body) == 2
        title_col = header.index("titel")
        assert sorted(r[title_col] for r in body) == ["'+SUM(A1)", "'=HYPERLINK(\"http://evil\")"]
        assert len(header) == 17  # the programme team gets the internal columns
        assert "a@example.org" in text

    def test_xlsx_export(self, client, staff, eco):
        InitiativeFactory(ecosystem=eco, title="@cmd", budget=1234)
        InitiativeFactory(ecosystem=eco, title="Gewoon")
        client.force_login(staff)
        response = client.get(reverse("initiatives:export", args=["xlsx"]), {"sort": "title"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        assert values[0][1] == "titel"
        assert [row[1] for row in values[1:]] == ["'@cmd", "Gewoon"]
        assert values[1][8] == 1234

    def test_unknown_format_is_404(self, client, staff):
        client.force_login(staff)
        assert client.get(reverse("initiatives:export", args=["pdf"])).status_code == 404

    def test_export_query_count_is_constant(self, client, staff, eco, django_assert_max_num_queries):
        client.force_login(staff)
        InitiativeFactory.create_batch(60, ecosystem=eco)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("initiatives:export", args=["csv"]))
            b"".join(response.streaming_content)


@pytest.mark.django_db
class TestDetail:
    def test_staff_sees_partners_priorities_funding_and_history(self, client, staff, eco, django_assert_max_num_queries):
        partner = Organisation.objects.get(slug="oost-nl")
        initiative = InitiativeFactory(ecosystem=eco, title="Waterstofhub", contact_email="c@example.org")
        initiative.partners.set([partner])
        initiative.priorities.set([Priority.objects.filter(active=True).first()])
        FundingLineFactory(initiative=initiative, instrument=FundingInstrument.objects.first(), amount=250000)
        board = board_user_for(eco, first_name="Bart", last_name="Bestuur")
        initiative_update(initiative=initiative, actor=board, data={"stage": "scaling", "budget": 500000})
        client.force_login(staff)
        with django_assert_max_num_queries(16):
            response = client.get(reverse("initiatives:detail", args=[initiative.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert partner.name in body
        assert "250.000" in body
        assert "Bart Bestuur" in body  # who changed it
        assert "opschaling" in body.lower() or "opschalen" in body.lower()
        assert "c@example.org" in body

    def test_anonymous_sees_a_published_initiative_without_internal_details(self, client, eco):
        initiative = InitiativeFactory(ecosystem=eco, contact_email="geheim@example.org", external_id="ROM-77")
        initiative_update(initiative=initiative, actor=board_user_for(eco, first_name="Bart"), data={"stage": "idea"})
        response = client.get(reverse("initiatives:detail", args=[initiative.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert initiative.title in body
        for secret in ("geheim@example.org", "ROM-77", "Bart", "history-title"):
            assert secret not in body

    def test_drafts_are_not_readable_by_outsiders(self, client, eco):
        draft = InitiativeFactory(ecosystem=eco, draft=True)
        url = reverse("initiatives:detail", args=[draft.pk])
        assert client.get(url).status_code == 403
        client.force_login(board_user_for(EcosystemFactory()))
        assert client.get(url).status_code == 403
        client.force_login(board_user_for(eco))
        assert client.get(url).status_code == 200

    def test_missing_initiative_is_404(self, client, staff):
        client.force_login(staff)
        assert client.get(reverse("initiatives:detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_dates_render(client, staff, eco):
    initiative = InitiativeFactory(ecosystem=eco, start_date=dt.date(2024, 1, 1), end_date=dt.date(2026, 6, 30))
    client.force_login(staff)
    assert "2026" in client.get(reverse("initiatives:detail", args=[initiative.pk])).content.decode()


@pytest.mark.django_db
def test_search_query_matches_the_gin_index(eco):
    """The GIN expression index (migration 0003) must match the vector the overview searches on."""
    from django.db import connection

    InitiativeFactory(ecosystem=eco)
    qs = initiative_search(queryset=Initiative.objects.all(), query="waterstof", rank=False)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # With a handful of rows the planner may walk another index instead; switching plain
        # scans off leaves the bitmap scan, which only the GIN index can serve for @@.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "initiative_search_nl_idx" in plan, plan
