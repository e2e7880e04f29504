"""`manage.py check --deploy` is clean with production-like settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_without_warnings():
    env = {
        key: value for key, value in os.environ.items()
        if key not in {"PORTAL_DEMO", "DEBUG", "BEHIND_TLS", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
                       "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "DJANGO_SETTINGS_MODULE",
                       "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests' conftest
    }
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "regio-innovatieportaal.example.nl",
        "CSRF_TRUSTED_ORIGINS": "https://regio-innovatieportaal.example.nl",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "LOG_LEVEL": "WARNING",
    })
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "?: (security." not in output


def test_check_deploy_does_flag_an_insecure_setup():
    """The same check with DEBUG on fails: the test above can fail."""
    env = dict(os.environ, SECRET_KEY=secrets.token_urlsafe(64), DEBUG="1", BEHIND_TLS="0",
               ALLOWED_HOSTS="regio-innovatieportaal.example.nl")
    env.pop("PORTAL_DEMO", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on in deployment
