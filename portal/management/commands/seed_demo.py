import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from agendas.demo import seed_agendas
from initiatives.models import OverlapRun
from initiatives.overlap_services import overlap_run_start
from portal import demo
from portal.tasks import ecosystem_statistics_recompute_all


def positive_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Create the demo dataset: ecosystems, partners, one user per role and N initiatives (deterministic, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=positive_int, default=300, help="number of initiatives (default 300)")
        parser.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")
        parser.add_argument(
            "--with-overlaps", action="store_true",
            help="also start a full overlap run when none has completed yet (in demo mode it runs at once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size, seed = options["size"], options["seed"]
        started = time.monotonic()
        try:
            demo.ensure_organisations_and_ecosystems()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        seed_agendas()
        existing = len(demo.existing_demo_indices())
        todo = max(0, size - existing)
        with tqdm(total=todo, desc="Initiatives", unit="rows", file=sys.stderr, disable=todo == 0) as bar:
            created = demo.seed_initiatives(size=size, seed=seed, progress=bar.update)
        if created:
            ecosystem_statistics_recompute_all.delay()
        if options["with_overlaps"] and not OverlapRun.objects.filter(status=OverlapRun.Status.COMPLETED).exists():
            overlap_run_start(actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} initiatives created, {existing} already present "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
            for username, role, org, _name in demo.DEMO_USERS:
                self.stdout.write(f"  {username:<22} {role.label}{f' ({org})' if org else ''}")
