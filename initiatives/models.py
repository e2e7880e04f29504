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
            # The overview sorted by title reads the first page from this index instead of
            # sorting every visible initiative.
            models.Index(fields=["title", "id"], name="initiative_title_idx"),
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


# --- Overlap detection ------------------------------------------------------------------------


class OverlapRun(TimeStampedModel):
    """One full overlap run: the dispatcher splits the live initiatives into chunks of ids."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    threshold = models.FloatField(_("threshold"))
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    initiatives = models.PositiveIntegerField(_("initiatives compared"), default=0)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    pairs_found = models.PositiveIntegerField(_("pairs found"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("overlap run")
        verbose_name_plural = _("overlap runs")
        constraints = [
            # Two concurrent full runs would race on the same suggestion rows.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="overlap_run_one_running",
            ),
            models.CheckConstraint(
                condition=Q(chunks_done__lte=F("chunks_total")), name="overlap_run_chunks_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"overlap run {self.pk} ({self.status})"


class OverlapRunChunk(models.Model):
    """A finished chunk of a run. Makes the chunk counter idempotent under task redelivery."""

    run = models.ForeignKey(OverlapRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    pairs_found = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="overlap_run_chunk_unique")]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.number}"


class OverlapSuggestion(TimeStampedModel):
    """A detected pair (a < b) and what people decided about it."""

    class Kind(models.TextChoices):
        OVERLAP = "overlap", _("overlap")
        COMPLEMENTARY = "complementary", _("complementary")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED_OVERLAP = "confirmed_overlap", _("overlap confirmed")
        MARKED_COMPLEMENTARY = "marked_complementary", _("marked complementary")
        DISMISSED = "dismissed", _("dismissed")
        LINKED = "linked", _("linked")
        MERGED = "merged", _("merged")

    a = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PENDING, db_index=True)
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    # Hash of title + description when the pair was last detected (or dismissed): a dismissed
    # pair comes back only when one of these changes.
    text_fingerprint_a = models.CharField(max_length=64)
    text_fingerprint_b = models.CharField(max_length=64)
    last_run = models.ForeignKey(OverlapRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "a_id", "b_id"]
        verbose_name = _("overlap suggestion")
        verbose_name_plural = _("overlap suggestions")
        constraints = [
            models.CheckConstraint(condition=Q(a__lt=F("b")), name="overlap_suggestion_ordered_pair"),
            models.UniqueConstraint(fields=["a", "b"], name="overlap_suggestion_unique_pair"),
        ]
        indexes = [
            models.Index(fields=["b"], name="overlap_suggestion_b_idx"),
            models.Index(fields=["status", "-score"], name="overlap_suggestion_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.a_id} ~ {self.b_id} ({self.score:.2f})"


class InitiativeLink(models.Model):
    """A typed link between two initiatives; a board's proposal waits for the other board."""

    class Kind(models.TextChoices):
        OVERLAPS = "overlaps", _("overlaps with")
        COMPLEMENTS = "complements", _("complements")
        PART_OF = "part_of", _("is part of")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    from_initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links_out")
    to_initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("initiative link")
        verbose_name_plural = _("initiative links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_initiative", "to_initiative", "kind"], name="initiative_link_unique",
            ),
            models.CheckConstraint(
                condition=~Q(from_initiative=F("to_initiative")), name="initiative_link_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_initiative_id} {self.kind} {self.to_initiative_id}"
