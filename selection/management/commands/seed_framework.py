from typing import Any

from django.core.management.base import BaseCommand

from selection.framework_data import seed_framework
from selection.models import Criterion, Framework, FrameworkVersion


class Command(BaseCommand):
    help = "Create the AWTI assessment framework with its nine questions (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        version, created = seed_framework(Framework, FrameworkVersion, Criterion)
        state = "created" if created else "already present"
        self.stdout.write(self.style.SUCCESS(f"{version}: {version.criteria.count()} criteria ({state})."))
