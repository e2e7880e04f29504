"""End to end in headless Chromium: two assessors assess, staff runs scoring, ranks, what-if, decides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from initiatives.tests.factories import InitiativeFactory
from portal.tests.factories import EcosystemFactory, UserFactory
from portal.tests.support import browser_login
from selection import services
from selection.models import Decision, InitiativeRoundResult, ScoringRun
from selection.tests.factories import SelectionRoundFactory


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:
    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _assess(page, base: str, round_pk: int, initiative_pk: int, values: list[int]) -> None:
    page.goto(f"{base}/selectie/rondes/{round_pk}/werklijst/")
    page.click(f"a[href='/selectie/rondes/{round_pk}/initiatieven/{initiative_pk}/beoordelen/']")
    selects = page.locator("fieldset.portal-criterion select")
    assert selects.count() == len(values)
    # The suggestion and its reason are shown next to the question.
    assert page.locator("[data-testid=suggestion-nationale-prioriteiten]").inner_text()
    for index, value in enumerate(values):
        selects.nth(index).select_option(str(value))
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/selectie/rondes/{round_pk}/werklijst/")


@pytest.mark.browser
def test_assess_score_rank_what_if_decide(live_server, browser_page):
    page, base = browser_page, live_server.url
    staff = UserFactory(staff=True, username="pim")
    a1 = UserFactory(assessor=True, username="bea")
    a2 = UserFactory(assessor=True, username="bob")
    eco = EcosystemFactory()
    strong_first = InitiativeFactory(ecosystem=eco, title="Waterstofvallei")
    broad = InitiativeFactory(ecosystem=eco, title="Eiwitroute")
    round_ = SelectionRoundFactory(shortlist_size=1)
    services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[a1, a2])

    # "Waterstofvallei" excels on question 1 only; "Eiwitroute" is good on all the others.
    for user in (a1, a2):
        browser_login(page, base, user.username)
        _assess(page, base, round_.pk, strong_first.pk, [5] + [2] * 8)
        _assess(page, base, round_.pk, broad.pk, [1] + [4] * 8)

    browser_login(page, base, staff.username)
    page.goto(f"{base}/selectie/rondes/{round_.pk}/")
    page.click(f"form[action='/selectie/rondes/{round_.pk}/scoren/'] button")
    page.wait_for_selector("[data-testid=run-status]")
    run = ScoringRun.objects.get(round=round_)
    assert run.status == ScoringRun.Status.DONE
    assert InitiativeRoundResult.objects.filter(round=round_).count() == 2

    page.goto(f"{base}/selectie/rondes/{round_.pk}/ranglijst/")
    first_row = page.locator("[data-testid=ranking-table] tbody tr").first
    assert "Eiwitroute" in first_row.inner_text()

    # What-if: only question 1 counts; htmx re-ranks server-side and the shortlist changes.
    for field in page.locator("input.portal-weight").all():
        field.fill("0")
    page.locator("input[name=w_toekomstbeeld]").fill("1")
    page.locator("#ranking-form button[type=submit]").click()
    page.wait_for_selector("[data-testid=what-if]")
    assert "Waterstofvallei" in page.locator("[data-testid=ranking-table] tbody tr").first.inner_text()
    assert "Eiwitroute" in page.locator("[data-testid=what-if]").inner_text()

    page.click(f"a[href='/selectie/rondes/{round_.pk}/initiatieven/{strong_first.pk}/besluit/']")
    page.check("input[name=outcome][value=select_for_national_push]")
    page.fill("textarea[name=rationale]", "Uniek op het toekomstbeeld; nationaal opschalen.")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/selectie/rondes/{round_.pk}/ranglijst/")
    decision = Decision.objects.get(round=round_)
    assert decision.initiative == strong_first and decision.outcome == "select_for_national_push"
