"""Benchmark of personal-data export and erasure for a user with a lot of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/privacy.py --size 20000

Scratch database `<name>_bench_privacy` (dropped and recreated), migrations, reference data and
`seed_demo --size 50`; then one user gets `--size` activity rows (a third mentioning their e-mail,
so erasure has to rewrite them). Times `personal_data_export_json` and `personal_data_erase`.
Baseline (same run): reading the same activity rows with a plain cursor, and one UPDATE of them.
Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20000, help="activity rows of the user")
    args = parser.parse_args()
    if args.size < 1:
        parser.error("--size must be positive")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        parser.error("DATABASE_URL (PostgreSQL) must be set")
    parsed = urlparse(base)
    name = f"{parsed.path.lstrip('/')}_bench_privacy"
    scratch, admin = urlunparse(parsed._replace(path=f"/{name}")), urlunparse(parsed._replace(path="/postgres"))
    import psycopg2

    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": scratch, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret")}
    env.pop("PORTAL_DEMO", None)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_reference_data")
    _manage(env, "seed_demo", "--size", "50", "--quiet-logins")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from initiatives.models import Initiative
    from portal.models import Activity, User
    from portal.privacy import personal_data_erase, personal_data_export_json

    user = User.objects.filter(role=User.Role.BOARD).order_by("id").first()
    user.first_name, user.last_name, user.email = "Bench", "Gebruiker", "bench.gebruiker@example.org"
    user.save()
    initiatives = list(Initiative.objects.order_by("id")[:50])
    ct = ContentType.objects.get_for_model(Initiative)
    Activity.objects.bulk_create([
        Activity(actor=user, verb="update", target_type=ct, target_id=initiatives[i % len(initiatives)].pk,
                 target_repr=initiatives[i % len(initiatives)].title,
                 changes={"title": ["a", "b"], "contact_email": ["", user.email] if i % 3 == 0 else ["", "x"]})
        for i in range(args.size)
    ], batch_size=5000)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, verb, target_id, target_repr, changes, note, created_at "
                       "FROM portal_activity WHERE actor_id = %s", [user.pk])
        rows = cursor.fetchall()
    json.dumps(rows, default=str)
    baseline_export = time.perf_counter() - started

    started = time.perf_counter()
    data = personal_data_export_json(user)
    export_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:  # rewrite the same rows once, rolled back below
        cursor.execute("BEGIN")
        cursor.execute("UPDATE portal_activity SET note = note WHERE actor_id = %s AND changes::text ILIKE %s",
                       [user.pk, f"%{user.email}%"])
        cursor.execute("ROLLBACK")
    baseline_erase = time.perf_counter() - started

    started = time.perf_counter()
    counts = personal_data_erase(user=user, actor=None)
    erase_seconds = time.perf_counter() - started
    load = os.getloadavg()
    conn.close()
    print(json.dumps({
        "rows": args.size, "export_seconds": round(export_seconds, 3), "export_bytes": len(data),
        "erase_seconds": round(erase_seconds, 3), "erase_counts": counts,
        "seconds": round(export_seconds + erase_seconds, 3),
        "baseline_seconds": round(baseline_export + baseline_erase, 3),
        "baseline_export_seconds": round(baseline_export, 3), "baseline_erase_seconds": round(baseline_erase, 3),
        "loadavg": [round(x, 2) for x in load],
    }))


if __name__ == "__main__":
    main()
