"""CSV and Excel export of the overview's filtered set.

Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR) get a leading apostrophe, so a
title like "=HYPERLINK(...)" stays text (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from initiatives.models import Initiative
from portal.spreadsheets import neutralise

CHUNK = 2000


def _columns(internal: bool) -> list[tuple[str, Any]]:
    columns: list[tuple[str, Any]] = [
        (_("id"), lambda i: i.pk),
        (_("title"), lambda i: i.title),
        (_("ecosystem"), lambda i: i.ecosystem.name if i.ecosystem else ""),
        (_("regions"), lambda i: "; ".join(sorted(r.name for r in i.regions.all()))),
        (_("lead organisation"), lambda i: str(i.lead_organisation)),
        (_("type"), lambda i: i.get_type_display()),
        (_("stage"), lambda i: i.get_stage_display()),
        (_("main theme"), lambda i: i.theme.name_nl if i.theme else ""),
        (_("total budget (EUR)"), lambda i: float(i.budget) if i.budget is not None else None),
        (_("start date"), lambda i: i.start_date),
        (_("end date"), lambda i: i.end_date),
        (_("status"), lambda i: i.get_status_display()),
        (_("website"), lambda i: i.website),
        (_("description"), lambda i: i.description),
    ]
    if internal:
        # Only the programme team sees registration details; the open data leaves them out.
        columns += [
            (_("published on the open platform"), lambda i: _("yes") if i.published else _("no")),
            (_("external id"), lambda i: i.external_id),
            (_("contact e-mail"), lambda i: i.contact_email),
        ]
    return columns


def export_rows(queryset: QuerySet[Initiative], *, internal: bool) -> Iterator[list[Any]]:
    """The header row, then one neutralised row per initiative, read in chunks."""
    columns = _columns(internal)
    yield [str(label) for label, _getter in columns]
    for initiative in queryset.iterator(chunk_size=CHUNK):
        yield [neutralise(getter(initiative)) for _label, getter in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # BOM: Excel then reads the file as UTF-8
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def xlsx_bytes(rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Initiatives")[:31])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
