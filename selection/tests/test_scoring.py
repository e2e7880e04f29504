"""Batch scoring: results, idempotency, a failing chunk, constant queries, a real worker."""


import pytest
from django.db import OperationalError

from initiatives.tests.factories import FundingLineFactory, InitiativeFactory
from portal.exceptions import ConflictError
from portal.models import FundingInstrument, Organisation, Priority, Region
from portal.tests.factories import EcosystemFactory, OrganisationFactory, UserFactory
from portal.tests.support import wait_for
from selection import services, tasks
from selection.models import (
    Criterion,
    InitiativeRoundResult,
    RoundAssignment,
    ScoringChunk,
    ScoringRun,
)
from selection.tests.conftest import full_answers
from selection.tests.factories import SelectionRoundFactory


def _result_rows(round_):
    return sorted(
        InitiativeRoundResult.objects.filter(round=round_).values_list(
            "initiative_id", "criteria", "suggestions", "weighted_total", "max_spread", "disagreement",
            "submitted_count", "assigned_count", "coverage",
        )
    )


def _run(round_, staff, capture, chunk_size=2):
    services_start = services.scoring_run_start
    with capture(execute=False) as callbacks:
        run = services_start(selection_round=round_, actor=staff)
    assert len(callbacks) == 1
    tasks.scoring_run_dispatch.delay(run.pk, chunk_size)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_scoring_run_aggregates_suggests_and_is_rerunnable(setup_round, reference_data, django_capture_on_commit_callbacks):
    round_, initiatives, (a1, a2), staff = setup_round
    first = initiatives[0]
    first.priorities.add(*Priority.objects.filter(kind="transition_challenge")[:2])
    first.regions.set(Region.objects.filter(population_decline=True)[:1])
    first.partners.add(OrganisationFactory(kind=Organisation.Kind.STARTUP), OrganisationFactory(country="BE"))
    FundingLineFactory(initiative=first, instrument=FundingInstrument.objects.get(code="horizon-europe"))
    services.assessment_save(selection_round=round_, initiative=first, actor=a1, answers=full_answers(round_, 5), submit=True)
    answers = full_answers(round_, 1)
    na = Criterion.objects.get(version=round_.framework_version, code="nieuwe-partijen")
    answers[na.pk] = services.ScoreInput(not_applicable=True)
    services.assessment_save(selection_round=round_, initiative=first, actor=a2, answers=answers, submit=True)
    # A draft never counts.
    services.assessment_save(selection_round=round_, initiative=initiatives[1], actor=a1, answers=full_answers(round_, 5))

    run = _run(round_, staff, django_capture_on_commit_callbacks)
    assert run.status == ScoringRun.Status.DONE
    assert (run.chunk_count, run.chunks_done, run.initiative_count, run.initiatives_done) == (2, 2, 3, 3)
    result = InitiativeRoundResult.objects.get(round=round_, initiative=first)
    assert result.criteria["toekomstbeeld"] == {"median": 3.0, "mean": 3.0, "n": 2, "spread": 4.0, "disagreement": True}
    assert result.criteria["nieuwe-partijen"]["n"] == 1 and result.criteria["nieuwe-partijen"]["median"] == 5.0
    assert result.submitted_count == 2 and result.assigned_count == 2 and result.coverage == 1.0
    assert result.disagreement is True
    # 8 criteria at median 3 (50 %) and one at 5 (100 %), equal weights.
    assert result.weighted_total == pytest.approx(100 * (8 * 0.5 + 1) / 9)
    assert result.suggestions["nationale-prioriteiten"]["score"] == 5
    assert result.suggestions["internationale-samenwerking"]["params"] == {"eu": 1, "names": "Horizon Europe", "foreign": 1}
    assert result.suggestions["nationale-relevantie"]["key"] == "relevance_decline"
    empty = InitiativeRoundResult.objects.get(round=round_, initiative=initiatives[1])
    assert empty.weighted_total is None and empty.submitted_count == 0 and empty.coverage == 0

    before = _result_rows(round_)
    second = _run(round_, staff, django_capture_on_commit_callbacks, chunk_size=1)
    assert second.status == ScoringRun.Status.DONE and second.chunk_count == 3
    assert _result_rows(round_) == before


@pytest.mark.django_db
def test_second_run_while_one_is_running_is_refused(setup_round):
    round_, _initiatives, _assessors, staff = setup_round
    ScoringRun.objects.create(round=round_)
    with pytest.raises(ConflictError):
        services.scoring_run_start(selection_round=round_, actor=staff)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied for an assessor
        services.scoring_run_start(selection_round=round_, actor=UserFactory(assessor=True))


