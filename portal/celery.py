"""Celery application. The broker comes from REDIS_URL; without one (demo mode) tasks run eagerly."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _heartbeat_on_start(**kwargs: object) -> None:
    # A fresh worker is healthy at once, not only after its first beat.
    from portal.health import record_worker_heartbeat

    record_worker_heartbeat()
