"""`make backup` and `make restore` round trip: same row count and checksum in every table."""

import os
import subprocess
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from initiatives.tests.factories import InitiativeFactory
from portal.tests.factories import EcosystemFactory


def _table_fingerprints(dsn: str) -> dict[str, tuple[int, str]]:
    import psycopg2

    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(
                f'SELECT count(*), coalesce(md5(string_agg(t::text, \'|\' ORDER BY t::text)), \'\') FROM "{table}" t'  # noqa: S608 - table names come from pg_tables
            )
            result[table] = cursor.fetchone()
    return result


def _dsn(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_identically(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are for PostgreSQL")
    call_command("load_reference_data", verbosity=0)
    InitiativeFactory.create_batch(5, ecosystem=EcosystemFactory())
    source = _dsn(connection.settings_dict["NAME"])
    target_name = f"restore_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": source}
    backup = subprocess.run(
        ["make", "-s", "backup", f"BACKUP_DIR={tmp_path}"], env=env, capture_output=True, text=True,
        cwd=settings.BASE_DIR,
    )
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    try:
        restore = subprocess.run(
            ["make", "-s", "restore", f"BACKUP={dump}"], env={**os.environ, "DATABASE_URL": _dsn(target_name)},
            capture_output=True, text=True, cwd=settings.BASE_DIR,
        )
        assert restore.returncode == 0, restore.stderr
        original, restored = _table_fingerprints(source), _table_fingerprints(_dsn(target_name))
        assert restored == original
        assert original["initiatives_initiative"][0] == 5
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def test_backup_without_database_url_exits_2():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(["make", "-s", "backup"], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
