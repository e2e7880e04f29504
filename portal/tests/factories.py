"""Factories for the core models (factory_boy)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from portal.models import (
    Ecosystem,
    EcosystemPartner,
    HelixRole,
    Organisation,
    Region,
    User,
    WeakSpot,
)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Testregio {n}")
    kind = Region.Kind.PROVINCE


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    helix_role = HelixRole.BUSINESS
    kind = Organisation.Kind.COMPANY

    class Params:
        rom = factory.Trait(helix_role=HelixRole.GOVERNMENT, kind=Organisation.Kind.ROM)
        board = factory.Trait(helix_role=HelixRole.GOVERNMENT, kind=Organisation.Kind.ECONOMIC_BOARD)
        knowledge = factory.Trait(helix_role=HelixRole.KNOWLEDGE, kind=Organisation.Kind.UNIVERSITY)
        civil = factory.Trait(helix_role=HelixRole.CIVIL_SOCIETY, kind=Organisation.Kind.FOUNDATION)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    role = User.Role.BOARD
    password = factory.django.Password("geheim-wachtwoord-123")

    class Params:
        staff = factory.Trait(role=User.Role.STAFF)
        assessor = factory.Trait(role=User.Role.ASSESSOR)
        rom = factory.Trait(role=User.Role.ROM, organisation=factory.SubFactory(OrganisationFactory, rom=True))
        admin = factory.Trait(role=User.Role.ADMIN, organisation=None, is_superuser=True, is_staff=True)


class EcosystemFactory(DjangoModelFactory):
    class Meta:
        model = Ecosystem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ecosysteem {n}")
    slug = factory.Sequence(lambda n: f"ecosysteem-{n}")
    lead_organisation = factory.SubFactory(OrganisationFactory, board=True)
    profile = "Regionaal DNA: maakindustrie."

    @factory.post_generation
    def regions(self, create: bool, extracted: list[Region] | None, **kwargs: object) -> None:
        if create and extracted:
            self.regions.set(extracted)


class EcosystemPartnerFactory(DjangoModelFactory):
    class Meta:
        model = EcosystemPartner

    ecosystem = factory.SubFactory(EcosystemFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    helix_role = factory.SelfAttribute("organisation.helix_role")


class WeakSpotFactory(DjangoModelFactory):
    class Meta:
        model = WeakSpot

    ecosystem = factory.SubFactory(EcosystemFactory)
    category = WeakSpot.Category.TALENT
    severity = WeakSpot.Severity.MEDIUM


def board_user_for(ecosystem: Ecosystem, **kwargs: object) -> User:
    """A board member of this ecosystem (a user of its lead organisation)."""
    return UserFactory(organisation=ecosystem.lead_organisation, role=User.Role.BOARD, **kwargs)
