"""Selection: assessment framework, assessments, scoring runs, decisions (see the selection issue)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from portal.models import TimeStampedModel, User

# --- The framework (afwegingskader) ---------------------------------------------------------


class Framework(TimeStampedModel):
    """An assessment framework. Its content lives in versions; scores point at one version."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assessment framework")
        verbose_name_plural = _("assessment frameworks")

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["framework", "-number"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"


class Criterion(models.Model):
    class SuggestionRule(models.TextChoices):
        NONE = "", _("no suggestion")
        NATIONAL_PRIORITIES = "national_priorities", _("fit with national priorities (tags)")
        NATIONAL_RELEVANCE = "national_relevance", _("national relevance (provinces, landsdelen, krimp)")
        NEW_PARTIES = "new_parties", _("room for new and smaller parties (partners)")
        INTERNATIONAL = "international", _("international links (EU funding, foreign partners)")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    question_nl = models.TextField(_("question (Dutch)"))
    question_en = models.TextField(_("question (English)"))
    help_text = models.TextField(_("help text"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=3, default=1, validators=[MinValueValidator(0)]
    )
    scale_min = models.SmallIntegerField(_("scale minimum"), default=1)
    scale_max = models.SmallIntegerField(_("scale maximum"), default=5)
    allows_not_applicable = models.BooleanField(_("'not applicable' allowed"), default=False)
    suggestion_rule = models.CharField(
        _("automatic suggestion"), max_length=32, choices=SuggestionRule.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_unique_code_per_version"),
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale_ordered"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question_nl[:60]}"

    def question(self, language: str) -> str:
        return self.question_en if language == "en" else self.question_nl


# --- Rounds ---------------------------------------------------------------------------------


class SelectionRound(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        OPEN = "open", _("open for assessment")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200)
    framework_version = models.ForeignKey(
        FrameworkVersion, verbose_name=_("framework version"), on_delete=models.PROTECT, related_name="rounds"
    )
    # A saved filter over initiatives: {"themes": [codes], "priorities": [codes],
    # "regions": [codes], "stages": [values]}; an empty list means "any".
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    assessors = models.ManyToManyField(User, verbose_name=_("assessors"), blank=True, related_name="selection_rounds")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (spread)"), max_digits=5, decimal_places=2, default=2,
        validators=[MinValueValidator(0)],
    )
    shortlist_size = models.PositiveSmallIntegerField(_("shortlist size"), default=10)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")

    def __str__(self) -> str:
        return self.name


class RoundAssignment(models.Model):
    """An assessor is to score an initiative in a round (excluded when a conflict of interest exists)."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="assignments")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    assessor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="round_assignments")
    excluded = models.BooleanField(_("excluded (conflict of interest)"), default=False)
    conflict_reason = models.CharField(_("detected conflict"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "initiative", "assessor"], name="assignment_unique"),
        ]
        indexes = [models.Index(fields=["round", "assessor"], name="assignment_assessor_idx")]

    def __str__(self) -> str:
        return f"{self.assessor} → {self.initiative_id}"


class ConflictDeclaration(models.Model):
    """An assessor declares a conflict of interest; recorded for accountability."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="conflicts")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    assessor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conflict_declarations")
    detected_reason = models.CharField(_("detected conflict"), max_length=300, blank=True)
    statement = models.TextField(_("statement"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")
        constraints = [
            models.UniqueConstraint(fields=["round", "initiative", "assessor"], name="conflict_declaration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} / {self.initiative_id}"


class Assessment(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="assessments")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assessments")
    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessor", "initiative", "round"], condition=Q(status="submitted"),
                name="assessment_one_submitted",
            ),
            models.UniqueConstraint(
                fields=["assessor", "initiative", "round"], condition=Q(status="draft"),
                name="assessment_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="assessment_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["round", "initiative", "status"], name="assessment_round_init_idx")]

    def __str__(self) -> str:
        return f"{self.assessor} / {self.initiative_id} ({self.status})"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.SmallIntegerField(_("score"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    motivation = models.TextField(_("motivation"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_unique_per_criterion"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(value__isnull=True), name="score_na_has_no_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {'n.v.t.' if self.not_applicable else self.value}"


# --- Batch scoring --------------------------------------------------------------------------


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="scoring_runs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    initiative_count = models.PositiveIntegerField(_("initiatives"), default=0)
    initiatives_done = models.PositiveIntegerField(_("initiatives done"), default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    dispatched = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    triggered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        constraints = [
            models.UniqueConstraint(fields=["round"], condition=Q(status="running"), name="scoring_run_one_running"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.chunk_count:
            return 100 if self.status == self.Status.DONE else 0
        return int(100 * self.chunks_done / self.chunk_count)


class ScoringChunk(models.Model):
    """One primary-key range of a run; `done` makes a redelivered chunk count only once."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    done = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="scoring_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.index}"


class InitiativeRoundResult(models.Model):
    """Aggregated scores and suggestions of one initiative in one round (upserted by scoring runs)."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="results")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="round_results")
    # {criterion code: {"median", "mean", "n", "spread", "disagreement"}}
    criteria = models.JSONField(default=dict)
    # {criterion code: {"score", "key", "params"}}; the reason (suggestions.REASONS[key]) is translated on display.
    suggestions = models.JSONField(default=dict)
    weighted_total = models.FloatField(_("weighted total"), null=True, blank=True)
    max_spread = models.FloatField(_("largest spread"), null=True, blank=True)
    disagreement = models.BooleanField(_("assessors disagree"), default=False)
    submitted_count = models.PositiveIntegerField(default=0)
    assigned_count = models.PositiveIntegerField(default=0)
    coverage = models.FloatField(_("coverage"), default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        constraints = [
            models.UniqueConstraint(fields=["round", "initiative"], name="round_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.initiative_id}: {self.weighted_total}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        NATIONAL_PUSH = "select_for_national_push", _("select for a national push (op het schild hijsen)")
        CONTINUE_REGIONALLY = "continue_regionally", _("continue regionally")
        STOP = "stop", _("stop")
        PARK = "park", _("park")

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="decisions")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="selection_decisions")
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["round", "initiative"], name="decision_unique"),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.outcome}"
