"""Failure drills ("Nothing lost", issue 8): break a service on purpose and check what the portal does.

Usage: .venv/bin/python bench/drills.py [--size N] [--chunk-size C] [--only redis,worker] [--keep]

Every drill uses service instances of its own, never the machine's shared ones: a redis-server on a
free port (16390+) started here, a scratch PostgreSQL database next to DATABASE_URL
(`<name>_bench_drills`, seeded with `seed_demo --size N`), real Celery worker and gunicorn processes.

- worker: a scoring run (selection) is started, the whole Celery worker (main process and children)
  is killed with SIGKILL once some chunks are done and others are in flight; a new worker is started.
  Passes when the run completes and its result rows have the same checksum as an undisturbed run of
  the same round. Redelivery of the killed worker's unacked chunks comes from the broker's
  visibility_timeout (CELERY_VISIBILITY_TIMEOUT, set to a few seconds here) and, for a child killed
  alone, from task_reject_on_worker_lost; chunks are idempotent (done flag under a row lock).
- redis: gunicorn serves while our redis-server is stopped. Pages and the API must answer without
  5xx, /healthz must answer 503 naming redis, and a scoring run started meanwhile must not be lost
  silently: it is either marked failed with a clear message or completes once Redis is back.

Prints PASS/FAIL per drill with what happened, and as the LAST line one JSON object with seconds,
baseline_seconds (the undisturbed scoring run) and the per-drill results.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from bench.scoring import _manage, _prepare_round, _recreate_database  # noqa: E402

CHECKSUM_SQL = """
SELECT count(*), md5(coalesce(string_agg(
    concat_ws('|', initiative_id, criteria::text, suggestions::text, weighted_total, max_spread, disagreement,
              submitted_count, assigned_count, coverage), ',' ORDER BY initiative_id), ''))
