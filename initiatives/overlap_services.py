"""Overlap detection around the pure detector (initiatives/overlap.py): runs, incremental checks,
and the staff actions on suggestions.

Full run (Celery): ``overlap_run_start`` creates a queued run and, on commit, enqueues the
dispatcher. ``overlap_run_dispatch`` marks the run running, splits the live initiative ids into
chunks and enqueues one chunk task per chunk. ``overlap_run_chunk_process`` builds (or reuses,
per worker process and run) the index over all live initiatives, asks the detector for the pairs
found from the chunk rows (their top-K partners), and upserts them. The chunk that brings ``chunks_done`` to
``chunks_total`` completes the run and removes pending suggestions that no longer match.

Idempotency: suggestions are upserted on the unique pair (a, b); a finished chunk is recorded in
OverlapRunChunk (unique per run and number), so a redelivered chunk changes nothing.

Human decisions survive re-detection: a decided pair keeps its status; a dismissed pair comes
back (as pending) only when the text fingerprint of one of its initiatives has changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives import selectors
from initiatives.models import (
    Initiative,
    InitiativeLink,
    OverlapRun,
    OverlapRunChunk,
    OverlapSuggestion,
)
from initiatives.overlap import (
    DEFAULT_THRESHOLD,
    Doc,
    Index,
    Pair,
    build_index,
    candidate_pairs_for_rows,
    check_one,
)
from portal import permissions, webhook_services
from portal.exceptions import ApplicationError, ConflictError, InvalidTransition
from portal.models import User
from portal.services import activity_record, model_update

# Initiatives per full-run chunk task; OVERLAP_RUN_CHUNK_SIZE lets the failure drills make more, smaller chunks.
CHUNK_SIZE = int(os.environ.get("OVERLAP_RUN_CHUNK_SIZE", "500"))

# Process-local index for the run being processed: every chunk task of a run in the same worker
# process reuses it instead of rebuilding it from the database.
_RUN_INDEX: dict[str, Any] = {}


def _fingerprints(docs: Iterable[Doc]) -> dict[int, str]:
    return {
        d.id: selectors.overlap_text_fingerprint(title=d.name, description=d.description) for d in docs
    }


def _run_index(run: OverlapRun) -> tuple[Index | None, dict[int, int]]:
    key = f"{run.pk}:{run.started_at.isoformat() if run.started_at else ''}"
    if _RUN_INDEX.get("key") != key:
        _RUN_INDEX.clear()
        docs = selectors.overlap_docs()
        index = build_index(docs) if docs else None
        _RUN_INDEX.update(key=key, index=index, rows={d.id: i for i, d in enumerate(docs)})
    return _RUN_INDEX["index"], _RUN_INDEX["rows"]


def _suggestions_upsert(
    *, pairs: Sequence[Pair], fingerprints: dict[int, str], run_id: int | None
) -> int:
    """Insert or refresh the suggestions for `pairs`, keeping human decisions.

    One COPY into a temporary table and one INSERT ... ON CONFLICT DO UPDATE (a full run writes
    hundreds of thousands of rows; ORM batches took most of its time). Conflicting rows are
    locked by the upsert itself, and the CASE expressions read the row as it is then, so a staff
    decision made meanwhile is not overwritten: a decided pair keeps its status; a dismissed pair
    becomes pending again only when a text fingerprint changed. Must run inside a transaction.
    """
    if not pairs:
        return 0
    table = OverlapSuggestion._meta.db_table  # our own model's table: no user input in the SQL
    buf = io.StringIO()
    writer = csv.writer(buf)
    for pair in pairs:
        writer.writerow((pair.a, pair.b, repr(float(pair.score)), pair.kind,
                         json.dumps(list(pair.reasons), ensure_ascii=False),
                         fingerprints[pair.a], fingerprints[pair.b],
                         "" if run_id is None else run_id))
    buf.seek(0)
    dismissed, pending = OverlapSuggestion.Status.DISMISSED, OverlapSuggestion.Status.PENDING
    changed = "(s.text_fingerprint_a <> t.fa OR s.text_fingerprint_b <> t.fb)"
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS _overlap_upsert")
        cur.execute(
            "CREATE TEMP TABLE _overlap_upsert (a_id bigint, b_id bigint, score float8, kind text,"
            " reasons jsonb, fa text, fb text, last_run_id bigint) ON COMMIT DROP"
        )
        cur.cursor.copy_expert("COPY _overlap_upsert FROM STDIN WITH (FORMAT csv)", buf)
        # Dismissed pairs whose texts changed come back; they get an activity entry (locked
        # first so the upsert below sees the same rows).
        cur.execute(
            f"SELECT s.id FROM {table} s JOIN _overlap_upsert t USING (a_id, b_id)"  # noqa: S608 (table name from our model)
            f" WHERE s.status = %s AND {changed} ORDER BY s.id FOR UPDATE OF s",
            [dismissed],
        )
        reopened = [r[0] for r in cur.fetchall()]
        cur.execute(
            f"INSERT INTO {table} AS s (a_id, b_id, score, kind, reasons, status, dismiss_reason,"  # noqa: S608
            " text_fingerprint_a, text_fingerprint_b, last_run_id, decided_by_id, decided_at,"
            " created_at, updated_at)"
            " SELECT a_id, b_id, score, kind, reasons, %s, '', fa, fb, last_run_id, NULL, NULL,"
            " now(), now() FROM _overlap_upsert t ORDER BY a_id, b_id"
            " ON CONFLICT (a_id, b_id) DO UPDATE SET score = EXCLUDED.score,"
            " kind = EXCLUDED.kind, reasons = EXCLUDED.reasons,"
            " text_fingerprint_a = EXCLUDED.text_fingerprint_a,"
            " text_fingerprint_b = EXCLUDED.text_fingerprint_b,"
            " last_run_id = COALESCE(EXCLUDED.last_run_id, s.last_run_id),"
            " updated_at = EXCLUDED.updated_at,"
            + "".join(
                f" {col} = CASE WHEN s.status = %s AND (s.text_fingerprint_a <>"
                f" EXCLUDED.text_fingerprint_a OR s.text_fingerprint_b <> EXCLUDED.text_fingerprint_b)"
                f" THEN {new} ELSE s.{col} END{sep}"
                for col, new, sep in (
                    ("status", "%s", ","), ("dismiss_reason", "''", ","),
                    ("decided_by_id", "NULL", ","), ("decided_at", "NULL", ""),
                )
            )
            + " RETURNING a_id, b_id, (xmax = 0)",
            [pending, dismissed, pending, dismissed, dismissed, dismissed],
        )
        # xmax = 0 marks a row this statement inserted (not updated): the pairs new to the portal.
        new_pairs = [(a, b) for a, b, inserted in cur.fetchall() if inserted]
        cur.execute("DROP TABLE _overlap_upsert")
    for old in OverlapSuggestion.objects.filter(id__in=reopened):
        activity_record(
            actor=None, verb="overlap.reopened", target=old,
            note="A text changed since the pair was dismissed.",
        )
    # Webhooks only for pairs that did not exist: a re-run finding the same pairs sends nothing.
    if new_pairs:
        webhook_services.overlap_found_emit(pairs=new_pairs)
    return len(pairs)


# --- full runs ---------------------------------------------------------------------------------


def overlap_run_start(*, actor: User | None, threshold: float | None = None) -> OverlapRun:
    """Queue a full run; the dispatcher is enqueued when the transaction commits.

    `actor` None means the system (beat schedule, management command).
    """
    from initiatives.tasks import overlap_run_dispatch as overlap_run_dispatch_task

    if actor is not None and not permissions.is_staff_member(actor):
        raise PermissionDenied
    with transaction.atomic():
        if OverlapRun.objects.filter(
            status__in=[OverlapRun.Status.QUEUED, OverlapRun.Status.RUNNING]
        ).exists():
            raise ConflictError(_("An overlap run is already queued or running."))
        run = OverlapRun.objects.create(
            threshold=DEFAULT_THRESHOLD if threshold is None else threshold, started_by=actor,
        )
        activity_record(actor=actor, verb="overlap.run_started", target=run)
        transaction.on_commit(functools.partial(_enqueue_dispatch, overlap_run_dispatch_task, run.pk))
    return run


QUEUE_UNAVAILABLE_MSG = "The job queue (Redis) was unavailable; the run was not started. Start it again."


def _enqueue_dispatch(task: Any, run_id: int) -> None:
    """Queue the dispatcher; with the broker (Redis) down the run is marked failed at once.

    Otherwise the run would stay 'queued' with nothing behind it and block every new run for hours.
    """
    try:
        task.delay(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise several types for "broker unavailable"
        overlap_run_fail(run_id=run_id, error=f"{QUEUE_UNAVAILABLE_MSG} ({type(exc).__name__}: {exc})")


def overlap_run_dispatch(*, run_id: int, chunk_size: int | None = None) -> int:
    """Mark the run running and enqueue one chunk task per `chunk_size` live initiative ids.

    Returns the number of chunks enqueued. A dispatcher redelivered after its worker died while
    enqueueing (run running, not every chunk done) enqueues the chunks without a chunk record
    again; chunks are idempotent, so one that was queued after all just runs twice to no effect.
    """
    from initiatives.tasks import overlap_run_chunk as overlap_run_chunk_task

    ids = list(selectors.overlap_live_initiatives().order_by("id").values_list("id", flat=True))
    size = chunk_size or CHUNK_SIZE
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    with transaction.atomic():
        run = OverlapRun.objects.select_for_update().get(id=run_id)
        if run.status == OverlapRun.Status.RUNNING and run.chunks_total == len(chunks) > run.chunks_done:
            done = set(OverlapRunChunk.objects.filter(run_id=run_id).values_list("number", flat=True))
            missing = [number for number in range(len(chunks)) if number not in done]
            for number in missing:
                transaction.on_commit(functools.partial(
                    overlap_run_chunk_task.delay, run_id=run_id, number=number, initiative_ids=chunks[number],
                ))
            return len(missing)
        if run.status != OverlapRun.Status.QUEUED:
            return 0
        run.status = OverlapRun.Status.RUNNING
        run.started_at = timezone.now()
        run.initiatives = sum(len(c) for c in chunks)
        run.chunks_total = len(chunks)
        try:
            with transaction.atomic():
                run.save(update_fields=["status", "started_at", "initiatives", "chunks_total", "updated_at"])
        except IntegrityError:  # another run is running (overlap_run_one_running)
            OverlapRun.objects.filter(id=run_id).update(
                status=OverlapRun.Status.FAILED, finished_at=timezone.now(),
                error="Another overlap run was already running.",
            )
            return 0
        for number, chunk in enumerate(chunks):
            transaction.on_commit(functools.partial(
                overlap_run_chunk_task.delay, run_id=run_id, number=number, initiative_ids=chunk,
            ))
    if not chunks:
        overlap_run_finalise(run_id=run_id)
    return len(chunks)


def overlap_run_chunk_process(*, run_id: int, number: int, initiative_ids: list[int]) -> int:
    """Detect and upsert the pairs found from this chunk's rows (each row's top-K partners, see
    overlap.candidate_pairs_for_rows). Returns the pairs upserted."""
    run = OverlapRun.objects.get(id=run_id)
    if run.status != OverlapRun.Status.RUNNING:
        return 0
    if OverlapRunChunk.objects.filter(run_id=run_id, number=number).exists():
        overlap_run_finalise(run_id=run_id)
        return 0
    index, rows = _run_index(run)
    row_idx = np.asarray(sorted(rows[i] for i in initiative_ids if i in rows), dtype=np.int64)
    pairs = (
        candidate_pairs_for_rows(index, row_idx, run.threshold)
        if index is not None and row_idx.size else []
    )
    fingerprints = _fingerprints(index.docs[rows[i]] for p in pairs for i in (p.a, p.b)) if index else {}
    with transaction.atomic():
        _chunk, created = OverlapRunChunk.objects.get_or_create(
            run_id=run_id, number=number, defaults={"pairs_found": len(pairs)},
        )
        if created:
            # Top-K pairs of this chunk's rows can have their smaller id outside the chunk.
            _suggestions_upsert(pairs=pairs, fingerprints=fingerprints, run_id=run_id)
            OverlapRun.objects.filter(id=run_id).update(
                chunks_done=F("chunks_done") + 1, pairs_found=F("pairs_found") + len(pairs),
                updated_at=timezone.now(),
            )
    overlap_run_finalise(run_id=run_id)
    return len(pairs) if created else 0


def overlap_run_finalise(*, run_id: int) -> bool:
    """Complete the run when every chunk is done (only once). Returns True when it completed it."""
    with transaction.atomic():
        completed = OverlapRun.objects.filter(
            id=run_id, status=OverlapRun.Status.RUNNING, chunks_done=F("chunks_total"),
        ).update(status=OverlapRun.Status.COMPLETED, finished_at=timezone.now(), updated_at=timezone.now())
        if not completed:
            return False
        run = OverlapRun.objects.get(id=run_id)
        # Pending pairs neither found by this run nor touched since it started no longer match.
        OverlapSuggestion.objects.filter(
            status=OverlapSuggestion.Status.PENDING, updated_at__lt=run.started_at,
        ).exclude(last_run_id=run_id).delete()
    _RUN_INDEX.clear()
    return True


def overlap_run_fail(*, run_id: int, error: str) -> None:
    OverlapRun.objects.filter(
        id=run_id, status__in=[OverlapRun.Status.QUEUED, OverlapRun.Status.RUNNING]
    ).update(status=OverlapRun.Status.FAILED, finished_at=timezone.now(), error=error[:2000])


# --- incremental check -------------------------------------------------------------------------

# Process-local index for incremental checks. Building it takes seconds to a minute at 100k, an
# edit should take well under a second: the edited initiative (read fresh) is compared with an
# index at most OVERLAP_INDEX_MAX_AGE_SECONDS old. Initiatives added since then are not missed:
# their own incremental check compares them with this one.
_INCREMENTAL_INDEX: dict[str, Any] = {}


def _incremental_index() -> Index:
    from django.conf import settings
    from django.db import connection

    max_age = getattr(settings, "OVERLAP_INDEX_MAX_AGE_SECONDS", 900)
    live = selectors.overlap_live_initiatives().count()
    cached = _INCREMENTAL_INDEX.get("entry")
    fresh_enough = (
        cached is not None
        and cached["database"] == connection.settings_dict["NAME"]
        and time.monotonic() - cached["built"] <= max_age
        # Many new or removed rows change the IDF weights: rebuild.
        and abs(cached["live"] - live) <= max(1, live // 100)
    )
    if not fresh_enough:
        docs = selectors.overlap_docs()
        cached = {
            "index": build_index(docs), "built": time.monotonic(), "live": live,
            "database": connection.settings_dict["NAME"],
        }
        _INCREMENTAL_INDEX["entry"] = cached
    return cached["index"]



def overlap_check_initiative(*, initiative_id: int, threshold: float = DEFAULT_THRESHOLD) -> int:
    """Compare one initiative with all live ones and upsert its suggestions.

    Pending suggestions of this initiative that no longer reach the threshold are removed.
    Returns the number of pairs found. Idempotent.
    """
    fresh = selectors.overlap_docs(initiative_ids=[initiative_id])
    if not fresh:  # deleted, merged or archived meanwhile
        return 0
    doc = fresh[0]
    pairs = check_one(_incremental_index(), doc, threshold)
    # Fingerprints from the database, not from the (possibly minutes old) cached index.
    partner_ids = {i for p in pairs for i in (p.a, p.b)} - {initiative_id}
    fingerprints = _fingerprints([doc, *selectors.overlap_docs(initiative_ids=sorted(partner_ids))])
    scope = Q(a_id=initiative_id) | Q(b_id=initiative_id)
    with transaction.atomic():
        _suggestions_upsert(pairs=pairs, fingerprints=fingerprints, run_id=None)
        found = Q()
        for p in pairs:
            found |= Q(a_id=p.a, b_id=p.b)
        stale = OverlapSuggestion.objects.filter(scope, status=OverlapSuggestion.Status.PENDING)
        if pairs:
            stale = stale.exclude(found)
        stale.delete()
    return len(pairs)


# --- staff actions -----------------------------------------------------------------------------


def _suggestion_for_update(suggestion: OverlapSuggestion, actor: User) -> OverlapSuggestion:
    permissions.access_write(actor, suggestion)
    locked = OverlapSuggestion.objects.select_for_update().select_related("a", "b").get(pk=suggestion.pk)
    if locked.status == OverlapSuggestion.Status.MERGED:
        raise InvalidTransition(_("These initiatives have already been merged."))
    return locked


def _decide(
    *, suggestion: OverlapSuggestion, actor: User, status: str, verb: str, reason: str = ""
) -> OverlapSuggestion:
    locked = _suggestion_for_update(suggestion, actor)
    data: dict[str, Any] = {
        "status": status, "dismiss_reason": reason, "decided_by": actor, "decided_at": timezone.now(),
    }
    if status == OverlapSuggestion.Status.DISMISSED:
        # Compare future detections with the texts as they were when the pair was dismissed.
        data["text_fingerprint_a"] = selectors.overlap_text_fingerprint(
            title=locked.a.title, description=locked.a.description)
        data["text_fingerprint_b"] = selectors.overlap_text_fingerprint(
            title=locked.b.title, description=locked.b.description)
    model_update(instance=locked, data=data, actor=actor, verb=verb)
    return locked


@transaction.atomic
def overlap_confirm(*, suggestion: OverlapSuggestion, actor: User) -> OverlapSuggestion:
    return _decide(suggestion=suggestion, actor=actor, status=OverlapSuggestion.Status.CONFIRMED_OVERLAP,
                   verb="overlap.confirmed")


@transaction.atomic
def overlap_mark_complementary(*, suggestion: OverlapSuggestion, actor: User) -> OverlapSuggestion:
    return _decide(suggestion=suggestion, actor=actor,
                   status=OverlapSuggestion.Status.MARKED_COMPLEMENTARY, verb="overlap.marked_complementary")


@transaction.atomic
def overlap_dismiss(*, suggestion: OverlapSuggestion, actor: User, reason: str) -> OverlapSuggestion:
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Give a reason for dismissing this suggestion."), {"reason": _("Required.")})
    return _decide(suggestion=suggestion, actor=actor, status=OverlapSuggestion.Status.DISMISSED,
                   verb="overlap.dismissed", reason=reason)


@transaction.atomic
def initiative_link_create(
    *, actor: User, from_initiative: Initiative, to_initiative: Initiative, kind: str,
    suggestion: OverlapSuggestion | None = None,
) -> InitiativeLink:
    """Link two initiatives. Staff links are accepted at once; a board's link to another
    ecosystem's initiative is a proposal that the other board accepts or declines."""
    if kind not in InitiativeLink.Kind.values:
        raise ApplicationError(_("Unknown link type."), {"kind": _("Choose a link type.")})
    if not permissions.can_propose_link(actor, from_initiative=from_initiative, to_initiative=to_initiative):
        raise PermissionDenied
    if suggestion is not None and {suggestion.a_id, suggestion.b_id} != {from_initiative.pk, to_initiative.pk}:
        raise ApplicationError(_("The link does not match the suggested pair."))
    accepted = permissions.is_staff_member(actor) or permissions.can_answer_link(
        actor, InitiativeLink(from_initiative=from_initiative, to_initiative=to_initiative)
    )
    link, created = InitiativeLink.objects.get_or_create(
        from_initiative=from_initiative, to_initiative=to_initiative, kind=kind,
        defaults={
            "created_by": actor,
            "status": InitiativeLink.Status.ACCEPTED if accepted else InitiativeLink.Status.PROPOSED,
        },
    )
    if created:
        for initiative in (from_initiative, to_initiative):
            activity_record(
                actor=actor, verb="initiative.link_proposed" if not accepted else "initiative.linked",
                target=initiative, changes={"link": [None, f"{link.from_initiative} {link.get_kind_display()} {link.to_initiative}"]},
            )
    if suggestion is not None and permissions.is_staff_member(actor):
        locked = _suggestion_for_update(suggestion, actor)
        model_update(
            instance=locked, actor=actor, verb="overlap.linked",
            data={"status": OverlapSuggestion.Status.LINKED, "decided_by": actor, "decided_at": timezone.now()},
        )
    return link


