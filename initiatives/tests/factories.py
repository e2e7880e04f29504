from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from initiatives.models import FundingLine, Initiative
from portal.models import Region
from portal.tests.factories import EcosystemFactory, OrganisationFactory


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Fieldlab waterstof {n}")
    description = "Een proeftuin voor groene waterstof in de regio."
    ecosystem = factory.SubFactory(EcosystemFactory)
    lead_organisation = factory.SubFactory(OrganisationFactory)
    owner_organisation = factory.SelfAttribute("ecosystem.lead_organisation")
    type = Initiative.Type.FIELD_LAB
    stage = Initiative.Stage.PILOT
    status = Initiative.Status.ACTIVE
    published = True

    class Params:
        draft = factory.Trait(status=Initiative.Status.DRAFT, published=False)
        unpublished = factory.Trait(published=False)

    @factory.post_generation
    def regions(self, create: bool, extracted: list[Region] | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is not None:
            self.regions.set(extracted)
        else:
            self.regions.set(self.ecosystem.regions.all() if self.ecosystem_id else [])


class FundingLineFactory(DjangoModelFactory):
    class Meta:
        model = FundingLine

    initiative = factory.SubFactory(InitiativeFactory)
    amount = 100000
