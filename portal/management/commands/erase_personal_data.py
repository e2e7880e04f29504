"""Anonymise one user (GDPR erasure). Keeps the id, so history and foreign keys stay intact."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import User
from portal.privacy import personal_data_erase


class Command(BaseCommand):
    help = "Erase (anonymise) a user's personal data, including from the activity history. Needs --yes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Unknown user: {options['username']}", returncode=2)
        if not options["yes"]:
            raise CommandError("Erasure cannot be undone; add --yes to confirm.", returncode=2)
        counts = personal_data_erase(user=user, actor=None)
        self.stdout.write(f"Erased user {user.pk}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
