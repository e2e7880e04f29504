"""Speed of a full scoring run through a real Celery worker, next to a one-statement SQL floor.

Usage: .venv/bin/python bench/scoring.py [--size N] [--chunk-size C] [--concurrency K] [--keep]

Sets up everything itself: a scratch PostgreSQL database next to the one in DATABASE_URL
(`<name>_bench_scoring`), migrations, reference data and `seed_demo --size N`, a round over all
initiatives with three assessors and three submitted assessments per initiative (nine scores each),
and a Celery worker subprocess on REDIS_URL. It then times

- ours: `scoring_run_start` → dispatcher → one task per primary-key chunk on the worker → run done
  (aggregates per criterion, weighted totals, spread/disagreement, coverage AND the four
  suggestions, upserted into selection_initiativeroundresult);
- the floor: one `INSERT … SELECT` that computes the same per-criterion medians
  (percentile_cont), means, spreads and weighted totals for every initiative and writes them.

It checks that both give the same weighted totals, prints a table, and as the LAST line one JSON
object with seconds, baseline_seconds, rows_per_second and more.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def _scratch_url(base_url: str) -> tuple[str, str, str]:
    """(scratch database URL, admin URL on the same server, scratch database name)."""
    parsed = urlparse(base_url)
    name = (parsed.path.lstrip("/") or "postgres") + "_bench_scoring"
    return (
        urlunparse(parsed._replace(path=f"/{name}")),
        urlunparse(parsed._replace(path="/postgres")),
        name,
    )


def _recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _manage(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _start_worker(env: dict[str, str], concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "--loglevel=warning", "--pool=prefork",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def _prepare_round(size: int) -> tuple[int, int]:
    """Three assessors, a round over every initiative, 3 submitted assessments per initiative.

    Scores are written with set-based SQL (generate-free, deterministic values) because this is
    setup, not the thing measured. Returns (round id, number of score rows).
    """
    from django.db import connection
    from django.utils import timezone

    from portal.models import Organisation, User
    from selection import services
    from selection.framework_data import seed_framework
    from selection.models import Criterion, Framework, FrameworkVersion, Score

    version, _created = seed_framework(Framework, FrameworkVersion, Criterion)
    org = Organisation.objects.get(slug="bzk") if Organisation.objects.filter(slug="bzk").exists() else (
        Organisation.objects.order_by("id").first()
    )
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"role": User.Role.STAFF, "organisation": org})
    assessors = [
        User.objects.get_or_create(username=f"bench-assessor-{i}", defaults={"role": User.Role.ASSESSOR, "organisation": org})[0]
        for i in range(3)
    ]
    selection_round = services.round_create(actor=staff, name=f"Bench {size}", framework_version=version, scope={})
    services.round_assign_assessors(selection_round=selection_round, actor=staff, assessors=assessors)
    services.round_set_status(selection_round=selection_round, actor=staff, status="open")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO selection_assessment (created_at, updated_at, round_id, initiative_id, assessor_id,
                                              framework_version_id, status, submitted_at)
            SELECT %s, %s, ra.round_id, ra.initiative_id, ra.assessor_id, %s, 'submitted', %s
            FROM selection_roundassignment ra WHERE ra.round_id = %s AND NOT ra.excluded
            """,
            [now, now, version.pk, now, selection_round.pk],
        )
        # Deterministic scores 1..5; criteria that allow it are "not applicable" now and then.
        cursor.execute(
            """
            INSERT INTO selection_score (assessment_id, criterion_id, value, not_applicable, motivation)
            SELECT a.id, c.id,
                   CASE WHEN c.allows_not_applicable AND (a.initiative_id + a.assessor_id + c.position) %% 11 = 0
                        THEN NULL ELSE 1 + ((a.initiative_id * 7 + a.assessor_id * 5 + c.position * 13) %% 5) END,
                   c.allows_not_applicable AND (a.initiative_id + a.assessor_id + c.position) %% 11 = 0,
                   ''
            FROM selection_assessment a JOIN selection_criterion c ON c.version_id = a.framework_version_id
            WHERE a.round_id = %s
            """,
            [selection_round.pk],
        )
        # Freshly inserted rows get their hint bits set by the first reader; vacuum here so that
        # neither measured side pays (or skips) that setup cost depending on who runs first.
        cursor.execute("VACUUM (ANALYZE)")
    return selection_round.pk, Score.objects.filter(assessment__round_id=selection_round.pk).count()


FLOOR_SQL = """
CREATE TABLE IF NOT EXISTS bench_scoring_floor (
    round_id bigint, initiative_id bigint, criteria jsonb, weighted_total double precision,
    PRIMARY KEY (round_id, initiative_id));
TRUNCATE bench_scoring_floor;
INSERT INTO bench_scoring_floor (round_id, initiative_id, criteria, weighted_total)
WITH per_criterion AS (
    SELECT a.initiative_id, c.code, c.weight::float8 AS weight, c.scale_min, c.scale_max,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.value) AS median,
           avg(s.value)::float8 AS mean, count(s.value) AS n, (max(s.value) - min(s.value))::float8 AS spread
    FROM selection_score s
    JOIN selection_assessment a ON a.id = s.assessment_id
    JOIN selection_criterion c ON c.id = s.criterion_id
    WHERE a.round_id = %(round)s AND a.status = 'submitted'
    GROUP BY a.initiative_id, c.id
)
SELECT %(round)s, initiative_id,
       jsonb_object_agg(code, jsonb_build_object('median', median, 'mean', mean, 'n', n, 'spread', spread,
                                                 'disagreement', spread > %(threshold)s)),
       100 * sum(weight * (median - scale_min) / (scale_max - scale_min)) FILTER (WHERE median IS NOT NULL AND weight > 0)
           / NULLIF(sum(weight) FILTER (WHERE median IS NOT NULL AND weight > 0), 0)
FROM per_criterion
GROUP BY initiative_id;
"""


