"""Benchmark of the REST API against gunicorn (2 workers) and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/api REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/api.py --size 100000 --reuse-db --compare-ref main

Sets up everything itself: a seeded template database next to DATABASE_URL
(`<name>_bench_api_seed`: reference data and `seed_demo --size N`; kept and reused with
`--reuse-db` when size and schema match), and per code under test a fresh copy of it
(`<name>_bench_api`) with that code's own migrations applied, two tokens, and gunicorn. A small
threaded HTTP client (stdlib http.client, keep-alive, one connection per thread) then drives:
the list endpoint unfiltered and filtered at page size 50 and 500, the detail endpoint, and the
bulk upsert of 1000 rows (first request creates, the rest update). In the same run it times the
raw SQL the endpoint needs for the same rows: one hand-written statement with every column, the
joined slugs/codes and the many-to-many code lists, same filter, order and page size.

`--compare-ref main` also benchmarks another git ref from a temporary worktree in the same run
(before/after on identical data; the template then has the ref's schema).

Prints one JSON line last: `seconds` (list_50 p95, ours) and `baseline_seconds` (raw SQL median of
that request), `ratio_p95_to_raw_sql` per scenario, and per run median/p95/requests per second per
scenario, `rows_per_second` for bulk and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin(url: str) -> Any:
    conn = psycopg2.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    conn.autocommit = True
    return conn


def database_url(url: str, suffix: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{parsed.path.lstrip('/') or 'postgres'}_bench_api{suffix}"))


def database_exists(url: str) -> bool:
    with _admin(url) as admin, admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [urlparse(url).path.lstrip("/")])
        return cur.fetchone() is not None


def recreate_database(url: str, *, template: str | None = None) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = _admin(url)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(url: str) -> None:
    admin = _admin(url)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def manage(env: dict[str, str], *args: str, root: Path = ROOT) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=root, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def drive(port: int, token: str, paths: list[str], *, seconds: float, threads: int,
          method: str = "GET", body: bytes | None = None) -> dict[str, Any]:
    """Send requests from `threads` keep-alive connections for `seconds`; latencies in ms."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        codes: dict[int, int] = {}
        while time.monotonic() < stop:
            path = rng.choice(paths)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] = codes.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies), "statuses": statuses,
        "median_ms": round(statistics.median(latencies), 2), "p95_ms": round(percentile(latencies, 0.95), 2),
        "rps": round(len(latencies) / elapsed, 1),
    }


# The SQL a hand-written endpoint would need for the same response: every column shown, the
# joined slugs/codes and the four many-to-many code lists, for the same filter, order and page
# size, in one statement. Independent of what Django happens to run, so it does not get cheaper
# when the endpoint merely issues fewer or cheaper statements.
_ROW_SQL = """
SELECT i.id, i.external_id, i.title, i.description, i.type, i.stage, i.scope, i.budget, i.start_date,
       i.end_date, i.status, i.published, i.website, i.contact_name, i.contact_email, i.created_at,
       i.updated_at, e.slug, lo.slug, oo.slug, t.code,
       ARRAY(SELECT r.code FROM initiatives_initiative_regions l JOIN portal_region r ON r.id = l.region_id
             WHERE l.initiative_id = i.id ORDER BY r.code),
       ARRAY(SELECT o.slug FROM initiatives_initiative_partners l JOIN portal_organisation o
             ON o.id = l.organisation_id WHERE l.initiative_id = i.id ORDER BY o.slug),
       ARRAY(SELECT p.code FROM initiatives_initiative_priorities l JOIN portal_priority p ON p.id = l.priority_id
             WHERE l.initiative_id = i.id ORDER BY p.code),
       ARRAY(SELECT w.code FROM initiatives_initiative_vision_windows l JOIN portal_futurevisionwindow w
             ON w.id = l.futurevisionwindow_id WHERE l.initiative_id = i.id ORDER BY w.code)
FROM initiatives_initiative i
LEFT JOIN portal_ecosystem e ON e.id = i.ecosystem_id
JOIN portal_organisation lo ON lo.id = i.lead_organisation_id
JOIN portal_organisation oo ON oo.id = i.owner_organisation_id
LEFT JOIN portal_theme t ON t.id = i.theme_id
"""
_REGION_FILTER = """
WHERE i.stage = %(stage)s AND i.id IN (
    SELECT l.initiative_id FROM initiatives_initiative_regions l WHERE l.region_id IN (
        SELECT r.id FROM portal_region r WHERE r.code = %(region)s
        OR (r.kind = 'corop' AND r.parent_id IN (SELECT p.id FROM portal_region p WHERE p.code = %(region)s))))
"""
_ORDER = " ORDER BY i.updated_at DESC, i.id DESC LIMIT %(limit)s"