@pytest.mark.django_db
def test_a_chunk_failing_midway_leaves_no_rows_and_is_retried(setup_round, monkeypatch):
    round_, _initiatives, _assessors, _staff = setup_round
    run = ScoringRun.objects.create(round=round_)
    (chunk_id,) = services.scoring_run_dispatch(run_id=run.pk, chunk_size=10)
    calls = {"n": 0}
    real_update = ScoringChunk.objects.filter

    def flaky_filter(*args, **kwargs):
        # Fails after the results were upserted, on the first attempt only.
        if kwargs.get("pk") == chunk_id and calls["n"] == 0:
            calls["n"] += 1
            assert InitiativeRoundResult.objects.filter(round=round_).count() == 3  # written, not committed
            raise OperationalError("connection lost")
        return real_update(*args, **kwargs)

    monkeypatch.setattr(ScoringChunk.objects, "filter", flaky_filter)
    with pytest.raises(OperationalError):
        services.scoring_chunk_process(chunk_id=chunk_id)
    assert InitiativeRoundResult.objects.filter(round=round_).count() == 0
    run.refresh_from_db()
    assert run.chunks_done == 0 and run.status == ScoringRun.Status.RUNNING

    calls["n"] = 0
    # apply() without propagation follows Celery's retry path in-process (autoretry_for).
    tasks.scoring_chunk_process.apply(args=(chunk_id,), throw=False)
    assert calls["n"] == 1
    assert InitiativeRoundResult.objects.filter(round=round_).count() == 3
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.chunks_done == 1
    # A redelivered chunk is not counted twice.
    assert services.scoring_chunk_process(chunk_id=chunk_id) == 0


@pytest.mark.django_db
def test_queries_per_chunk_are_constant(setup_round, reference_data, django_assert_max_num_queries):
    round_, _initiatives, (a1, a2), staff = setup_round
    eco = EcosystemFactory(regions=list(Region.objects.filter(kind="corop")[:2]))
    extra = InitiativeFactory.create_batch(25, ecosystem=eco)
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[a1, a2])
    for initiative in extra:
        initiative.partners.add(OrganisationFactory())
        initiative.priorities.add(Priority.objects.first())
        FundingLineFactory(initiative=initiative, instrument=FundingInstrument.objects.get(code="efro"))
        services.assessment_save(selection_round=round_, initiative=initiative, actor=a1, answers=full_answers(round_), submit=True)
    run = ScoringRun.objects.create(round=round_)
    small, *_rest = services.scoring_run_dispatch(run_id=run.pk, chunk_size=3)
    big_run_round = SelectionRoundFactory()
    services.round_assign_assessors(selection_round=big_run_round, actor=staff, assessors=[a1])
    big_run = ScoringRun.objects.create(round=big_run_round)
    (big,) = services.scoring_run_dispatch(run_id=big_run.pk, chunk_size=100)
    assert ScoringChunk.objects.get(pk=big).last_id - ScoringChunk.objects.get(pk=big).first_id >= 25
    # 13 reads/writes + the savepoint pair of the chunk's transaction + the final stale-row delete.
    for chunk_id in (small, big):
        with django_assert_max_num_queries(16):
            assert services.scoring_chunk_process(chunk_id=chunk_id) > 0



@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_scoring_run_through_a_real_worker_twice_gives_identical_rows(live_worker, reference_data):
    staff = UserFactory(staff=True)
    eco = EcosystemFactory(regions=list(Region.objects.filter(kind="corop")[:1]))
    initiatives = InitiativeFactory.create_batch(7, ecosystem=eco)
    round_ = SelectionRoundFactory()
    a1, a2 = UserFactory(assessor=True), UserFactory(assessor=True)
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[a1, a2])
    for i, initiative in enumerate(initiatives):
        services.assessment_save(selection_round=round_, initiative=initiative, actor=a1, answers=full_answers(round_, 1 + i % 5), submit=True)
        if i % 2:
            services.assessment_save(selection_round=round_, initiative=initiative, actor=a2, answers=full_answers(round_, 5), submit=True)
    assert RoundAssignment.objects.count() == 14

    rows = []
    for _attempt in range(2):
        run = services.scoring_run_start(selection_round=round_, actor=staff)  # autocommit: on_commit fires now
        assert wait_for(lambda run=run: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE)
        run.refresh_from_db()
        assert run.chunks_done == run.chunk_count == 1 and run.initiatives_done == 7
        rows.append(_result_rows(round_))
    assert rows[0] == rows[1]
    assert len(rows[0]) == 7


@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_dispatcher_splits_into_chunk_tasks_on_the_worker(live_worker):
    staff = UserFactory(staff=True)
    InitiativeFactory.create_batch(5)
    round_ = SelectionRoundFactory()
    run = ScoringRun.objects.create(round=round_, triggered_by=staff)
    tasks.scoring_run_dispatch.delay(run.pk, 2)
    assert wait_for(lambda: ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.DONE)
    run.refresh_from_db()
    assert (run.chunk_count, run.chunks_done, run.initiatives_done) == (3, 3, 5)
    assert InitiativeRoundResult.objects.filter(round=round_).count() == 5


