"""Live progress of long jobs (batch scoring, overlap runs, imports) for the htmx partial.

Apps register a loader per job kind: `register_job_kind("scoring", loader)` where the loader takes
(user, pk) and returns a JobProgress, raising PermissionDenied or Http404 itself. The view
`job-progress` renders templates/portal/_job_progress.html, which polls every two seconds while
the job runs and stops polling once it has finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.permissions import AnyUser


@dataclass(frozen=True)
class JobProgress:
    label: str
    status: str  # "queued" | "running" | "done" | "failed"
    done: int = 0
    total: int = 0
    message: str = ""
    result_url: str = ""

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == "done" else 0
        return min(100, round(100 * self.done / self.total))


Loader = Callable[[AnyUser, int], JobProgress]
_KINDS: dict[str, Loader] = {}


def register_job_kind(kind: str, loader: Loader) -> None:
    _KINDS[kind] = loader


def job_loader(kind: str) -> Loader | None:
    return _KINDS.get(kind)
