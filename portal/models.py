"""Core domain: regions, organisations, users and roles, ecosystems, the national frame, activity."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


# --- Reference geography -------------------------------------------------------------------


class Region(models.Model):
    """A landsdeel, province or COROP region. Codes follow CBS (PV20-PV31, CR01-CR40)."""

    class Kind(models.TextChoices):
        LANDSDEEL = "landsdeel", _("macro-region (landsdeel)")
        PROVINCE = "province", _("province")
        COROP = "corop", _("COROP region")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    geometry = models.TextField(_("boundary (GeoJSON geometry)"), blank=True)
    population_decline = models.BooleanField(_("population-decline region (krimp)"), default=False)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


# --- Organisations, users, roles -----------------------------------------------------------


class HelixRole(models.TextChoices):
    GOVERNMENT = "government", _("government")
    BUSINESS = "business", _("business")
    KNOWLEDGE = "knowledge", _("knowledge institution")
    CIVIL_SOCIETY = "civil_society", _("civil society")


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        PROVINCE = "province", _("province")
        MUNICIPALITY = "municipality", _("municipality")
        ECONOMIC_BOARD = "economic_board", _("economic board")
        ROM = "rom", _("regional development agency (ROM)")
        UNIVERSITY = "university", _("university")
        HOGESCHOOL = "hogeschool", _("university of applied sciences (hogeschool)")
        MBO = "mbo", _("vocational college (mbo)")
        TO2 = "to2", _("applied research institute (TO2)")
        COMPANY = "company", _("company")
        STARTUP = "startup", _("start-up")
        SME = "sme", _("SME")
        INDUSTRY_ASSOCIATION = "industry_association", _("industry association")
        CITIZEN_INITIATIVE = "citizen_initiative", _("citizens' initiative")
        FOUNDATION = "foundation", _("foundation / NGO")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    helix_role = models.CharField(_("helix role"), max_length=16, choices=HelixRole.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    home_region = models.ForeignKey(
        Region, verbose_name=_("home region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organisations",
    )
    country = models.CharField(_("country (ISO code)"), max_length=2, default="NL")
    website = models.URLField(_("website"), blank=True)
    served_provinces = models.ManyToManyField(
        Region, verbose_name=_("provinces served (ROMs)"), blank=True, related_name="serving_roms",
        limit_choices_to={"kind": Region.Kind.PROVINCE},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """A person. Belongs to one organisation; the role decides what they may do."""

    class Role(models.TextChoices):
        STAFF = "staff", _("programme team")
        ASSESSOR = "assessor", _("assessor (programme team)")
        BOARD = "board", _("regional board member")
        ROM = "rom", _("ROM API client")
        ADMIN = "admin", _("administrator")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BOARD)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Everyone but an administrator acts on behalf of an organisation.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(organisation__isnull=False),
                name="user_has_organisation_unless_admin",
            ),
        ]

    @property
    def is_programme_team(self) -> bool:
        return self.role in {self.Role.STAFF, self.Role.ASSESSOR, self.Role.ADMIN}


# --- Ecosystems ----------------------------------------------------------------------------


class Ecosystem(TimeStampedModel):
    """A regional research and innovation ecosystem. Its board is the lead organisation's users."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    regions = models.ManyToManyField(Region, verbose_name=_("regions covered"), related_name="ecosystems")
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT,
        related_name="led_ecosystems",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), through="EcosystemPartner",
        related_name="partner_in_ecosystems",
    )
    profile = models.TextField(_("profile (regional DNA)"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    published = models.BooleanField(_("published on the open platform"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ecosystem")
        verbose_name_plural = _("ecosystems")

    def __str__(self) -> str:
        return self.name


class EcosystemPartner(models.Model):
    ecosystem = models.ForeignKey(Ecosystem, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ecosystem_partnerships")
    # The role the organisation plays in this ecosystem; usually its own helix role.
    helix_role = models.CharField(_("helix role"), max_length=16, choices=HelixRole.choices)

    class Meta:
        verbose_name = _("ecosystem partner")
        verbose_name_plural = _("ecosystem partners")
        constraints = [
            models.UniqueConstraint(fields=["ecosystem", "organisation"], name="ecosystem_partner_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_helix_role_display()})"


class WeakSpot(models.Model):
    """One of the five typical weak spots the advice names, with a severity."""

    class Category(models.TextChoices):
        KNOWLEDGE_INFRASTRUCTURE = "knowledge_infrastructure", _("knowledge infrastructure and transfer")
        TALENT = "talent", _("talent and expertise")
        INNOVATIVE_SME = "innovative_sme", _("too little innovation-driven SME")
        SME_SUPPORT = "sme_support", _("fragmented SME support")
        COOPERATION = "cooperation", _("weak cooperation between parties")

    class Severity(models.IntegerChoices):
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")

    ecosystem = models.ForeignKey(Ecosystem, on_delete=models.CASCADE, related_name="weak_spots")
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-severity", "category"]
        verbose_name = _("weak spot")
        verbose_name_plural = _("weak spots")
        constraints = [
            models.UniqueConstraint(fields=["ecosystem", "category"], name="weak_spot_unique_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_severity_display()})"


class EcosystemStatistics(models.Model):
    """Derived figures, recomputed by a Celery task (portal.tasks.ecosystem_statistics_recompute)."""

    ecosystem = models.OneToOneField(Ecosystem, on_delete=models.CASCADE, related_name="statistics")
    initiative_count = models.PositiveIntegerField(default=0)
    partners_per_helix_role = models.JSONField(default=dict)
    initiatives_per_theme = models.JSONField(default=dict)
    all_helix_roles_present = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ecosystem statistics")
        verbose_name_plural = _("ecosystem statistics")

    def __str__(self) -> str:
        return str(self.ecosystem)


# --- National frame ------------------------------------------------------------------------


class FutureVisionWindow(models.Model):
    """A 'window' of the national toekomstbeeld (food production, mobility, health, ...)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("future-vision window")
        verbose_name_plural = _("future-vision windows")

    def __str__(self) -> str:
        return self.name_nl


class Priority(models.Model):
    """A national priority: a transition challenge, a mission (child of one) or a key technology."""

    class Kind(models.TextChoices):
        TRANSITION_CHALLENGE = "transition_challenge", _("transition challenge")
        MISSION = "mission", _("mission")
        KEY_TECHNOLOGY = "key_technology", _("key technology")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    parent = models.ForeignKey(
        "self", verbose_name=_("theme"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified against a public source"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.name_nl


class Theme(models.Model):
    """A content theme (hydrogen, photonics, ...) used to group and filter initiatives."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    priorities = models.ManyToManyField(Priority, verbose_name=_("related priorities"), blank=True)

    class Meta:
        ordering = ["name_nl"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name_nl


class FundingInstrument(models.Model):
    class Level(models.TextChoices):
        REGIONAL = "regional", _("regional")
        NATIONAL = "national", _("national")
        EU = "eu", _("EU")
        PRIVATE = "private", _("private")

    class Form(models.TextChoices):
        SUBSIDY = "subsidy", _("subsidy")
        LOAN = "loan", _("loan")
        EQUITY = "equity", _("equity")
        GUARANTEE = "guarantee", _("guarantee")
        REVOLVING = "revolving", _("revolving fund")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("funding instrument")
        verbose_name_plural = _("funding instruments")

    def __str__(self) -> str:
        return self.name


# --- Activity (history) --------------------------------------------------------------------


class Activity(models.Model):
    """One recorded change: who did what to which object, and which fields changed.

    Written only through portal.services.activity_record, so every service leaves a trace.
    """

    actor = models.ForeignKey(
        User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="activities",
    )
    verb = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.BigIntegerField()
    target_repr = models.CharField(max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="activity_target_idx")]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_repr}"


# --- API tokens and open-data exports (models in portal/tokens.py and portal/open_data.py;
# imported here so Django registers them) ----------------------------------------------------

from portal.open_data import OpenDataExport  # noqa: E402, F401
from portal.tokens import ApiToken, IdempotencyRecord  # noqa: E402, F401
from portal.webhooks import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
