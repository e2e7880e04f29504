"""``manage.py detect_overlaps``: run the overlap detector on a JSONL file (no database)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from initiatives.overlap import DEFAULT_THRESHOLD, run_detect_overlaps


class Command(BaseCommand):
    help = ("Detect overlapping and complementary initiatives in a JSONL file "
            "(one object per line with id, name, description, optional region and tags).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="JSONL file with initiatives")
        parser.add_argument("--output", required=True,
                            help="JSONL file for the pairs ('-' = stdout)")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                            help=f"minimum pair score (default {DEFAULT_THRESHOLD})")

    def handle(self, *args: Any, **options: Any) -> None:
        # All parsing, validation and detection live in the pure function (tested there).
        code = run_detect_overlaps(options["input"], options["output"], options["threshold"],
                                   stderr=self.stderr, stdout=self.stdout)  # type: ignore[arg-type]
        if code:
            raise SystemExit(code)
