"""Celery application. The broker comes from REDIS_URL; without one (demo mode) tasks run eagerly."""

import os

from celery import Celery
from celery.signals import task_failure, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _heartbeat_on_start(**kwargs: object) -> None:
    # A fresh worker is healthy at once, not only after its first beat.
    from portal.health import record_worker_heartbeat

    record_worker_heartbeat()


@task_failure.connect
def _mail_admins_on_failure(sender: object = None, task_id: str = "", exception: BaseException | None = None,
                            **kwargs: object) -> None:
    # Operators hear about a failed job without reading worker logs; ids only, no personal data.
    from django.core.mail import mail_admins

    name = getattr(sender, "name", str(sender))
    mail_admins(
        subject=f"Celery task failed: {name}",
        message=f"Task {name} ({task_id}) failed: {type(exception).__name__}: {exception}",
        fail_silently=True,
    )