def _run_floor(round_id: int, threshold: float) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the same memory as a chunk gets
        cursor.execute(FLOOR_SQL, {"round": round_id, "threshold": threshold})
    return time.perf_counter() - started


def _run_ours(round_id: int, chunk_size: int, timeout: float) -> tuple[float, float | None, object]:
    from selection import services
    from selection.models import ScoringRun, SelectionRound

    selection_round = SelectionRound.objects.get(pk=round_id)
    started = time.perf_counter()
    run = services.scoring_run_start(selection_round=selection_round, actor=None, chunk_size=chunk_size)
    deadline = time.monotonic() + timeout
    dispatched_after = None
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if dispatched_after is None and run.dispatched:
            dispatched_after = time.perf_counter() - started
        if run.status != ScoringRun.Status.RUNNING:
            break
        time.sleep(0.02)
    return time.perf_counter() - started, dispatched_after, run


def _compare(round_id: int) -> tuple[int, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), coalesce(max(abs(coalesce(r.weighted_total, -1) - coalesce(f.weighted_total, -1))), 0)
            FROM selection_initiativeroundresult r
            FULL JOIN bench_scoring_floor f ON f.round_id = r.round_id AND f.initiative_id = r.initiative_id
            WHERE coalesce(r.round_id, f.round_id) = %s
            """,
            [round_id],
        )
        count, max_diff = cursor.fetchone()
    return count, float(max_diff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="initiatives (default 100000)")
    parser.add_argument("--chunk-size", type=int, default=1000, help="initiatives per chunk task (default 1000)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the run (default 900)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if args.size < 1 or args.chunk_size < 1:
        parser.error("--size and --chunk-size must be positive")
    base_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not base_url.startswith("postgres") or not redis_url:
        parser.error("DATABASE_URL (PostgreSQL) and REDIS_URL must be set")

    scratch_url, admin_url, name = _scratch_url(base_url)
    env = {**os.environ, "DATABASE_URL": scratch_url, "REDIS_URL": redis_url,
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret")}
    env.pop("PORTAL_DEMO", None)  # a real PostgreSQL + Redis setup, not demo mode
    print(f"Scratch database {name}; seeding {args.size} initiatives …", file=sys.stderr)
    _recreate_database(admin_url, name)
    worker = None
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_reference_data")
        _manage(env, "seed_demo", "--size", str(args.size), "--quiet-logins")

        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from portal.celery import app as celery_app
        from selection.models import InitiativeRoundResult, SelectionRound

        started = time.perf_counter()
        round_id, score_rows = _prepare_round(args.size)
        print(f"  round, assignments, assessments and {score_rows} scores: {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        celery_app.control.purge()
        worker = _start_worker(env, args.concurrency)
        time.sleep(1)
        for _attempt in range(60):
            if celery_app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError("the Celery worker did not answer")

        seconds, dispatched_after, run = _run_ours(round_id, args.chunk_size, args.timeout)
        if run.status != "done":
            raise RuntimeError(f"scoring run ended as {run.status}: {run.error}")
        threshold = float(SelectionRound.objects.get(pk=round_id).disagreement_threshold)
        baseline_seconds = _run_floor(round_id, threshold)
        rows = InitiativeRoundResult.objects.filter(round_id=round_id).count()
        compared, max_diff = _compare(round_id)

        result = {
            "size": args.size, "rows": rows, "score_rows": score_rows, "chunks": run.chunk_count,
            "chunk_size": args.chunk_size, "worker_concurrency": args.concurrency,
            "seconds": round(seconds, 3), "baseline_seconds": round(baseline_seconds, 3),
            "rows_per_second": round(rows / seconds, 1), "baseline_rows_per_second": round(rows / baseline_seconds, 1),
            "ratio_to_floor": round(seconds / baseline_seconds, 2),
            "dispatched_after_seconds": None if dispatched_after is None else round(dispatched_after, 3), "rows_compared": compared,
            "max_abs_diff_weighted_total": max_diff,
        }
        print(f"\nScoring run, {rows} initiatives, {score_rows} scores, {run.chunk_count} chunks of {args.chunk_size}")
        print(f"{'':28}{'ours (Celery)':>16}{'floor (1 SQL)':>16}")
        print(f"{'wall time (s)':28}{seconds:>16.2f}{baseline_seconds:>16.2f}")
        print(f"{'rows per second':28}{rows / seconds:>16.0f}{rows / baseline_seconds:>16.0f}")
        print(f"ours/floor = {seconds / baseline_seconds:.2f}x; max |weighted total difference| = {max_diff:.6f}")
        print("(ours also computes coverage and the four suggestions; the floor does not)")
        print(json.dumps(result))
        return 0
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if not args.keep:
            _recreate_database(admin_url, name, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