FROM selection_initiativeroundresult WHERE round_id = %s
"""


def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {start}")


class RedisServer:
    """A throwaway redis-server, so stopping it never touches the machine's shared Redis."""

    def __init__(self, port: int, workdir: str) -> None:
        self.port, self.workdir, self.proc = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_for(lambda: _port_open(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
            self.proc = None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def start_worker(env: dict[str, str], concurrency: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "portal", "worker", "--loglevel=warning", "--pool=prefork",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def stop_group(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def ping_worker(timeout: float = 60) -> None:
    from portal.celery import app as celery_app

    wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout, "the Celery worker to answer", 0.2)


def result_checksum(round_id: int) -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CHECKSUM_SQL, [round_id])
        count, digest = cursor.fetchone()
    return count, digest


def clear_results(round_id: int) -> None:
    from selection.models import InitiativeRoundResult

    InitiativeRoundResult.objects.filter(round_id=round_id).delete()


def start_scoring(round_id: int, chunk_size: int):
    from selection import services
    from selection.models import SelectionRound

    return services.scoring_run_start(
        selection_round=SelectionRound.objects.get(pk=round_id), actor=None, chunk_size=chunk_size
    )


def wait_run(run, timeout: float):
    def finished() -> bool:
        run.refresh_from_db()
        return run.status != "running"

    wait_for(finished, timeout, f"scoring run {run.pk} to finish", 0.05)
    return run


# --- drill: worker killed with SIGKILL mid scoring run ---------------------------------------------


def drill_worker_kill(env: dict[str, str], round_id: int, chunk_size: int, timeout: float) -> dict:
    clear_results(round_id)
    worker = start_worker(env)
    try:
        ping_worker()
        started = time.perf_counter()
        run = wait_run(start_scoring(round_id, chunk_size), timeout)
        baseline_seconds = time.perf_counter() - started
        if run.status != "done":
            raise RuntimeError(f"undisturbed run ended as {run.status}: {run.error}")
        reference = result_checksum(round_id)

        clear_results(round_id)
        run = start_scoring(round_id, chunk_size)

        def some_done() -> bool:
            run.refresh_from_db()
            return run.dispatched and 0 < run.chunks_done < run.chunk_count - 2

        wait_for(some_done, timeout, "the run to be part-way")
        stop_group(worker, signal.SIGKILL)
        killed_at = time.perf_counter()
        run.refresh_from_db()
        at_kill = (run.chunks_done, run.chunk_count)
        time.sleep(1)
        run.refresh_from_db()
        still_running = run.status == "running"
        worker = start_worker(env)
        ping_worker()
        run = wait_run(run, timeout)
        recovery = time.perf_counter() - killed_at
        disturbed = result_checksum(round_id)
    finally:
        stop_group(worker)
    from selection.models import ScoringChunk

    attempts = sorted(set(ScoringChunk.objects.filter(run=run).values_list("attempts", flat=True)))
    ok = run.status == "done" and disturbed == reference and still_running and reference[0] > 0
    return {
        "pass": ok, "baseline_seconds": round(baseline_seconds, 3), "run_status": run.status,
        "chunks_done_at_kill": at_kill[0], "chunks": at_kill[1],
        "recovery_seconds": round(recovery, 2), "rows_compared": reference[0],
        "checksum_undisturbed": reference[1], "checksum_disturbed": disturbed[1],
        "rows_disturbed": disturbed[0], "chunk_attempts": attempts,
        "said": (f"SIGKILL with {at_kill[0]}/{at_kill[1]} chunks done; run {run.status} "
                 f"{recovery:.1f} s after the kill; {disturbed[0]} rows, checksum "
                 f"{'equal to' if disturbed == reference else 'DIFFERENT from'} the undisturbed run"),
    }


OVERLAP_CHECKSUM_SQL = """
SELECT count(*), md5(coalesce(string_agg(
    concat_ws('|', a_id, b_id, round(score::numeric, 9), kind, reasons::text, status), ',' ORDER BY a_id, b_id), ''))
FROM initiatives_overlapsuggestion
"""


def overlap_checksum() -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(OVERLAP_CHECKSUM_SQL)
        return cursor.fetchone()


def _overlap_wait(run_id: int, timeout: float):
    from initiatives.models import OverlapRun

    def finished():
        run = OverlapRun.objects.get(pk=run_id)
        return run if run.status in {"completed", "failed"} else None

    return wait_for(finished, timeout, f"overlap run {run_id} to finish", 0.1)


def drill_worker_kill_overlap(env: dict[str, str], timeout: float) -> dict:
    """The initiatives full overlap run, worker SIGKILLed with some chunks done."""
    from initiatives.models import OverlapRun, OverlapSuggestion
    from initiatives.overlap_services import overlap_run_start

    OverlapSuggestion.objects.all().delete()
    OverlapRun.objects.filter(status__in=["queued", "running"]).update(status="failed", error="drill reset")
    worker = start_worker(env)
    try:
        ping_worker()
        started = time.perf_counter()
        run = _overlap_wait(overlap_run_start(actor=None).pk, timeout)
        baseline_seconds = time.perf_counter() - started
        if run.status != "completed":
            raise RuntimeError(f"undisturbed overlap run ended as {run.status}: {run.error}")
        reference = overlap_checksum()

        OverlapSuggestion.objects.all().delete()
        run_id = overlap_run_start(actor=None).pk

        def part_way() -> bool:
            run = OverlapRun.objects.get(pk=run_id)
            return run.status == "running" and 0 < run.chunks_done < run.chunks_total

        wait_for(part_way, timeout, "the overlap run to be part-way", 0.02)
        stop_group(worker, signal.SIGKILL)
        killed_at = time.perf_counter()
        at_kill = OverlapRun.objects.get(pk=run_id)
        time.sleep(1)
        still_running = OverlapRun.objects.get(pk=run_id).status == "running"
        worker = start_worker(env)
        ping_worker()
        run = _overlap_wait(run_id, timeout)
        recovery = time.perf_counter() - killed_at
        disturbed = overlap_checksum()
    finally:
        stop_group(worker)
    ok = run.status == "completed" and disturbed == reference and still_running and reference[0] > 0
    return {
        "pass": ok, "baseline_seconds": round(baseline_seconds, 3), "run_status": run.status,
        "chunks_done_at_kill": at_kill.chunks_done, "chunks": at_kill.chunks_total,
        "recovery_seconds": round(recovery, 2), "rows_compared": reference[0],
        "checksum_undisturbed": reference[1], "checksum_disturbed": disturbed[1], "rows_disturbed": disturbed[0],
        "said": (f"SIGKILL with {at_kill.chunks_done}/{at_kill.chunks_total} chunks done; run {run.status} "
                 f"{recovery:.1f} s after the kill; {disturbed[0]} suggestion rows, checksum "
                 f"{'equal to' if disturbed == reference else 'DIFFERENT from'} the undisturbed run"),
    }


# --- drill: Redis stopped while gunicorn serves ----------------------------------------------------


class Browser:
    """A cookie-keeping HTTP client for our own gunicorn (pages need a logged-in session)."""

    def __init__(self, base: str) -> None:
        import http.cookiejar

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes, str]:
        import urllib.parse

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base, **(headers or {})})  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read(), response.url
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), path

    def csrf(self, path: str) -> str:
        import re

        _status, body, _url = self.request(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1).decode()

    def login(self, username: str) -> None:
        from portal.demo import DEMO_PASSWORD

        token = self.csrf("/inloggen/")
        _status, _body, url = self.request(
            "/inloggen/", {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        )
        if "/inloggen/" in url:
            raise RuntimeError(f"login as {username} failed")


def _health_part(browser: Browser, part: str) -> bool:
    _status, body, _url = browser.request("/healthz")
    try:
        return bool(json.loads(body)["checks"][part]["ok"])
    except (ValueError, KeyError):
        return False


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True,
    )
    wait_for(lambda: _port_open(port), 60, "gunicorn to listen")
    return proc


