"""Operations: /healthz, request ids, structured logs, production settings pass check --deploy."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from portal import health
from portal.logging import JsonFormatter, RequestIdFilter


@pytest.mark.django_db
@pytest.mark.xdist_group("celery")  # shares the Redis heartbeat key with the worker tests
class TestHealthz:
    def test_all_parts_healthy(self, client):
        health.record_worker_heartbeat()
        response = client.get(reverse("healthz"))
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "redis", "worker"}

    def test_missing_worker_heartbeat_is_503_naming_the_worker(self, client):
        health._redis().delete(health.HEARTBEAT_KEY)
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["worker"]["ok"] is False
        assert checks["database"]["ok"] is True

    def test_unreachable_redis_is_503_naming_redis(self, client, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["checks"]["redis"] == {"ok": False, "detail": "ConnectionError"}

    def test_stale_heartbeat(self, client):
        health._redis().set(health.HEARTBEAT_KEY, "1000")
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert "ago" in response.json()["checks"]["worker"]["detail"]


@pytest.mark.django_db
def test_livez_answers_without_database_or_redis(client, settings, django_assert_num_queries):
    # Liveness must not depend on the database or Redis (nothing listens on port 1).
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with django_assert_num_queries(0):
        response = client.get(reverse("livez"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_request_id_is_echoed_or_created(client):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="abc12345-proxy")
    assert response["X-Request-ID"] == "abc12345-proxy"
    generated = client.get(reverse("home"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert generated != "<script>" and len(generated) == 32


def test_json_log_lines_carry_the_request_id():
    from portal.logging import request_id_var

    token = request_id_var.set("req-123456")
    try:
        record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "Job %s failed", ("x",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "req-123456"
    assert line["message"] == "Job x failed"
    assert line["level"] == "WARNING"


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        # Browser tests in the same process allow async-unsafe ORM calls; production never does.
        if key not in {"PORTAL_DEMO", "DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({
        "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-for-the-check",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "ALLOWED_HOSTS": "portal.example.nl",
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_outside_demo_mode():
    env = {key: value for key, value in os.environ.items() if key not in {"PORTAL_DEMO", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings'); django.setup()"],
        env=env, capture_output=True, text=True, cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_failed_task_mails_the_admins(settings, mailoutbox):
    from celery.signals import task_failure

    from portal.celery import _mail_admins_on_failure
    from portal.tasks import ecosystem_statistics_recompute

    settings.ADMINS = [("Beheer", "beheer@example.nl")]
    # The handler is connected to Celery's failure signal, which the worker sends.
    assert any(receiver() is _mail_admins_on_failure for _key, receiver in task_failure.receivers)
    task_failure.send(sender=ecosystem_statistics_recompute, task_id="t-1", exception=RuntimeError("kapot"))
    assert len(mailoutbox) == 1
    assert "portal.ecosystem_statistics_recompute" in mailoutbox[0].subject
    assert "RuntimeError: kapot" in mailoutbox[0].body
