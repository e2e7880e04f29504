import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.models import FundingInstrument, Organisation, Priority, Region, Theme
from portal.reference_data import DATA_DIR


@pytest.mark.django_db
class TestLoadReferenceData:
    def test_loads_the_real_geography(self, reference_data):
        assert Region.objects.filter(kind=Region.Kind.PROVINCE).count() == 12
        assert Region.objects.filter(kind=Region.Kind.LANDSDEEL).count() == 4
        corops = Region.objects.filter(kind=Region.Kind.COROP).select_related("parent")
        assert corops.count() == 40
        for corop in corops:
            assert corop.parent is not None and corop.parent.kind == Region.Kind.PROVINCE
        for province in Region.objects.filter(kind=Region.Kind.PROVINCE):
            assert province.parent.kind == Region.Kind.LANDSDEEL

    def test_every_geometry_parses_as_a_polygon(self, reference_data):
        for region in Region.objects.exclude(kind=Region.Kind.LANDSDEEL):
            geometry = json.loads(region.geometry)
            assert geometry["type"] in {"Polygon", "MultiPolygon"}, region.code
            assert geometry["coordinates"], region.code

    def test_the_nine_roms_and_their_provinces(self, reference_data):
        roms = Organisation.objects.filter(kind=Organisation.Kind.ROM)
        assert roms.count() == 9
        served = [c for rom in roms for c in rom.served_provinces.values_list("code", flat=True)]
        # Every province is served by exactly one ROM.
        assert sorted(served) == sorted(Region.objects.filter(kind="province").values_list("code", flat=True))
        assert set(Organisation.objects.get(slug="oost-nl").served_provinces.values_list("code", flat=True)) == {
            "PV23", "PV25"
        }

    def test_national_frame(self, reference_data):
        assert Priority.objects.filter(kind=Priority.Kind.TRANSITION_CHALLENGE).count() == 4
        mission = Priority.objects.get(code="ED-1")
        assert mission.parent.code == "TC-ED"
        assert Priority.objects.filter(kind=Priority.Kind.KEY_TECHNOLOGY, active=True).count() == 10
        assert not Priority.objects.get(code="V-6").active  # title not found in the source: kept inactive
        assert Theme.objects.get(code="hydrogen").priorities.filter(code="ED-1").exists()
        assert FundingInstrument.objects.filter(level="eu").exists()

    def test_is_idempotent(self, reference_data):
        before = {m.__name__: m.objects.count() for m in (Region, Organisation, Priority, Theme, FundingInstrument)}
        call_command("load_reference_data", verbosity=0)
        after = {m.__name__: m.objects.count() for m in (Region, Organisation, Priority, Theme, FundingInstrument)}
        assert before == after


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.django_db
class TestBadReferenceData:
    def _assert_fails(self, data_dir: Path, *fragments: str) -> None:
        with pytest.raises(CommandError) as excinfo:
            call_command("load_reference_data", data_dir=data_dir, verbosity=0)
        message = str(excinfo.value)
        for fragment in fragments:
            assert fragment in message
        assert Region.objects.count() == 0  # nothing written
        assert Organisation.objects.count() == 0

    def test_unknown_province_in_corop_file_names_line_and_field(self, data_copy):
        _replace(data_copy / "corop_regions.csv", "CR05,Zuidwest-Friesland,PV21", "CR05,Zuidwest-Friesland,PV99")
        self._assert_fails(data_copy, "corop_regions.csv", "line 6", "province_code", "PV99")

    def test_empty_value(self, data_copy):
        _replace(data_copy / "provinces.csv", "PV22,Drenthe", "PV22,")
        self._assert_fails(data_copy, "provinces.csv", "line 4", "name")

    def test_missing_file(self, data_copy):
        (data_copy / "roms.csv").unlink()
        self._assert_fails(data_copy, "roms.csv", "file not found")

    def test_malformed_geojson(self, data_copy):
        (data_copy / "nl_corop_2025.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
        self._assert_fails(data_copy, "nl_corop_2025.geojson", "invalid JSON")

    def test_unknown_rom_province(self, data_copy):
        _replace(data_copy / "roms.csv", "PV30,Noord-Brabant", "PV300,Noord-Brabant")
        self._assert_fails(data_copy, "roms.csv", "province_codes", "PV300")

    def test_exit_code_is_non_zero_from_the_shell(self, data_copy, tmp_path):
        import os
        import subprocess
        import sys

        _replace(data_copy / "funding_instruments.csv", "regio-deal,Regio Deal,national", "regio-deal,Regio Deal,galactic")
        env = {**os.environ, "PORTAL_DEMO": "1", "SQLITE_PATH": str(tmp_path / "x.sqlite3")}
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True)
        result = subprocess.run(
            [sys.executable, "manage.py", "load_reference_data", "--data-dir", str(data_copy)],
            env=env, capture_output=True, text=True,
        )
        assert result.returncode != 0
        assert "funding_instruments.csv, line 2, field 'level'" in result.stderr
