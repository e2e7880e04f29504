"""End-to-end: real headless Chromium against live_server, per role; screenshots and axe-core checks.

Screenshots go to artifacts/screenshots/ and axe results to artifacts/axe/ (both git-ignored).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from initiatives.tests.factories import InitiativeFactory
from portal.models import Organisation, Region, Theme, User
from portal.tests.factories import (
    EcosystemFactory,
    EcosystemPartnerFactory,
    OrganisationFactory,
    UserFactory,
    WeakSpotFactory,
)
from tests.browser.conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db: None, reference_data: None) -> dict[str, Any]:
    brabant = Region.objects.get(code="CR36")
    holland = Region.objects.get(code="CR29") if Region.objects.filter(code="CR29").exists() else Region.objects.get(code="PV28")
    brainport = EcosystemFactory(name="Brainport Eindhoven", slug="brainport", regions=[brabant],
                                 profile="Hightech maakindustrie en fotonica.", strengths="Samenwerking in de keten.")
    zuid_holland = EcosystemFactory(name="Zuid-Holland", slug="zuid-holland", regions=[holland])
    for trait in ({}, {"knowledge": True}, {"civil": True}, {"board": True}):
        org = OrganisationFactory(**trait)
        EcosystemPartnerFactory(ecosystem=brainport, organisation=org, helix_role=org.helix_role)
    WeakSpotFactory(ecosystem=brainport, category="talent", severity=3, description="Tekort aan technici")
    hydrogen, photonics = Theme.objects.get(code="hydrogen"), Theme.objects.get(code="photonics")
    lead = Organisation.objects.get(slug="oost-nl")
    target = InitiativeFactory(ecosystem=brainport, title="Waterstofhub Eindhoven", theme=hydrogen,
                               lead_organisation=lead, regions=[brabant], budget=500000)
    for n in range(6):
        InitiativeFactory(ecosystem=brainport, title=f"Fotonicalab {n}", theme=photonics, regions=[brabant])
    InitiativeFactory(ecosystem=zuid_holland, title="Waterstofhaven Rotterdam", theme=hydrogen, regions=[holland])
    InitiativeFactory(ecosystem=brainport, title="Geheim concept", draft=True, regions=[brabant])
    return {
        "target": target,
        "staff": UserFactory(username="pim", role=User.Role.STAFF, first_name="Pim"),
        "board": UserFactory(username="bart", role=User.Role.BOARD, organisation=brainport.lead_organisation),
        "other_board": UserFactory(username="zoe", role=User.Role.BOARD, organisation=zuid_holland.lead_organisation),
    }


def assert_accessible(page: Any, name: str) -> None:
    violations = axe_violations(page, name)
    assert violations == [], f"{name}: {violations}"


def test_staff_filters_the_overview_and_opens_a_region_on_the_map(page, world):
    login(page, "pim")
    page.goto(reverse("dashboard"))
    page.wait_for_selector("#national-map[data-ready=true]")
    page.wait_for_selector("canvas[data-portal-chart]")
    screenshot(page, "dashboard")
    assert_accessible(page, "dashboard")
    # Click Noord-Brabant on the map: the panel lists its ecosystem and initiatives.
    page.locator('path[data-code="PV30"]').click(force=True)
    panel = page.locator("#region-panel")
    panel.get_by_text("Brainport Eindhoven").wait_for()
    assert "Waterstofhub Eindhoven" in panel.inner_text()
    screenshot(page, "dashboard-region")
    # The same with the keyboard: focus a region and press Enter.
    page.locator('path[data-code="PV28"]').focus()
    page.keyboard.press("Enter")
    panel.get_by_text("Zuid-Holland").first.wait_for()

    page.goto(reverse("initiatives:list"))
    page.select_option("#id_theme", "hydrogen")
    page.click("form.portal-filters button[type=submit]")
    page.wait_for_url(re.compile(r"theme=hydrogen"))
    rows = page.locator("#initiative-table tbody tr")
    assert rows.count() == 2
    assert "Fotonicalab" not in page.locator("#initiative-table").inner_text()
    screenshot(page, "overview-filtered")
    assert_accessible(page, "overview")
    page.get_by_role("link", name="Waterstofhub Eindhoven").click()
    page.get_by_role("heading", name="Waterstofhub Eindhoven").wait_for()
    screenshot(page, "initiative-detail")
    assert_accessible(page, "initiative-detail")
    assert page.js_errors == []


def test_board_edits_an_initiative_with_a_bad_field_then_fixes_it(page, world):
    target = world["target"]
    login(page, "bart")
    page.goto(reverse("initiatives:detail", args=[target.pk]))
    page.get_by_role("link", name=re.compile("bewerken|Edit", re.I)).first.click()
    page.fill("#id_budget", "-5")
    page.fill("#id_end_date", "2020-01-01")
    page.fill("#id_start_date", "2024-01-01")
    page.click("form.portal-form button[type=submit]")
    alert = page.locator("#form-errors")
    alert.wait_for()
    assert page.locator("#id_budget").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_budget_error").is_visible()
    screenshot(page, "initiative-form-errors")
    assert_accessible(page, "initiative-form-errors")
    # The error summary links to the field.
    page.locator("#form-errors a[href='#id_budget']").click()
    page.fill("#id_budget", "750000")
    page.fill("#id_end_date", "2028-12-31")
    page.click("form.portal-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-errors").count() == 0, page.locator("#form-errors").inner_text()
    # The browser keeps the "#id_budget" fragment across the redirect.
    page.wait_for_url(re.compile(rf"/initiatieven/{target.pk}/(#.*)?$"))
    assert page.locator(".portal-messages").is_visible()
    history = page.locator("#history-title + ol").inner_text()
    assert "750000" in history
    target.refresh_from_db()
    assert target.budget == 750000
    # The board's workspace and its profile form.
    page.goto("/")
    screenshot(page, "board-home")
    assert_accessible(page, "board-home")
    page.goto(reverse("ecosystem-edit", args=["brainport"]))
    assert_accessible(page, "ecosystem-edit")
    assert page.js_errors == []


def test_another_board_cannot_edit(page, world):
    target = world["target"]
    login(page, "zoe")
    page.goto(reverse("initiatives:detail", args=[target.pk]))
    assert page.locator(f"a[href='{reverse('initiatives:edit', args=[target.pk])}']").count() == 0
    response = page.goto(reverse("initiatives:edit", args=[target.pk]))
    assert response.status == 403
    response = page.request.post(reverse("initiatives:edit", args=[target.pk]), form={"title": "Gekaapt"})
    assert response.status == 403
    assert Initiative.objects.get(pk=target.pk).title == "Waterstofhub Eindhoven"


def test_public_pages_without_login(page, world):
    page.goto("/")
    page.wait_for_selector("#public-map[data-ready=true]")
    screenshot(page, "public-home")
    assert_accessible(page, "public-home")
    assert "Geheim concept" not in page.content()
    page.goto(reverse("initiatives:list"))
    assert "Geheim concept" not in page.content()
    assert page.locator("#initiative-table tbody tr").count() == 8
    screenshot(page, "public-overview")
    assert_accessible(page, "public-overview")
    page.goto(reverse("ecosystem-detail", args=["brainport"]))
    page.wait_for_selector("#ecosystem-map[data-ready=true]")
    assert "Geheim concept" not in page.content()
    assert page.get_by_text(re.compile("Alle vier helixrollen|All four helix roles")).is_visible()
    screenshot(page, "ecosystem")
    assert_accessible(page, "ecosystem")
    page.goto(reverse("initiatives:detail", args=[world["target"].pk]))
    assert page.locator("#history-title").count() == 0
    assert_accessible(page, "public-initiative-detail")
    page.goto(reverse("login"))
    assert_accessible(page, "login")
    assert page.js_errors == []


def test_keyboard_skip_link_and_visible_focus(page, world):
    page.goto(reverse("initiatives:list"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Walk through the filter form with Tab only and submit it with Enter.
    page.focus("#id_q")
    page.keyboard.type("Rotterdam")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=Rotterdam"))
    assert page.locator("#initiative-table tbody tr").count() == 1
