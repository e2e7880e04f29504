"""End to end in headless Chromium: write -> submit -> assess -> feedback -> resubmit -> adopt."""

from __future__ import annotations

import re

import pytest

from agendas.models import Agenda, Status
from agendas.tests.factories import fill_complete
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for

PASSWORD = "geheim-wachtwoord-123"


@pytest.fixture
def browser(chromium):
    """The shared Chromium (conftest.py)."""
    return chromium


def login(browser, live_server, username: str):
    page = browser.new_page(locale="nl-NL")  # the portal's default language
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(f"{live_server.url}/")
    return page


def transition(page, label: str):
    page.click(f"button:has-text('{label}')")
    page.wait_for_selector(".rvo-alert--success")


def score_all(page, score: str, prefix: str):
    for n in range(1, 8):
        page.select_option(f"#id_score_{n}", score)
        page.fill(f"#id_feedback_{n}", f"{prefix} {n}")
    page.click("button:has-text('De scores opslaan')")
    page.wait_for_selector(".rvo-alert--success")


@pytest.mark.browser
def test_agenda_cycle_in_the_browser(live_server, browser, transactional_db):
    eco = EcosystemFactory(name="Brainport", slug="brainport")
    board = board_user_for(eco, username="bestuur")
    UserFactory(staff=True, username="team")
    base = f"{live_server.url}/agendas/brainport"

    # Board: start the agenda and write the vision.
    page = login(browser, live_server, "bestuur")
    page.goto(f"{live_server.url}/agendas/")
    page.click("button:has-text('De agenda starten')")
    page.wait_for_url(f"{base}/bewerken/1/")
    page.fill("#id_vision", "Brainport: hightech voor brede welvaart.")
    page.fill("#id_dna_analysis", "Maakindustrie, fotonica en chips.")
    page.click("button:has-text('Opslaan')")
    page.wait_for_selector(".rvo-alert--success")

    # Add an endorsement inline (htmx swaps the section; no page load).
    page.fill("#id_endorsement-organisation", "TU/e")
    page.select_option("#id_endorsement-helix_role", "knowledge")
    page.click("#part-endorsement button:has-text('Toevoegen')")
    page.wait_for_selector("#part-endorsement td:has-text('TU/e')")

    # The rest of the structured parts come from the factory, so the checklist is green.
    agenda = Agenda.objects.get(ecosystem=eco)
    fill_complete(agenda.versions.get(frozen=False))
    page.goto(f"{base}/controle/")
    assert page.locator(".agenda-status--met").count() == 7
    page.click("button:has-text('Deze versie indienen')")
    page.wait_for_selector("[data-testid=agenda-status]:has-text('ingediend')")

    # Staff: start the review, score, send feedback.
    staff_page = login(browser, live_server, "team")
    staff_page.goto(f"{base}/versies/1/beoordelen/")
    transition(staff_page, "De beoordeling starten")
    score_all(staff_page, "1", "Aanscherpen")
    staff_page.fill("#note-feedback", "Maak de doelen concreter.")
    transition(staff_page, "Feedback naar het bestuur sturen")

    # Board: read the feedback, revise, resubmit.
    page.goto(f"{base}/versies/1/")
    assert "Aanscherpen 3" in page.content()
    assert "Maak de doelen concreter." in page.locator("[data-testid=verdict]").inner_text()
    page.goto(f"{base}/")
    transition(page, "Een herziening starten")
    page.goto(f"{base}/bewerken/1/")
    page.fill("#id_vision", "Brainport: hightech voor brede welvaart, met meetbare doelen.")
    page.click("button:has-text('Opslaan')")
    page.wait_for_selector(".rvo-alert--success")
    page.goto(f"{base}/controle/")
    page.click("button:has-text('Deze versie indienen')")
    page.wait_for_selector("[data-testid=agenda-status]:has-text('ingediend')")

    # Staff: the review screen shows the diff with version 1; score and adopt.
    staff_page.goto(f"{base}/versies/2/beoordelen/")
    transition(staff_page, "De beoordeling starten")
    assert "met meetbare doelen" in staff_page.locator(".agenda-diff .add").first.inner_text()
    score_all(staff_page, "3", "Goed")
    staff_page.fill("#note-adopted", "Vastgesteld in het rijk-regio-overleg.")
    transition(staff_page, "De agenda vaststellen")

    agenda.refresh_from_db()
    assert agenda.status == Status.ADOPTED
    assert list(agenda.versions.order_by("number").values_list("number", "status")) == [
        (1, Status.FEEDBACK), (2, Status.ADOPTED), (3, Status.DRAFT)
    ]
    page.goto(f"{base}/")
    assert re.search("vastgesteld", page.locator("[data-testid=agenda-status]").inner_text())
    assert board.is_active
