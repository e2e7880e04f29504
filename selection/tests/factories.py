from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from portal.tests.factories import UserFactory
from selection.framework_data import seed_framework
from selection.models import Criterion, Decision, Framework, FrameworkVersion, SelectionRound


def awti_version() -> FrameworkVersion:
    """The seeded nine-question framework (re-created after transactional tests flush it)."""
    version, _created = seed_framework(Framework, FrameworkVersion, Criterion)
    return version


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = Framework

    code = factory.Sequence(lambda n: f"kader-{n}")
    name = factory.Sequence(lambda n: f"Kader {n}")


class FrameworkVersionFactory(DjangoModelFactory):
    class Meta:
        model = FrameworkVersion

    framework = factory.SubFactory(FrameworkFactory)
    number = 1


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    version = factory.SubFactory(FrameworkVersionFactory)
    code = factory.Sequence(lambda n: f"vraag-{n}")
    position = factory.Sequence(lambda n: n + 1)
    question_nl = "Hoe goed is het?"
    question_en = "How good is it?"
    weight = 1
    scale_min = 1
    scale_max = 5

    class Params:
        optional = factory.Trait(allows_not_applicable=True)


class SelectionRoundFactory(DjangoModelFactory):
    class Meta:
        model = SelectionRound
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Selectieronde {n}")
    framework_version = factory.LazyFunction(awti_version)
    scope = factory.LazyFunction(dict)
    status = SelectionRound.Status.OPEN

    class Params:
        draft = factory.Trait(status=SelectionRound.Status.DRAFT)
        closed = factory.Trait(status=SelectionRound.Status.CLOSED)


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    round = factory.SubFactory(SelectionRoundFactory)
    outcome = Decision.Outcome.NATIONAL_PUSH
    rationale = "Sterk en nationaal relevant."
    decided_by = factory.SubFactory(UserFactory, staff=True)
