import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from initiatives import selectors, services
from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from portal.models import Activity, Region, Theme
from portal.services import ecosystem_statistics_compute, ecosystem_update, weak_spot_set
from portal.tests.factories import (
    EcosystemFactory,
    EcosystemPartnerFactory,
    OrganisationFactory,
    UserFactory,
    board_user_for,
)


@pytest.fixture
def eco(reference_data):
    return EcosystemFactory(regions=[Region.objects.get(code="CR36")])


@pytest.mark.django_db
class TestEcosystemUpdate:
    def test_records_who_and_what_changed(self, eco):
        board = board_user_for(eco)
        ecosystem_update(ecosystem=eco, actor=board, data={"profile": "Nieuw profiel", "strengths": ""})
        eco.refresh_from_db()
        assert eco.profile == "Nieuw profiel"
        activity = Activity.objects.get(verb="ecosystem.updated")
        assert activity.actor == board
        assert activity.changes == {"profile": ["Regionaal DNA: maakindustrie.", "Nieuw profiel"]}

    def test_no_change_writes_nothing(self, eco):
        ecosystem_update(ecosystem=eco, actor=board_user_for(eco), data={"profile": eco.profile})
        assert not Activity.objects.exists()

    def test_other_board_is_refused_and_nothing_changes(self, eco):
        other = board_user_for(EcosystemFactory())
        with pytest.raises(PermissionDenied):
            ecosystem_update(ecosystem=eco, actor=other, data={"profile": "Gekaapt"})
        eco.refresh_from_db()
        assert eco.profile == "Regionaal DNA: maakindustrie."
        assert not Activity.objects.exists()

    def test_weak_spot_upsert(self, eco):
        board = board_user_for(eco)
        weak_spot_set(ecosystem=eco, actor=board, category="talent", severity=2)
        weak_spot_set(ecosystem=eco, actor=board, category="talent", severity=3)
        assert eco.weak_spots.get().severity == 3
        assert Activity.objects.filter(target_id=eco.id).count() == 1
        assert Activity.objects.filter(verb="ecosystem.weak_spot_updated").count() == 1


@pytest.mark.django_db
class TestInitiativeServices:
    def test_create_and_update_keep_history(self, eco):
        board = board_user_for(eco)
        initiative = services.initiative_create(actor=board, data={
            "title": "Fieldlab fotonica", "description": "Chips met licht.", "ecosystem": eco,
            "lead_organisation": eco.lead_organisation, "type": "field_lab", "stage": "pilot",
            "regions": list(eco.regions.all()),
        })
        assert initiative.owner_organisation == board.organisation
        changes = services.initiative_update(initiative=initiative, actor=board, data={"stage": "scaling", "title": "Fieldlab fotonica"})
        assert changes == {"stage": ["pilot", "scaling"]}
        verbs = list(selectors.initiative_history(initiative=initiative).values_list("verb", flat=True))
        assert verbs == ["initiative.updated", "initiative.created"]

    def test_update_that_changes_nothing_records_nothing(self, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        board = board_user_for(eco)
        assert services.initiative_update(initiative=initiative, actor=board, data={"title": initiative.title}) == {}
        assert not Activity.objects.filter(target_id=initiative.id, verb="initiative.updated").exists()
        services.initiative_update(initiative=initiative, actor=board, data={"title": "Nieuwe titel"})
        initiative.refresh_from_db()
        assert initiative.updated_by == board

    def test_create_requires_a_region(self, eco):
        with pytest.raises(ValidationError) as excinfo:
            services.initiative_create(actor=board_user_for(eco), data={
                "title": "X", "description": "Y", "ecosystem": eco, "lead_organisation": eco.lead_organisation,
                "type": "field_lab", "stage": "pilot", "regions": [],
            })
        assert "regions" in excinfo.value.message_dict

    def test_invalid_dates_are_refused_and_nothing_saved(self, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        import datetime as dt

        with pytest.raises(ValidationError) as excinfo:
            services.initiative_update(initiative=initiative, actor=board_user_for(eco), data={
                "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2025, 1, 1),
            })
        assert "end_date" in excinfo.value.message_dict
        assert Initiative.objects.get(pk=initiative.pk).start_date is None

    def test_board_cannot_move_initiative_to_another_ecosystem(self, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        with pytest.raises(PermissionDenied):
            services.initiative_update(initiative=initiative, actor=board_user_for(eco), data={"ecosystem": EcosystemFactory()})

    def test_rom_cannot_move_initiative_out_of_its_provinces(self, eco):
        from portal.models import Organisation

        rom = UserFactory(role="rom", organisation=Organisation.objects.get(slug="bom"))
        initiative = InitiativeFactory(ecosystem=eco, regions=[Region.objects.get(code="CR36")])
        with pytest.raises(PermissionDenied):
            services.initiative_update(initiative=initiative, actor=rom, data={"regions": [Region.objects.get(code="PV20")]})
        services.initiative_update(initiative=initiative, actor=rom, data={"regions": [Region.objects.get(code="CR35")]})
        assert list(initiative.regions.values_list("code", flat=True)) == ["CR35"]


@pytest.mark.django_db
def test_ecosystem_statistics(eco):
    EcosystemPartnerFactory(ecosystem=eco, organisation=OrganisationFactory(knowledge=True), helix_role="knowledge")
    EcosystemPartnerFactory(ecosystem=eco, organisation=OrganisationFactory(), helix_role="business")
    hydrogen = Theme.objects.get(code="hydrogen")
    InitiativeFactory.create_batch(2, ecosystem=eco, theme=hydrogen)
    InitiativeFactory(ecosystem=eco, theme=hydrogen, status="archived")
    stats = ecosystem_statistics_compute(ecosystem_id=eco.id)
    assert stats.initiative_count == 2
    assert stats.initiatives_per_theme == {"hydrogen": 2}
    assert stats.partners_per_helix_role == {"government": 0, "business": 1, "knowledge": 1, "civil_society": 0}
    assert not stats.all_helix_roles_present
