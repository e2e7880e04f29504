"""Framework versioning, constraints, conflicts of interest, assessments and decisions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from initiatives.tests.factories import InitiativeFactory
from portal.exceptions import InvalidTransition
from portal.models import Activity
from portal.tests.factories import EcosystemFactory, EcosystemPartnerFactory, UserFactory
from selection import services
from selection.models import (
    Assessment,
    ConflictDeclaration,
    Criterion,
    Decision,
    FrameworkVersion,
    RoundAssignment,
    Score,
    ScoringRun,
)
from selection.tests.conftest import full_answers
from selection.tests.factories import SelectionRoundFactory, awti_version

pytestmark = pytest.mark.django_db


def test_seeded_framework_has_the_nine_questions(db):
    version = awti_version()
    criteria = list(version.criteria.order_by("position"))
    assert len(criteria) == 9
    assert criteria[1].suggestion_rule == "national_priorities"
    assert criteria[0].question_nl.startswith("Draagt het initiatief bij")
    assert awti_version() == version  # idempotent


def test_revising_an_unscored_version_changes_it_in_place(staff):
    version = awti_version()
    result = services.framework_version_revise(version=version, actor=staff, changes={"toekomstbeeld": {"weight": 3}})
    assert result == version
    assert version.criteria.get(code="toekomstbeeld").weight == 3


def test_revising_a_scored_version_creates_a_new_version_and_old_scores_keep_theirs(setup_round):
    round_, initiatives, (a1, _a2), staff = setup_round
    services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=full_answers(round_), submit=True)
    old = round_.framework_version
    new = services.framework_version_revise(version=old, actor=staff, changes={"toekomstbeeld": {"weight": 2}}, note="zwaarder")
    assert new != old and new.number == old.number + 1
    assert new.criteria.count() == 9 and new.criteria.get(code="toekomstbeeld").weight == 2
    assert old.criteria.get(code="toekomstbeeld").weight == 1
    assessment = Assessment.objects.get()
    assert assessment.framework_version == old
    assert set(Score.objects.values_list("criterion__version", flat=True)) == {old.pk}
    assert FrameworkVersion.objects.filter(framework=old.framework).count() == 2


def test_revise_rejects_unknown_criteria_and_non_staff(staff):
    version = awti_version()
    with pytest.raises(ValidationError):
        services.framework_version_revise(version=version, actor=staff, changes={"nope": {"weight": 1}})
    with pytest.raises(PermissionDenied):
        services.framework_version_revise(version=version, actor=UserFactory(assessor=True), changes={})


def test_at_most_one_submitted_assessment_per_assessor_initiative_round(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=full_answers(round_), submit=True)
    first = Assessment.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            round=round_, initiative=initiatives[0], assessor=a1, framework_version=first.framework_version,
            status=Assessment.Status.SUBMITTED, submitted_at=first.submitted_at,
        )
    with pytest.raises(InvalidTransition):
        services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=full_answers(round_))


def test_score_constraint_not_applicable_has_no_value(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    assessment = services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(assessment=assessment).update(not_applicable=True, value=3)


def test_draft_until_submitted_and_submit_needs_every_answer(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    answers = full_answers(round_)
    first_id = next(iter(answers))
    partial = {first_id: answers[first_id]}
    draft = services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=partial)
    assert draft.status == Assessment.Status.DRAFT and draft.submitted_at is None
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=partial, submit=True)
    assert len(exc.value.message_dict) == 8
    done = services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=answers, submit=True)
    assert done.pk == draft.pk and done.status == Assessment.Status.SUBMITTED
    assert Score.objects.filter(assessment=done).count() == 9


def test_not_applicable_only_where_allowed_and_scores_within_scale(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    strict = Criterion.objects.get(version=round_.framework_version, code="toekomstbeeld")
    optional = Criterion.objects.get(version=round_.framework_version, code="nieuwe-partijen")
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers={
            strict.pk: services.ScoreInput(not_applicable=True), optional.pk: services.ScoreInput(value=9),
        })
    assert set(exc.value.message_dict) == {f"c{strict.pk}", f"c{optional.pk}"}
    answers = full_answers(round_)
    answers[optional.pk] = services.ScoreInput(not_applicable=True)
    services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=a1, answers=answers, submit=True)
    assert Score.objects.get(criterion=optional).not_applicable


def test_assessor_not_assigned_or_round_closed_is_denied(setup_round):
    round_, initiatives, (a1, _a2), _staff = setup_round
    outsider = UserFactory(assessor=True)
    with pytest.raises(PermissionDenied):
        services.assessment_save(selection_round=round_, initiative=initiatives[0], actor=outsider, answers={})
    other_round = SelectionRoundFactory(closed=True)
    RoundAssignment.objects.create(round=other_round, initiative=initiatives[0], assessor=a1)
    with pytest.raises(PermissionDenied):
        services.assessment_save(selection_round=other_round, initiative=initiatives[0], actor=a1, answers={})


def test_conflict_of_interest_is_detected_excluded_by_default_and_declared(db):
    staff = UserFactory(staff=True)
    eco = EcosystemFactory()
    own = InitiativeFactory(ecosystem=eco)
    partner_org_initiative = InitiativeFactory()
    unrelated = InitiativeFactory()
    eco_partner = EcosystemFactory()
    eco_partner_initiative = InitiativeFactory(ecosystem=eco_partner)
    assessor = UserFactory(assessor=True, organisation=own.lead_organisation)
    partner_org_initiative.partners.add(assessor.organisation)
    EcosystemPartnerFactory(ecosystem=eco_partner, organisation=assessor.organisation)
    round_ = SelectionRoundFactory()
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[assessor])
    excluded = dict(RoundAssignment.objects.filter(assessor=assessor).values_list("initiative_id", "excluded"))
    assert excluded[own.pk] and excluded[partner_org_initiative.pk] and excluded[eco_partner_initiative.pk]
    assert not excluded[unrelated.pk]
    with pytest.raises(PermissionDenied):
        services.assessment_save(selection_round=round_, initiative=own, actor=assessor, answers={})

    with pytest.raises(ValidationError):
        services.conflict_declare(selection_round=round_, initiative=own, actor=assessor, statement="  ")
    declaration = services.conflict_declare(
        selection_round=round_, initiative=own, actor=assessor, statement="Mijn werkgever leidt dit initiatief."
    )
    assert declaration.detected_reason
    assert Activity.objects.filter(verb="selection.conflict_declared").count() == 1
    # Declaring on an unflagged initiative records it and excludes the assessor there too.
    services.assessment_save(selection_round=round_, initiative=unrelated, actor=assessor, answers={})
    services.conflict_declare(selection_round=round_, initiative=unrelated, actor=assessor, statement="Familie.")
    assert RoundAssignment.objects.get(assessor=assessor, initiative=unrelated).excluded
    assert not Assessment.objects.filter(assessor=assessor, initiative=unrelated).exists()
    assert ConflictDeclaration.objects.count() == 2


def test_round_scope_filters(reference_data, staff):
    from portal.models import Priority, Region, Theme

    theme = Theme.objects.first()
    priority = Priority.objects.first()
    corop = Region.objects.filter(kind="corop").first()
    a = InitiativeFactory(theme=theme, stage="pilot", regions=[corop])
    a.priorities.add(priority)
    InitiativeFactory(theme=theme, stage="idea")
    InitiativeFactory(draft=True, theme=theme, stage="pilot")
    round_ = services.round_create(
        actor=staff, name="Ronde", framework_version=awti_version(),
        scope={"themes": [theme.code], "stages": ["pilot"], "priorities": [priority.code], "regions": [corop.parent.code]},
    )
    assert list(services.round_scope_queryset(round_)) == [a]


def test_only_staff_decide_and_a_decision_needs_a_rationale(setup_round):
    round_, initiatives, (a1, _a2), staff = setup_round
    for user in (a1, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.decision_record(selection_round=round_, initiative=initiatives[0], actor=user, outcome="stop", rationale="x")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(selection_round=round_, initiative=initiatives[0], actor=staff, outcome="wrong", rationale="")
    assert set(exc.value.message_dict) == {"outcome", "rationale"}
    services.decision_record(selection_round=round_, initiative=initiatives[0], actor=staff, outcome="park", rationale="Later.")
    services.decision_record(
        selection_round=round_, initiative=initiatives[0], actor=staff, outcome="select_for_national_push", rationale="Sterk."
    )
    assert Decision.objects.get().outcome == "select_for_national_push"
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(round=round_, initiative=initiatives[0], outcome="stop", rationale="x", decided_by=staff)


def test_one_running_scoring_run_per_round(setup_round):
    round_, _initiatives, _assessors, _staff = setup_round
    ScoringRun.objects.create(round=round_)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRun.objects.create(round=round_)
    ScoringRun.objects.create(round=round_, status=ScoringRun.Status.DONE)


def test_round_status_transitions(setup_round):
    round_, _i, (a1, _a2), staff = setup_round
    services.round_set_status(selection_round=round_, actor=staff, status="closed")
    with pytest.raises(InvalidTransition):
        services.round_set_status(selection_round=round_, actor=staff, status="draft")
    with pytest.raises(PermissionDenied):
        services.round_set_status(selection_round=round_, actor=a1, status="open")