@pytest.mark.django_db
def test_sql_aggregation_matches_the_python_reference(setup_round, reference_data):
    """PostgreSQL runs aggregate in SQL; selection.aggregation (property-tested) is the specification."""
    import random

    round_, initiatives, (a1, a2), staff = setup_round
    a3 = UserFactory(assessor=True)
    more = InitiativeFactory.create_batch(5, ecosystem=initiatives[0].ecosystem)
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[a1, a2, a3])
    RoundAssignment.objects.filter(assessor=a3, initiative=more[0]).update(excluded=True)
    rng = random.Random(5)
    criteria = list(Criterion.objects.filter(version=round_.framework_version))
    for initiative in [*initiatives, *more][1:]:
        for assessor in (a1, a2, a3):
            if rng.random() < 0.25 or (assessor == a3 and initiative == more[0]):
                continue
            answers = {
                c.pk: services.ScoreInput(not_applicable=True) if c.allows_not_applicable and rng.random() < 0.3
                else services.ScoreInput(value=rng.randint(1, 5))
                for c in criteria
            }
            services.assessment_save(
                selection_round=round_, initiative=initiative, actor=assessor, answers=answers, submit=rng.random() < 0.9
            )
    first, last = min(i.pk for i in [*initiatives, *more]), max(i.pk for i in [*initiatives, *more])
    reference = {r.initiative_id: r for r in services.round_results_compute(selection_round=round_, first_id=first, last_id=last)}
    assert services.round_results_write_sql(selection_round=round_, first_id=first, last_id=last) == len(reference) == 8
    written = {r.initiative_id: r for r in InitiativeRoundResult.objects.filter(round=round_)}
    assert set(written) == set(reference)
    for initiative_id, expected in reference.items():
        got = written[initiative_id]
        assert got.suggestions == expected.suggestions
        assert (got.submitted_count, got.assigned_count, got.disagreement) == (
            expected.submitted_count, expected.assigned_count, expected.disagreement)
        assert got.coverage == pytest.approx(expected.coverage)
        assert got.weighted_total == pytest.approx(expected.weighted_total, abs=1e-5)
        assert got.max_spread == expected.max_spread
        for code, data in expected.criteria.items():
            for key, value in data.items():
                assert got.criteria[code][key] == pytest.approx(value), (initiative_id, code, key)


@pytest.mark.django_db
def test_nightly_beat_entry_scores_every_open_round_and_skips_running_ones(setup_round, django_capture_on_commit_callbacks):
    from django.conf import settings

    round_, _initiatives, _assessors, _staff = setup_round
    busy = SelectionRoundFactory()
    ScoringRun.objects.create(round=busy)
    SelectionRoundFactory(closed=True)
    entry = settings.CELERY_BEAT_SCHEDULE["selection-scoring-nightly"]
    assert entry["task"] == tasks.scoring_rounds_nightly.name
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.scoring_rounds_nightly.delay().get() == 1
    assert ScoringRun.objects.get(round=round_).status == ScoringRun.Status.DONE
    assert ScoringRun.objects.filter(round=busy).count() == 1


@pytest.mark.django_db
def test_sqlite_demo_path_uses_the_python_reference_and_writes_the_same_rows(setup_round, monkeypatch):
    """Demo mode (SQLite) has no percentile_cont: chunks run the Python reference instead."""
    from types import SimpleNamespace

    round_, initiatives, (a1, a2), _staff = setup_round
    for assessor, value in ((a1, 5), (a2, 2)):
        services.assessment_save(
            selection_round=round_, initiative=initiatives[0], actor=assessor, answers=full_answers(round_, value), submit=True
        )
    run = ScoringRun.objects.create(round=round_)
    (chunk_id,) = services.scoring_run_dispatch(run_id=run.pk, chunk_size=10)
    assert services.scoring_chunk_process(chunk_id=chunk_id) == 3
    sql_rows = _result_rows(round_)

    InitiativeRoundResult.objects.all().delete()
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE  # so a second run may start
    run2 = ScoringRun.objects.create(round=round_)
    (chunk2,) = services.scoring_run_dispatch(run_id=run2.pk, chunk_size=10)
    monkeypatch.setattr(services, "connection", SimpleNamespace(vendor="sqlite"))
    assert services.scoring_chunk_process(chunk_id=chunk2) == 3
    python_rows = _result_rows(round_)
    assert len(python_rows) == len(sql_rows) == 3
    for got, expected in zip(python_rows, sql_rows, strict=True):
        assert got[0] == expected[0] and got[2] == expected[2]
        assert got[3] == pytest.approx(expected[3], abs=1e-5)
        assert got[5:] == expected[5:]
        for code, data in expected[1].items():
            assert got[1][code] == pytest.approx(data)
