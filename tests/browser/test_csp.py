"""Real headless Chromium under the Content-Security-Policy: the pages work and nothing is refused.

Chromium reports each CSP violation as a console error starting "Refused to ..." and fires a
`securitypolicyviolation` event; both are collected per page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from agendas.tests.factories import draft_agenda
from initiatives.models import InitiativeLink
from initiatives.tests.factories import InitiativeFactory
from portal.models import Region, User
from portal.tests.factories import (
    EcosystemFactory,
    EcosystemPartnerFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def csp_page(page: Any) -> Any:
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text[:300]}") if (
        "Refused to" in msg.text or "Content Security Policy" in msg.text) else None)
    page.add_init_script(LISTEN)
    page.csp_refused = refused  # type: ignore[attr-defined]
    return page


def violations(page: Any) -> list[str]:
    return list(page.csp_refused) + page.evaluate("window.__cspViolations || []")


@pytest.fixture
def world(transactional_db: None, reference_data: None) -> dict[str, Any]:
    brabant = Region.objects.get(code="CR36")
    eco = EcosystemFactory(name="Brainport", slug="brainport", regions=[brabant])
    for trait in ({}, {"knowledge": True}):
        org = OrganisationFactory(**trait)
        EcosystemPartnerFactory(ecosystem=eco, organisation=org, helix_role=org.helix_role)
    a = InitiativeFactory(ecosystem=eco, title="Waterstofhub", regions=[brabant])
    b = InitiativeFactory(ecosystem=eco, title="Fotonicalab", regions=[brabant])
    InitiativeLink.objects.create(from_initiative=a, to_initiative=b, kind="complements")
    draft_agenda(ecosystem=eco)
    return {
        "eco": eco, "initiative": a,
        "staff": UserFactory(username="pim", role=User.Role.STAFF),
        "board": UserFactory(username="bart", role=User.Role.BOARD, organisation=eco.lead_organisation),
    }


def test_the_listener_does_see_a_violation(csp_page: Any, world: dict[str, Any]) -> None:
    """Sanity check of the detector: an inline style injected as markup is refused and reported."""
    csp_page.goto(reverse("home"))
    csp_page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">x</p>')")
    csp_page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in v for v in violations(csp_page))


def test_key_pages_run_without_csp_violations(csp_page: Any, world: dict[str, Any]) -> None:
    page = csp_page
    # Home: the Leaflet map draws its regions.
    page.goto(reverse("home"))
    page.wait_for_selector("[data-portal-map][data-ready=true]")
    assert page.locator(".leaflet-interactive").count() > 0
    # Ecosystem page: the Chart.js doughnut draws on its canvas.
    page.goto(reverse("ecosystem-detail", args=[world["eco"].slug]))
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    page.goto(reverse("initiatives:list"))
    page.goto(reverse("initiatives:detail", args=[world["initiative"].pk]))

    login(page, "pim")
    page.goto(reverse("dashboard"))
    page.wait_for_selector("[data-portal-map][data-ready=true]")
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    # htmx under the CSP: the region panel loads into the page.
    page.click("[data-portal-map] .leaflet-interactive[data-code] >> nth=0", force=True)
    page.wait_for_selector("#region-panel h2, #region-panel h3")
    # The network view (cytoscape) draws its nodes.
    page.goto(reverse("initiatives:overlap-network"))
    page.wait_for_selector("#overlap-network[data-nodes]")
    assert int(page.get_attribute("#overlap-network", "data-nodes")) == 2
    swatch = page.locator(".overlap-network__swatch").first
    assert swatch.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.goto(reverse("selection:rounds"))
    page.goto(reverse("two-factor"))
    page.wait_for_selector(".portal-qr svg")
    assert not violations(page), violations(page)

    # Board: the agenda editor adds a row through htmx (X-CSRFToken from hx-headers).
    login(page, "bart")
    page.goto(reverse("agendas:edit", args=[world["eco"].slug, 1]))
    page.fill("#id_endorsement-organisation", "TU/e")
    page.select_option("#id_endorsement-helix_role", "knowledge")
    page.click("#part-endorsement button:has-text('Toevoegen')")
    page.wait_for_selector("#part-endorsement td:has-text('TU/e')")
    assert not violations(page), violations(page)
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_swagger_ui_renders_under_the_csp(csp_page: Any, world: dict[str, Any]) -> None:
    page = csp_page
    page.goto(reverse("api-docs"))
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    page.locator(".swagger-ui .opblock").first.click()  # expand one operation
    page.wait_for_selector(".swagger-ui .opblock-body")
    assert not violations(page), violations(page)
