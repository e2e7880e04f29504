import subprocess
import sys

import pytest
from django.core.management import call_command

from initiatives.models import Initiative
from portal import demo
from portal.models import Ecosystem, HelixRole, User


@pytest.fixture
def seeded(reference_data):
    call_command("seed_demo", size=60, seed=7, quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
class TestSeedDemo:
    def test_creates_the_advice_ecosystems_with_all_helix_roles(self, seeded):
        names = set(Ecosystem.objects.values_list("name", flat=True))
        for expected in ("Brainport Eindhoven", "Noord-Nederland", "Twente", "Foodvalley", "Zeeland", "Utrecht"):
            assert expected in names
        for ecosystem in Ecosystem.objects.prefetch_related("partnerships"):
            roles = {p.helix_role for p in ecosystem.partnerships.all()}
            assert roles == set(HelixRole.values), ecosystem.name

    def test_one_user_per_role(self, seeded):
        roles = set(User.objects.filter(username__in=[u[0] for u in demo.DEMO_USERS]).values_list("role", flat=True))
        assert roles == set(User.Role.values)

    def test_rerun_duplicates_nothing_and_grows_to_a_larger_size(self, seeded):
        assert Initiative.objects.count() == 60
        call_command("seed_demo", size=60, seed=7, quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert Initiative.objects.count() == 60
        call_command("seed_demo", size=70, seed=7, quiet_logins=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert Initiative.objects.count() == 70
        assert Initiative.objects.filter(regions__isnull=True).count() == 0

    def test_is_deterministic(self, seeded):
        catalogue = demo.load_catalogue()
        first = demo.plan_initiative(7, 5, catalogue).initiative
        again = demo.plan_initiative(7, 5, catalogue).initiative
        stored = Initiative.objects.get(external_id="demo-000005")
        assert (first.title, first.description) == (again.title, again.description) == (stored.title, stored.description)
        other_seed = demo.plan_initiative(8, 5, catalogue).initiative
        assert (other_seed.title, other_seed.description) != (first.title, first.description)

    def test_contains_deliberate_overlaps_between_regions(self, seeded):
        # Every 12th initiative repeats the subject of an earlier one in another ecosystem.
        twin = Initiative.objects.get(external_id="demo-000011")
        source = Initiative.objects.get(external_id="demo-000004")
        assert twin.theme_id == source.theme_id
        assert twin.ecosystem_id != source.ecosystem_id


def test_bad_option_exits_non_zero(tmp_path):
    import os

    env = {**os.environ, "PORTAL_DEMO": "1", "SQLITE_PATH": str(tmp_path / "x.sqlite3")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--size", "-3"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "--size" in result.stderr


@pytest.mark.django_db
def test_seed_without_reference_data_fails_clearly():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("seed_demo", size=1, quiet_logins=True)


@pytest.mark.django_db
def test_with_overlaps_runs_the_detector_once(reference_data, django_capture_on_commit_callbacks):
    from initiatives.models import OverlapRun, OverlapSuggestion

    out = open("/dev/null", "w")  # noqa: SIM115
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", size=40, seed=7, quiet_logins=True, with_overlaps=True, stdout=out)
    assert OverlapRun.objects.filter(status=OverlapRun.Status.COMPLETED).count() == 1
    assert OverlapSuggestion.objects.exists()  # the deliberate twins are found
    call_command("seed_demo", size=40, seed=7, quiet_logins=True, with_overlaps=True, stdout=out)
    assert OverlapRun.objects.count() == 1
