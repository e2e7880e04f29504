"""bench/load.py end to end at a tiny size, so the script cannot rot (about 30 s).

It seeds its own scratch database (next to DATABASE_URL, under a name of its own so a reusable
benchmark database is never touched), starts gunicorn, runs every kind of simulated user and
prints the JSON line the bench convention asks for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    # The test run's own database server; a base name of its own for the scratch database.
    auth = urllib.parse.quote(db["USER"] or "") + (f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    netloc = f"{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return urllib.parse.urlunsplit(("postgres", netloc, f"/{db['NAME']}_loadtest", "", ""))


@pytest.mark.timeout(240)
def test_load_bench_runs_every_kind_without_errors() -> None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL:
        pytest.fail("the load bench needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--size", "300", "--duration", "5", "--baseline-duration", "2",
         "--users", "7", "--think", "0.1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=220,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["baseline_errors"] == 0
    assert summary["size"] == 300
    assert summary["baseline_seconds"] > 0 and summary["seconds"] > 0
    assert summary["rps"] > 0 and summary["baseline_rps"] > 0
    expected = {"dashboard", "overview", "overview_filtered", "initiative_edit_get", "initiative_edit_post",
                "agenda_edit_get", "agenda_edit_post", "agenda_actions_get", "api_list", "api_put"}
    # With a 0.1 s pause every kind comes up in 5 s (the users' choices are seeded).
    assert expected <= set(summary["kinds"]), sorted(summary["kinds"])
    for kind, figures in summary["kinds"].items():
        assert figures["requests"] > 0, kind
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], kind
    assert "livez" in result.stderr  # the human-readable table on stderr


def test_load_bench_rejects_bad_arguments() -> None:
    result = subprocess.run([sys.executable, "bench/load.py", "--users", "0"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "--users" in result.stderr
