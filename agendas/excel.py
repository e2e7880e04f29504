"""Excel in and out: the import template (pre-filled with the draft's rows), the import, exports.

The import validates every row with the same forms as the editor and reports each error with
sheet, row and field. It saves nothing unless the whole file is valid (services.parts_replace runs
in one transaction). Sheet names are fixed Dutch names so a file works in either UI language.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from agendas.forms import PART_FORMS, part_form
from agendas.models import PART_MODELS, AgendaVersion
from portal.models import FundingInstrument
from portal.spreadsheets import neutralise

SHEETS: dict[str, str] = {
    "endorsement": "Onderschrijvingen",
    "review_moment": "Reviewmomenten",
    "goal": "Doelen",
    "commitment": "Bijdragen",
    "action": "Acties",
    "human_capital": "Human capital",
    "funding_line": "Financiering",
    "agreement": "Afspraken",
}
# Linked initiatives are chosen in the editor, not in Excel.
EXCLUDED_COLUMNS = {"initiatives"}
MAX_ROWS = 2000
TRUE_WORDS = {"1", "ja", "yes", "true", "waar", "x", "j", "y"}
FALSE_WORDS = {"", "0", "nee", "no", "false", "onwaar", "n"}


def columns(kind: str) -> list[str]:
    return [f for f in PART_FORMS[kind]._meta.fields if f not in EXCLUDED_COLUMNS]  # type: ignore[union-attr]


def _cell_out(row: Any, name: str) -> Any:
    value = getattr(row, name)
    if name == "instrument":
        return value.code if value else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def template_workbook(version: AgendaVersion | None) -> bytes:
    """One sheet per kind of row; header row = field labels (with the code); filled with the rows."""
    wb = Workbook()
    wb.remove(wb.active)
    for kind, sheet_name in SHEETS.items():
        model, related = PART_MODELS[kind]
        ws = wb.create_sheet(sheet_name)
        names = columns(kind)
        ws.append([f"{model._meta.get_field(n).verbose_name} [{n}]" for n in names])
        if version is not None:
            for row in getattr(version, related).all():
                ws.append([neutralise(_cell_out(row, n)) for n in names])
        for i in range(1, len(names) + 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = 24
    help_ws = wb.create_sheet("Toelichting")
    help_ws.append([_("Fill in one row per item. Choice fields take the code or the label. Yes/no: ja or nee. "
                      "Dates: YYYY-MM-DD. Instrument: the instrument code. Importing replaces the rows of every "
                      "sheet in the file.")])
    help_ws.append([_("Instrument codes:")])
    for code, name in FundingInstrument.objects.values_list("code", "name"):
        help_ws.append([code, name])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str


def _choice_value(field: Any, raw: str) -> str:
    """Accept a choice's code or its label (in any language the label is shown in)."""
    from django.utils import translation

    for code, label in getattr(field, "choices", []) or []:
        if raw.lower() in {str(code).lower(), str(label).lower()}:
            return str(code)
        for lang in ("nl", "en"):
            with translation.override(lang):
                if raw.lower() == str(label).lower():
                    return str(code)
    return raw


def _form_value(form_field: Any, value: Any) -> Any:
    from django import forms

    if value is None:
        return ""
    if isinstance(form_field, forms.BooleanField):
        text = str(value).strip().lower()
        if text in TRUE_WORDS or value is True:
            return "on"
        if text in FALSE_WORDS or value is False:
            return ""
        return "?"  # unknown word: reported below
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if isinstance(form_field, forms.ModelChoiceField):
        instrument = FundingInstrument.objects.filter(code__iexact=text).values_list("pk", flat=True).first()
        return str(instrument) if instrument else text
    if isinstance(form_field, forms.ChoiceField):
        return _choice_value(form_field, text)
    return text


def parse_workbook(upload: IO[bytes], *, ecosystem_id: int) -> tuple[dict[str, list[dict[str, Any]]], list[RowError]]:
    """Read and validate the whole file. Returns (rows per kind, errors); rows are only usable without errors."""
    errors: list[RowError] = []
    parts: dict[str, list[dict[str, Any]]] = {}
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError):
        return {}, [RowError("", 0, "", _("The file is not a readable Excel (.xlsx) file."))]
    known = {name: kind for kind, name in SHEETS.items()}
    for ws in wb.worksheets:
        kind = known.get(ws.title)
        if kind is None:
            continue
        names = columns(kind)
        parts[kind] = []
        for row_number, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            if row_number > MAX_ROWS + 1:
                errors.append(RowError(ws.title, row_number, "", _("Too many rows (at most %(n)s).") % {"n": MAX_ROWS}))
                break
            values = list(cells)[: len(names)]
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            values += [None] * (len(names) - len(values))
            probe = part_form(kind, ecosystem_id=ecosystem_id, prefix=None)
            data = {name: _form_value(probe.fields[name], value) for name, value in zip(names, values, strict=True)}
            form = part_form(kind, data, ecosystem_id=ecosystem_id, prefix=None)
            bad_booleans = [n for n, v in data.items() if v == "?"]
            if not form.is_valid() or bad_booleans:
                errors.extend(
                    RowError(ws.title, row_number, str(probe.fields[n].label), _("Use ja or nee.")) for n in bad_booleans
                )
                for name, messages in form.errors.items():
                    label = str(probe.fields[name].label) if name in probe.fields else ""
                    errors.extend(RowError(ws.title, row_number, label, str(m)) for m in messages)
                continue
            parts[kind].append({k: v for k, v in form.cleaned_data.items() if k not in EXCLUDED_COLUMNS})
    if not parts and not errors:
        errors.append(RowError("", 0, "", _("The file contains none of the template's sheets.")))
    return parts, errors


# --- exports (comparison table) --------------------------------------------------------------

def rows_to_xlsx(header: list[str], rows: list[list[Any]], *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([neutralise(h) for h in header])
    for row in rows:
        ws.append([neutralise(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_to_csv(header: list[str], rows: list[list[Any]]) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise("" if v is None else v) for v in row])
    return out.getvalue()