def raw_sql_baselines(url: str, *, province_code: str, ids: list[str], repeats: int = 30) -> dict[str, dict[str, float]]:
    """Median and p95 (ms) of the hand-written SQL per scenario (staff sees every initiative).

    LIMIT is page size + 1, as cursor pagination fetches one extra row to know there is a next page.
    """
    filtered = {"region": province_code, "stage": "pilot"}
    statements = {
        "list_50": (_ROW_SQL + _ORDER, {"limit": 51}),
        "list_500": (_ROW_SQL + _ORDER, {"limit": 501}),
        "list_filtered_50": (_ROW_SQL + _REGION_FILTER + _ORDER, {**filtered, "limit": 51}),
        "list_filtered_500": (_ROW_SQL + _REGION_FILTER + _ORDER, {**filtered, "limit": 501}),
    }
    out: dict[str, dict[str, float]] = {}
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for name, (sql, params) in statements.items():
            cur.execute(sql, params)
            cur.fetchall()  # warm up
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                cur.execute(sql, params)
                cur.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            out[name] = {"median_ms": round(statistics.median(times), 3), "p95_ms": round(percentile(times, 0.95), 3)}
        times = []
        rng = random.Random(7)
        for _ in range(repeats * 10):
            started = time.perf_counter()
            cur.execute(_ROW_SQL + " WHERE i.id = %(id)s", {"id": int(rng.choice(ids))})
            cur.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        out["detail"] = {"median_ms": round(statistics.median(times), 3), "p95_ms": round(percentile(times, 0.95), 3)}
    return out


FALLBACK_SEED = """
import os, random, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()
from django.db import transaction
from initiatives.models import Initiative
from portal.models import Organisation, Priority, Region, Theme
size = int(sys.argv[1])
rng = random.Random(2021)
roms = list(Organisation.objects.filter(kind="rom").prefetch_related("served_provinces"))
corops = {}
for r in Region.objects.filter(kind="corop"):
    corops.setdefault(r.parent_id, []).append(r.id)
themes = list(Theme.objects.values_list("id", flat=True)) or [None]
priorities = list(Priority.objects.values_list("id", flat=True))
types, stages = [c[0] for c in Initiative.Type.choices], [c[0] for c in Initiative.Stage.choices]
statuses = ["active"] * 6 + ["draft", "completed", "stopped"]
with transaction.atomic():
    for start in range(0, size, 5000):
        batch = []
        for n in range(start, min(size, start + 5000)):
            rom = rng.choice(roms)
            status = rng.choice(statuses)
            batch.append(Initiative(
                title=f"Initiatief {n}", description="Benchmark-initiatief. " * 5, lead_organisation=rom,
                owner_organisation=rom, type=rng.choice(types), stage=rng.choice(stages), status=status,
                published=status != "draft" and rng.random() < 0.8, theme_id=rng.choice(themes),
                external_id=f"seed-{n}",
            ))
        created = Initiative.objects.bulk_create(batch)
        region_links, priority_links = [], []
        for initiative in created:
            provinces = [p.id for p in initiative.lead_organisation.served_provinces.all()]
            province = rng.choice(provinces)
            region = rng.choice(corops.get(province, [province]) + [province])
            region_links.append(Initiative.regions.through(initiative_id=initiative.id, region_id=region))
            for pid in rng.sample(priorities, k=min(2, len(priorities))):
                priority_links.append(Initiative.priorities.through(initiative_id=initiative.id, priority_id=pid))
        Initiative.regions.through.objects.bulk_create(region_links)
        Initiative.priorities.through.objects.bulk_create(priority_links)
"""


SEED_MARKER = "bench_api_seed"


def seed_env(url: str) -> dict[str, str]:
    # Seeding runs in demo mode without a broker (tasks eager); the server runs production-like.
    return {**os.environ, "DATABASE_URL": url, "PORTAL_DEMO": "1", "REDIS_URL": "",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}


