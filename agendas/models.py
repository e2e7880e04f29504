"""RIEA agendas: one agenda per ecosystem, with numbered versions and their structured parts.

Version life cycle (see agendas/workflow.py): the ecosystem's board edits exactly one *draft*
version. Submitting freezes that version (`frozen=True`, never changed again) and opens a new
draft copied from it. The programme team assesses frozen versions per criterion.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.models import Ecosystem, FundingInstrument, HelixRole, TimeStampedModel, User

CRITERIA: dict[int, str] = {
    1: _("Shared vision, carried by regional parties"),
    2: _("Long horizon, yet current"),
    3: _("Intended results with clear commitment"),
    4: _("Cluster-specific and generic activities"),
    5: _("Concrete plans for the regional labour market"),
    6: _("Investment agenda that uses leverage"),
    7: _("Agreements between national government and region"),
}
CRITERION_CHOICES = list(CRITERIA.items())


class Status(models.TextChoices):
    """Workflow states, shared by the agenda (where it stands) and its versions."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    IN_REVIEW = "in_review", _("in review")
    FEEDBACK = "feedback", _("feedback given")
    REVISED = "revised", _("being revised")
    ADOPTED = "adopted", _("adopted")


class Agenda(TimeStampedModel):
    """The RIEA of one ecosystem. `status` is where the agenda stands in the workflow."""

    ecosystem = models.OneToOneField(
        Ecosystem, verbose_name=_("ecosystem"), on_delete=models.PROTECT, related_name="agenda"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        ordering = ["ecosystem__name"]
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def __str__(self) -> str:
        return self.title


class AgendaVersion(TimeStampedModel):
    """One numbered version. Frozen versions are immutable (enforced in agendas.services)."""

    class Verdict(models.TextChoices):
        NONE = "", _("no verdict yet")
        ADOPT = "adopt", _("adopt")
        REVISE = "revise", _("revise and resubmit")

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    frozen = models.BooleanField(_("submitted (frozen)"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Optimistic locking: every save of the text parts must carry the number it was loaded with.
    lock_version = models.PositiveIntegerField(default=0)

    # Criterion 1
    vision = models.TextField(_("shared vision"), blank=True)
    dna_analysis = models.TextField(_("analysis of the regional DNA and the state of the ecosystem"), blank=True)
    # Criterion 2
    horizon_start = models.PositiveSmallIntegerField(_("horizon: first year"), null=True, blank=True)
    horizon_end = models.PositiveSmallIntegerField(_("horizon: last year"), null=True, blank=True)
    last_revision = models.DateField(_("date of the last revision"), null=True, blank=True)
    # Criterion 3
    impact = models.TextField(_("expected economic and societal impact"), blank=True)
    governance = models.TextField(_("governance"), blank=True)
    monitoring = models.TextField(_("monitoring"), blank=True)

    # The programme team's overall verdict on a frozen version (not part of its content).
    verdict = models.CharField(_("overall verdict"), max_length=16, choices=Verdict.choices, blank=True, default="")
    verdict_feedback = models.TextField(_("overall feedback"), blank=True)
    verdict_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["agenda", "-number"]
        verbose_name = _("agenda version")
        verbose_name_plural = _("agenda versions")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "number"], name="agenda_version_number_unique"),
            # The board edits exactly one draft at a time.
            models.UniqueConstraint(
                fields=["agenda"], condition=Q(frozen=False), name="agenda_version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(frozen=False, status="draft") | Q(frozen=True, submitted_at__isnull=False)
                & ~Q(status="draft"),
                name="agenda_version_frozen_iff_submitted",
            ),
            models.CheckConstraint(
                condition=Q(horizon_start__isnull=True) | Q(horizon_end__isnull=True)
                | Q(horizon_end__gte=F("horizon_start")),
                name="agenda_version_horizon_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda} v{self.number}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.horizon_start and self.horizon_end and self.horizon_end < self.horizon_start:
            raise ValidationError({"horizon_end": _("The last year lies before the first year.")})


# Text fields per criterion: the editor shows them on the criterion's page; the diff compares them.
TEXT_FIELDS_BY_CRITERION: dict[int, list[str]] = {
    1: ["vision", "dna_analysis"],
    2: ["horizon_start", "horizon_end", "last_revision"],
    3: ["impact", "governance", "monitoring"],
    4: [],
    5: [],
    6: [],
    7: [],
}
CONTENT_FIELDS = [f for fields in TEXT_FIELDS_BY_CRITERION.values() for f in fields]


class VersionPart(models.Model):
    """A row of a version's structured parts."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    criterion: int = 0

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Endorsement(VersionPart):
    criterion = 1
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="endorsements")
    organisation = models.CharField(_("organisation"), max_length=200)
    helix_role = models.CharField(_("helix role"), max_length=16, choices=HelixRole.choices)
    endorsed_on = models.DateField(_("date"), null=True, blank=True)
    signatory = models.CharField(_("signatory"), max_length=200, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_helix_role_display()})"


class ReviewMoment(VersionPart):
    criterion = 2
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="review_moments")
    planned_on = models.DateField(_("planned date"))
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        ordering = ["planned_on", "id"]
        verbose_name = _("review moment")
        verbose_name_plural = _("review moments")

    def __str__(self) -> str:
        return f"{self.planned_on}: {self.description}"


class Goal(VersionPart):
    criterion = 3
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=300, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    class Meta(VersionPart.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class Commitment(VersionPart):
    class Kind(models.TextChoices):
        MONEY = "money", _("money (EUR)")
        FTE = "fte", _("staff (FTE)")
        IN_KIND = "in_kind", _("in kind (EUR value)")

    criterion = 3
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="commitments")
    party = models.CharField(_("party"), max_length=200)
    helix_role = models.CharField(_("helix role"), max_length=16, choices=HelixRole.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="agenda_commitment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.amount} {self.get_kind_display()}"


class Action(VersionPart):
    class Scope(models.TextChoices):
        GENERIC = "generic", _("generic (whole ecosystem)")
        CLUSTER_SPECIFIC = "cluster_specific", _("cluster-specific")

    criterion = 4
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    lead_organisation = models.CharField(_("lead organisation"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("budget (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    initiatives = models.ManyToManyField(
        "initiatives.Initiative", verbose_name=_("linked initiatives"), blank=True, related_name="agenda_actions"
    )

    class Meta(VersionPart.Meta):
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="agenda_action_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class HumanCapitalAction(VersionPart):
    class Kind(models.TextChoices):
        LEARNING_COMMUNITY = "learning_community", _("learning community")
        FIELD_LAB = "field_lab", _("field lab")
        CENTRE_OF_EXPERTISE = "centre_of_expertise", _("centre of expertise")
        OTHER = "other", _("other")

    criterion = 5
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="human_capital_actions")
    title = models.CharField(_("human-capital action"), max_length=300)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    with_mbo = models.BooleanField(_("with vocational colleges (mbo)"), default=False)
    with_hogeschool = models.BooleanField(_("with universities of applied sciences (hbo)"), default=False)
    with_university = models.BooleanField(_("with universities (wo)"), default=False)
    education_partners = models.CharField(_("education partners (names)"), max_length=300, blank=True)

    class Meta(VersionPart.Meta):
        verbose_name = _("human-capital action")
        verbose_name_plural = _("human-capital actions")

    def __str__(self) -> str:
        return self.title


class AgendaFundingLine(VersionPart):
    """A funding stream of the investment agenda. Named apart from initiatives.FundingLine."""

    criterion = 6
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="funding_lines")
    description = models.CharField(_("description"), max_length=300, blank=True)
    instrument = models.ForeignKey(
        FundingInstrument, verbose_name=_("instrument"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="agenda_funding_lines",
    )
    source_level = models.CharField(_("source level"), max_length=16, choices=FundingInstrument.Level.choices)
    form = models.CharField(_("form"), max_length=16, choices=FundingInstrument.Form.choices)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    year_from = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    year_to = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    is_private = models.BooleanField(_("private money"), default=False)
    revolving_share = models.PositiveSmallIntegerField(
        _("revolving share (%)"), default=0, validators=[MaxValueValidator(100)]
    )

    class Meta(VersionPart.Meta):
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="agenda_funding_amount_not_negative"),
            models.CheckConstraint(condition=Q(revolving_share__lte=100), name="agenda_funding_revolving_share_max_100"),
            models.CheckConstraint(
                condition=Q(year_from__isnull=True) | Q(year_to__isnull=True) | Q(year_to__gte=F("year_from")),
                name="agenda_funding_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description or self.instrument or self.get_source_level_display()}: {self.amount}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.year_from and self.year_to and self.year_to < self.year_from:
            raise ValidationError({"year_to": _("The last year lies before the first year.")})


class Agreement(VersionPart):
    class Topic(models.TextChoices):
        INVESTMENT = "investment", _("investment")
        REGULATION = "regulation", _("regulation")
        EDUCATION = "education", _("education")
        PROCUREMENT = "procurement", _("innovation-oriented procurement")
        SPATIAL_PLANNING = "spatial_planning", _("spatial planning")
        OTHER = "other", _("other")

    class AgreementStatus(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        AGREED = "agreed", _("agreed")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    criterion = 7
    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="agreements")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    description = models.CharField(_("agreement"), max_length=300)
    ministry = models.CharField(_("ministry (owner on the national side)"), max_length=200, blank=True)
    regional_owner = models.CharField(_("regional owner"), max_length=200, blank=True)
    national_role = models.CharField(_("role of the national government"), max_length=300, blank=True)
    regional_role = models.CharField(_("role of the region"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )

    class Meta(VersionPart.Meta):
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.description


# Row kinds in a fixed order: (url key, model, related name on AgendaVersion).
PART_MODELS: dict[str, tuple[type[VersionPart], str]] = {
    "endorsement": (Endorsement, "endorsements"),
    "review_moment": (ReviewMoment, "review_moments"),
    "goal": (Goal, "goals"),
    "commitment": (Commitment, "commitments"),
    "action": (Action, "actions"),
    "human_capital": (HumanCapitalAction, "human_capital_actions"),
    "funding_line": (AgendaFundingLine, "funding_lines"),
    "agreement": (Agreement, "agreements"),
}


class CriterionAssessment(TimeStampedModel):
    """The programme team's score and feedback for one criterion of one frozen version."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.PositiveSmallIntegerField(_("criterion"), choices=CRITERION_CHOICES)
    score = models.PositiveSmallIntegerField(_("score (0-3)"), validators=[MaxValueValidator(3)])
    feedback = models.TextField(_("feedback"), blank=True)
    assessed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["version", "criterion"]
        verbose_name = _("criterion assessment")
        verbose_name_plural = _("criterion assessments")
        constraints = [
            models.UniqueConstraint(fields=["version", "criterion"], name="criterion_assessment_unique"),
            models.CheckConstraint(condition=Q(score__lte=3), name="criterion_assessment_score_0_3"),
            models.CheckConstraint(condition=Q(criterion__gte=1, criterion__lte=7), name="criterion_assessment_1_7"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.criterion}: {self.score}"
