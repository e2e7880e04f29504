"""End to end in headless Chromium: from a detected suggestion to a merge, and the network graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from initiatives import overlap_services as svc
from initiatives.models import Initiative, InitiativeLink, OverlapSuggestion
from initiatives.tests.test_overlap_services import _make, _pair
from portal.tests.factories import EcosystemFactory, UserFactory
from portal.tests.support import browser_login


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:
    """A page in the shared Chromium (conftest.py)."""
    context = chromium.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.browser
def test_from_suggestion_to_merge(live_server, browser_page):
    page, base = browser_page, live_server.url
    staff = UserFactory(staff=True, username="stella")
    # The same hydrogen plant described in Dutch (eval 1) and in English (eval 2), in two regions.
    dutch, english = _make(1, EcosystemFactory()), _make(2, EcosystemFactory())
    svc.overlap_check_initiative(initiative_id=dutch.pk)
    suggestion = _pair(dutch, english)
    assert suggestion.status == OverlapSuggestion.Status.PENDING

    browser_login(page, base, staff.username)
    page.click("nav.portal-nav a[href='/overlap/']")
    page.wait_for_url(f"{base}/overlap/")
    row = page.locator(f"#suggestion-{suggestion.pk}")
    assert dutch.title in row.inner_text() and english.title in row.inner_text()
    row.locator(f"a[href='/overlap/{suggestion.pk}/vergelijken/']").click()
    page.wait_for_url(f"{base}/overlap/{suggestion.pk}/vergelijken/")

    # Both texts side by side, the shared concepts marked in both languages.
    side_a = page.locator("[data-testid=description-A]")
    side_b = page.locator("[data-testid=description-B]")
    assert side_a.locator("mark.overlap-mark--concept").count() > 0
    assert side_b.locator("mark.overlap-mark--concept").count() > 0
    marked = {m.lower() for m in page.locator("mark.overlap-mark--concept").all_inner_texts()}
    assert {"waterstof", "hydrogen"} & marked

    # Merge: the English description continues (B if it has the larger id).
    survivor, merged = english, dutch
    letter = "a" if suggestion.a_id == survivor.pk else "b"
    page.select_option(f"#survivor-{suggestion.pk}", letter)
    page.click("form:has(input[name=action][value=merge]) button[type=submit]")
    page.wait_for_url(f"{base}/overlap/{suggestion.pk}/vergelijken/")
    assert page.locator(".rvo-alert--success").count() == 1
    merged_letter = "B" if letter == "a" else "A"
    pointer = page.locator(f"[data-testid=merged-into-{merged_letter}]")
    assert pointer.inner_text() == survivor.title
    pointer.click()
    page.wait_for_url(f"{base}/initiatieven/{survivor.pk}/")

    merged.refresh_from_db()
    suggestion.refresh_from_db()
    assert merged.status == Initiative.Status.MERGED and merged.merged_into_id == survivor.pk
    assert suggestion.status == OverlapSuggestion.Status.MERGED
    # The merged initiative's own page points to the survivor too; nothing was deleted.
    page.goto(f"{base}/initiatieven/{merged.pk}/")
    assert page.locator(f"main a[href='/initiatieven/{survivor.pk}/']").count() >= 1
    assert Initiative.objects.filter(pk=merged.pk).exists()

    # The merged pair left the queue.
    page.goto(f"{base}/overlap/")
    assert page.locator(f"#suggestion-{suggestion.pk}").count() == 0


@pytest.mark.browser
def test_network_graph_draws_the_links(live_server, browser_page):
    page, base = browser_page, live_server.url
    staff = UserFactory(staff=True, username="nora")
    one, two, three = _make(1), _make(2), _make(42)
    InitiativeLink.objects.create(from_initiative=one, to_initiative=two, kind="overlaps")
    InitiativeLink.objects.create(from_initiative=two, to_initiative=three, kind="complements")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Failed requests are caught by URL below (the browser also asks for /favicon.ico, which is not ours).
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    browser_login(page, base, staff.username)
    page.goto(f"{base}/overlap/netwerk/")
    graph = page.locator("#overlap-network")
    page.wait_for_function("() => document.getElementById('overlap-network').dataset.nodes !== undefined")
    assert graph.get_attribute("data-nodes") == "3" and graph.get_attribute("data-edges") == "2"
    assert graph.locator("canvas").count() > 0
    assert page.locator("[data-testid=clusters] tbody tr").count() == 1
    assert errors == []
