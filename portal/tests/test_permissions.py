"""Grants and denials of the one permission module, per role and owner."""

import pytest
from django.contrib.auth.models import AnonymousUser

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from portal import permissions
from portal.models import Organisation, Region
from portal.tests.factories import (
    EcosystemFactory,
    OrganisationFactory,
    UserFactory,
    WeakSpotFactory,
    board_user_for,
)


@pytest.fixture
def world(reference_data):
    """Two ecosystems (Brabant and Groningen), their boards, a ROM for Brabant, staff, admin."""
    brabant = Region.objects.get(code="PV30")
    eindhoven = Region.objects.get(code="CR36")
    groningen = Region.objects.get(code="PV20")
    eco_a = EcosystemFactory(regions=[eindhoven])
    eco_b = EcosystemFactory(regions=[groningen])
    rom = Organisation.objects.get(slug="bom")  # serves Noord-Brabant only
    return {
        "eco_a": eco_a,
        "eco_b": eco_b,
        "board_a": board_user_for(eco_a),
        "board_b": board_user_for(eco_b),
        "rom_a": UserFactory(role="rom", organisation=rom),
        "staff": UserFactory(staff=True),
        "assessor": UserFactory(assessor=True),
        "admin": UserFactory(admin=True),
        "anon": AnonymousUser(),
        "in_a": InitiativeFactory(ecosystem=eco_a, regions=[eindhoven], unpublished=True),
        "in_b": InitiativeFactory(ecosystem=eco_b, regions=[groningen], unpublished=True),
        "in_a_and_b": InitiativeFactory(ecosystem=eco_a, regions=[brabant, groningen], unpublished=True),
        "public_b": InitiativeFactory(ecosystem=eco_b, regions=[groningen], published=True),
    }


@pytest.mark.django_db
class TestEcosystemRules:
    def test_board_writes_only_its_own_ecosystem(self, world):
        assert permissions.can_write(world["board_a"], world["eco_a"])
        assert not permissions.can_write(world["board_a"], world["eco_b"])
        assert not permissions.can_write(world["board_b"], world["eco_a"])

    def test_staff_rom_and_anonymous_do_not_write_ecosystems(self, world):
        for who in ("staff", "assessor", "rom_a", "anon"):
            assert not permissions.can_write(world[who], world["eco_a"]), who
        assert permissions.can_write(world["admin"], world["eco_a"])

    def test_weak_spots_follow_their_ecosystem(self, world):
        spot = WeakSpotFactory(ecosystem=world["eco_a"])
        assert permissions.can_write(world["board_a"], spot)
        assert not permissions.can_write(world["board_b"], spot)

    def test_unpublished_ecosystem_hidden_from_public_and_other_boards(self, world):
        eco_a = world["eco_a"]
        eco_a.published = False
        eco_a.save()
        assert not permissions.can_read(world["anon"], eco_a)
        assert not permissions.can_read(world["board_b"], eco_a)
        assert permissions.can_read(world["board_a"], eco_a)
        assert permissions.can_read(world["staff"], eco_a)


@pytest.mark.django_db
class TestInitiativeRules:
    def test_board_writes_own_ecosystem_initiatives_only(self, world):
        assert permissions.can_write(world["board_a"], world["in_a"])
        assert not permissions.can_write(world["board_a"], world["in_b"])
        assert not permissions.can_write(world["board_b"], world["in_a"])

    def test_rom_writes_only_in_provinces_it_serves(self, world):
        assert permissions.can_write(world["rom_a"], world["in_a"])  # COROP inside Noord-Brabant
        assert not permissions.can_write(world["rom_a"], world["in_b"])  # Groningen
        assert not permissions.can_write(world["rom_a"], world["in_a_and_b"])  # partly outside

    def test_staff_read_everything_but_do_not_edit_initiatives(self, world):
        for who in ("staff", "assessor"):
            assert permissions.can_read(world[who], world["in_b"])
            assert not permissions.can_write(world[who], world["in_b"])

    def test_anonymous_reads_only_published_non_draft(self, world):
        anon = world["anon"]
        assert permissions.can_read(anon, world["public_b"])
        assert not permissions.can_read(anon, world["in_b"])
        assert not permissions.can_write(anon, world["public_b"])
        draft = InitiativeFactory(ecosystem=world["eco_b"], status=Initiative.Status.DRAFT, published=True)
        assert not permissions.can_read(anon, draft)

    def test_other_board_cannot_read_unpublished(self, world):
        assert not permissions.can_read(world["board_a"], world["in_b"])
        assert permissions.can_read(world["board_b"], world["in_b"])

    def test_can_create(self, world):
        eindhoven = Region.objects.get(code="CR36")
        groningen = Region.objects.get(code="PV20")
        assert permissions.can_create_initiative(world["board_a"], ecosystem_id=world["eco_a"].id, region_ids={eindhoven.id})
        assert not permissions.can_create_initiative(world["board_a"], ecosystem_id=world["eco_b"].id, region_ids={groningen.id})
        assert permissions.can_create_initiative(world["rom_a"], ecosystem_id=None, region_ids={eindhoven.id})
        assert not permissions.can_create_initiative(world["rom_a"], ecosystem_id=None, region_ids={groningen.id})
        assert not permissions.can_create_initiative(world["rom_a"], ecosystem_id=None, region_ids=set())
        assert not permissions.can_create_initiative(world["staff"], ecosystem_id=world["eco_a"].id, region_ids={eindhoven.id})
        assert not permissions.can_create_initiative(world["anon"], ecosystem_id=world["eco_a"].id, region_ids={eindhoven.id})

    @pytest.mark.parametrize("who", ["anon", "board_a", "board_b", "rom_a", "staff", "admin"])
    def test_queryset_scope_matches_object_rule(self, world, who):
        user = world[who]
        visible = set(permissions.initiatives_visible_to(user).values_list("id", flat=True))
        expected = {i.id for i in Initiative.objects.all() if permissions.can_read(user, i)}
        assert visible == expected

    def test_inactive_user_writes_nothing(self, world):
        board = world["board_a"]
        board.is_active = False
        assert not permissions.can_write(board, world["in_a"])


@pytest.mark.django_db
def test_reference_data_is_written_only_by_admins_and_frame_by_staff(reference_data):
    from portal.models import Priority

    region = Region.objects.get(code="PV20")
    priority = Priority.objects.get(code="ED-1")
    staff, board, admin = UserFactory(staff=True), UserFactory(), UserFactory(admin=True)
    assert permissions.can_read(AnonymousUser(), region)
    assert not permissions.can_write(staff, region)
    assert permissions.can_write(admin, region)
    assert permissions.can_write(staff, priority)
    assert not permissions.can_write(board, priority)
    assert not permissions.can_write(board, OrganisationFactory())