def drill_redis_down(env: dict[str, str], redis: RedisServer, round_id: int, port: int, token: str,
                     timeout: float) -> dict:
    from selection.models import ScoringRun

    clear_results(round_id)
    ScoringRun.objects.filter(round_id=round_id, status="running").update(status="failed", error="drill reset")
    web = start_gunicorn(env, port)
    worker = start_worker(env)
    statuses: dict[str, int] = {}
    try:
        ping_worker()
        staff = Browser(f"http://127.0.0.1:{port}")
        staff.login("programmateam")
        api_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        pages = ["/", "/initiatieven/", f"/selectie/rondes/{round_id}/", "/api/v1/initiatives/?page_size=5"]

        redis.stop()
        stopped_at = time.perf_counter()
        for path in pages:
            status, _body, _url = staff.request(path, headers=api_headers if path.startswith("/api/") else None)
            statuses[path] = status
        # A fresh login needs a session and a CSRF cookie: must work without Redis too.
        fresh = Browser(staff.base)
        try:
            fresh.login("programmateam")
            statuses["login"] = 200
        except RuntimeError:
            statuses["login"] = 0
        health_status, health_body, _url = staff.request("/healthz")
        health = json.loads(health_body or b"{}")
        # A job started from the UI while Redis is down.
        csrf = staff.csrf(f"/selectie/rondes/{round_id}/")
        post_status, _body, _url = staff.request(f"/selectie/rondes/{round_id}/scoren/", {"csrfmiddlewaretoken": csrf})
        statuses["POST scoren"] = post_status
        run_down = ScoringRun.objects.filter(round_id=round_id).order_by("-pk").first()
        run_down_state = (run_down.status, run_down.error) if run_down else ("none", "")

        redis.start()
        back_at = time.perf_counter()
        # The worker heartbeat lives in Redis (lost with it, comes back with beat), so wait for the
        # redis check only.
        wait_for(lambda: _health_part(staff, "redis"), 120, "/healthz to report redis ok", 0.5)
        healthy_after = time.perf_counter() - back_at
        # The run started during the outage must not stay 'running' with nothing queued.
        if run_down is not None:
            run_down = wait_run(run_down, timeout)
            run_down_state = (run_down.status, run_down.error)
        csrf = staff.csrf(f"/selectie/rondes/{round_id}/")
        staff.request(f"/selectie/rondes/{round_id}/scoren/", {"csrfmiddlewaretoken": csrf})
        run_after = wait_run(ScoringRun.objects.filter(round_id=round_id).order_by("-pk").first(), timeout)
        outage_seconds = back_at - stopped_at
    finally:
        stop_group(worker)
        stop_group(web)
        if redis.proc is None:
            redis.start()
    no_5xx = all(0 < s < 500 for s in statuses.values())
    redis_named = health_status == 503 and health.get("checks", {}).get("redis", {}).get("ok") is False
    job_not_lost = run_down_state[0] == "done" or (run_down_state[0] == "failed" and "Redis" in run_down_state[1])
    ok = no_5xx and redis_named and job_not_lost and run_after.status == "done"
    return {
        "pass": ok, "statuses_while_down": statuses, "healthz_while_down": [health_status, health],
        "run_started_while_down": list(run_down_state), "run_after_recovery": run_after.status,
        "outage_seconds": round(outage_seconds, 2), "healthy_seconds_after_restart": round(healthy_after, 2),
        "said": (f"while Redis was down: {statuses}; /healthz {health_status}; run started meanwhile "
                 f"{run_down_state[0]} ({run_down_state[1][:80]}); after restart healthy in {healthy_after:.1f} s, "
                 f"new run {run_after.status}"),
    }


