"""Issue an API token for an organisation and print it once (only its hash is stored)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.exceptions import ApplicationError
from portal.models import Organisation
from portal.token_services import TOKEN_ROLES, api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for an organisation; the token is printed once and cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="the organisation's slug")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--expires-days", type=int, default=None, help="days until the token expires")
        parser.add_argument("--role", choices=[str(r) for r in TOKEN_ROLES], default=None,
                            help="role of the service user (default: from the organisation kind)")
        parser.add_argument("--rate-limit", type=int, default=None, help="requests per minute")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"organisation: no organisation with slug {options['organisation']!r}")
        days = options["expires_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-days: must be a positive number of days")
        rate = options["rate_limit"]
        if rate is not None and rate <= 0:
            raise CommandError("--rate-limit: must be a positive number")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            token, raw = api_token_issue(
                organisation=organisation, name=options["name"] or f"token {organisation.slug}", actor=None,
                role=options["role"], expires_at=expires_at, rate_limit=rate,
            )
        except ApplicationError as exc:
            raise CommandError(f"role: {exc.message}") from exc
        self.stderr.write(
            f"Token {token.prefix}… for {organisation} (role {token.user.role}); store it now, it is shown only once."
        )
        self.stdout.write(raw)
