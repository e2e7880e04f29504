"""The selection rules in portal/permissions.py, denials first."""

import pytest
from django.utils import timezone

from initiatives.tests.factories import InitiativeFactory
from portal import permissions
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for
from selection import services
from selection.models import Assessment, InitiativeRoundResult
from selection.tests.conftest import full_answers
from selection.tests.factories import DecisionFactory, SelectionRoundFactory

pytestmark = pytest.mark.django_db


def test_board_never_reads_results_or_decisions_of_other_regions(db):
    own_eco, other_eco = EcosystemFactory(), EcosystemFactory()
    own, other = InitiativeFactory(ecosystem=own_eco), InitiativeFactory(ecosystem=other_eco)
    round_ = SelectionRoundFactory()
    board = board_user_for(own_eco)
    now = timezone.now()
    own_result = InitiativeRoundResult.objects.create(round=round_, initiative=own, computed_at=now)
    other_result = InitiativeRoundResult.objects.create(round=round_, initiative=other, computed_at=now)
    assert permissions.can_read(board, own_result)
    assert not permissions.can_read(board, other_result)
    assert permissions.can_read(board, DecisionFactory(round=round_, initiative=own))
    assert not permissions.can_read(board, DecisionFactory(round=round_, initiative=other))
    assert not permissions.can_write(board, DecisionFactory.build(round=round_, initiative=own))
    assert not permissions.can_read(board, round_)
    assert not permissions.can_read(UserFactory(rom=True), other_result)


def test_board_and_other_assessors_never_read_an_individual_assessment(setup_round):
    round_, initiatives, (a1, a2), staff = setup_round
    assessment = services.assessment_save(
        selection_round=round_, initiative=initiatives[0], actor=a1, answers=full_answers(round_), submit=True
    )
    assert permissions.can_read(a1, assessment) and permissions.can_read(staff, assessment)
    assert not permissions.can_read(a2, assessment)
    assert not permissions.can_read(board_user_for(initiatives[0].ecosystem), assessment)
    # Submitted: not even its author writes it any more.
    assert not permissions.can_write(a1, assessment)
    assert not permissions.can_write(a2, Assessment(round=round_, initiative=initiatives[0], assessor=a1))


def test_only_staff_decide_and_manage(setup_round):
    round_, _initiatives, (a1, _a2), staff = setup_round
    assert permissions.can_decide(staff) and permissions.can_manage_selection(staff)
    admin = UserFactory(admin=True)
    assert permissions.can_decide(admin)
    for user in (a1, UserFactory(), UserFactory(rom=True)):
        assert not permissions.can_decide(user)
        assert not permissions.can_write(user, round_)


def test_assessor_reads_a_round_only_while_open_and_assigned(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    assert permissions.can_read(a1, round_)
    assert permissions.can_assess(a1, round_, initiatives[0].pk)
    assert not permissions.can_read(UserFactory(assessor=True), round_)
    round_.status = "closed"
    assert not permissions.can_read(a1, round_)
    assert not permissions.can_assess(a1, round_, initiatives[0].pk)