# --- drill: PostgreSQL restarted mid-request -------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")
INITIATIVES_CHECKSUM_SQL = """
SELECT count(*), md5(coalesce(string_agg(concat_ws('|', id, external_id, title, updated_at), ',' ORDER BY id), ''))
FROM initiatives_initiative
"""


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl as the postgres user) on its own port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="drills-pg-")
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = f"{self.dir}/data"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self._as_postgres(str(PG_BIN / "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def pg_ctl(self, *args: str) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", self.data, "-l", f"{self.dir}/log", "-w",
                          "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", *args)

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _bulk_rows(count: int, slug: str, region: str, tag: str) -> list[dict]:
    return [{"external_id": f"DRILL-{tag}-{i:05d}", "title": f"Drill {tag} {i}", "lead_organisation": slug,
             "description": f"Failure drill row {i}.", "regions": [region], "type": "field_lab", "stage": "pilot",
             "status": "active", "published": True}
            for i in range(count)]


def drill_postgres_restart(base_env: dict[str, str], size: int, port: int, bulk: int) -> dict:
    import threading

    import psycopg2

    cluster = PostgresCluster(free_port(15440))
    web = None
    try:
        cluster.init()
        conn = psycopg2.connect(cluster.url("postgres"))
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE drills")
        conn.close()
        env = {**base_env, "DATABASE_URL": cluster.url("drills")}
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_reference_data")
        _manage(env, "seed_demo", "--size", str(size), "--quiet-logins")
        # A ROM writes its own initiatives: its token, its slug as lead, a province it serves.
        slug, region = subprocess.run(
            [PYTHON, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
             "django.setup(); from portal.models import Organisation as O; from django.db.models import Count;"
             "rom = O.objects.filter(kind='rom').annotate(n=Count('served_provinces')).order_by('-n', 'slug').first();"
             "print(rom.slug, rom.served_provinces.order_by('code').first().code)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()
        token = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), "issue_api_token", slug, "--role", "rom", "--name", "drills"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()

        def checksum() -> tuple[int, str]:
            with psycopg2.connect(cluster.url("drills")) as c, c.cursor() as cur:
                cur.execute(INITIATIVES_CHECKSUM_SQL)
                return cur.fetchone()

        web = start_gunicorn(env, port)
        client = Browser(f"http://127.0.0.1:{port}")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"}

        def post_bulk(rows: list[dict]) -> tuple[int, bytes, float]:
            req = urllib.request.Request(client.base + "/api/v1/initiatives/bulk/", method="POST",  # noqa: S310
                                         data=json.dumps({"items": rows}).encode(), headers=headers)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
                    return response.status, response.read(), time.perf_counter() - started
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read(), time.perf_counter() - started

        # Undisturbed: how long a bulk upsert takes here (then its rows are part of "before").
        warm_status, _body, bulk_seconds = post_bulk(_bulk_rows(bulk, slug, region, "warm"))
        if warm_status != 200:
            raise RuntimeError(f"undisturbed bulk upsert answered {warm_status}: {_body[:300]!r}")
        before = checksum()
        outcome: dict = {}
        thread = threading.Thread(target=lambda: outcome.update(zip(("status", "body", "seconds"),
                                                                     post_bulk(_bulk_rows(bulk, slug, region, "cut")), strict=False)))
        thread.start()
        # Restart once the request's transaction has written something (it holds a transaction id),
        # so the cut lands mid-write, not before or after it.
        def writing() -> bool:
            with psycopg2.connect(cluster.url("drills")) as c, c.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'drills' "
                            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")
                return cur.fetchone()[0] > 0

        with contextlib.suppress(TimeoutError):
            wait_for(writing, max(30.0, bulk_seconds * 3), "the bulk upsert to write", 0.02)
        restart_at = time.perf_counter()
        cluster.stop()
        cluster.start()
        restarted_after = time.perf_counter() - restart_at
        thread.join(90)
        after = checksum()
        # Recovery: the next requests must answer normally (CONN_HEALTH_CHECKS replaces dead connections).
        recover_started = time.perf_counter()
        statuses = []
        for _attempt in range(20):
            status, _b, _u = client.request("/api/v1/initiatives/?page_size=1", headers=headers)
            statuses.append(status)
            if status == 200:
                break
            time.sleep(0.5)
        recovered_after = time.perf_counter() - recover_started
        html_status, _b, _u = client.request("/")
        retry_status, _body, _s = post_bulk(_bulk_rows(bulk, slug, region, "cut"))
        final = checksum()
    finally:
        stop_group(web)
        cluster.destroy()
    cut_status = outcome.get("status")
    body = outcome.get("body", b"")
    clean = (cut_status == 503 and body.startswith(b"{")) or cut_status == 200
    unchanged = after == before if cut_status != 200 else after[0] == before[0] + bulk
    ok = clean and unchanged and statuses[-1] == 200 and html_status == 200 and retry_status == 200 \
        and final[0] == before[0] + bulk
    return {
        "pass": ok, "bulk_status_during_restart": cut_status, "bulk_body": body[:200].decode(errors="replace"),
        "bulk_seconds_during_restart": round(outcome.get("seconds", -1), 2),
        "undisturbed_bulk_seconds": round(bulk_seconds, 3), "restart_seconds": round(restarted_after, 2),
        "rows_before": before[0], "rows_after": after[0], "checksum_unchanged": after == before,
        "statuses_after_restart": statuses, "recovered_seconds": round(recovered_after, 2),
        "html_after": html_status, "retry_status": retry_status, "rows_after_retry": final[0],
        "said": (f"bulk upsert of {bulk} rows cut by a restart answered {cut_status} after "
                 f"{outcome.get('seconds', -1):.1f} s; rows {before[0]} -> {after[0]}, checksum "
                 f"{'unchanged' if after == before else 'CHANGED'}; API {statuses} then / {html_status}; "
                 f"retry {retry_status}, rows {final[0]}"),
    }


# --- main --------------------------------------------------------------------------------------


def _pick_token(env: dict[str, str]) -> str:
    slug = subprocess.run(
        [PYTHON, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
         "django.setup(); from portal.models import Organisation as O;"
         "print((O.objects.filter(kind='ministry').order_by('slug').first() or O.objects.order_by('slug').first()).slug)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "issue_api_token", slug, "--role", "staff", "--name", "drills"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=3000, help="initiatives (default 3000)")
    parser.add_argument("--chunk-size", type=int, default=100, help="initiatives per scoring chunk (default 100)")
    parser.add_argument("--overlap-chunk-size", type=int, default=250,
                        help="initiatives per overlap run chunk (default 250; production 500)")
    parser.add_argument("--bulk-rows", type=int, default=1000, help="rows per bulk upsert in the postgres drill")
    parser.add_argument("--only", default="worker,worker-overlap,redis,postgres",
                        help="comma-separated drills (default worker,worker-overlap,redis,postgres)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for a run (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    drills = [d.strip() for d in args.only.split(",") if d.strip()]
    unknown = set(drills) - {"worker", "worker-overlap", "redis", "postgres"}
    if args.size < 1 or args.chunk_size < 1 or unknown:
        parser.error(f"--size/--chunk-size must be positive; unknown drills: {sorted(unknown)}")
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        parser.error("DATABASE_URL (PostgreSQL) must be set")

    parsed = urlparse(base_url)
    name = (parsed.path.lstrip("/") or "postgres") + "_bench_drills"
    scratch_url = urlunparse(parsed._replace(path=f"/{name}"))
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    workdir = tempfile.mkdtemp(prefix="drills-")
    redis = RedisServer(free_port(16390), workdir)
    web_port = free_port(18040)
    env = {**os.environ, "DATABASE_URL": scratch_url, "REDIS_URL": redis.url,
           "SECRET_KEY": "drills-only-not-secret", "ALLOWED_HOSTS": "127.0.0.1", "BEHIND_TLS": "0",
           "SECURE_COOKIES": "0", "DEBUG": "0", "OVERLAP_RUN_CHUNK_SIZE": str(args.overlap_chunk_size),
           # Redelivery of a vanished worker's unacked chunks within the drill (production: 3600).
           "CELERY_VISIBILITY_TIMEOUT": os.environ.get("CELERY_VISIBILITY_TIMEOUT", "5")}
    env.pop("PORTAL_DEMO", None)
    started = time.perf_counter()
    results: dict[str, dict] = {}
    _recreate_database(admin_url, name)
    redis.start()
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_reference_data")
        _manage(env, "seed_demo", "--size", str(args.size), "--quiet-logins")
        token = _pick_token(env) if "redis" in drills else ""
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CELERY_VISIBILITY_TIMEOUT")})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        round_id, score_rows = _prepare_round(args.size)
        print(f"round {round_id}: {score_rows} scores", file=sys.stderr)
        for drill in drills:
            try:
                if drill == "worker":
                    results[drill] = drill_worker_kill(env, round_id, args.chunk_size, args.timeout)
                elif drill == "postgres":
                    results[drill] = drill_postgres_restart(env, min(args.size, 500), web_port, args.bulk_rows)
                elif drill == "worker-overlap":
                    results[drill] = drill_worker_kill_overlap(env, args.timeout)
                else:
                    results[drill] = drill_redis_down(env, redis, round_id, web_port, token, args.timeout)
            except Exception as exc:  # noqa: BLE001 - a drill that breaks is a FAIL, the others still run
                results[drill] = {"pass": False, "said": f"drill broke: {type(exc).__name__}: {exc}"}
            verdict = "PASS" if results[drill]["pass"] else "FAIL"
            print(f"{verdict} {drill}: {results[drill]['said']}")
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if not args.keep:
            _recreate_database(admin_url, name, drop_only=True)
    summary = {
        "size": args.size, "chunk_size": args.chunk_size,
        "seconds": round(time.perf_counter() - started, 2),
        "baseline_seconds": results.get("worker", {}).get("baseline_seconds"),
        "passed": all(r["pass"] for r in results.values()),
        "drills": {k: {kk: vv for kk, vv in v.items() if kk != "said"} for k, v in results.items()},
    }
    print(json.dumps(summary))
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
