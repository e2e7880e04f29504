"""Load the reference data in portal/data/ (see its README for sources and licences).

Everything is read and validated first; only a fully valid set is written, in one transaction,
as upserts by code, so running it twice changes nothing.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from portal.models import (
    FundingInstrument,
    FutureVisionWindow,
    HelixRole,
    Organisation,
    Priority,
    Region,
    Theme,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
LANDSDELEN = {"Noord": "LD01", "Oost": "LD02", "West": "LD03", "Zuid": "LD04"}
UNTITLED = "(titel niet gevonden)"


class ReferenceDataError(Exception):
    def __init__(self, file: str, line: int, field_name: str, message: str) -> None:
        self.file, self.line, self.field_name = file, line, field_name
        super().__init__(f"{file}, line {line}, field '{field_name}': {message}")


@dataclass
class ReferenceSet:
    provinces: list[dict[str, Any]] = field(default_factory=list)
    corops: list[dict[str, Any]] = field(default_factory=list)
    province_geometry: dict[str, str] = field(default_factory=dict)
    corop_geometry: dict[str, str] = field(default_factory=dict)
    decline_codes: set[str] = field(default_factory=set)
    roms: list[dict[str, Any]] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)
    missions: list[dict[str, Any]] = field(default_factory=list)
    key_technologies: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    instruments: list[dict[str, Any]] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)


def _rows(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows with their line numbers (header = line 1); checks required columns and values."""
    if not path.exists():
        raise ReferenceDataError(path.name, 0, "-", "file not found")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError(path.name, 1, missing[0], "column missing from the header")
        result = []
        for row in reader:
            line = reader.line_num
            for column in required:
                if not (row.get(column) or "").strip():
                    raise ReferenceDataError(path.name, line, column, "value is empty")
            result.append((line, {k: (v or "").strip() for k, v in row.items() if k}))
    return result


def _geometries(path: Path, expected_prefix: str) -> dict[str, str]:
    if not path.exists():
        raise ReferenceDataError(path.name, 0, "-", "file not found")
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReferenceDataError(path.name, exc.lineno, "-", f"invalid JSON ({exc.msg})") from exc
    result = {}
    for index, feature in enumerate(collection.get("features", []), start=1):
        code = (feature.get("properties") or {}).get("code", "")
        geometry = feature.get("geometry") or {}
        if not code.startswith(expected_prefix):
            raise ReferenceDataError(path.name, index, "code", f"unexpected code {code!r} (feature {index})")
        if geometry.get("type") not in {"Polygon", "MultiPolygon"} or not geometry.get("coordinates"):
            raise ReferenceDataError(path.name, index, "geometry", f"feature {index} has no polygon")
        result[code] = json.dumps(geometry, separators=(",", ":"))
    return result


