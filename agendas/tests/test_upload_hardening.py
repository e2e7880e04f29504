"""Hostile uploads are refused with a form error (422) before parsing; the draft keeps its rows."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from agendas import services
from agendas.models import Goal
from portal.tests.factories import EcosystemFactory, board_user_for


@pytest.fixture
def board(db):
    eco = EcosystemFactory(slug="brainport")
    user = board_user_for(eco)
    agenda = services.agenda_create(ecosystem=eco, actor=user)
    services.part_add(version=agenda.versions.get(), actor=user, kind="goal", data={"title": "Oud doel"})
    return user


def _xlsx() -> bytes:
    wb = Workbook()
    wb.active.title = "Doelen"
    wb.active.append(["kop"])
    wb.active.append(["Nieuw doel"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(content: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (replace or {}).get(item.filename, src.read(item.filename)))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def _post(client, board, name: str, content: bytes):
    client.force_login(board)
    return client.post(reverse("agendas:excel-import", args=["brainport"]),
                       {"file": SimpleUploadedFile(name, content)})


def _assert_refused(response, text: str) -> None:
    assert response.status_code == 422
    assert text in response.content.decode()
    assert list(Goal.objects.values_list("title", flat=True)) == ["Oud doel"]


@override_settings(UPLOAD_MAX_BYTES=10_000, LANGUAGE_CODE="en")
def test_too_large(client, board):
    _assert_refused(_post(client, board, "a.xlsx", _xlsx() + b"\0" * 20_000), "too large")


@override_settings(LANGUAGE_CODE="en")
@pytest.mark.parametrize("name", ["a.xlsm", "a.xls", "a.csv", "a.exe"])
def test_wrong_extension(client, board, name):
    response = _post(client, board, name, _xlsx())
    assert response.status_code == 422
    assert list(Goal.objects.values_list("title", flat=True)) == ["Oud doel"]


@override_settings(LANGUAGE_CODE="en")
def test_macro_inside_xlsx_name(client, board):
    _assert_refused(_post(client, board, "a.xlsx", _rezip(_xlsx(), {"xl/vbaProject.bin": b"x" * 100})), "macros")


@override_settings(LANGUAGE_CODE="en")
def test_zip_without_workbook(client, board):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    _assert_refused(_post(client, board, "a.xlsx", out.getvalue()), "not a readable Excel")


@override_settings(LANGUAGE_CODE="en")
def test_zip_bomb(client, board):
    # 50 MB of zeros compresses to ~50 kB: ratio ~1000.
    bomb = _rezip(_xlsx(), {"xl/media/zeros.bin": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    _assert_refused(_post(client, board, "a.xlsx", bomb), "unpacks to far more data")


@override_settings(LANGUAGE_CODE="en")
def test_xml_entities(client, board):
    content = _xlsx()
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><worksheet', 1)
    _assert_refused(_post(client, board, "a.xlsx", _rezip(content, {}, {"xl/worksheets/sheet1.xml": evil})),
                    "XML declarations")


def test_good_file_still_imports(client, board):
    response = _post(client, board, "a.xlsx", _xlsx())
    assert response.status_code == 302
    assert list(Goal.objects.values_list("title", flat=True)) == ["Nieuw doel"]
