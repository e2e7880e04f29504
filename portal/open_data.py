"""Open-data downloads (the advice's landelijk open platform): generated files kept in the database.

A beat task regenerates them (portal.open_data_services.open_data_generate_all); the public views
only serve the stored bytes, so a download of 100 000 initiatives costs one query.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenDataExport(models.Model):
    name = models.CharField(_("file name"), max_length=64, unique=True)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("open-data export")
        verbose_name_plural = _("open-data exports")

    def __str__(self) -> str:
        return self.name
