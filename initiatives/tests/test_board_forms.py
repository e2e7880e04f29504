"""The regional board's workspace: register and edit the ecosystem's initiatives."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from portal.models import Activity, Organisation, Region
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for

CREATE = reverse("initiatives:create")


@pytest.fixture
def eco(reference_data):
    return EcosystemFactory(name="Brainport Test", regions=[Region.objects.get(code="CR36")])


def form_data(eco, **overrides):
    lead = Organisation.objects.get(slug="oost-nl")
    data = {
        "title": "Fieldlab slimme maakindustrie",
        "description": "Bedrijven testen samen robotica.",
        "ecosystem": eco.pk,
        "regions": [Region.objects.get(code="CR36").pk],
        "lead_organisation": lead.pk,
        "type": "field_lab",
        "stage": "pilot",
        "scope": "cluster_specific",
        "status": "active",
        "published": "on",
        "budget": "250000",
        "start_date": "2025-01-01",
        "end_date": "2027-12-31",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
class TestCreate:
    def test_board_registers_an_initiative(self, client, eco):
        board = board_user_for(eco)
        client.force_login(board)
        assert client.get(CREATE).status_code == 200
        response = client.post(CREATE, form_data(eco))
        initiative = Initiative.objects.get(title="Fieldlab slimme maakindustrie")
        assert response.status_code == 302
        assert response["Location"] == reverse("initiatives:detail", args=[initiative.pk])
        assert initiative.ecosystem == eco
        assert initiative.owner_organisation == eco.lead_organisation
        assert Activity.objects.filter(verb="initiative.created", actor=board, target_id=initiative.pk).exists()

    def test_errors_are_shown_per_field_and_nothing_is_saved(self, client, eco):
        client.force_login(board_user_for(eco))
        response = client.post(CREATE, form_data(eco, title="", budget="veel", end_date="2020-01-01", regions=None))
        assert response.status_code == 400
        form = response.context["form"]
        assert set(form.errors) >= {"title", "budget", "regions"}
        body = response.content.decode()
        assert 'aria-invalid="true"' in body
        assert 'id="id_budget_error"' in body
        assert not Initiative.objects.exists()

    def test_end_before_start_is_a_field_error(self, client, eco):
        client.force_login(board_user_for(eco))
        response = client.post(CREATE, form_data(eco, end_date="2020-01-01"))
        assert response.status_code == 400
        assert "end_date" in response.context["form"].errors
        assert not Initiative.objects.exists()

    def test_board_cannot_register_for_another_ecosystem(self, client, eco):
        other = EcosystemFactory()
        client.force_login(board_user_for(eco))
        response = client.post(CREATE, form_data(eco, ecosystem=other.pk))
        assert response.status_code == 400
        assert "ecosystem" in response.context["form"].errors
        assert not Initiative.objects.exists()

    def test_staff_without_an_ecosystem_gets_403(self, client, eco):
        client.force_login(UserFactory(staff=True))
        assert client.get(CREATE).status_code == 403

    def test_anonymous_is_sent_to_login(self, client, eco):
        response = client.get(CREATE)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.django_db
class TestEdit:
    def test_board_fixes_a_bad_field_and_the_change_is_recorded(self, client, eco):
        board = board_user_for(eco)
        initiative = InitiativeFactory(ecosystem=eco, lead_organisation=Organisation.objects.get(slug="oost-nl"))
        url = reverse("initiatives:edit", args=[initiative.pk])
        client.force_login(board)
        response = client.post(url, form_data(eco, title=initiative.title, budget="-5"))
        assert response.status_code == 400
        assert "budget" in response.context["form"].errors
        initiative.refresh_from_db()
        assert initiative.budget is None
        response = client.post(url, form_data(eco, title=initiative.title, budget="300000", stage="scaling"))
        assert response.status_code == 302
        initiative.refresh_from_db()
        assert initiative.budget == 300000
        assert initiative.stage == "scaling"
        activity = Activity.objects.get(verb="initiative.updated", target_id=initiative.pk)
        assert activity.actor == board
        assert activity.changes["stage"] == ["pilot", "scaling"]

    def test_edit_form_shows_current_choices_in_bounded_queries(self, client, eco, django_assert_max_num_queries):
        from django.utils.html import escape

        from portal.tests.factories import OrganisationFactory

        lead = Organisation.objects.get(slug="oost-nl")
        partners = [OrganisationFactory(name=f"Partner {n}") for n in range(3)]
        initiative = InitiativeFactory(ecosystem=eco, lead_organisation=lead, regions=[Region.objects.get(code="CR36")])
        initiative.partners.set(partners[:2])
        for n in range(20):  # more organisations must not mean more queries
            OrganisationFactory(name=f"Extra {n}")
        client.force_login(board_user_for(eco))
        with django_assert_max_num_queries(30):
            response = client.get(reverse("initiatives:edit", args=[initiative.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<option value="{lead.pk}" selected>{escape(str(lead))}</option>' in html
        cr36 = Region.objects.get(code="CR36")
        assert f'<option value="{cr36.pk}" selected>{cr36.name} (' in html
        for partner in partners[:2]:
            assert f'<option value="{partner.pk}" selected>Partner' in html
        assert f'<option value="{partners[2].pk}">Partner 2</option>' in html
        assert re.search(r'<select [^>]*name="regions"[^>]*multiple', html)

    def test_another_board_cannot_edit(self, client, eco):
        initiative = InitiativeFactory(ecosystem=eco, title="Van Brainport")
        url = reverse("initiatives:edit", args=[initiative.pk])
        client.force_login(board_user_for(EcosystemFactory()))
        assert client.get(url).status_code == 403
        response = client.post(url, form_data(eco, title="Gekaapt"))
        assert response.status_code == 403
        initiative.refresh_from_db()
        assert initiative.title == "Van Brainport"
        assert not Activity.objects.filter(target_id=initiative.pk).exists()

    def test_board_cannot_move_an_initiative_to_another_ecosystem(self, client, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        client.force_login(board_user_for(eco))
        response = client.post(
            reverse("initiatives:edit", args=[initiative.pk]), form_data(eco, ecosystem=EcosystemFactory().pk)
        )
        assert response.status_code == 400
        initiative.refresh_from_db()
        assert initiative.ecosystem == eco

    def test_saving_without_changes_records_nothing(self, client, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        client.force_login(board_user_for(eco))
        url = reverse("initiatives:edit", args=[initiative.pk])
        form = client.get(url).context["form"]
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[name] = "on" if value is True else value
        response = client.post(url, data)
        assert response.status_code == 302
        assert [a.changes for a in Activity.objects.filter(target_id=initiative.pk)] == []
