"""Generate the open-data files: published initiatives and ecosystems as CSV, JSON and GeoJSON.

Only what anyone may read goes in (the same rule as for an anonymous visitor, from
portal/permissions.py), and no personal data (contact names and e-mail addresses stay out).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from portal import permissions
from portal.models import Region
from portal.open_data import OpenDataExport
from portal.spreadsheets import neutralise

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "CC BY 4.0"
CHUNK = 2000

# The data dictionary: every column of every dataset, in Dutch and English.
INITIATIVE_FIELDS: list[tuple[str, str, str, str]] = [
    ("id", "integer", "Vast nummer van het initiatief in het portaal", "Stable number of the initiative in the portal"),
    ("title", "string", "Titel", "Title"),
    ("description", "string", "Beschrijving", "Description"),
    ("type", "string", "Soort (innovation_project, field_lab, campus, ...)", "Type (innovation_project, field_lab, campus, ...)"),
    ("stage", "string", "Fase: idea, pilot, scaling, structural", "Stage: idea, pilot, scaling, structural"),
    ("scope", "string", "generic of cluster_specific", "generic or cluster_specific"),
    ("status", "string", "active, completed, stopped, merged of archived", "active, completed, stopped, merged or archived"),
    ("ecosystem", "string", "Slug van het ecosysteem", "Ecosystem slug"),
    ("ecosystem_name", "string", "Naam van het ecosysteem", "Ecosystem name"),
    ("regions", "list of strings", "CBS-codes van provincies/COROP-gebieden (CSV: gescheiden door ;)", "CBS codes of provinces/COROP regions (CSV: separated by ;)"),
    ("lead_organisation", "string", "Slug van de trekker", "Lead organisation slug"),
    ("lead_organisation_name", "string", "Naam van de trekker", "Lead organisation name"),
    ("partners", "list of strings", "Slugs van de partners (CSV: gescheiden door ;)", "Partner slugs (CSV: separated by ;)"),
    ("theme", "string", "Themacode", "Theme code"),
    ("priorities", "list of strings", "Codes van landelijke prioriteiten", "National priority codes"),
    ("vision_windows", "list of strings", "Codes van vensters van het toekomstbeeld", "Future-vision window codes"),
    ("budget", "decimal", "Totaalbudget in euro", "Total budget in euro"),
    ("start_date", "date", "Startdatum (ISO 8601)", "Start date (ISO 8601)"),
    ("end_date", "date", "Einddatum (ISO 8601)", "End date (ISO 8601)"),
    ("website", "string", "Website", "Website"),
    ("updated_at", "datetime", "Laatst gewijzigd (ISO 8601)", "Last changed (ISO 8601)"),
]
ECOSYSTEM_FIELDS: list[tuple[str, str, str, str]] = [
    ("slug", "string", "Vaste sleutel van het ecosysteem", "Stable key of the ecosystem"),
    ("name", "string", "Naam", "Name"),
    ("regions", "list of strings", "CBS-codes van de regio's (CSV: gescheiden door ;)", "CBS region codes (CSV: separated by ;)"),
    ("lead_organisation", "string", "Slug van de trekkende organisatie", "Lead organisation slug"),
    ("lead_organisation_name", "string", "Naam van de trekkende organisatie", "Lead organisation name"),
    ("partners", "list of strings", "Slugs van de partners", "Partner slugs"),
    ("profile", "string", "Profiel (regionaal DNA)", "Profile (regional DNA)"),
    ("strengths", "string", "Sterktes", "Strengths"),
    ("updated_at", "datetime", "Laatst gewijzigd (ISO 8601)", "Last changed (ISO 8601)"),
]
DATASETS: dict[str, dict[str, Any]] = {
    "initiatives": {
        "title_nl": "Regionale innovatie-initiatieven", "title_en": "Regional innovation initiatives",
        "description_nl": "Gepubliceerde initiatieven uit het landelijk overzicht van regionale innovatie.",
        "description_en": "Published initiatives from the national overview of regional innovation.",
        "fields": INITIATIVE_FIELDS,
    },
    "ecosystems": {
        "title_nl": "Regionale innovatie-ecosystemen", "title_en": "Regional innovation ecosystems",
        "description_nl": "Gepubliceerde regionale onderzoeks- en innovatie-ecosystemen.",
        "description_en": "Published regional research and innovation ecosystems.",
        "fields": ECOSYSTEM_FIELDS,
    },
}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json", "geojson": "application/geo+json"}


def data_dictionary() -> dict[str, Any]:
    return {
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "datasets": {
            name: {
                "title": {"nl": d["title_nl"], "en": d["title_en"]},
                "fields": [
                    {"name": f, "type": t, "description": {"nl": nl, "en": en}} for f, t, nl, en in d["fields"]
                ],
            }
            for name, d in DATASETS.items()
        },
    }


def _centroid(geometry: str) -> list[float] | None:
    """A rough centre (mean of the outer-ring vertices): enough to put a pin on a map."""
    if not geometry:
        return None
    try:
        geo = json.loads(geometry)
    except ValueError:
        return None
    polygons = geo.get("coordinates", [])
    if geo.get("type") == "Polygon":
        polygons = [polygons]
    points = [pt for polygon in polygons for pt in (polygon[0] if polygon else [])]
    if not points:
        return None
    return [round(sum(p[0] for p in points) / len(points), 5), round(sum(p[1] for p in points) / len(points), 5)]


def _initiative_rows() -> Iterator[dict[str, Any]]:
    qs = (
        permissions.initiatives_visible_to(AnonymousUser())
        .select_related("ecosystem", "lead_organisation", "theme")
        .prefetch_related("regions", "partners", "priorities", "vision_windows")
        .order_by("id")
    )
    for i in qs.iterator(chunk_size=CHUNK):
        yield {
            "id": i.id, "title": i.title, "description": i.description, "type": i.type, "stage": i.stage,
            "scope": i.scope, "status": i.status,
            "ecosystem": i.ecosystem.slug if i.ecosystem else None,
            "ecosystem_name": i.ecosystem.name if i.ecosystem else None,
            "regions": [r.code for r in i.regions.all()],
            "lead_organisation": i.lead_organisation.slug, "lead_organisation_name": i.lead_organisation.name,
            "partners": [p.slug for p in i.partners.all()],
            "theme": i.theme.code if i.theme else None,
            "priorities": [p.code for p in i.priorities.all()],
            "vision_windows": [v.code for v in i.vision_windows.all()],
            "budget": i.budget, "start_date": i.start_date, "end_date": i.end_date, "website": i.website,
            "updated_at": i.updated_at,
        }


def _ecosystem_rows() -> Iterator[dict[str, Any]]:
    qs = (
        permissions.ecosystems_visible_to(AnonymousUser())
        .select_related("lead_organisation")
        .prefetch_related("regions", "partners")
        .order_by("slug")
    )
    for e in qs:
        yield {
            "slug": e.slug, "name": e.name, "regions": [r.code for r in e.regions.all()],
            "lead_organisation": e.lead_organisation.slug, "lead_organisation_name": e.lead_organisation.name,
            "partners": [p.slug for p in e.partners.all()], "profile": e.profile, "strengths": e.strengths,
            "updated_at": e.updated_at,
        }


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return neutralise(";".join(str(v) for v in value))
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def _render(rows: list[dict[str, Any]], fields: Iterable[str], fmt: str, centres: dict[str, list[float]]) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        return buffer.getvalue().encode("utf-8")
    if fmt == "json":
        return json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")
    features = []
    for row in rows:
        # A pin at the centre of the first region: initiatives have no geometry of their own.
        centre = next((centres[c] for c in row["regions"] if c in centres), None)
        features.append({
            "type": "Feature", "id": row.get("id", row.get("slug")), "properties": row,
            "geometry": {"type": "Point", "coordinates": centre} if centre else None,
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, cls=DjangoJSONEncoder,
                      ensure_ascii=False).encode("utf-8")


@transaction.atomic
def open_data_generate_all() -> dict[str, int]:
    """Regenerate every open-data file. Idempotent: one row per file name, overwritten.

    Returns {file name: rows}.
    """
    centres = {
        code: c for code, geometry in Region.objects.values_list("code", "geometry")
        if (c := _centroid(geometry)) is not None
    }
    now = timezone.now()
    written: dict[str, int] = {}
    for dataset, rows_fn in (("initiatives", _initiative_rows), ("ecosystems", _ecosystem_rows)):
        rows = list(rows_fn())
        fields = [f[0] for f in DATASETS[dataset]["fields"]]
        for fmt, content_type in FORMATS.items():
            content = _render(rows, fields, fmt, centres)
            name = f"{dataset}.{fmt}"
            OpenDataExport.objects.update_or_create(name=name, defaults={
                "content_type": content_type, "content": content, "rows": len(rows), "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(), "generated_at": now,
            })
            written[name] = len(rows)
    return written
