"""Helpers shared by the apps' tests (worker round trips, browser logins)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

PASSWORD = "geheim-wachtwoord-123"  # UserFactory's password


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0, interval: float = 0.1) -> bool:
    """Poll until predicate() is true (a real worker finishing a job); False after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def browser_login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form as `username`, starting from a clean cookie jar."""
    page.context.clear_cookies()
    page.goto(f"{base}/inloggen/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
