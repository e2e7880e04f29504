"""Factories for agendas, with traits for the workflow states and a complete ("met") agenda."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agendas.models import (
    Action,
    Agenda,
    AgendaFundingLine,
    AgendaVersion,
    Agreement,
    Commitment,
    Endorsement,
    Goal,
    HumanCapitalAction,
    ReviewMoment,
    Status,
)
from portal.tests.factories import EcosystemFactory


class AgendaFactory(DjangoModelFactory):
    class Meta:
        model = Agenda

    ecosystem = factory.SubFactory(EcosystemFactory)
    title = factory.LazyAttribute(lambda a: f"RIEA {a.ecosystem.name}")


class AgendaVersionFactory(DjangoModelFactory):
    class Meta:
        model = AgendaVersion

    agenda = factory.SubFactory(AgendaFactory)
    number = 1
    vision = "Een gedeeld toekomstbeeld."

    class Params:
        submitted = factory.Trait(frozen=True, status=Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        in_review = factory.Trait(frozen=True, status=Status.IN_REVIEW, submitted_at=factory.LazyFunction(timezone.now))


def draft_agenda(**kwargs: object) -> tuple[Agenda, AgendaVersion]:
    """An agenda in draft with its (empty apart from a vision) draft version 1."""
    agenda = AgendaFactory(**kwargs)
    return agenda, AgendaVersionFactory(agenda=agenda)


def fill_complete(version: AgendaVersion) -> AgendaVersion:
    """Give a version everything the seven checks look for ("met" on every criterion)."""
    today = timezone.localdate()
    version.vision = version.vision or "Een gedeeld toekomstbeeld."
    version.dna_analysis = "Maakindustrie en hightech."
    version.horizon_start, version.horizon_end = today.year, today.year + 20
    version.last_revision = today
    version.impact = "Banen en brede welvaart."
    version.governance = "Een stuurgroep met de vier helices."
    version.monitoring = "Jaarlijkse monitor."
    version.save()
    for role in ("government", "business", "knowledge", "civil_society"):
        Endorsement.objects.create(version=version, organisation=f"Partij {role}", helix_role=role)
    ReviewMoment.objects.create(version=version, planned_on=today + dt.timedelta(days=365), description="Herijking")
    Goal.objects.create(version=version, title="Meer banen", indicator="Banen", baseline=100, target=200, target_year=2035)
    for party in ("Provincie", "Bedrijf", "Universiteit"):
        Commitment.objects.create(version=version, party=party, helix_role="business", kind="money", amount=1000)
    Action.objects.create(version=version, title="Talent aantrekken", scope="generic")
    Action.objects.create(version=version, title="Fieldlab", scope="cluster_specific")
    HumanCapitalAction.objects.create(
        version=version, title="Leergemeenschap", kind="learning_community",
        with_mbo=True, with_hogeschool=True, with_university=True,
    )
    AgendaFundingLine.objects.create(version=version, source_level="national", form="subsidy", amount=Decimal(1000))
    AgendaFundingLine.objects.create(
        version=version, source_level="private", form="revolving", amount=Decimal(2000), is_private=True,
        revolving_share=50,
    )
    Agreement.objects.create(
        version=version, topic="regulation", description="Experimenteerruimte", ministry="EZK",
        regional_owner="Provincie", national_role="Regels aanpassen", regional_role="Pilot uitvoeren",
    )
    return version