def seed(seed_url: str, *, size: int, root: Path, label: str, reuse: bool) -> str:
    """The seeded template database; kept, and reused with --reuse-db when size and schema match."""
    if reuse and database_exists(seed_url):
        try:
            with psycopg2.connect(seed_url) as conn, conn.cursor() as cur:
                cur.execute(f"SELECT size, label, seeded_by FROM {SEED_MARKER}")
                row = cur.fetchone()
            if row and row[0] == size and row[1] == label:
                log(f"reusing seeded database {urlparse(seed_url).path} ({size} initiatives, schema of {label})")
                return row[2]
        except psycopg2.Error:
            pass
    recreate_database(seed_url)
    env = seed_env(seed_url)
    log(f"migrating and seeding {size} initiatives into {urlparse(seed_url).path} (code of {label}) …")
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0", root=root)
    manage(env, "load_reference_data", root=root)
    try:
        manage(env, "seed_demo", "--size", str(size), "--quiet-logins", root=root)
        seeded_by = "seed_demo"
    except subprocess.CalledProcessError as exc:
        # seed_demo needs portal/demo_text.py, which an old foundation commit lacks; seed
        # comparable rows directly so the benchmark still runs (reported as "seeded_by").
        log(f"seed_demo failed ({exc.stderr.strip().splitlines()[-1]}); seeding directly")
        subprocess.run([PY, "-c", FALLBACK_SEED, str(size)], cwd=root, env=env, check=True)
        seeded_by = "bench_fallback"
    with psycopg2.connect(seed_url) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE {SEED_MARKER} (size int, label text, seeded_by text)")
        cur.execute(f"INSERT INTO {SEED_MARKER} VALUES (%s, %s, %s)", [size, label, seeded_by])
    log(f"seeded in {time.monotonic() - started:.0f} s")
    return seeded_by


