"""Failure drills in CI: bench/drills.py kills a Celery worker mid-run, stops Redis under gunicorn and
restarts a throwaway PostgreSQL cluster in the middle of a bulk upsert.

Runs the real script (its own redis-server, scratch database, gunicorn and workers) on a small data
set and checks its JSON verdict per drill, so a regression in "nothing lost" fails the build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One xdist worker runs them all: the module fixture runs the drills once, and two copies would
# share (and drop) the same scratch database.
pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("drills")]


@pytest.fixture(scope="module")
def drills() -> dict:
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "the drills need DATABASE_URL (PostgreSQL)"
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "drills.py"), "--size", "800", "--chunk-size", "40",
         "--overlap-chunk-size", "200", "--bulk-rows", "200", "--timeout", "300"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"no output; stderr tail: {done.stderr[-3000:]}"
    return {"rc": done.returncode, "summary": json.loads(lines[-1]), "stdout": done.stdout}


@pytest.mark.timeout(1600)
def test_worker_killed_mid_scoring_run_completes_with_identical_rows(drills: dict) -> None:
    result = drills["summary"]["drills"]["worker"]
    assert result["pass"], drills["stdout"]
    assert result["run_status"] == "done"
    assert 0 < result["chunks_done_at_kill"] < result["chunks"]
    assert result["rows_compared"] > 0
    assert result["checksum_disturbed"] == result["checksum_undisturbed"]


@pytest.mark.timeout(1600)
def test_worker_killed_mid_overlap_run_completes_with_identical_rows(drills: dict) -> None:
    result = drills["summary"]["drills"]["worker-overlap"]
    assert result["pass"], drills["stdout"]
    assert result["run_status"] == "completed"
    assert 0 < result["chunks_done_at_kill"] < result["chunks"]
    assert result["rows_compared"] > 0
    assert result["checksum_disturbed"] == result["checksum_undisturbed"]


@pytest.mark.timeout(1600)
def test_redis_down_serves_pages_and_fails_jobs_clearly(drills: dict) -> None:
    result = drills["summary"]["drills"]["redis"]
    assert result["pass"], drills["stdout"]
    assert all(0 < status < 500 for status in result["statuses_while_down"].values())
    health_status, health = result["healthz_while_down"]
    assert health_status == 503 and health["checks"]["redis"]["ok"] is False
    status, error = result["run_started_while_down"]
    assert status == "done" or (status == "failed" and "Redis" in error)
    assert result["run_after_recovery"] == "done"


@pytest.mark.timeout(1600)
def test_drills_exit_zero_and_report_seconds(drills: dict) -> None:
    assert drills["rc"] == 0, drills["stdout"]
    assert drills["summary"]["seconds"] > 0 and drills["summary"]["baseline_seconds"] > 0


@pytest.mark.timeout(1600)
def test_postgres_restart_mid_bulk_upsert_is_clean_and_recovers(drills: dict) -> None:
    result = drills["summary"]["drills"]["postgres"]
    assert result["pass"], drills["stdout"]
    if result["bulk_status_during_restart"] != 200:  # the restart hit the request (it normally does)
        assert result["bulk_status_during_restart"] == 503
        assert result["checksum_unchanged"] and result["rows_after"] == result["rows_before"]
    assert result["statuses_after_restart"][-1] == 200 and result["html_after"] == 200
    assert result["retry_status"] == 200
