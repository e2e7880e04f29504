"""Every outcome of every criterion check, on plain data (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from agendas import checks
from agendas.checks import (
    MET,
    MISSING,
    PARTLY,
    ActionData,
    AgendaData,
    AgreementData,
    CommitmentData,
    EndorsementData,
    FundingData,
    GoalData,
    HumanCapitalData,
)

TODAY = dt.date(2026, 6, 1)
ALL_ROLES = tuple(EndorsementData(f"Org {r}", r) for r in checks.HELIX_ROLES)
GOOD = AgendaData(
    vision="Visie", dna_analysis="DNA", horizon_start=2025, horizon_end=2045, last_revision=dt.date(2026, 1, 1),
    review_dates=(dt.date(2027, 1, 1),), impact="Impact", governance="Stuurgroep", monitoring="Monitor",
    endorsements=ALL_ROLES,
    goals=(GoalData("Banen", "aantal banen", Decimal(1), Decimal(2), 2035),),
    commitments=tuple(CommitmentData(p, "money", Decimal(10)) for p in ("A", "B", "C")),
    actions=(ActionData("Talent", "generic"), ActionData("Lab", "cluster_specific")),
    human_capital=(HumanCapitalData("Leergemeenschap", True, True, True),),
    funding=(FundingData(Decimal(100), False), FundingData(Decimal(200), True, "revolving", 50)),
    agreements=(AgreementData("Experimenteerruimte", "regulation", "EZK", "Provincie", "regels", "pilot"),),
)


@pytest.fixture(autouse=True)
def _english():
    # Reasons are asserted in the source language; one test switches to Dutch on purpose.
    with translation.override("en"):
        yield


def run(n: int, **changes: object) -> checks.CriterionResult:
    return checks.CHECKS[n](dataclasses.replace(GOOD, **changes), today=TODAY)


def test_complete_agenda_meets_all_seven():
    results = checks.run_checks(GOOD, today=TODAY)
    assert {n: r.status for n, r in results.items()} == dict.fromkeys(range(1, 8), MET)
    assert all(r.reasons == [] for r in results.values())


class TestVision:
    def test_missing_without_vision(self):
        r = run(1, vision="  ")
        assert r.status == MISSING
        assert "No shared vision has been written." in r.reasons

    def test_missing_without_endorsements(self):
        r = run(1, endorsements=())
        assert r.status == MISSING
        assert r.figures["helix_roles_endorsing"] == 0

    def test_partly_when_a_helix_role_does_not_endorse(self):
        r = run(1, endorsements=ALL_ROLES[:2] + ALL_ROLES[3:])
        assert r.status == PARTLY
        assert r.figures["helix_roles_endorsing"] == 3
        assert r.reasons == ["No endorsement by a knowledge institution"]

    def test_partly_without_dna_analysis(self):
        assert run(1, dna_analysis="").status == PARTLY

    def test_reason_in_dutch(self):
        with translation.override("nl"):
            r = run(1, endorsements=ALL_ROLES[:2])
        assert "Geen onderschrijving door een kennisinstelling" in r.reasons


class TestHorizon:
    def test_met_at_fifteen_years(self):
        r = run(2, horizon_start=2025, horizon_end=2040)
        assert (r.status, r.figures["horizon_years"]) == (MET, 15)

    def test_partly_between_ten_and_fifteen(self):
        r = run(2, horizon_start=2025, horizon_end=2035)
        assert (r.status, r.figures["horizon_years"]) == (PARTLY, 10)

    def test_missing_below_ten(self):
        assert run(2, horizon_start=2025, horizon_end=2034).status == MISSING

    def test_missing_without_years(self):
        assert run(2, horizon_end=None).status == MISSING

    def test_partly_when_revision_is_old(self):
        r = run(2, last_revision=dt.date(2022, 1, 1))
        assert r.status == PARTLY
        assert r.figures["years_since_revision"] == 4.4

    def test_partly_without_revision_date(self):
        assert run(2, last_revision=None).status == PARTLY

    def test_partly_without_future_review(self):
        r = run(2, review_dates=(dt.date(2025, 1, 1),))
        assert (r.status, r.figures["future_review_moments"]) == (PARTLY, 0)


class TestResults:
    def test_missing_without_goals(self):
        assert run(3, goals=()).status == MISSING

    def test_partly_with_goal_without_indicator(self):
        r = run(3, goals=(*GOOD.goals, GoalData("Vaag doel")))
        assert r.status == PARTLY
        assert r.figures["goals_without_indicator"] == 1
        assert "Vaag doel" in r.reasons[0]

    def test_goal_without_target_year_counts_as_without_indicator(self):
        assert run(3, goals=(GoalData("Doel", "banen", None, Decimal(5), None),)).figures["goals_without_indicator"] == 1

    def test_partly_with_too_few_committed_parties(self):
        r = run(3, commitments=GOOD.commitments[:2])
        assert (r.status, r.figures["committed_parties"]) == (PARTLY, 2)

    def test_zero_amounts_do_not_count_as_commitment(self):
        r = run(3, commitments=(*GOOD.commitments[:2], CommitmentData("D", "fte", Decimal(0))))
        assert r.figures["committed_parties"] == 2

    @pytest.mark.parametrize("field", ["governance", "monitoring", "impact"])
    def test_partly_without_section(self, field):
        assert run(3, **{field: ""}).status == PARTLY


class TestActivities:
    def test_partly_with_only_generic(self):
        r = run(4, actions=GOOD.actions[:1])
        assert (r.status, r.figures["cluster_specific_actions"]) == (PARTLY, 0)

    def test_partly_with_only_specific(self):
        assert run(4, actions=GOOD.actions[1:]).status == PARTLY

    def test_missing_without_actions(self):
        assert run(4, actions=()).status == MISSING


class TestLabourMarket:
    def test_missing_without_actions(self):
        assert run(5, human_capital=()).status == MISSING

    def test_partly_without_education_partner(self):
        r = run(5, human_capital=(HumanCapitalData("Banenmarkt"),))
        assert (r.status, r.figures["with_education_partner"]) == (PARTLY, 0)

    def test_partly_when_a_level_is_missing(self):
        r = run(5, human_capital=(HumanCapitalData("Fieldlab", with_mbo=True, with_hogeschool=True),))
        assert r.status == PARTLY
        assert r.reasons == ["No university (wo) involved."]
        assert r.figures["education_levels"] == 2

    def test_levels_may_come_from_different_actions(self):
        r = run(5, human_capital=(HumanCapitalData("A", with_mbo=True), HumanCapitalData("B", False, True, True)))
        assert r.status == MET


class TestInvestment:
    def test_figures(self):
        r = run(6)
        assert r.figures["leverage"] == Decimal("2.00")
        assert r.figures["revolving_share"] == Decimal("0.333")
        assert (r.figures["public"], r.figures["private"]) == (Decimal(100), Decimal(200))

    def test_missing_without_funding(self):
        assert run(6, funding=()).status == MISSING

    def test_partly_without_private_money(self):
        r = run(6, funding=(FundingData(Decimal(100), False, "loan", 50),))
        assert r.status == PARTLY
        assert r.figures["leverage"] == Decimal("0.00")
        assert r.reasons == ["No private funding."]

    def test_partly_without_public_money(self):
        r = run(6, funding=(FundingData(Decimal(100), True, "revolving", 50),))
        assert r.status == PARTLY
        assert r.figures["leverage"] is None

    def test_partly_with_low_leverage(self):
        r = run(6, funding=(FundingData(Decimal(100), False, "loan", 50), FundingData(Decimal(50), True)))
        assert r.status == PARTLY
        assert r.figures["leverage"] == Decimal("0.50")

    def test_partly_without_revolving_money(self):
        r = run(6, funding=(FundingData(Decimal(100), False), FundingData(Decimal(200), True)))
        assert r.status == PARTLY
        assert r.figures["revolving_share"] == Decimal("0.000")


class TestAgreements:
    def test_missing_without_agreements(self):
        assert run(7, agreements=()).status == MISSING

    def test_partly_without_owner_on_one_side(self):
        r = run(7, agreements=(*GOOD.agreements, AgreementData("Onderwijs", "education", ministry="OCW")))
        assert (r.status, r.figures["incomplete_agreements"]) == (PARTLY, 1)
        assert "Onderwijs" in r.reasons[0]


def test_thresholds_come_from_the_config(monkeypatch):
    monkeypatch.setitem(checks.THRESHOLDS, "horizon_years_met", 25)
    assert run(2).status == PARTLY


@given(st.lists(st.tuples(st.integers(0, 10**9), st.booleans(), st.integers(0, 100)), max_size=12))
def test_investment_figures_are_consistent(lines):
    funding = tuple(FundingData(Decimal(a), p, "subsidy", r) for a, p, r in lines)
    r = run(6, funding=funding)
    public = sum(a for a, p, _r in lines if not p)
    private = sum(a for a, p, _r in lines if p)
    assert (r.figures["public"], r.figures["private"]) == (public, private)
    if r.figures["revolving_share"] is not None:
        assert Decimal(0) <= r.figures["revolving_share"] <= Decimal(1)
    assert (r.figures["leverage"] is None) == (public == 0)
    assert r.status in {MET, PARTLY, MISSING}
    assert (r.status == MISSING) == (not lines)
