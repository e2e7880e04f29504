"""Checks for uploaded spreadsheets before anything parses them.

An .xlsx file is a zip archive; we look inside before openpyxl does, so a macro workbook, a zip
bomb or an XML file with a DTD (entity expansion, XXE) is refused with a clear message instead of
eating memory or crashing the request. openpyxl itself parses through defusedxml (installed).
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REQUIRED_MEMBERS = {"[Content_Types].xml", "xl/workbook.xml"}
# A generous ratio: real workbooks compress around 5-20x; bombs compress thousands of times.
MAX_RATIO = 100
MAX_UNCOMPRESSED = 100 * 1024 * 1024


def validate_xlsx_upload(upload: IO[bytes], *, name: str = "", size: int | None = None) -> None:
    """Raise ValidationError when the upload is not a plain, reasonably sized .xlsx workbook."""
    max_bytes: int = settings.UPLOAD_MAX_BYTES
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)}, code="too_large"
        )
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise ValidationError(_("Workbooks with macros or in the old format are not accepted; save as .xlsx."),
                              code="macro")
    if name and not lower.endswith(".xlsx"):
        raise ValidationError(_("Only Excel (.xlsx) files are accepted."), code="extension")
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            members = {i.filename for i in infos}
            if not members >= REQUIRED_MEMBERS:
                raise ValidationError(_("The file is not a readable Excel (.xlsx) file."), code="not_xlsx")
            if any(m.lower().endswith("vbaproject.bin") for m in members) or b"macroEnabled" in archive.read(
                "[Content_Types].xml"
            ):
                raise ValidationError(_("Workbooks with macros are not accepted; save as .xlsx."), code="macro")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
                raise ValidationError(_("The file unpacks to far more data than a workbook holds; refused."),
                                      code="zip_bomb")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as member:
                        head = member.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise ValidationError(_("The file contains XML declarations that are not allowed."),
                                              code="dtd")
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The file is not a readable Excel (.xlsx) file."), code="not_xlsx") from exc
    finally:
        upload.seek(0)
