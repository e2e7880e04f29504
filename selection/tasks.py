"""Selection Celery tasks: thin wrappers that take ids and call services (STYLE.md P9)."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import OperationalError


class _ChunkTask(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # Retries are exhausted (or the error is not transient): the run cannot complete.
        from selection.models import ScoringChunk
        from selection.services import scoring_run_fail

        chunk_id = kwargs.get("chunk_id", args[0] if args else None)
        run_id = ScoringChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
        if run_id:
            scoring_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    name="selection.scoring_run_dispatch",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def scoring_run_dispatch(run_id: int, chunk_size: int | None = None) -> int:
    """Dispatcher: record the primary-key chunks of a run, then one task per chunk."""
    from selection.services import DEFAULT_CHUNK_SIZE
    from selection.services import scoring_run_dispatch as dispatch

    chunk_ids = dispatch(run_id=run_id, chunk_size=chunk_size or DEFAULT_CHUNK_SIZE)
    for chunk_id in chunk_ids:
        scoring_chunk_process.delay(chunk_id)
    return len(chunk_ids)


@shared_task(
    base=_ChunkTask,
    name="selection.scoring_chunk_process",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=1,
    retry_jitter=False,
    max_retries=5,
)
def scoring_chunk_process(chunk_id: int) -> int:
    from selection.services import scoring_chunk_process as process

    return process(chunk_id=chunk_id)


@shared_task(name="selection.scoring_rounds_nightly", ignore_result=True)
def scoring_rounds_nightly() -> int:
    from selection.services import scoring_rounds_nightly as start_all

    return len(start_all())
