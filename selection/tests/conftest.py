from __future__ import annotations

import pytest

from initiatives.tests.factories import InitiativeFactory
from portal.tests.factories import EcosystemFactory, UserFactory
from selection import services
from selection.models import Criterion
from selection.tests.factories import SelectionRoundFactory


def full_answers(round_, value: int = 4) -> dict[int, services.ScoreInput]:
    return {
        c.pk: services.ScoreInput(value=value, motivation="Onderbouwing")
        for c in Criterion.objects.filter(version=round_.framework_version)
    }


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


@pytest.fixture
def setup_round(db):
    """An open round over three initiatives with two assessors assigned."""
    staff = UserFactory(staff=True)
    eco = EcosystemFactory()
    initiatives = InitiativeFactory.create_batch(3, ecosystem=eco)
    round_ = SelectionRoundFactory()
    a1, a2 = UserFactory(assessor=True), UserFactory(assessor=True)
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[a1, a2])
    return round_, initiatives, (a1, a2), staff
