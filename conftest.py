"""Shared fixtures: reference data, users per role, Celery eager by default, a real worker on demand."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from portal.celery import app as celery_app


def _set_eager(value: bool) -> None:
    # The app reads Django settings with namespace "CELERY": the namespaced key wins over the
    # plain one, so setting only conf.task_always_eager is silently ignored.
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = value
    celery_app.conf.task_always_eager = value


@pytest.fixture(autouse=True)
def _celery_eager() -> Iterator[None]:
    """Tasks run in-process unless a test asks for the real worker (live_worker)."""
    _set_eager(True)
    celery_app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.conf.task_eager_propagates = True
    yield
    _set_eager(True)


@pytest.fixture
def reference_data(db: None) -> None:
    """The real reference data (regions, ROMs, priorities, themes). Loaded once per database state."""
    from portal.models import Region

    if not Region.objects.exists():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def live_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker thread consuming from the Redis broker in REDIS_URL.

    Tests that use it share one xdist group (see pytest.mark.xdist_group("celery")) because all
    xdist workers share the broker while each has its own database.
    """
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must point at a Redis server for worker tests")
    _set_eager(False)
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    _set_eager(True)


@pytest.fixture
def unique_suffix() -> str:
    return uuid.uuid4().hex[:8]


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Debian Chromium per test process, shared by every browser test.

    Playwright's sync API may run only once per thread, so apps must not start their own.
    """
    import os
    from pathlib import Path

    from django.db import connections
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium not found at {executable} (run `make browser`)")
    # The sync API runs an event loop in this thread; ORM calls between page actions stay sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    # ORM calls made while Playwright ran may hold their own connection; close it so the test
    # database can be dropped at the end of the session.
    connections.close_all()
