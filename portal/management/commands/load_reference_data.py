from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.reference_data import DATA_DIR, ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = "Load regions, ROMs, priorities, themes and funding instruments from portal/data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="folder with the reference files")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_reference_data(options["data_dir"])
        except ReferenceDataError as exc:
            raise CommandError(f"Reference data not loaded, nothing written: {exc}") from exc
        summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}."))