def read_reference_data(data_dir: Path = DATA_DIR) -> ReferenceSet:
    ref = ReferenceSet()
    for line, row in _rows(data_dir / "provinces.csv", ["code", "name", "landsdeel"]):
        if row["landsdeel"] not in LANDSDELEN:
            raise ReferenceDataError("provinces.csv", line, "landsdeel", f"unknown landsdeel {row['landsdeel']!r}")
        ref.provinces.append(row)
    province_codes = {p["code"] for p in ref.provinces}
    for line, row in _rows(data_dir / "corop_regions.csv", ["code", "name", "province_code"]):
        if row["province_code"] not in province_codes:
            raise ReferenceDataError("corop_regions.csv", line, "province_code", f"unknown province {row['province_code']!r}")
        ref.corops.append(row)
    corop_codes = {c["code"] for c in ref.corops}
    ref.province_geometry = _geometries(data_dir / "nl_provinces_2025.geojson", "PV")
    ref.corop_geometry = _geometries(data_dir / "nl_corop_2025.geojson", "CR")
    for line, row in _rows(data_dir / "population_decline.csv", ["corop_code"]):
        if row["corop_code"] not in corop_codes:
            raise ReferenceDataError("population_decline.csv", line, "corop_code", f"unknown COROP code {row['corop_code']!r}")
        ref.decline_codes.add(row["corop_code"])
    for line, row in _rows(data_dir / "roms.csv", ["short_name", "name", "province_codes"]):
        codes = [c.strip() for c in row["province_codes"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in province_codes]
        if unknown:
            raise ReferenceDataError("roms.csv", line, "province_codes", f"unknown province {unknown[0]!r}")
        ref.roms.append({**row, "codes": codes})
    ref.challenges = [row for _line, row in _rows(data_dir / "transition_challenges.csv", ["code", "name_nl", "name_en"])]
    challenge_by_name = {c["name_nl"]: c["code"] for c in ref.challenges}
    for line, row in _rows(data_dir / "missions.csv", ["id", "theme", "title_nl"]):
        if row["theme"] not in challenge_by_name:
            raise ReferenceDataError("missions.csv", line, "theme", f"unknown theme {row['theme']!r}")
        ref.missions.append({**row, "parent_code": challenge_by_name[row["theme"]]})
    ref.key_technologies = [row for _line, row in _rows(data_dir / "key_technologies.csv", ["id", "list", "name_nl", "name_en"])]
    ref.windows = [row for _line, row in _rows(data_dir / "vision_windows.csv", ["code", "name_nl", "name_en"])]
    levels, forms = set(FundingInstrument.Level.values), set(FundingInstrument.Form.values)
    for line, row in _rows(data_dir / "funding_instruments.csv", ["code", "name", "level", "form"]):
        if row["level"] not in levels:
            raise ReferenceDataError("funding_instruments.csv", line, "level", f"unknown level {row['level']!r}")
        if row["form"] not in forms:
            raise ReferenceDataError("funding_instruments.csv", line, "form", f"unknown form {row['form']!r}")
        ref.instruments.append(row)
    priority_codes = (
        {c["code"] for c in ref.challenges} | {m["id"] for m in ref.missions} | {k["id"] for k in ref.key_technologies}
    )
    for line, row in _rows(data_dir / "themes.csv", ["code", "name_nl", "name_en"]):
        codes = [c.strip() for c in row.get("priority_codes", "").split(";") if c.strip()]
        unknown = [c for c in codes if c not in priority_codes]
        if unknown:
            raise ReferenceDataError("themes.csv", line, "priority_codes", f"unknown priority {unknown[0]!r}")
        ref.themes.append({**row, "codes": codes})
    return ref


def _upsert(model: Any, code_field: str, code: str, values: dict[str, Any]) -> Any:
    obj, _created = model.objects.update_or_create(**{code_field: code}, defaults=values)
    return obj


@transaction.atomic
def write_reference_data(ref: ReferenceSet) -> dict[str, int]:
    landsdelen = {
        name: _upsert(Region, "code", code, {"name": name, "kind": Region.Kind.LANDSDEEL, "parent": None})
        for name, code in LANDSDELEN.items()
    }
    provinces = {}
    for row in ref.provinces:
        provinces[row["code"]] = _upsert(Region, "code", row["code"], {
            "name": row["name"],
            "kind": Region.Kind.PROVINCE,
            "parent": landsdelen[row["landsdeel"]],
            "geometry": ref.province_geometry.get(row["code"], ""),
        })
    for row in ref.corops:
        _upsert(Region, "code", row["code"], {
            "name": row["name"],
            "kind": Region.Kind.COROP,
            "parent": provinces[row["province_code"]],
            "geometry": ref.corop_geometry.get(row["code"], ""),
            "population_decline": row["code"] in ref.decline_codes,
        })
    for row in ref.roms:
        rom = _upsert(Organisation, "slug", slugify(row["short_name"]), {
            "name": row["name"],
            "short_name": row["short_name"],
            "helix_role": HelixRole.GOVERNMENT,
            "kind": Organisation.Kind.ROM,
            "home_region": provinces[row["codes"][0]],
        })
        rom.served_provinces.set([provinces[c] for c in row["codes"]])
    challenges = {}
    for row in ref.challenges:
        challenges[row["code"]] = _upsert(Priority, "code", row["code"], {
            "kind": Priority.Kind.TRANSITION_CHALLENGE, "name_nl": row["name_nl"], "name_en": row["name_en"],
            "parent": None, "source": row.get("source", ""), "verified": row.get("verified") == "yes",
        })
    for row in ref.missions:
        untitled = row["title_nl"] == UNTITLED
        _upsert(Priority, "code", row["id"], {
            "kind": Priority.Kind.MISSION, "name_nl": row["title_nl"], "name_en": row.get("title_en") or row["title_nl"],
            "parent": challenges[row["parent_code"]], "source": "Kamerbrief 26-04-2019 (kst-33009-70)",
            "verified": row.get("verified") == "yes",
            # Rows whose title was not found stay in the table, inactive, until someone confirms them.
            "active": not untitled,
        })
    for row in ref.key_technologies:
        _upsert(Priority, "code", row["id"], {
            "kind": Priority.Kind.KEY_TECHNOLOGY, "name_nl": row["name_nl"], "name_en": row["name_en"],
            "parent": None, "source": row["list"], "verified": row.get("verified") == "yes",
            # The 2024 Nationale Technologiestrategie list is current; the 2018 clusters are kept for history.
            "active": row["list"].startswith("nationale_technologiestrategie"),
        })
    for row in ref.windows:
        _upsert(FutureVisionWindow, "code", row["code"], {"name_nl": row["name_nl"], "name_en": row["name_en"]})
    for row in ref.instruments:
        _upsert(FundingInstrument, "code", row["code"], {
            "name": row["name"], "level": row["level"], "form": row["form"], "description": row.get("description", ""),
        })
    priorities_by_code = {p.code: p for p in Priority.objects.all()}
    for row in ref.themes:
        theme = _upsert(Theme, "code", row["code"], {"name_nl": row["name_nl"], "name_en": row["name_en"]})
        theme.priorities.set([priorities_by_code[c] for c in row["codes"]])
    return {
        "landsdelen": len(landsdelen),
        "provinces": len(ref.provinces),
        "corop_regions": len(ref.corops),
        "roms": len(ref.roms),
        "priorities": len(ref.challenges) + len(ref.missions) + len(ref.key_technologies),
        "vision_windows": len(ref.windows),
        "funding_instruments": len(ref.instruments),
        "themes": len(ref.themes),
    }


def load_reference_data(data_dir: Path = DATA_DIR) -> dict[str, int]:
    return write_reference_data(read_reference_data(data_dir))
