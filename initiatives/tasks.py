"""Celery tasks for overlap detection. Thin: ids in, a service call, nothing returned (STYLE P9)."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import OperationalError


class _OverlapRunTask(Task):
    """Marks the run failed when a run task gives up (after its retries)."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        run_id = (kwargs or {}).get("run_id")
        if run_id is not None:
            from initiatives.overlap_services import overlap_run_fail

            overlap_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")


_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="initiatives.overlap_run_dispatch", base=_OverlapRunTask, acks_late=True,
             ignore_result=True, **_RETRY)
def overlap_run_dispatch(*, run_id: int) -> None:
    from initiatives.overlap_services import overlap_run_dispatch as dispatch

    dispatch(run_id=run_id)


@shared_task(name="initiatives.overlap_run_chunk", base=_OverlapRunTask, acks_late=True,
             ignore_result=True, **_RETRY)
def overlap_run_chunk(*, run_id: int, number: int, initiative_ids: list[int]) -> None:
    from initiatives.overlap_services import overlap_run_chunk_process

    overlap_run_chunk_process(run_id=run_id, number=number, initiative_ids=initiative_ids)


@shared_task(name="initiatives.overlap_check_initiative", acks_late=True, ignore_result=True, **_RETRY)
def overlap_check_initiative(*, initiative_id: int) -> None:
    from initiatives.overlap_services import overlap_check_initiative as check

    check(initiative_id=initiative_id)


@shared_task(name="initiatives.overlap_run_nightly", ignore_result=True)
def overlap_run_nightly() -> None:
    """Beat entry: reset stuck runs, then queue a full run unless one is already going."""
    from initiatives.overlap_services import overlap_run_start, overlap_runs_reset_stuck
    from portal.exceptions import ConflictError

    overlap_runs_reset_stuck()
    try:
        overlap_run_start(actor=None)
    except ConflictError:
        return
