"""Print everything the portal holds about one user as JSON (GDPR access request)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import User
from portal.privacy import personal_data_export_json


class Command(BaseCommand):
    help = "Export a user's personal data as JSON (stdout, or --output FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Unknown user: {options['username']}", returncode=2)
        data = personal_data_export_json(user)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(data)
            self.stderr.write(f"Written to {options['output']}")
        else:
            self.stdout.write(data)
