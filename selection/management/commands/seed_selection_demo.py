"""Demo selection round (idempotent): hydrogen and protein initiatives, the demo assessor and
programme-team logins assigned, a few assessments submitted, results computed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from selection import services
from selection.framework_data import seed_framework
from selection.models import Assessment, Criterion, Framework, FrameworkVersion, SelectionRound

ROUND_NAME = "Demo: waterstof en eiwittransitie 2026"


class Command(BaseCommand):
    help = "Create a demo selection round for the demo logins (run after seed_demo; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=["programmateam", "beoordelaar"])}
        if len(users) < 2:
            raise CommandError("Run seed_demo first: the demo logins 'programmateam' and 'beoordelaar' are missing.")
        staff, assessor = users["programmateam"], users["beoordelaar"]
        version, _created = seed_framework(Framework, FrameworkVersion, Criterion)
        selection_round = SelectionRound.objects.filter(name=ROUND_NAME).first()
        if selection_round is None:
            selection_round = services.round_create(
                actor=staff, name=ROUND_NAME, framework_version=version,
                scope={"themes": ["hydrogen", "protein"], "stages": ["pilot", "scaling"]}, shortlist_size=5,
            )
            services.round_set_status(selection_round=selection_round, actor=staff, status="open")
        services.round_assign_assessors(selection_round=selection_round, actor=staff, assessors=[staff, assessor])
        criteria = list(Criterion.objects.filter(version=selection_round.framework_version))
        # The programme-team login has already scored a handful, so the ranking is not empty.
        to_score = services.round_scope_queryset(selection_round).order_by("id").values_list("id", flat=True)[:8]
        for position, initiative in enumerate(services.round_scope_queryset(selection_round).filter(id__in=list(to_score))):
            if Assessment.objects.filter(round=selection_round, initiative=initiative, assessor=staff).exists():
                continue
            if not selection_round.assignments.filter(initiative=initiative, assessor=staff, excluded=False).exists():
                continue
            answers = {
                c.pk: services.ScoreInput(value=1 + (position + c.position) % 5, motivation="Demo-onderbouwing")
                for c in criteria
            }
            services.assessment_save(
                selection_round=selection_round, initiative=initiative, actor=staff, answers=answers, submit=True
            )
        run = services.scoring_run_start(selection_round=selection_round, actor=staff)
        run.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(
            f"{selection_round.name}: {services.round_scope_queryset(selection_round).count()} initiatives, "
            f"scoring run {run.get_status_display()}."
        ))