def run_code(root: Path, *, seed_url: str, run_url: str, redis_url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark the code in `root` on a fresh copy of the seeded database."""
    recreate_database(run_url, template=urlparse(seed_url).path.lstrip("/"))
    env = seed_env(run_url)
    manage(env, "migrate", "--noinput", "-v0", root=root)  # this code's own migrations (indexes)
    conn = psycopg2.connect(run_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        # Fresh planner statistics, as autovacuum would have them on a live database.
        cur.execute("VACUUM ANALYZE")
    conn.close()
    server_env = {**os.environ, "DATABASE_URL": run_url, "REDIS_URL": redis_url, "DEBUG": "0",
                  "SECRET_KEY": "bench-only-secret", "ALLOWED_HOSTS": "127.0.0.1", "BEHIND_TLS": "0",
                  "API_RATE_LIMIT_PER_MINUTE": "100000000"}
    server_env.pop("PORTAL_DEMO", None)
    # The demo data has a ministry and ROMs; pick them by kind so the bench does not depend on slugs.
    pick = subprocess.run([PY, "-c", (
        "import os, random, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings'); django.setup();"
        "from portal.models import Organisation as O; from initiatives.models import Initiative as I;"
        "from django.db.models import Count;"
        "rom = O.objects.filter(kind='rom').annotate(n=Count('served_provinces')).order_by('-n','slug').first();"
        "ministry = O.objects.filter(kind='ministry').order_by('slug').first() or rom;"
        "prov = rom.served_provinces.order_by('code').first();"
        "all_ids = list(I.objects.order_by('id').values_list('id', flat=True));"
        "ids = random.Random(2021).sample(all_ids, min(500, len(all_ids)));"
        "print(rom.slug, ministry.slug, prov.code, prov.id, ','.join(map(str, ids)))")],
        cwd=root, env=env, check=True, capture_output=True, text=True).stdout.split()
    rom_slug, ministry_slug, province_code, _province_id, id_list = pick
    staff_token = manage(env, "issue_api_token", ministry_slug, "--role", "staff", "--name", "bench", root=root).strip()
    rom_token = manage(env, "issue_api_token", rom_slug, "--role", "rom", "--name", "bench", root=root).strip()
    ids = id_list.split(",")

    gunicorn = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{args.port}",
         "--timeout", "600", "--log-level", "warning"], cwd=root, env=server_env,
    )
    results: dict[str, Any] = {}
    filtered = f"region={province_code}&stage=pilot"
    try:
        for _ in range(150):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                probe.request("GET", "/api/schema/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        scenarios = {
            "list_50": ["/api/v1/initiatives/?page_size=50"],
            "list_500": ["/api/v1/initiatives/?page_size=500"],
            "list_filtered_50": [f"/api/v1/initiatives/?{filtered}&page_size=50"],
            "list_filtered_500": [f"/api/v1/initiatives/?{filtered}&page_size=500"],
            "detail": [f"/api/v1/initiatives/{i}/" for i in ids],
        }
        for name, paths in scenarios.items():
            drive(args.port, staff_token, paths[:1], seconds=1, threads=1)  # warm up
            results[name] = drive(args.port, staff_token, paths, seconds=args.seconds, threads=args.threads)
            results[name]["load_1min"] = round(os.getloadavg()[0], 2)
            if set(results[name]["statuses"]) != {200}:
                raise SystemExit(f"{name}: unexpected statuses {results[name]['statuses']}")
            log(f"{root} {name}: {results[name]}")
        rows = [{"external_id": f"bench-{i}", "title": f"Bench {i}", "description": "Benchmark.",
                 "regions": [province_code], "lead_organisation": rom_slug, "type": "field_lab", "stage": "pilot"}
                for i in range(1000)]
        body = json.dumps({"items": rows}).encode()
        bulk_ms = []
        created = None
        for n in range(args.bulk_requests):
            # The first request creates the 1000 rows, the later ones update them.
            client = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
            t0 = time.perf_counter()
            client.request("POST", "/api/v1/initiatives/bulk/", body=body,
                           headers={"Authorization": f"Bearer {rom_token}", "Content-Type": "application/json"})
            response = client.getresponse()
            payload = response.read()
            bulk_ms.append((time.perf_counter() - t0) * 1000)
            if response.status != 200:
                raise SystemExit(f"bulk upsert failed: {response.status} {payload[:500]!r}")
            if n == 0:
                created = json.loads(payload)["created"]
        results["bulk_1000"] = {
            "requests": len(bulk_ms), "first_created": created, "create_ms": round(bulk_ms[0], 1),
            "median_ms": round(statistics.median(bulk_ms), 1), "p95_ms": round(percentile(bulk_ms, 0.95), 1),
            "rows_per_second": round(1000 / (statistics.median(bulk_ms) / 1000), 1),
            "load_1min": round(os.getloadavg()[0], 2),
        }
        log(f"{root} bulk_1000: {results['bulk_1000']}")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    baseline = raw_sql_baselines(run_url, province_code=province_code, ids=ids)
    log(f"{root} raw SQL: {baseline}")
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "raw_sql_ms": baseline,
        # The aim: the endpoint's p95 within 3x of the SQL it needs (its median, same run).
        "ratio_p95_to_raw_sql": {k: round(results[k]["p95_ms"] / v["median_ms"], 2) for k, v in baseline.items()},
        "scenarios": results,
        "rows_per_second": results["bulk_1000"]["rows_per_second"],
    }


def ref_worktree(ref: str) -> Path:
    """A temporary detached worktree of `ref` (e.g. main), for --compare-ref."""
    path = Path(tempfile.mkdtemp(prefix="bench-api-ref-"))
    path.rmdir()
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), ref], check=True,
                   capture_output=True)
    # Compiled translations are not in git; only error texts, but keep the ref's run like ours.
    subprocess.run([PY, "manage.py", "compilemessages", "-v0"], cwd=path, env=seed_env(""), capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="initiatives to seed (default 100000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration per read scenario")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--bulk-requests", type=int, default=5, help="bulk upserts of 1000 rows to time")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse-db", action="store_true",
                        help="keep the seeded database between runs and reuse it when size and schema match")
    parser.add_argument("--compare-ref", metavar="REF",
                        help="also benchmark this git ref (e.g. main) from a temporary worktree, same run")
    args = parser.parse_args()

    database, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database or not redis_url:
        sys.exit("DATABASE_URL and REDIS_URL are required")
    ref_root = ref_worktree(args.compare_ref) if args.compare_ref else None
    try:
        # The template is seeded with the older code's schema (the ref's, when comparing); each
        # run copies it and applies its own migrations, so neither side sees the other's indexes.
        seeder, label = (ref_root, f"ref:{args.compare_ref}") if ref_root else (ROOT, "worktree")
        seed_url = database_url(database, "_seed")
        seeded_by = seed(seed_url, size=args.size, root=seeder, label=label, reuse=args.reuse_db)
        run_url = database_url(database, "")
        runs: dict[str, Any] = {}
        if ref_root:
            runs[args.compare_ref] = run_code(ref_root, seed_url=seed_url, run_url=run_url, redis_url=redis_url,
                                              args=args)
        runs["worktree"] = run_code(ROOT, seed_url=seed_url, run_url=run_url, redis_url=redis_url, args=args)
        drop_database(run_url)
        if not args.reuse_db:
            drop_database(seed_url)
    finally:
        if ref_root:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref_root)],
                           capture_output=True)
    ours = runs["worktree"]
    summary = {
        "size": args.size,
        "seeded_by": seeded_by,
        "threads": args.threads,
        "seconds": ours["scenarios"]["list_50"]["p95_ms"] / 1000,
        "baseline_seconds": round(ours["raw_sql_ms"]["list_50"]["median_ms"] / 1000, 5),
        "p95_ms": ours["scenarios"]["list_50"]["p95_ms"],
        "rows_per_second": ours["rows_per_second"],
        "ratio_p95_to_raw_sql": ours["ratio_p95_to_raw_sql"],
        "runs": runs,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
