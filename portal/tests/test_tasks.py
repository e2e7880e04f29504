"""The ecosystem-statistics job end to end through a real Celery worker on Redis."""


import pytest

from initiatives.tests.factories import InitiativeFactory
from portal.models import EcosystemStatistics, Theme
from portal.tasks import ecosystem_statistics_recompute_all
from portal.tests.factories import EcosystemFactory
from portal.tests.support import wait_for


@pytest.mark.worker
@pytest.mark.xdist_group("celery")
def test_statistics_job_runs_on_a_real_worker_and_is_idempotent(live_worker, reference_data):
    theme = Theme.objects.get(code="photonics")
    ecosystems = EcosystemFactory.create_batch(3)
    for eco in ecosystems:
        InitiativeFactory.create_batch(2, ecosystem=eco, theme=theme)

    result = ecosystem_statistics_recompute_all.delay()
    assert result.__class__.__name__ != "EagerResult"  # went through the broker
    assert wait_for(lambda: EcosystemStatistics.objects.count() == 3)
    first = {s.ecosystem_id: (s.initiative_count, s.initiatives_per_theme) for s in EcosystemStatistics.objects.all()}
    assert all(v == (2, {"photonics": 2}) for v in first.values())

    stamp = max(EcosystemStatistics.objects.values_list("computed_at", flat=True))
    ecosystem_statistics_recompute_all.delay()
    assert wait_for(lambda: EcosystemStatistics.objects.filter(computed_at__gt=stamp).count() == 3)
    second = {s.ecosystem_id: (s.initiative_count, s.initiatives_per_theme) for s in EcosystemStatistics.objects.all()}
    assert second == first
    assert EcosystemStatistics.objects.count() == 3