@transaction.atomic
def initiative_link_answer(*, link: InitiativeLink, actor: User, accept: bool) -> InitiativeLink:
    if not permissions.can_answer_link(actor, link):
        raise PermissionDenied
    link = InitiativeLink.objects.select_for_update().select_related(
        "from_initiative", "to_initiative").get(pk=link.pk)
    if link.status != InitiativeLink.Status.PROPOSED:
        raise InvalidTransition(_("This link proposal has already been answered."))
    new = InitiativeLink.Status.ACCEPTED if accept else InitiativeLink.Status.DECLINED
    link.status = new
    link.save(update_fields=["status"])
    for initiative in (link.from_initiative, link.to_initiative):
        activity_record(actor=actor, verb=f"initiative.link_{new}", target=initiative,
                        changes={"link": [str(link), new]})
    return link


@transaction.atomic
def initiative_merge(
    *, actor: User, survivor: Initiative, merged: Initiative, suggestion: OverlapSuggestion | None = None,
) -> Initiative:
    """Merge `merged` into `survivor`: it gets status merged and merged_into; its history, links,
    funding lines and suggestions stay as they are. Nothing is deleted. Staff only."""
    if not permissions.is_staff_member(actor):
        raise PermissionDenied
    if survivor.pk == merged.pk:
        raise ApplicationError(_("Choose two different initiatives."))
    locked = {i.pk: i for i in Initiative.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    if Initiative.Status.MERGED in (survivor.status, merged.status):
        raise InvalidTransition(_("One of these initiatives has already been merged."))
    model_update(
        instance=merged, actor=actor, verb="initiative.merged",
        data={"status": Initiative.Status.MERGED, "merged_into": survivor, "updated_by": actor},
    )
    activity_record(actor=actor, verb="initiative.absorbed", target=survivor,
                    changes={"merged_from": [None, str(merged)]})
    a_id, b_id = sorted([survivor.pk, merged.pk])
    pair = suggestion or OverlapSuggestion.objects.filter(a_id=a_id, b_id=b_id).first()
    if pair is not None:
        if {pair.a_id, pair.b_id} != {a_id, b_id}:
            raise ApplicationError(_("The merge does not match the suggested pair."))
        pair = OverlapSuggestion.objects.select_for_update().get(pk=pair.pk)
        model_update(
            instance=pair, actor=actor, verb="overlap.merged",
            data={"status": OverlapSuggestion.Status.MERGED, "decided_by": actor, "decided_at": timezone.now()},
        )
    return survivor


def overlap_runs_reset_stuck(*, older_than: dt.timedelta = dt.timedelta(hours=3)) -> int:
    """Fail queued/running runs that made no progress for `older_than` (a lost worker or message),
    so the one-running-run rule does not block every later run. Returns the number reset."""
    return OverlapRun.objects.filter(
        status__in=[OverlapRun.Status.QUEUED, OverlapRun.Status.RUNNING],
        updated_at__lt=timezone.now() - older_than,
    ).update(status=OverlapRun.Status.FAILED, finished_at=timezone.now(), error="No progress; reset as stuck.")
