"""Services: workflow table per role, immutability, optimistic locking, assessments, history, mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from agendas import services, workflow
from agendas.models import Agenda, AgendaVersion, CriterionAssessment, Endorsement, Goal, Status
from agendas.tests.factories import fill_complete
from initiatives.tests.factories import InitiativeFactory
from portal.exceptions import ApplicationError, ConflictError, InvalidTransition
from portal.models import Activity
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for


@pytest.fixture
def eco(db):
    return EcosystemFactory(name="Brainport")


@pytest.fixture
def board(eco):
    return board_user_for(eco, email="bestuur@example.org")


@pytest.fixture
def staff(db):
    return UserFactory(staff=True, email="team@example.org")


@pytest.fixture
def assessor(db):
    return UserFactory(assessor=True)


@pytest.fixture
def agenda(eco, board):
    return services.agenda_create(ecosystem=eco, actor=board)


def draft(agenda: Agenda) -> AgendaVersion:
    return agenda.versions.get(frozen=False)


def score_all(version: AgendaVersion, actor, score: int = 2) -> None:
    for n in range(1, 8):
        services.criterion_assess(version=version, actor=actor, criterion=n, score=score, feedback=f"c{n}")


@pytest.mark.django_db
class TestCreate:
    def test_board_starts_agenda_once(self, eco, board):
        a1 = services.agenda_create(ecosystem=eco, actor=board)
        a2 = services.agenda_create(ecosystem=eco, actor=board)
        assert a1 == a2
        assert a1.versions.count() == 1
        assert a1.title == "RIEA Brainport"

    def test_other_board_cannot_start(self, eco):
        with pytest.raises(PermissionDenied):
            services.agenda_create(ecosystem=eco, actor=board_user_for(EcosystemFactory()))


@pytest.mark.django_db
class TestOptimisticLocking:
    def test_save_increments_lock_version(self, agenda, board):
        version = draft(agenda)
        saved = services.version_update(version=version, actor=board, data={"vision": "Eén"}, lock_version=0)
        assert saved.lock_version == 1
        assert Activity.objects.filter(verb="agenda.draft_updated", actor=board).count() == 1

    def test_stale_save_raises_conflict_and_writes_nothing(self, agenda, board, eco):
        other = board_user_for(eco)
        version = draft(agenda)
        services.version_update(version=version, actor=board, data={"vision": "Eerste"}, lock_version=0)
        with pytest.raises(ConflictError) as exc:
            services.version_update(version=version, actor=other, data={"vision": "Tweede"}, lock_version=0)
        assert exc.value.extra == {"lock_version": 1}
        version.refresh_from_db()
        assert version.vision == "Eerste"

    def test_unchanged_save_keeps_lock_version(self, agenda, board):
        version = draft(agenda)
        saved = services.version_update(version=version, actor=board, data={"vision": ""}, lock_version=0)
        assert saved.lock_version == 0

    def test_other_board_may_not_save(self, agenda):
        with pytest.raises(PermissionDenied):
            services.version_update(
                version=draft(agenda), actor=board_user_for(EcosystemFactory()), data={"vision": "x"}, lock_version=0
            )


@pytest.mark.django_db
class TestImmutability:
    @pytest.fixture
    def frozen(self, agenda, board):
        services.part_add(version=draft(agenda), actor=board, kind="goal", data={"title": "Banen"})
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        return agenda.versions.get(number=1)

    def test_submit_freezes_and_opens_new_draft_with_copy(self, agenda, frozen):
        assert frozen.frozen and frozen.status == Status.SUBMITTED and frozen.submitted_at
        new = draft(agenda)
        assert new.number == 2
        assert list(new.goals.values_list("title", flat=True)) == ["Banen"]
        assert new.goals.get().pk != frozen.goals.get().pk

    def test_text_of_frozen_version_cannot_change(self, frozen, board):
        with pytest.raises(ApplicationError, match="can no longer be changed"):
            services.version_update(version=frozen, actor=board, data={"vision": "x"}, lock_version=frozen.lock_version)

    def test_rows_of_frozen_version_cannot_change(self, frozen, board):
        with pytest.raises(ApplicationError):
            services.part_add(version=frozen, actor=board, kind="goal", data={"title": "Nieuw"})
        with pytest.raises(ApplicationError):
            services.part_remove(version=frozen, actor=board, kind="goal", part_id=frozen.goals.get().pk)
        with pytest.raises(ApplicationError):
            services.parts_replace(version=frozen, actor=board, parts={"goal": []})
        assert frozen.goals.count() == 1

    def test_database_allows_only_one_draft(self, agenda):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaVersion.objects.create(agenda=agenda, number=9)

    def test_database_refuses_frozen_without_submission_date(self, agenda):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaVersion.objects.filter(pk=draft(agenda).pk).update(frozen=True, status="submitted")

    def test_linked_initiatives_are_copied(self, agenda, board, eco):
        initiative = InitiativeFactory(ecosystem=eco)
        services.part_add(
            version=draft(agenda), actor=board, kind="action", data={"title": "Lab", "scope": "generic"},
            initiative_ids=[initiative.pk],
        )
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        assert list(draft(agenda).actions.get().initiatives.all()) == [initiative]


@pytest.mark.django_db
class TestWorkflowTable:
    """Every pair in the table, per role: allowed for the listed roles, refused for the others."""

    @pytest.mark.parametrize(("source", "target"), list(workflow.ALLOWED_TRANSITIONS))
    def test_table_per_role(self, source, target, eco, board, staff, assessor):
        roles = {"board": board, "staff": staff, "assessor": assessor,
                 "other_board": board_user_for(EcosystemFactory()), "rom": UserFactory(rom=True)}
        allowed = workflow.ALLOWED_TRANSITIONS[(source, target)]
        for role, user in roles.items():
            agenda = self._agenda_in(eco, source, staff)
            if role in allowed:
                services.agenda_transition(agenda=agenda, actor=user, target=target)
                agenda.refresh_from_db()
                assert agenda.status == target, role
            else:
                with pytest.raises(InvalidTransition):
                    services.agenda_transition(agenda=agenda, actor=user, target=target)
                agenda.refresh_from_db()
                assert agenda.status == source, role
            Agenda.objects.filter(pk=agenda.pk).delete()

    @staticmethod
    def _agenda_in(eco, status: str, staff) -> Agenda:
        agenda = Agenda.objects.create(ecosystem=eco, title="x", status=status)
        if status == Status.DRAFT:
            AgendaVersion.objects.create(agenda=agenda, number=1)
            return agenda
        from django.utils import timezone

        version_status = {Status.REVISED: Status.FEEDBACK}.get(status, status)
        frozen = AgendaVersion.objects.create(
            agenda=agenda, number=1, frozen=True, status=version_status, submitted_at=timezone.now()
        )
        AgendaVersion.objects.create(agenda=agenda, number=2)
        for n in range(1, 8):
            CriterionAssessment.objects.create(version=frozen, criterion=n, score=2, assessed_by=staff)
        return agenda

    @pytest.mark.parametrize("source", Status.values)
    def test_every_pair_outside_the_table_is_refused_for_every_role(self, source, eco, board, staff, assessor):
        agenda = self._agenda_in(eco, source, staff)
        outside = [t for t in Status.values if (source, t) not in workflow.ALLOWED_TRANSITIONS]
        assert outside
        for user in (board, staff, assessor):
            for target in outside:
                with pytest.raises(InvalidTransition):
                    services.agenda_transition(agenda=agenda, actor=user, target=target)
        agenda.refresh_from_db()
        assert agenda.status == source
        assert agenda.versions.count() == (1 if source == Status.DRAFT else 2)

    @pytest.mark.parametrize("target", [Status.IN_REVIEW, Status.FEEDBACK, Status.ADOPTED, Status.REVISED, "bogus"])
    def test_pairs_not_in_table_are_refused_even_for_staff(self, agenda, staff, target):
        with pytest.raises(InvalidTransition):
            services.agenda_transition(agenda=agenda, actor=staff, target=target)

    def test_board_cannot_submit_twice(self, agenda, board):
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        with pytest.raises(InvalidTransition):
            services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        assert agenda.versions.count() == 2


@pytest.mark.django_db
class TestFullCycle:
    def test_submit_review_feedback_resubmit_adopt(self, agenda, board, staff, django_capture_on_commit_callbacks):
        fill_complete(draft(agenda))
        with django_capture_on_commit_callbacks(execute=True):
            services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        assert [m.to for m in mail.outbox] == [["team@example.org"]]
        v1 = agenda.versions.get(number=1)
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
        with pytest.raises(ApplicationError, match="Score every criterion"):
            services.agenda_transition(agenda=agenda, actor=staff, target=Status.FEEDBACK)
        score_all(v1, staff, score=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.agenda_transition(agenda=agenda, actor=staff, target=Status.FEEDBACK, note="Scherper")
        assert mail.outbox[-1].to == ["bestuur@example.org"]
        v1.refresh_from_db()
        assert (v1.status, v1.verdict, v1.verdict_feedback) == (Status.FEEDBACK, "revise", "Scherper")
        services.agenda_transition(agenda=agenda, actor=board, target=Status.REVISED)
        services.version_update(version=draft(agenda), actor=board, data={"vision": "Beter"}, lock_version=0)
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        v2 = agenda.versions.get(number=2)
        assert v2.frozen and v2.vision == "Beter"
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
        score_all(v2, staff, score=3)
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.ADOPTED)
        v2.refresh_from_db()
        assert (v2.status, v2.verdict) == (Status.ADOPTED, "adopt")
        agenda.refresh_from_db()
        assert agenda.status == Status.ADOPTED
        verbs = list(Activity.objects.filter(verb__startswith="agenda.").values_list("verb", flat=True))
        for verb in ("agenda.submitted", "agenda.in_review", "agenda.feedback", "agenda.revised",
                     "agenda.adopted", "agenda.assessed"):
            assert verb in verbs
        assert agenda.versions.count() == 3


@pytest.mark.django_db
class TestAssessment:
    @pytest.fixture
    def in_review(self, agenda, board, staff):
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
        return agenda.versions.get(number=1)

    def test_rescore_updates_one_row_and_records_both(self, in_review, assessor):
        services.criterion_assess(version=in_review, actor=assessor, criterion=3, score=1, feedback="Te vaag")
        services.criterion_assess(version=in_review, actor=assessor, criterion=3, score=2, feedback="Beter")
        assert CriterionAssessment.objects.get(version=in_review, criterion=3).score == 2
        assert Activity.objects.filter(verb="agenda.assessed").count() == 2

    def test_board_cannot_assess(self, in_review, board):
        with pytest.raises(PermissionDenied):
            services.criterion_assess(version=in_review, actor=board, criterion=1, score=3)

    def test_out_of_range_score_is_refused(self, in_review, staff):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.criterion_assess(version=in_review, actor=staff, criterion=1, score=4)

    def test_draft_cannot_be_assessed(self, agenda, staff):
        with pytest.raises(ApplicationError):
            services.criterion_assess(version=draft(agenda), actor=staff, criterion=1, score=2)


@pytest.mark.django_db
class TestParts:
    def test_add_and_remove(self, agenda, board):
        version = draft(agenda)
        e = services.part_add(
            version=version, actor=board, kind="endorsement", data={"organisation": "TU/e", "helix_role": "knowledge"}
        )
        assert Endorsement.objects.filter(version=version).count() == 1
        services.part_remove(version=version, actor=board, kind="endorsement", part_id=e.pk)
        services.part_remove(version=version, actor=board, kind="endorsement", part_id=e.pk)  # idempotent
        assert not Endorsement.objects.filter(version=version).exists()

    def test_invalid_row_is_refused(self, agenda, board):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.part_add(version=draft(agenda), actor=board, kind="goal", data={"title": ""})
        assert not Goal.objects.exists()

    def test_unknown_kind(self, agenda, board):
        with pytest.raises(ApplicationError):
            services.part_add(version=draft(agenda), actor=board, kind="nope", data={})
