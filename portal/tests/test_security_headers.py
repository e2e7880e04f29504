"""Security headers and the Content-Security-Policy on the main pages, as the roles that use them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from agendas.tests.factories import draft_agenda
from initiatives.tests.factories import InitiativeFactory
from portal.models import Region
from portal.tests.factories import EcosystemFactory, UserFactory, board_user_for
from selection import services as selection_services
from selection.tests.factories import SelectionRoundFactory

pytestmark = pytest.mark.django_db

# Attributes that run script in the page (onclick=, onload=, ...); htmx's hx-on too.
EVENT_HANDLER = re.compile(r"^(on[a-z]+|hx-on.*)$")


class InlineCodeFinder(HTMLParser):
    """Collects inline <script>/<style>, style="" attributes and inline event handlers.

    A <script src> is fine, and so is a data block (<script type="application/json">, e.g.
    json_script), which the browser never executes; an inline <script> is fine only with a nonce.
    """

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        data_block = (attributes.get("type") or "").lower() in {"application/json", "application/ld+json"}
        if tag == "script" and "src" not in attributes and "nonce" not in attributes and not data_block:
            self.problems.append(f"inline <script {attrs}>")
        if tag == "style" and "nonce" not in attributes:
            self.problems.append("inline <style>")
        for name, _value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if EVENT_HANDLER.match(name):
                self.problems.append(f"event handler {name} on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def assert_secure(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert csp, f"{url}: no Content-Security-Policy header"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{url}: {csp}"
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"].startswith("'self'")
    assert directives["style-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if "text/html" in response.headers.get("Content-Type", ""):
        problems = inline_code(response.content.decode())
        assert not problems, f"{url}: {problems}"


def test_the_finder_spots_each_kind_of_inline_code():
    """The checker itself: otherwise a broken parser would let every page pass."""
    bad = ('<script>alert(1)</script><style>p{}</style><p style="color:red" onclick="x()"></p>'
           '<div hx-on::click="x()"></div>')
    assert len(inline_code(bad)) == 5
    good = ('<script src="/static/a.js"></script><script type="application/json" id="d">{}</script>'
            '<script nonce="abc">1</script>')
    assert inline_code(good) == []


@pytest.fixture
def site(reference_data):
    eco = EcosystemFactory(slug="brainport-sec", regions=[Region.objects.get(code="PV30")])
    initiative = InitiativeFactory(ecosystem=eco)
    InitiativeFactory.create_batch(2, ecosystem=eco)
    draft_agenda(ecosystem=eco)
    staff = UserFactory(staff=True)
    assessor = UserFactory(assessor=True)
    round_ = SelectionRoundFactory()
    selection_services.round_assign_assessors(selection_round=round_, actor=staff, assessors=[assessor])
    return {
        "eco": eco, "initiative": initiative, "staff": staff, "assessor": assessor, "round": round_,
        "board": board_user_for(eco), "admin": UserFactory(admin=True),
    }


def page_list(site) -> list[tuple[str | None, str]]:
    eco, initiative, round_ = site["eco"], site["initiative"], site["round"]
    return [
        (None, reverse("home")),
        (None, reverse("login")),
        (None, reverse("initiatives:list")),
        (None, reverse("initiatives:detail", args=[initiative.pk])),
        (None, reverse("ecosystem-detail", args=[eco.slug])),
        (None, reverse("api-docs")),
        ("staff", reverse("dashboard")),
        ("staff", reverse("initiatives:overlap-queue")),
        ("staff", reverse("initiatives:overlap-network")),
        ("staff", reverse("selection:rounds")),
        ("staff", reverse("selection:round-detail", args=[round_.pk])),
        ("staff", reverse("selection:ranking", args=[round_.pk])),
        ("staff", reverse("two-factor")),
        ("assessor", reverse("selection:worklist", args=[round_.pk])),
        ("assessor", reverse("selection:assess", args=[round_.pk, initiative.pk])),
        ("board", reverse("agendas:index")),
        ("board", reverse("agendas:edit", args=[eco.slug, 1])),
        ("board", reverse("agendas:checklist", args=[eco.slug])),
        ("board", reverse("initiatives:overlap-board")),
        ("board", reverse("selection:board-decisions")),
        ("admin", reverse("admin:index")),
    ]


def test_main_pages_send_a_strict_csp_and_contain_no_inline_code(client, site):
    checked = 0
    for role, url in page_list(site):
        client.logout()
        if role:
            client.force_login(site[role])
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        assert_secure(response, url)
        checked += 1
    assert checked == len(page_list(site))


def test_swagger_ui_loads_its_start_script_from_a_url_not_inline(client):
    response = client.get(reverse("api-docs"))
    html = response.content.decode()
    assert '<script src="/api/docs/?' in html and "script=" in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_json_and_error_responses_carry_the_headers_too(client, site):
    for url in [reverse("api-schema"), "/bestaat-niet/", reverse("healthz")]:
        response = client.get(url)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""), url


def test_htmx_is_configured_without_injected_styles_or_eval(client):
    html = client.get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in html
