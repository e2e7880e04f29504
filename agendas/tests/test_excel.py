"""Excel template and import: good file replaces rows, bad file lists every error and saves nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from agendas import excel, services
from agendas.models import AgendaFundingLine, Endorsement, Goal
from portal.models import FundingInstrument
from portal.tests.factories import EcosystemFactory, board_user_for


@pytest.fixture
def eco(db):
    return EcosystemFactory(slug="brainport")


@pytest.fixture
def board(eco):
    return board_user_for(eco)


@pytest.fixture
def version(eco, board):
    agenda = services.agenda_create(ecosystem=eco, actor=board)
    v = agenda.versions.get()
    services.part_add(version=v, actor=board, kind="goal", data={"title": "Oud doel"})
    return v


@pytest.fixture
def instrument(db):
    return FundingInstrument.objects.create(code="RD", name="Regio Deal", level="national", form="subsidy")


def workbook(sheets: dict[str, list[list[object]]]) -> SimpleUploadedFile:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(["kop"] * 10)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("agenda.xlsx", out.getvalue())


def post(client, upload):
    return client.post(reverse("agendas:excel-import", args=["brainport"]), {"file": upload})


def test_template_has_a_sheet_per_kind_filled_with_the_draft(client, board, version, instrument):
    client.force_login(board)
    response = client.get(reverse("agendas:excel-template", args=["brainport"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert [*excel.SHEETS.values(), "Toelichting"] == wb.sheetnames
    assert wb["Doelen"]["A2"].value == "Oud doel"
    assert "[title]" in wb["Doelen"]["A1"].value
    assert ["RD", "Regio Deal"] in [[c.value for c in row] for row in wb["Toelichting"].iter_rows()]


def test_template_round_trip_imports_the_same_rows(client, board, version):
    client.force_login(board)
    content = client.get(reverse("agendas:excel-template", args=["brainport"])).content
    response = post(client, SimpleUploadedFile("t.xlsx", content))
    assert response.status_code == 302
    assert list(Goal.objects.filter(version=version).values_list("title", flat=True)) == ["Oud doel"]


def test_good_file_replaces_rows_of_its_sheets(client, board, version, instrument):
    client.force_login(board)
    upload = workbook({
        "Doelen": [["Meer banen", "banen", 100, 200, 2035]],
        "Onderschrijvingen": [
            ["TU/e", "knowledge", "2026-01-15", "Rector"],
            ["ASML", "bedrijfsleven", None, None],  # Dutch label accepted
        ],
        "Financiering": [["Regio Deal", "rd", "national", "subsidy", 1000000, 2026, 2030, "nee", 0],
                         ["Fonds", None, "private", "revolving fund", 2000000, 2026, 2035, "ja", 80]],
    })
    response = post(client, upload)
    assert response.status_code == 302
    assert list(Goal.objects.filter(version=version).values_list("title", flat=True)) == ["Meer banen"]
    assert list(Endorsement.objects.filter(version=version).values_list("helix_role", flat=True)) == [
        "knowledge", "business"
    ]
    funding = AgendaFundingLine.objects.filter(version=version).order_by("position")
    assert funding[0].instrument == instrument
    assert (funding[1].is_private, funding[1].revolving_share, funding[1].form) == (True, 80, "revolving")


def test_bad_file_lists_errors_by_sheet_row_field_and_saves_nothing(client, board, version):
    client.force_login(board)
    upload = workbook({
        "Doelen": [["Goed doel"], [None, "indicator zonder titel"], ["Doel", None, "veel", None, 1800]],
        "Financiering": [["x", "ONBEKEND", "national", "subsidy", -5, 2030, 2020, "misschien", 150]],
        "Onderschrijvingen": [["TU/e", "knowledge"]],
    })
    response = post(client, upload)
    assert response.status_code == 422
    _parts, errors = excel.parse_workbook(io.BytesIO(upload.file.getvalue()), ecosystem_id=version.agenda.ecosystem_id)
    where = {(e.sheet, e.row, e.field) for e in errors}
    assert ("Doelen", 3, "Doel") in where
    assert ("Doelen", 4, "Nulmeting") in where
    assert ("Doelen", 4, "Streefjaar") in where
    assert ("Financiering", 2, "Instrument") in where
    assert ("Financiering", 2, "Bedrag (EUR)") in where or ("Financiering", 2, "bedrag (EUR)") in where
    assert ("Financiering", 2, "Privaat geld") in where
    assert ("Financiering", 2, "Revolverend aandeel (%)") in where
    assert ("Financiering", 2, "Tot en met jaar") in where
    body = response.content.decode()
    assert "er is niets geïmporteerd" in body
    assert "Doelen" in body and "Nulmeting" in body
    # Nothing saved: not the valid endorsement, not the valid goal, and the old goal is still there.
    assert list(Goal.objects.filter(version=version).values_list("title", flat=True)) == ["Oud doel"]
    assert not Endorsement.objects.exists()


def test_not_an_excel_file(client, board, version):
    client.force_login(board)
    response = post(client, SimpleUploadedFile("x.xlsx", b"geen excel"))
    assert response.status_code == 422
    assert "geen leesbaar Excel-bestand" in response.content.decode()


def test_file_without_known_sheets(client, board, version):
    client.force_login(board)
    response = post(client, workbook({"Blad1": [["x"]]}))
    assert response.status_code == 422
    assert "geen van de tabbladen" in response.content.decode()


def test_other_board_cannot_import_or_download(client, version):
    client.force_login(board_user_for(EcosystemFactory()))
    assert client.get(reverse("agendas:excel-template", args=["brainport"])).status_code == 403
    assert post(client, workbook({"Doelen": [["x"]]})).status_code == 403
