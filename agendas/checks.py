"""The automatic checks of the seven RIEA criteria (AWTI advice §3.3).

Pure functions over plain dataclasses: no database, no ORM objects. agendas.selectors builds an
`AgendaData` from a version; tests build one by hand. Each check returns a `CriterionResult`
(met / partly / missing) with reasons a board understands and the figures it computed. The
programme team always has the last word: these results sit next to its scores, never replace them.
All thresholds live in THRESHOLDS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MET = "met"
PARTLY = "partly"
MISSING = "missing"

HELIX_ROLES = ("government", "business", "knowledge", "civil_society")

THRESHOLDS: dict[str, Any] = {
    # 1: all four helix roles endorse for "met"; at least this many for "partly".
    "helix_roles_partly": 2,
    # 2: the advice speaks of "a horizon of the order of twenty years".
    "horizon_years_met": 15,
    "horizon_years_partly": 10,
    "revision_max_age_years": 3,
    # 3: explicit contributions from at least this many parties.
    "committed_parties_met": 3,
    # 6: private euros per public euro, and the revolving share of all funding.
    "leverage_met": Decimal("1.0"),
    "revolving_share_met": Decimal("0.10"),
}


# Labels for the computed figures, for screens and exports.
FIGURE_LABELS = {
    "helix_roles_endorsing": gettext_lazy("helix roles endorsing"),
    "endorsements": gettext_lazy("endorsements"),
    "horizon_years": gettext_lazy("horizon (years)"),
    "future_review_moments": gettext_lazy("planned review moments"),
    "years_since_revision": gettext_lazy("years since the last revision"),
    "goals": gettext_lazy("goals"),
    "goals_without_indicator": gettext_lazy("goals without indicator"),
    "committed_parties": gettext_lazy("parties with a commitment"),
    "generic_actions": gettext_lazy("generic actions"),
    "cluster_specific_actions": gettext_lazy("cluster-specific actions"),
    "human_capital_actions": gettext_lazy("human-capital actions"),
    "with_education_partner": gettext_lazy("with an education partner"),
    "education_levels": gettext_lazy("education levels involved (of 3)"),
    "public": gettext_lazy("public funding (EUR)"),
    "private": gettext_lazy("private funding (EUR)"),
    "leverage": gettext_lazy("leverage (private / public)"),
    "revolving_share": gettext_lazy("revolving share"),
    "agreements": gettext_lazy("agreements"),
    "incomplete_agreements": gettext_lazy("agreements without owner or role on both sides"),
    "topics": gettext_lazy("topics"),
}
STATUS_LABELS = {MET: gettext_lazy("met"), PARTLY: gettext_lazy("partly met"), MISSING: gettext_lazy("missing")}


@dataclass(frozen=True)
class EndorsementData:
    organisation: str
    helix_role: str


@dataclass(frozen=True)
class GoalData:
    title: str
    indicator: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    target_year: int | None = None

    @property
    def has_indicator(self) -> bool:
        return bool(self.indicator.strip()) and self.target is not None and self.target_year is not None


@dataclass(frozen=True)
class CommitmentData:
    party: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class ActionData:
    title: str
    scope: str  # "generic" | "cluster_specific"


@dataclass(frozen=True)
class HumanCapitalData:
    title: str
    with_mbo: bool = False
    with_hogeschool: bool = False
    with_university: bool = False

    @property
    def has_education_partner(self) -> bool:
        return self.with_mbo or self.with_hogeschool or self.with_university


@dataclass(frozen=True)
class FundingData:
    amount: Decimal
    is_private: bool
    form: str = "subsidy"
    revolving_share: int = 0  # percent of the amount


@dataclass(frozen=True)
class AgreementData:
    description: str
    topic: str
    ministry: str = ""
    regional_owner: str = ""
    national_role: str = ""
    regional_role: str = ""

    @property
    def is_complete(self) -> bool:
        return all(s.strip() for s in (self.ministry, self.regional_owner, self.national_role, self.regional_role))


@dataclass(frozen=True)
class AgendaData:
    vision: str = ""
    dna_analysis: str = ""
    horizon_start: int | None = None
    horizon_end: int | None = None
    last_revision: dt.date | None = None
    review_dates: tuple[dt.date, ...] = ()
    impact: str = ""
    governance: str = ""
    monitoring: str = ""
    endorsements: tuple[EndorsementData, ...] = ()
    goals: tuple[GoalData, ...] = ()
    commitments: tuple[CommitmentData, ...] = ()
    actions: tuple[ActionData, ...] = ()
    human_capital: tuple[HumanCapitalData, ...] = ()
    funding: tuple[FundingData, ...] = ()
    agreements: tuple[AgreementData, ...] = ()


@dataclass
class CriterionResult:
    criterion: int
    status: str
    reasons: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def figure_list(self) -> list[tuple[str, Any]]:
        return [(str(FIGURE_LABELS.get(k, k)), v) for k, v in self.figures.items()]


def _filled(text: str) -> bool:
    return bool(text and text.strip())


def check_vision(data: AgendaData, *, today: dt.date) -> CriterionResult:
    roles = sorted({e.helix_role for e in data.endorsements} & set(HELIX_ROLES))
    missing_roles = [r for r in HELIX_ROLES if r not in roles]
    result = CriterionResult(1, MISSING, figures={"helix_roles_endorsing": len(roles), "endorsements": len(data.endorsements)})
    role_names = {
        "government": _("No endorsement by a government body"),
        "business": _("No endorsement by business"),
        "knowledge": _("No endorsement by a knowledge institution"),
        "civil_society": _("No endorsement by a civil-society organisation"),
    }
    if not _filled(data.vision):
        result.reasons.append(_("No shared vision has been written."))
    if not _filled(data.dna_analysis):
        result.reasons.append(_("No analysis of the regional DNA and the state of the ecosystem."))
    if not data.endorsements:
        result.reasons.append(_("No party has endorsed the agenda."))
    else:
        result.reasons.extend(str(role_names[r]) for r in missing_roles)
    if not _filled(data.vision) or not data.endorsements:
        result.status = MISSING
    elif not missing_roles and _filled(data.dna_analysis):
        result.status = MET
    else:
        result.status = PARTLY
    return result


def check_horizon(data: AgendaData, *, today: dt.date) -> CriterionResult:
    t = THRESHOLDS
    years = None
    if data.horizon_start and data.horizon_end:
        years = data.horizon_end - data.horizon_start
    future_reviews = [d for d in data.review_dates if d >= today]
    revision_age = None
    if data.last_revision:
        revision_age = round((today - data.last_revision).days / 365.25, 1)
    result = CriterionResult(
        2, MISSING, figures={"horizon_years": years, "future_review_moments": len(future_reviews),
                             "years_since_revision": revision_age},
    )
    if years is None:
        result.reasons.append(_("The horizon (first and last year) is not filled in."))
        return result
    if years < t["horizon_years_partly"]:
        result.reasons.append(
            _("The horizon of %(years)s years is shorter than %(min)s years.") % {"years": years, "min": t["horizon_years_partly"]}
        )
        return result
    current = True
    if years < t["horizon_years_met"]:
        current = False
        result.reasons.append(
            _("The horizon of %(years)s years is shorter than the %(min)s years aimed for.")
            % {"years": years, "min": t["horizon_years_met"]}
        )
    if revision_age is None:
        current = False
        result.reasons.append(_("No date of the last revision."))
    elif revision_age > t["revision_max_age_years"]:
        current = False
        result.reasons.append(
            _("The last revision is more than %(max)s years ago.") % {"max": t["revision_max_age_years"]}
        )
    if not future_reviews:
        current = False
        result.reasons.append(_("No review moment is planned."))
    result.status = MET if current else PARTLY
    return result


def check_results(data: AgendaData, *, today: dt.date) -> CriterionResult:
    without_indicator = [g.title for g in data.goals if not g.has_indicator]
    parties = sorted({c.party.strip() for c in data.commitments if c.amount > 0})
    result = CriterionResult(
        3, MISSING,
        figures={"goals": len(data.goals), "goals_without_indicator": len(without_indicator),
                 "committed_parties": len(parties)},
    )
    if not data.goals:
        result.reasons.append(_("No goals have been set."))
        return result
    if without_indicator:
        result.reasons.append(
            _("Goals without indicator, target or target year: %(goals)s") % {"goals": ", ".join(without_indicator)}
        )
    if len(parties) < THRESHOLDS["committed_parties_met"]:
        result.reasons.append(
            _("Commitments from %(n)s parties; at least %(min)s expected.")
            % {"n": len(parties), "min": THRESHOLDS["committed_parties_met"]}
        )
    if not _filled(data.impact):
        result.reasons.append(_("The expected economic and societal impact is not described."))
    if not _filled(data.governance):
        result.reasons.append(_("No governance section."))
    if not _filled(data.monitoring):
        result.reasons.append(_("No monitoring section."))
    result.status = PARTLY if result.reasons else MET
    return result


def check_activities(data: AgendaData, *, today: dt.date) -> CriterionResult:
    generic = sum(1 for a in data.actions if a.scope == "generic")
    specific = sum(1 for a in data.actions if a.scope == "cluster_specific")
    result = CriterionResult(4, MISSING, figures={"generic_actions": generic, "cluster_specific_actions": specific})
    if not generic:
        result.reasons.append(_("No generic actions that strengthen the whole ecosystem."))
    if not specific:
        result.reasons.append(_("No cluster-specific actions."))
    if generic and specific:
        result.status = MET
    elif generic or specific:
        result.status = PARTLY
    return result


def check_labour_market(data: AgendaData, *, today: dt.date) -> CriterionResult:
    levels = {
        "mbo": any(h.with_mbo for h in data.human_capital),
        "hogeschool": any(h.with_hogeschool for h in data.human_capital),
        "university": any(h.with_university for h in data.human_capital),
    }
    with_partner = sum(1 for h in data.human_capital if h.has_education_partner)
    result = CriterionResult(
        5, MISSING,
        figures={"human_capital_actions": len(data.human_capital), "with_education_partner": with_partner,
                 "education_levels": sum(levels.values())},
    )
    if not data.human_capital:
        result.reasons.append(_("No human-capital actions."))
        return result
    if not with_partner:
        result.reasons.append(_("No human-capital action has an education partner."))
    level_reasons = {
        "mbo": _("No vocational college (mbo) involved."),
        "hogeschool": _("No university of applied sciences (hbo) involved."),
        "university": _("No university (wo) involved."),
    }
    result.reasons.extend(str(level_reasons[k]) for k, v in levels.items() if not v)
    result.status = PARTLY if result.reasons else MET
    return result


def check_investment(data: AgendaData, *, today: dt.date) -> CriterionResult:
    public = sum((f.amount for f in data.funding if not f.is_private), Decimal(0))
    private = sum((f.amount for f in data.funding if f.is_private), Decimal(0))
    total = public + private
    revolving = sum((f.amount * f.revolving_share / 100 for f in data.funding), Decimal(0))
    leverage = (private / public).quantize(Decimal("0.01")) if public else None
    revolving_share = (revolving / total).quantize(Decimal("0.001")) if total else None
    result = CriterionResult(
        6, MISSING,
        figures={"public": public, "private": private, "leverage": leverage, "revolving_share": revolving_share},
    )
    if not data.funding:
        result.reasons.append(_("No funding lines."))
        return result
    if not public:
        result.reasons.append(_("No public funding to lever private money."))
    if not private:
        result.reasons.append(_("No private funding."))
    elif leverage is not None and leverage < THRESHOLDS["leverage_met"]:
        result.reasons.append(
            _("Leverage %(leverage)s is below %(min)s (private euros per public euro).")
            % {"leverage": leverage, "min": THRESHOLDS["leverage_met"]}
        )
    if not revolving_share or revolving_share < THRESHOLDS["revolving_share_met"]:
        result.reasons.append(
            _("Revolving share below %(min)s%%.") % {"min": int(THRESHOLDS["revolving_share_met"] * 100)}
        )
    result.status = PARTLY if result.reasons else MET
    return result


def check_agreements(data: AgendaData, *, today: dt.date) -> CriterionResult:
    incomplete = [a.description for a in data.agreements if not a.is_complete]
    topics = sorted({a.topic for a in data.agreements})
    result = CriterionResult(
        7, MISSING,
        figures={"agreements": len(data.agreements), "incomplete_agreements": len(incomplete), "topics": len(topics)},
    )
    if not data.agreements:
        result.reasons.append(_("No agreements between national government and region."))
        return result
    if incomplete:
        result.reasons.append(
            _("Agreements without an owner and a role on both sides: %(list)s") % {"list": ", ".join(incomplete)}
        )
        result.status = PARTLY
    else:
        result.status = MET
    return result


CHECKS: dict[int, Callable[..., CriterionResult]] = {
    1: check_vision,
    2: check_horizon,
    3: check_results,
    4: check_activities,
    5: check_labour_market,
    6: check_investment,
    7: check_agreements,
}


def run_checks(data: AgendaData, *, today: dt.date) -> dict[int, CriterionResult]:
    return {number: check(data, today=today) for number, check in CHECKS.items()}
