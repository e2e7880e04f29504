"""Overlap detection in the portal: runs, incremental checks, decisions, permissions, merge."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from initiatives import overlap_services as svc
from initiatives.models import Initiative, InitiativeLink, OverlapRun, OverlapSuggestion
from initiatives.selectors import initiative_history, overlap_docs, overlap_suggestion_queue
from initiatives.services import initiative_create, initiative_update
from initiatives.tests.factories import FundingLineFactory, InitiativeFactory
from portal.exceptions import ApplicationError, ConflictError, InvalidTransition
from portal.models import Activity, FundingInstrument
from portal.tests.factories import (
    EcosystemFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
    board_user_for,
)
from portal.tests.support import wait_for

EVAL = Path(__file__).resolve().parents[2] / "tests" / "data" / "overlap_eval.jsonl"
EVAL_DOCS = {d["id"]: d for d in map(json.loads, EVAL.read_text(encoding="utf-8").splitlines()) if d}


def _make(eval_id: int, ecosystem=None) -> Initiative:
    doc = EVAL_DOCS[eval_id]
    kwargs = {"ecosystem": ecosystem} if ecosystem is not None else {}
    return InitiativeFactory(title=doc["name"], description=doc["description"], **kwargs)


def _pair(x: Initiative, y: Initiative) -> OverlapSuggestion:
    a, b = sorted([x.pk, y.pk])
    return OverlapSuggestion.objects.get(a_id=a, b_id=b)


def _rows() -> set[tuple]:
    return {
        (a, b, s, k, tuple(r), st)
        for a, b, s, k, r, st in OverlapSuggestion.objects.values_list(
            "a_id", "b_id", "score", "kind", "reasons", "status")
    }


@pytest.fixture
def hydrogen(db):
    """Two ecosystems: eval docs 1 (NL) and 2 (EN) are the same work; 42 (AI in care) is unrelated."""
    eco_north, eco_south = EcosystemFactory(), EcosystemFactory()
    return {
        "north": eco_north,
        "south": eco_south,
        "h_nl": _make(1, eco_north),
        "h_en": _make(2, eco_south),
        "care": _make(42, eco_north),
    }


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


def _run_in_process(staff, django_capture_on_commit_callbacks, chunk_size: int = 2) -> OverlapRun:
    with mock.patch.object(svc, "CHUNK_SIZE", chunk_size), django_capture_on_commit_callbacks(execute=True):
        run = svc.overlap_run_start(actor=staff)
    run.refresh_from_db()
    return run


# --- selector -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overlap_docs_reads_everything_in_a_fixed_number_of_queries(hydrogen, django_assert_num_queries):
    region = RegionFactory(name="Groningen")
    partner = OrganisationFactory(name="Gasunie")
    hydrogen["h_nl"].regions.set([region])
    hydrogen["h_nl"].partners.set([partner])
    InitiativeFactory.create_batch(5)
    merged = InitiativeFactory(status=Initiative.Status.MERGED, merged_into=hydrogen["h_en"])
    with django_assert_num_queries(4):
        docs = overlap_docs()
    by_id = {d.id: d for d in docs}
    assert merged.pk not in by_id
    assert [d.id for d in docs] == sorted(by_id)
    nl = by_id[hydrogen["h_nl"].pk]
    assert (nl.region, nl.partners, nl.type) == ("Groningen", ("Gasunie",), "field_lab")


def test_fingerprint_ignores_case_and_spacing_but_not_words():
    from initiatives.selectors import overlap_text_fingerprint as fp

    base = fp(title="Waterstof Hub", description="Groene waterstof uit wind.")
    assert fp(title="waterstof  hub", description="Groene waterstof uit wind") == base
    assert fp(title="Waterstof Hub", description="Groene waterstof uit zon.") != base


# --- full run -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_run_in_process_finds_the_bilingual_overlap(hydrogen, staff, django_capture_on_commit_callbacks):
    run = _run_in_process(staff, django_capture_on_commit_callbacks)
    assert run.status == OverlapRun.Status.COMPLETED
    assert (run.initiatives, run.chunks_total, run.chunks_done) == (3, 2, 2)
    pair = _pair(hydrogen["h_nl"], hydrogen["h_en"])
    assert pair.kind == OverlapSuggestion.Kind.OVERLAP and pair.status == OverlapSuggestion.Status.PENDING
    assert pair.last_run_id == run.pk
    assert any("waterstof" in r.lower() for r in pair.reasons)
    assert not OverlapSuggestion.objects.filter(a=hydrogen["care"]).exists()
    assert not OverlapSuggestion.objects.filter(b=hydrogen["care"]).exists()
    assert run.pairs_found == OverlapSuggestion.objects.count()


@pytest.mark.django_db
def test_only_one_run_at_a_time(hydrogen, staff):
    svc.overlap_run_start(actor=staff)  # on_commit never fires inside the test transaction
    with pytest.raises(ConflictError):
        svc.overlap_run_start(actor=staff)


@pytest.mark.django_db
def test_a_redelivered_chunk_changes_nothing(hydrogen, staff, django_capture_on_commit_callbacks):
    run = _run_in_process(staff, django_capture_on_commit_callbacks, chunk_size=10)
    before = _rows()
    OverlapRun.objects.filter(pk=run.pk).update(status=OverlapRun.Status.RUNNING)
    ids = sorted(i.pk for i in hydrogen.values() if isinstance(i, Initiative))
    assert svc.overlap_run_chunk_process(run_id=run.pk, number=0, initiative_ids=ids) == 0
    run.refresh_from_db()
    assert (run.chunks_done, run.chunks_total) == (1, 1)
    assert _rows() == before


@pytest.mark.django_db
def test_a_board_cannot_start_a_run(hydrogen):
    with pytest.raises(PermissionDenied):
        svc.overlap_run_start(actor=board_user_for(hydrogen["north"]))



@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_full_run_through_a_real_worker_twice_gives_identical_rows(live_worker):
    from portal.celery import app

    assert not app.conf.task_always_eager  # the tasks below go through Redis to the worker
    staff = UserFactory(staff=True)
    eco = EcosystemFactory()
    for eval_id in (1, 2, 3, 4, 5, 35, 37, 42, 43, 44):
        _make(eval_id, eco)
    with mock.patch.object(svc, "CHUNK_SIZE", 3):
        first_run = svc.overlap_run_start(actor=staff)
        assert wait_for(lambda: OverlapRun.objects.get(pk=first_run.pk).status == OverlapRun.Status.COMPLETED)
        first = _rows()
        second_run = svc.overlap_run_start(actor=staff)
        assert wait_for(lambda: OverlapRun.objects.get(pk=second_run.pk).status == OverlapRun.Status.COMPLETED)
    second = _rows()
    assert first and second == first
    runs = list(OverlapRun.objects.order_by("id"))
    assert [(r.chunks_total, r.chunks_done) for r in runs] == [(4, 4), (4, 4)]
    assert all(r.pairs_found == len(first) for r in runs)
    assert set(OverlapSuggestion.objects.values_list("last_run_id", flat=True)) == {second_run.pk}


# --- incremental check ----------------------------------------------------------------------


@pytest.fixture
def board_setup(db):
    region = RegionFactory()
    eco = EcosystemFactory(regions=[region])
    return eco, region, board_user_for(eco)


def _create_data(eco, region, eval_id: int) -> dict:
    doc = EVAL_DOCS[eval_id]
    return {
        "title": doc["name"], "description": doc["description"], "ecosystem": eco, "regions": [region],
        "lead_organisation": eco.lead_organisation, "type": Initiative.Type.INNOVATION_PROJECT,
        "stage": Initiative.Stage.PILOT,
    }


@pytest.mark.django_db
def test_create_enqueues_the_incremental_check_on_commit(board_setup, django_capture_on_commit_callbacks):
    eco, region, board = board_setup
    with mock.patch("initiatives.services.overlap_check_initiative_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            initiative = initiative_create(actor=board, data=_create_data(eco, region, 2))
        delay.assert_not_called()  # not before the commit
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(initiative_id=initiative.pk)


@pytest.mark.django_db
def test_create_then_check_runs_and_upserts_suggestions(hydrogen, board_setup, django_capture_on_commit_callbacks):
    eco, region, board = board_setup
    with django_capture_on_commit_callbacks(execute=True):
        initiative = initiative_create(actor=board, data=_create_data(eco, region, 2))
    pair = _pair(initiative, hydrogen["h_nl"])
    assert pair.kind == OverlapSuggestion.Kind.OVERLAP and pair.last_run_id is None


@pytest.mark.django_db
def test_update_enqueues_only_when_the_detector_inputs_change(hydrogen, django_capture_on_commit_callbacks):
    initiative = hydrogen["h_nl"]
    board = board_user_for(hydrogen["north"])
    with mock.patch("initiatives.services.overlap_check_initiative_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            initiative_update(initiative=initiative, actor=board, data={"website": "https://example.org"})
        delay.assert_not_called()
        with django_capture_on_commit_callbacks(execute=True):
            initiative_update(initiative=initiative, actor=board, data={"title": "Waterstofhub Eemshaven"})
        delay.assert_called_once_with(initiative_id=initiative.pk)


@pytest.mark.django_db
def test_check_removes_pending_pairs_that_no_longer_match(hydrogen):
    svc.overlap_check_initiative(initiative_id=hydrogen["h_en"].pk)
    assert _pair(hydrogen["h_nl"], hydrogen["h_en"])
    h_en = hydrogen["h_en"]
    h_en.title, h_en.description = EVAL_DOCS[44]["name"], EVAL_DOCS[44]["description"]
    h_en.save()
    svc.overlap_check_initiative(initiative_id=h_en.pk)
    with pytest.raises(OverlapSuggestion.DoesNotExist):
        _pair(hydrogen["h_nl"], h_en)


# --- decisions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dismissed_pair_comes_back_only_when_a_text_changes_materially(hydrogen, staff):
    h_nl, h_en = hydrogen["h_nl"], hydrogen["h_en"]
    svc.overlap_check_initiative(initiative_id=h_nl.pk)
    with pytest.raises(ApplicationError):
        svc.overlap_dismiss(suggestion=_pair(h_nl, h_en), actor=staff, reason="  ")
    svc.overlap_dismiss(suggestion=_pair(h_nl, h_en), actor=staff, reason="Different ports, coordinated already")

    # Re-detection (incremental and full) keeps the decision.
    svc.overlap_check_initiative(initiative_id=h_en.pk)
    pair = _pair(h_nl, h_en)
    assert pair.status == OverlapSuggestion.Status.DISMISSED
    assert pair.dismiss_reason == "Different ports, coordinated already" and pair.decided_by == staff

    # Case and spacing are not a material change.
    h_en.description = "  " + h_en.description.upper() + "  "
    h_en.save()
    svc.overlap_check_initiative(initiative_id=h_en.pk)
    assert _pair(h_nl, h_en).status == OverlapSuggestion.Status.DISMISSED

    # A new sentence is.
    h_en.description += " The partners now also plan a second electrolyser in Vlissingen."
    h_en.save()
    svc.overlap_check_initiative(initiative_id=h_en.pk)
    pair = _pair(h_nl, h_en)
    assert pair.status == OverlapSuggestion.Status.PENDING
    assert pair.dismiss_reason == "" and pair.decided_by is None and pair.decided_at is None
    assert Activity.objects.filter(verb="overlap.reopened", target_id=pair.pk).count() == 1


@pytest.mark.django_db
def test_full_run_keeps_human_decisions(hydrogen, staff, django_capture_on_commit_callbacks):
    svc.overlap_check_initiative(initiative_id=hydrogen["h_nl"].pk)
    svc.overlap_confirm(suggestion=_pair(hydrogen["h_nl"], hydrogen["h_en"]), actor=staff)
    _run_in_process(staff, django_capture_on_commit_callbacks)
    pair = _pair(hydrogen["h_nl"], hydrogen["h_en"])
    assert pair.status == OverlapSuggestion.Status.CONFIRMED_OVERLAP and pair.decided_by == staff


@pytest.mark.django_db
def test_staff_actions_are_recorded(hydrogen, staff):
    svc.overlap_check_initiative(initiative_id=hydrogen["h_nl"].pk)
    pair = _pair(hydrogen["h_nl"], hydrogen["h_en"])
    svc.overlap_mark_complementary(suggestion=pair, actor=staff)
    link = svc.initiative_link_create(
        actor=staff, from_initiative=hydrogen["h_nl"], to_initiative=hydrogen["h_en"],
        kind=InitiativeLink.Kind.COMPLEMENTS, suggestion=pair,
    )
    assert link.status == InitiativeLink.Status.ACCEPTED
    pair.refresh_from_db()
    assert pair.status == OverlapSuggestion.Status.LINKED
    from portal.models import Activity

    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"overlap.marked_complementary", "overlap.linked", "initiative.linked"} <= verbs


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_board_sees_and_links_only_pairs_with_its_own_initiatives(hydrogen):
    other_eco = EcosystemFactory()
    other_a, other_b = _make(4, other_eco), _make(5, other_eco)
    for initiative in (hydrogen["h_nl"], other_a):
        svc.overlap_check_initiative(initiative_id=initiative.pk)
    own_pair = _pair(hydrogen["h_nl"], hydrogen["h_en"])
    foreign_pair = _pair(other_a, other_b)
    north_board = board_user_for(hydrogen["north"])

    visible = set(overlap_suggestion_queue(user=north_board).values_list("id", flat=True))
    assert own_pair.pk in visible and foreign_pair.pk not in visible

    # A board decides nothing, not even on its own pairs.
    for action in (svc.overlap_confirm, svc.overlap_mark_complementary):
        with pytest.raises(PermissionDenied):
            action(suggestion=foreign_pair, actor=north_board)
        with pytest.raises(PermissionDenied):
            action(suggestion=own_pair, actor=north_board)
    with pytest.raises(PermissionDenied):
        svc.overlap_dismiss(suggestion=own_pair, actor=north_board, reason="no")
    with pytest.raises(PermissionDenied):
        svc.initiative_merge(actor=north_board, survivor=other_a, merged=other_b)
    # It cannot link two initiatives of another region ...
    with pytest.raises(PermissionDenied):
        svc.initiative_link_create(actor=north_board, from_initiative=other_a, to_initiative=other_b,
                                   kind=InitiativeLink.Kind.OVERLAPS)
    # ... but proposes a link from its own initiative, which the other board answers.
    link = svc.initiative_link_create(actor=north_board, from_initiative=hydrogen["h_nl"],
                                      to_initiative=hydrogen["h_en"], kind=InitiativeLink.Kind.OVERLAPS,
                                      suggestion=own_pair)
    assert link.status == InitiativeLink.Status.PROPOSED
    own_pair.refresh_from_db()
    assert own_pair.status == OverlapSuggestion.Status.PENDING  # a proposal is not a decision
    with pytest.raises(PermissionDenied):
        svc.initiative_link_answer(link=link, actor=north_board, accept=True)
    link = svc.initiative_link_answer(link=link, actor=board_user_for(hydrogen["south"]), accept=True)
    assert link.status == InitiativeLink.Status.ACCEPTED
    with pytest.raises(InvalidTransition):
        svc.initiative_link_answer(link=link, actor=board_user_for(hydrogen["south"]), accept=False)


# --- merge ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_keeps_history_links_and_rows(hydrogen, staff):
    h_nl, h_en, care = hydrogen["h_nl"], hydrogen["h_en"], hydrogen["care"]
    board = board_user_for(hydrogen["south"])
    initiative_update(initiative=h_en, actor=board, data={"website": "https://example.org/h2"})
    instrument = FundingInstrument.objects.create(code="T-RD", name="Regio Deal", level="national", form="subsidy")
    FundingLineFactory(initiative=h_en, instrument=instrument)
    svc.initiative_link_create(actor=staff, from_initiative=h_en, to_initiative=care,
                               kind=InitiativeLink.Kind.PART_OF)
    svc.overlap_check_initiative(initiative_id=h_nl.pk)
    history_before = list(initiative_history(initiative=h_en).values_list("verb", flat=True))
    count_before = Initiative.objects.count()

    svc.initiative_merge(actor=staff, survivor=h_nl, merged=h_en, suggestion=_pair(h_nl, h_en))

    h_en.refresh_from_db()
    assert h_en.status == Initiative.Status.MERGED and h_en.merged_into == h_nl
    assert Initiative.objects.count() == count_before
    assert h_en.funding_lines.count() == 1
    assert InitiativeLink.objects.filter(from_initiative=h_en, to_initiative=care).exists()
    history_after = list(initiative_history(initiative=h_en).values_list("verb", flat=True))
    assert history_after[0] == "initiative.merged" and history_after[1:] == history_before
    assert "initiative.absorbed" in initiative_history(initiative=h_nl).values_list("verb", flat=True)
    assert _pair(h_nl, h_en).status == OverlapSuggestion.Status.MERGED
    # Merged initiatives leave detection, and cannot be merged again.
    assert h_en.pk not in {d.id for d in overlap_docs()}
    with pytest.raises(InvalidTransition):
        svc.initiative_merge(actor=staff, survivor=care, merged=h_en)
    with pytest.raises(InvalidTransition):
        svc.overlap_confirm(suggestion=_pair(h_nl, h_en), actor=staff)


@pytest.mark.django_db
def test_nightly_task_resets_stuck_runs_and_queues_one_run(hydrogen, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from initiatives.tasks import overlap_run_nightly

    stuck = OverlapRun.objects.create(threshold=0.35, status=OverlapRun.Status.RUNNING)
    OverlapRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - dt.timedelta(hours=4))
    with django_capture_on_commit_callbacks(execute=True):
        overlap_run_nightly.delay()
    stuck.refresh_from_db()
    assert stuck.status == OverlapRun.Status.FAILED
    latest = OverlapRun.objects.latest("id")
    assert latest.pk != stuck.pk and latest.status == OverlapRun.Status.COMPLETED
    assert _pair(hydrogen["h_nl"], hydrogen["h_en"]).last_run_id == latest.pk
    overlap_run_nightly.delay()  # queues a run; its dispatcher waits for a commit that never comes here
    overlap_run_nightly.delay()  # one is already queued: no error and no second run
    assert OverlapRun.objects.filter(status=OverlapRun.Status.QUEUED).count() == 1


def test_incremental_checks_reuse_a_recent_index(hydrogen, settings):
    """An edit is compared with the worker's cached index, so it does not rebuild 100k rows."""
    from initiatives import overlap_services

    settings.OVERLAP_INDEX_MAX_AGE_SECONDS = 600
    overlap_services._INCREMENTAL_INDEX.clear()
    assert overlap_services.overlap_check_initiative(initiative_id=hydrogen["h_nl"].pk) >= 1
    built = overlap_services._INCREMENTAL_INDEX["entry"]["built"]
    assert _pair(hydrogen["h_nl"], hydrogen["h_en"]).kind == "overlap"
    # The English description is checked against the cached index and still finds its twin.
    assert overlap_services.overlap_check_initiative(initiative_id=hydrogen["h_en"].pk) >= 1
    assert overlap_services._INCREMENTAL_INDEX["entry"]["built"] == built
    # One new row is tolerated; more than 1 % new rows (here: 2 on 3) make it rebuild.
    _make(3, hydrogen["south"])
    overlap_services.overlap_check_initiative(initiative_id=hydrogen["h_nl"].pk)
    assert overlap_services._INCREMENTAL_INDEX["entry"]["built"] == built
    _make(4, hydrogen["south"])
    overlap_services.overlap_check_initiative(initiative_id=hydrogen["h_nl"].pk)
    assert overlap_services._INCREMENTAL_INDEX["entry"]["built"] > built
    overlap_services._INCREMENTAL_INDEX.clear()
