"""Initiatives: the national overview's rows."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.models import (
    Ecosystem,
    FundingInstrument,
    FutureVisionWindow,
    Organisation,
    Priority,
    Region,
    Theme,
    TimeStampedModel,
    User,
)


class Initiative(TimeStampedModel):
    class Type(models.TextChoices):
        INNOVATION_PROJECT = "innovation_project", _("innovation project")
        FIELD_LAB = "field_lab", _("field lab / living lab")
        CAMPUS = "campus", _("campus")
        LEARNING_COMMUNITY = "learning_community", _("learning community")
        FUND = "fund", _("fund")
        PROGRAMME = "programme", _("programme")
        CENTRE_OF_EXPERTISE = "centre_of_expertise", _("centre of expertise")
        NETWORK = "network", _("network / cluster organisation")

    class Stage(models.TextChoices):
        IDEA = "idea", _("idea")
        PILOT = "pilot", _("pilot")
        SCALING = "scaling", _("scaling up")
        STRUCTURAL = "structural", _("structural")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        STOPPED = "stopped", _("stopped")
        MERGED = "merged", _("merged into another initiative")
        ARCHIVED = "archived", _("archived")

    class Scope(models.TextChoices):
        GENERIC = "generic", _("generic (whole ecosystem)")
        CLUSTER_SPECIFIC = "cluster_specific", _("cluster-specific")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    ecosystem = models.ForeignKey(
        Ecosystem, verbose_name=_("ecosystem"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="initiatives",
    )
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), related_name="initiatives")
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT,
        related_name="led_initiatives",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="partner_initiatives",
    )
    type = models.CharField(_("type"), max_length=24, choices=Type.choices, db_index=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, db_index=True)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.CLUSTER_SPECIFIC)
    theme = models.ForeignKey(
        Theme, verbose_name=_("main theme"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="initiatives",
    )
    priorities = models.ManyToManyField(Priority, verbose_name=_("national priorities"), blank=True, related_name="initiatives")
    vision_windows = models.ManyToManyField(
        FutureVisionWindow, verbose_name=_("future-vision windows"), blank=True, related_name="initiatives",
    )
    budget = models.DecimalField(
        _("total budget (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published = models.BooleanField(_("published on the open platform"), default=False, db_index=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The organisation that registered the record (a board's organisation or a ROM). API clients
    # upsert by their own id, which is unique within their organisation.
    owner_organisation = models.ForeignKey(
        Organisation, verbose_name=_("registered by"), on_delete=models.PROTECT,
        related_name="registered_initiatives",
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_organisation", "external_id"], condition=~Q(external_id=""),
                name="initiative_external_id_unique_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="initiative_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="initiative_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="initiative_merged_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["published", "status"], name="initiative_public_idx"),
            models.Index(fields=["updated_at", "id"], name="initiative_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date lies before the start date.")
        if self.merged_into_id and self.merged_into_id == self.pk:
            errors["merged_into"] = _("An initiative cannot be merged into itself.")
        if errors:
            raise ValidationError(errors)


class FundingLine(models.Model):
    """Money behind an initiative: which instrument, how much, which years."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="funding_lines")
    instrument = models.ForeignKey(
        FundingInstrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="funding_lines",
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    year_from = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.amount}"
