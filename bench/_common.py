"""Shared plumbing of the bench scripts: scratch database, seeding, gunicorn, percentiles.

Every bench sets up its own scratch PostgreSQL database next to the one in DATABASE_URL
(`<name>_bench_<suffix>`), seeds it with `manage.py seed_demo --size N` and runs the portal in
gunicorn (2 workers, DEBUG off, production-like settings, plain HTTP on loopback).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - the demo data's public password


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def scratch_url(url: str, suffix: str) -> tuple[str, str, str]:
    """(admin url, scratch url, scratch db name) for DATABASE_URL."""
    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_bench_{suffix}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return admin, urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def psql(url: str, sql: str) -> str:
    """Run one statement in autocommit; the first column of the first row as text ('' if none)."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return str(cur.fetchone()[0]) if cur.description else ""
    finally:
        conn.close()


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


def seed_env(scratch: str) -> dict[str, str]:
    """Environment for seeding: demo mode, no broker (tasks run eagerly)."""
    return {**os.environ, "DATABASE_URL": scratch, "PORTAL_DEMO": "1", "DEBUG": "0", "REDIS_URL": "",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}


def server_env(scratch: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production-like environment for gunicorn (DEBUG off, Redis cache, plain HTTP on loopback)."""
    env = {**os.environ, "DATABASE_URL": scratch, "REDIS_URL": redis_url, "DEBUG": "0",
           "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0",
           "BEHIND_TLS": "0", "LOG_LEVEL": "WARNING", **extra}
    env.pop("PORTAL_DEMO", None)
    return env


def prepare_database(database_url: str, suffix: str, size: int, *, reuse: bool) -> tuple[str, str, str, bool]:
    """Create (or with `reuse`, keep when it holds `size` demo initiatives) and seed the scratch DB.

    Returns (admin url, scratch url, scratch name, reused). A reused database is still migrated,
    so indexes added since it was seeded are there.
    """
    admin, scratch, name = scratch_url(database_url, suffix)
    env = seed_env(scratch)
    reused = False
    if reuse and psql(admin, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "1":
        try:
            count = psql(scratch, "SELECT count(*) FROM initiatives_initiative WHERE external_id LIKE 'demo-%'")
        except Exception:  # noqa: BLE001 - an unmigrated or broken scratch DB is simply rebuilt
            count = ""
        reused = count == str(size)
    if reused:
        log(f"reusing {name} ({size} initiatives)")
        manage(env, "migrate", "--noinput", "-v0")
    else:
        log(f"creating {name} and seeding {size} initiatives (a few minutes at 100k)")
        psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(admin, f'CREATE DATABASE "{name}"')
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_reference_data", capture=True)
        started = time.perf_counter()
        manage(env, "seed_demo", "--size", str(size), "--quiet-logins", capture=True)
        log(f"seeded in {time.perf_counter() - started:.0f} s")
    # Fresh planner statistics, as autovacuum would have them on a live database.
    psql(scratch, "ANALYZE")
    return admin, scratch, name, reused


def drop_database(admin: str, name: str) -> None:
    psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, *, workers: int = 2, probe: str = "/inloggen/") -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port; returns once `probe` answers."""
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "portal.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
