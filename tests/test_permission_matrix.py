"""The permission matrix: every URL pattern x every role x object owner x method, with an expectation.

It cannot go stale: `test_every_url_has_an_expectation` walks the URL resolver and fails for any
pattern without a line in EXPECTATIONS (and for lines whose URL no longer exists).

HOW TO ADD A URL (format of EXPECTATIONS)
-----------------------------------------
Key: the pattern's name as `reverse()` knows it ("namespace:name", e.g. "initiatives:detail"), or
for an unnamed pattern its full route (e.g. "api/v1/^[\\s\\S]*$"). Group rules (GROUP_RULES)
are globs over these names ("admin:*_changelist"); an exact key wins, then the first matching glob.
Value: `E(methods, args=..., owners=..., query=..., data=...)`:
- methods: {"GET": RULE, "POST": RULE, ...}: every method the view accepts (API views: must equal
  the handlers the view class defines; checked). RULE is a named rule (PUBLIC, LOGGED_IN,
  PROGRAMME, STAFF, BOARDS, API_PUBLIC_READ, ADMIN_SITE, ADMIN_READ_ONLY, NOT_ALLOWED, LOGIN_405,
  ...), or built with web(pred) / api(pred) / web_open(pred) from the role predicates (admin,
  staff, team, board, rom, own_board, own_rom, any_of(...)); a rule maps (role, owner) to an outcome.
  Example for a new staff-only page:   "security:login-codes": E({"GET": STAFF, "POST": STAFF}),
  for a token-only API list:           "api-webhook-list": E({"GET": API_PUBLIC_READ, "POST": api(staff)}),
  for a public probe:                  "livez": E({"GET": PUBLIC}),
- args: a function (world, owner) -> list of URL args; owners: ("A", "B") for objects owned by
  ecosystem/province A or B, (None,) for URLs without an owner. The object of owner A belongs to
  ecosystem A (province P1), that of B to ecosystem B (province P2); both are not published.
- query: a query string appended to the URL; data: a function (world, owner) -> request body.

Roles: anonymous, board_a / board_b (a user of the lead organisation of ecosystem A / B),
rom_a / rom_b (a ROM serving province P1 / P2), staff (programme team), assessor, admin
(superuser with is_staff). Web requests log in with a session; API requests send a Bearer token
of a service user with the same role and organisation (admin, who cannot have a token, uses
its session).

Outcomes: OK (2xx, or 3xx not to a login page), LOGIN (302 to /inloggen/), ADMIN_LOGIN (302 to
the admin login), 401, 403, 404, 405. After every denied unsafe request the rows of the portal's
models must be unchanged (a snapshot is compared).

The matrix size (number of cells) is printed by test_matrix_size (`-s` shows it).
"""

from __future__ import annotations

import fnmatch
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# ---------------------------------------------------------------------------------------------
# Roles and outcomes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    name: str
    kind: str  # anonymous | board | rom | staff | assessor | admin
    side: str | None = None  # "A" / "B" for boards and ROMs

    def __str__(self) -> str:
        return self.name


ROLES = (
    Role("anonymous", "anonymous"),
    Role("board_a", "board", "A"),
    Role("board_b", "board", "B"),
    Role("rom_a", "rom", "A"),
    Role("rom_b", "rom", "B"),
    Role("staff", "staff"),
    Role("assessor", "assessor"),
    Role("admin", "admin"),
)

OK, LOGIN, ADMIN_LOGIN = "ok", "login", "admin-login"
E401, E403, E404, E405 = "401", "403", "404", "405"

Pred = Callable[[Role, str | None], bool]
Rule = Callable[[Role, str | None], str]


# Role predicates (role, owner) -> bool
def anyone(r: Role, o: str | None) -> bool:
    return True


def nobody(r: Role, o: str | None) -> bool:
    return False


def logged_in(r: Role, o: str | None) -> bool:
    return r.kind != "anonymous"


def admin(r: Role, o: str | None) -> bool:
    return r.kind == "admin"


def staff(r: Role, o: str | None) -> bool:
    """Programme staff proper (permissions.is_staff_member): staff and admin."""
    return r.kind in {"staff", "admin"}


def team(r: Role, o: str | None) -> bool:
    """The programme team (permissions.is_programme_team): staff, assessors, admin."""
    return r.kind in {"staff", "assessor", "admin"}


def board(r: Role, o: str | None) -> bool:
    return r.kind == "board"


def rom(r: Role, o: str | None) -> bool:
    return r.kind == "rom"


def own_board(r: Role, o: str | None) -> bool:
    return r.kind == "board" and r.side == o


def own_rom(r: Role, o: str | None) -> bool:
    return r.kind == "rom" and r.side == o


def assessor_of_a(r: Role, o: str | None) -> bool:
    """The assessor is assigned to initiative A only (in the open round)."""
    return r.kind == "assessor" and o == "A"


def any_of(*preds: Pred) -> Pred:
    return lambda r, o: any(p(r, o) for p in preds)


def web(allowed: Pred, *, denied: str = E403, hidden: Pred = nobody) -> Rule:
    """A browser page behind login: anonymous -> login; allowed -> OK; hidden -> 404; else denied."""

    def rule(r: Role, o: str | None) -> str:
        if r.kind == "anonymous":
            return LOGIN
        if allowed(r, o):
            return OK
        return E404 if hidden(r, o) else denied

    return rule


def web_open(allowed: Pred, *, denied: str = E404) -> Rule:
    """A page without login: allowed roles (anonymous included) -> OK, others -> denied."""
    return lambda r, o: OK if allowed(r, o) else denied


def api(allowed: Pred, *, denied: str = E403, hidden: Pred = nobody) -> Rule:
    """An API endpoint: anonymous -> 401; allowed -> OK; hidden -> 404; else denied."""

    def rule(r: Role, o: str | None) -> str:
        if r.kind == "anonymous":
            return E401
        if allowed(r, o):
            return OK
        return E404 if hidden(r, o) else denied

    return rule


def const(outcome: str) -> Rule:
    return lambda r, o: outcome


def login_then(outcome: str) -> Rule:
    """login_required outside, then always `outcome` (e.g. 405 for GET on a POST-only view)."""
    return lambda r, o: LOGIN if r.kind == "anonymous" else outcome


# Named rules
PUBLIC = const(OK)
LOGGED_IN = web(logged_in)
PROGRAMME = web(team)  # programme team: staff, assessors, admin
STAFF = web(staff)  # staff proper (decide, manage)
BOARDS = web(board)
API_PUBLIC_READ = api(logged_in)  # any valid token
API_NOT_FOUND = const(E404)  # the API's catch-all
NOT_ALLOWED = const(E405)
LOGIN_405 = login_then(E405)


def ADMIN_SITE(r: Role, o: str | None) -> str:
    """Everything under admin/: the admin only; everyone else (staff without is_staff too) is
    sent to the admin login."""
    return OK if r.kind == "admin" else ADMIN_LOGIN


def ADMIN_READ_ONLY(r: Role, o: str | None) -> str:
    """A write view of a read-only admin: 403 for the admin, admin login for everyone else."""
    return E403 if r.kind == "admin" else ADMIN_LOGIN


# ---------------------------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------------------------


@dataclass
class E:
    methods: dict[str, Rule]
    args: Callable[[Any, str | None], list[Any]] | None = None
    owners: tuple[str | None, ...] = (None,)
    query: str = ""
    data: Callable[[Any, str | None], Any] | None = None
    fresh_session: bool = False  # log in anew for every request (logout ends the session)
    also_ok: frozenset[int] = frozenset()  # statuses that count as OK (e.g. 503 of /healthz)


AB = ("A", "B")


def _o(attr: str) -> Callable[[Any, str | None], list[Any]]:
    """Args: the world's object `attr_a` / `attr_b` for the owner (its pk, or slug for ecosystems)."""

    def build(w: Any, owner: str | None) -> list[Any]:
        return [w.key(attr, owner)]

    return build


def _fixed(*values: Any) -> Callable[[Any, str | None], list[Any]]:
    return lambda w, owner: list(values)


def _initiative_payload(w: Any, owner: str | None) -> dict[str, Any]:
    side = owner or "A"
    return {
        "title": f"Matrix {side}", "description": "Beschrijving.", "regions": [w.province(side).code],
        "lead_organisation": w.lead_org(side).slug, "type": "field_lab", "stage": "pilot",
        "ecosystem": w.ecosystem(side).slug,
    }


def api_write(allowed: Pred, *, denied: str = E403) -> Rule:
    """Creating over the API: the admin (a session, no organisation) gets 400 "needs an
    organisation" instead of a write (admins are no API clients: tokens belong to organisations)."""
    inner = api(allowed, denied=denied)
    return lambda r, o: "400" if r.kind == "admin" else inner(r, o)


# Reading an initiative (permissions._initiative_read for the unpublished A / B objects)
read_initiative = any_of(team, own_board, own_rom)
write_initiative = any_of(admin, own_board, own_rom)
read_ecosystem = any_of(team, own_board, rom)  # unpublished: programme team, own board, any ROM
write_ecosystem = any_of(admin, own_board)
read_agenda = any_of(team, own_board)  # an agenda without an adopted version
read_suggestion = any_of(team, own_board, own_rom)

EXPECTATIONS: dict[str, E] = {
    # --- portal core -------------------------------------------------------------------------
    # 503 names the failing part (no Celery worker beats in tests): an answer, not a denial.
    "healthz": E({"GET": PUBLIC}, also_ok=frozenset({503})),
    "livez": E({"GET": PUBLIC}),
    # Two-factor login (TOTP): set-up for the programme team and admins, the code step for anyone
    # logged in, removal by POST only.
    "two-factor": E({"GET": PROGRAMME, "POST": PROGRAMME}),
    "two-factor-verify": E({"GET": LOGGED_IN, "POST": LOGGED_IN}),
    # Anyone logged in may post it: without a device it only redirects (nothing to remove).
    "two-factor-remove": E({"GET": login_then(E405), "POST": LOGGED_IN}),
    # Webhook secrets are shown once, through the API: no add in the admin; the delivery log is
    # view-only (redeliver is an action).
    "admin:portal_webhookendpoint_add": E({"GET": ADMIN_READ_ONLY, "POST": ADMIN_READ_ONLY}),
    "admin:portal_webhookdelivery_delete": E({"GET": ADMIN_READ_ONLY, "POST": ADMIN_READ_ONLY}),
    # django-axes records login attempts itself: no add; its change form has only read-only fields
    # (saving it changes nothing, so the group rule's OK stands).
    "admin:axes_accessattempt_add": E({"GET": ADMIN_READ_ONLY, "POST": ADMIN_READ_ONLY}),
    "admin:axes_accesslog_add": E({"GET": ADMIN_READ_ONLY, "POST": ADMIN_READ_ONLY}),
    "admin:axes_accessfailurelog_add": E({"GET": ADMIN_READ_ONLY, "POST": ADMIN_READ_ONLY}),
    # Webhooks: a ROM manages its own endpoints (another ROM's are 404); staff read all, write none.
    "api-webhook-list": E(
        {"GET": api(any_of(rom, staff)), "POST": api(rom)},
        data=lambda w, o: {"url": "https://example.org/matrix-hook", "events": ["overlap.found"]},
    ),
    "api-webhook-delivery-list": E({"GET": api(any_of(rom, staff))}),
    "api-webhook-detail": E(
        {"GET": api(any_of(own_rom, staff), hidden=rom), "PATCH": api(own_rom, hidden=rom),
         "DELETE": api(own_rom, hidden=rom)},
        args=lambda w, o: [w.key("webhook_pk", o)], owners=("A", "B"),
        data=lambda w, o: {"description": "matrix"},
    ),
    "api-webhook-ping": E(
        {"POST": api(own_rom, hidden=rom)},
        args=lambda w, o: [w.key("webhook_pk", o)], owners=("A", "B"),
    ),
    "home": E({"GET": PUBLIC}),
    "login": E({"GET": PUBLIC}),
    "logout": E({"POST": PUBLIC}, fresh_session=True),
    "ecosystem-edit": E({"GET": web(write_ecosystem), "POST": web(write_ecosystem)}, _o("ecosystem_slug"), AB),
    "ecosystem-list": E({"GET": PUBLIC}),
    "ecosystem-detail": E({"GET": web_open(read_ecosystem)}, _o("ecosystem_slug"), AB),
    "dashboard": E({"GET": PROGRAMME}),
    "map-boundaries": E({"GET": PUBLIC}),
    "region-panel": E({"GET": PUBLIC}, _o("province_code"), AB),
    # No job kind is registered: every kind is unknown.
    "job-progress": E({"GET": web(nobody, denied=E404)}, _fixed("scoring", 1)),
    "set_language": E({"POST": PUBLIC}, data=lambda w, o: {"language": "en", "next": "/"}),
    # --- open data ---------------------------------------------------------------------------
    "open-data-catalogue": E({"GET": PUBLIC, "POST": NOT_ALLOWED}),
    "open-data-dictionary": E({"GET": PUBLIC, "POST": NOT_ALLOWED}),
    # Not generated in the test database: 404 for everyone, never a login page.
    "open-data-file": E({"GET": const(E404), "POST": NOT_ALLOWED}, _fixed("initiatives", "csv")),
    # --- API (Bearer tokens) -----------------------------------------------------------------
    "api-schema": E({"GET": PUBLIC}),
    "api-docs": E({"GET": PUBLIC}),
    "api-token-info": E({"GET": API_PUBLIC_READ}),
    "api-region-list": E({"GET": API_PUBLIC_READ}),
    "api-region-list-geojson": E({"GET": API_PUBLIC_READ}),
    "api-organisation-list": E({"GET": API_PUBLIC_READ}),
    "api-ecosystem-list": E({"GET": API_PUBLIC_READ}),
    "api-priority-list": E({"GET": API_PUBLIC_READ}),
    "api-theme-list": E({"GET": API_PUBLIC_READ}),
    "api-vision-window-list": E({"GET": API_PUBLIC_READ}),
    "api-initiative-list": E(
        {"GET": API_PUBLIC_READ, "POST": api_write(write_initiative)}, owners=AB, data=_initiative_payload,
    ),
    # All or nothing: a row the caller may not write fails the batch with 400 and per-row errors.
    "api-initiative-bulk": E(
        {"POST": api_write(write_initiative, denied="400")}, owners=AB,
        data=lambda w, o: {"items": [{**_initiative_payload(w, o), "external_id": f"BULK-{o}"}]},
    ),
    "api-initiative-upsert": E(
        # The other side's external id: an update of an initiative the caller may not write.
        {"PUT": api_write(write_initiative)}, _o("initiative_external_id"), AB, data=_initiative_payload,
    ),
    "api-initiative-detail": E(
        {
            "GET": api(read_initiative, denied=E404),
            "PUT": api(write_initiative, hidden=lambda r, o: not read_initiative(r, o)),
            "PATCH": api(write_initiative, hidden=lambda r, o: not read_initiative(r, o)),
            "DELETE": api(write_initiative, hidden=lambda r, o: not read_initiative(r, o)),
        },
        _o("initiative_pk"), AB,
        data=lambda w, o: _initiative_payload(w, o),
    ),
    "api-overlap-list": E({"GET": API_PUBLIC_READ}),
    "api-agenda-list": E({"GET": API_PUBLIC_READ}),
    # No adopted version: 404 for every caller (only adopted versions are published).
    "api-agenda-detail": E({"GET": api(nobody, denied=E404)}, _o("ecosystem_slug"), AB),
    "api-decision-list": E({"GET": API_PUBLIC_READ}),
    "api/v1/^[\\s\\S]*$": E({"GET": API_NOT_FOUND, "POST": API_NOT_FOUND}, _fixed("does-not-exist/")),
    # --- initiatives -------------------------------------------------------------------------
    "initiatives:list": E({"GET": PUBLIC}),
    "initiatives:export": E({"GET": PUBLIC}, _fixed("csv")),
    "initiatives:create": E({"GET": web(any_of(admin, board)), "POST": web(any_of(admin, board))}),
    "initiatives:detail": E({"GET": web_open(read_initiative, denied=E403)}, _o("initiative_pk"), AB),
    "initiatives:edit": E(
        {"GET": web(write_initiative), "POST": web(write_initiative)}, _o("initiative_pk"), AB,
    ),
    "initiatives:overlap-queue": E({"GET": STAFF}),
    "initiatives:overlap-run-start": E({"GET": LOGIN_405, "POST": STAFF}),
    "initiatives:overlap-action": E(
        {"GET": LOGIN_405, "POST": STAFF}, _o("suggestion_pk"), AB,
        data=lambda w, o: {"action": "confirm"},
    ),
    "initiatives:overlap-compare": E({"GET": web(read_suggestion)}, _o("suggestion_pk"), AB),
    "initiatives:overlap-board": E({"GET": BOARDS}),
    # The form offers a board only its own initiatives: another board's initiative is a form error.
    "initiatives:overlap-link-propose": E(
        {"GET": LOGIN_405, "POST": lambda r, o: web(own_board, denied="400" if board(r, o) else E403)(r, o)},
        owners=AB,
        data=lambda w, o: {"from_initiative": w.key("initiative_pk", o), "to_initiative": w.objects["initiative_x_pk"],
                           "kind": w.objects["link_kind"]},
    ),
    "initiatives:overlap-link-answer": E(
        {"GET": LOGIN_405, "POST": web(any_of(staff, own_board))}, _o("link_pk"), AB,
        data=lambda w, o: {"answer": "accept"},
    ),
    "initiatives:overlap-network": E({"GET": PROGRAMME}),
    "initiatives:overlap-network-data": E({"GET": PROGRAMME}),
    # --- agendas (agenda A / B: version 1 in review, version 2 the board's draft) ------------
    "agendas:index": E({"GET": LOGGED_IN}),
    "agendas:comparison": E({"GET": PROGRAMME}),
    "agendas:detail": E({"GET": web(read_agenda)}, _o("ecosystem_slug"), AB),
    "agendas:create": E({"GET": LOGIN_405, "POST": web(any_of(admin, own_board))}, _o("ecosystem_slug"), AB),
    "agendas:edit": E(
        {"GET": web(any_of(admin, own_board)), "POST": web(any_of(admin, own_board))},
        lambda w, o: [w.ecosystem(o).slug, 1], AB,
    ),
    "agendas:part-add": E(
        {"GET": LOGIN_405, "POST": web(any_of(admin, own_board))},
        lambda w, o: [w.ecosystem(o).slug, "goal"], AB, data=lambda w, o: {"goal-title": "Doel", "goal-indicator": "Banen", "goal-target_year": "2035"},
    ),
    "agendas:part-remove": E(
        {"GET": LOGIN_405, "POST": web(any_of(admin, own_board))},
        lambda w, o: [w.ecosystem(o).slug, "goal", w.key("goal_pk", o)], AB,
    ),
    "agendas:checklist": E({"GET": web(any_of(admin, own_board))}, _o("ecosystem_slug"), AB),
    "agendas:transition": E(
        {"GET": LOGIN_405, "POST": web(read_agenda)}, _o("ecosystem_slug"), AB,
        data=lambda w, o: {"target": "feedback"},
    ),
    "agendas:excel-template": E({"GET": web(any_of(admin, own_board))}, _o("ecosystem_slug"), AB),
    "agendas:excel-import": E(
        {"GET": web(any_of(admin, own_board)), "POST": web(any_of(admin, own_board))}, _o("ecosystem_slug"), AB,
    ),
    "agendas:version": E({"GET": web(read_agenda)}, lambda w, o: [w.ecosystem(o).slug, 1], AB),
    "agendas:diff": E({"GET": web(read_agenda)}, lambda w, o: [w.ecosystem(o).slug, 1], AB),
    "agendas:review": E(
        {"GET": web(team), "POST": web(team)}, lambda w, o: [w.ecosystem(o).slug, 1], AB,
    ),
    # --- selection (one open round over initiatives A and B; the assessor assessed A) --------
    "selection:rounds": E({"GET": PROGRAMME}),
    "selection:round-create": E({"GET": STAFF, "POST": STAFF}),
    "selection:round-detail": E({"GET": STAFF}, _o("round_pk")),
    "selection:round-status": E({"GET": LOGIN_405, "POST": STAFF}, _o("round_pk"),
                                data=lambda w, o: {"status": "closed"}),
    "selection:round-assign": E({"GET": LOGIN_405, "POST": STAFF}, _o("round_pk")),
    "selection:round-score": E({"GET": LOGIN_405, "POST": STAFF}, _o("round_pk")),
    "selection:round-progress": E({"GET": STAFF}, _o("round_pk")),
    "selection:worklist": E({"GET": web(any_of(staff, lambda r, o: r.kind == "assessor"))}, _o("round_pk")),
    "selection:assess": E(
        {"GET": web(assessor_of_a), "POST": web(assessor_of_a)},
        lambda w, o: [w.round_pk, w.key("initiative_pk", o)], AB,
    ),
    "selection:conflict": E(
        {"GET": web(assessor_of_a), "POST": web(assessor_of_a)},
        lambda w, o: [w.round_pk, w.key("initiative_pk", o)], AB,
    ),
    "selection:decide": E(
        {"GET": STAFF, "POST": STAFF}, lambda w, o: [w.round_pk, w.key("initiative_pk", o)], AB,
    ),
    "selection:ranking": E({"GET": STAFF}, _o("round_pk")),
    "selection:ranking-export": E({"GET": STAFF}, lambda w, o: [w.round_pk, "csv"]),
    "selection:board-decisions": E({"GET": BOARDS}),
    # --- the Django admin (group rules; the object is the first row of the model) ------------
    "admin:login": E({"GET": PUBLIC}),
    # GET: the admin gets 405 (logout needs POST); everyone else is sent to the admin index.
    "admin:logout": E({"GET": lambda r, o: E405 if r.kind == "admin" else OK, "POST": PUBLIC}, fresh_session=True),
    "admin:autocomplete": E(
        {"GET": ADMIN_SITE}, query="app_label=portal&model_name=organisation&field_name=home_region",
    ),
    # No model has get_absolute_url: "view on site" is 404 for the admin.
    "admin:view_on_site": E({"GET": lambda r, o: E404 if r.kind == "admin" else ADMIN_LOGIN},
                            lambda w, o: w.view_on_site_args()),
    "admin:app_list": E({"GET": ADMIN_SITE}, _fixed("portal")),
    # The catch-all: unknown admin URLs are 404 for the admin, the login for everyone else.
    "admin/(?P<url>.*)$": E({"GET": lambda r, o: E404 if r.kind == "admin" else ADMIN_LOGIN},
                            _fixed("does-not-exist/")),
}

# Group rules: (glob over URL names, expectation); the first match wins, an exact key above wins.
GROUP_RULES: list[tuple[str, E]] = [
    ("admin/*/<path:object_id>/", E({"GET": ADMIN_SITE})),
    ("admin:*_add", E({"GET": ADMIN_SITE, "POST": ADMIN_SITE})),
    ("admin:*_change", E({"GET": ADMIN_SITE, "POST": ADMIN_SITE})),
    ("admin:*_delete", E({"GET": ADMIN_SITE, "POST": ADMIN_SITE})),
    ("admin:*", E({"GET": ADMIN_SITE})),
]

# Read-only admins: no add, and their change form cannot be saved.
READ_ONLY_ADMIN_ADD = {
    "portal_activity", "portal_ecosystemstatistics", "agendas_agendaversion", "selection_assessment", "selection_conflictdeclaration",
    "selection_scoringrun", "selection_initiativeroundresult", "selection_decision",
    "portal_webhookdelivery",
}


def expectation_for(name: str) -> E | None:
    if name in EXPECTATIONS:
        return EXPECTATIONS[name]
    for glob, value in GROUP_RULES:
        if fnmatch.fnmatchcase(name, glob):
            return value
    return None


# ---------------------------------------------------------------------------------------------
# URL enumeration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPattern:
    name: str  # "namespace:name" or the full route of an unnamed pattern
    route: str
    pattern: URLPattern
    namespace: str
    prefix: str  # the route of the resolvers above it (for unnamed patterns)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/v1/")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[UrlPattern]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, ns)
        else:
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = route
            yield UrlPattern(name, route, entry, namespace, prefix)


def all_url_patterns() -> list[UrlPattern]:
    patterns = list(_walk(get_resolver()))
    return patterns


def _admin_model(name: str) -> str | None:
    """"admin:portal_region_change" -> "portal_region"."""
    if not name.startswith("admin:"):
        return None
    for suffix in ("_changelist", "_add", "_history", "_delete", "_change"):
        if name.endswith(suffix):
            return name.removeprefix("admin:").removesuffix(suffix)
    return None


# ---------------------------------------------------------------------------------------------
# Staleness
# ---------------------------------------------------------------------------------------------


def test_every_url_has_an_expectation() -> None:
    patterns = all_url_patterns()
    names = {p.name for p in patterns}
    missing = sorted(p.name for p in patterns if expectation_for(p.name) is None)
    gone = sorted(k for k in EXPECTATIONS if k not in names)
    unused_globs = sorted(g for g, _e in GROUP_RULES if not any(fnmatch.fnmatchcase(n, g) for n in names))
    problems = []
    if missing:
        problems.append(
            "URL patterns without an expectation (add a line to EXPECTATIONS in "
            "tests/test_permission_matrix.py):\n  " + "\n  ".join(missing)
        )
    if gone:
        problems.append("Expectations for URLs that no longer exist:\n  " + "\n  ".join(gone))
    if unused_globs:
        problems.append("Group rules that match no URL:\n  " + "\n  ".join(unused_globs))
    assert not problems, "\n".join(problems)


def test_api_methods_match_the_views() -> None:
    """An API view that grows a handler (e.g. DELETE) needs an expectation for it."""
    problems = []
    for p in all_url_patterns():
        view_class = getattr(p.pattern.callback, "view_class", None)
        expectation = expectation_for(p.name)
        if view_class is None or expectation is None or not p.is_api:
            continue
        handlers = {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)}
        if handlers != set(expectation.methods):
            problems.append(f"{p.name}: view handles {sorted(handlers)}, matrix has {sorted(expectation.methods)}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The world: two ecosystems (A in province P1, B in P2) with their objects, and one user per role
# ---------------------------------------------------------------------------------------------


@dataclass
class World:
    objects: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    round_pk: int = 0
    baseline: dict[str, str] = field(default_factory=dict)  # _snapshot() of the world

    def key(self, attr: str, owner: str | None) -> Any:
        return self.objects[f"{attr}_{(owner or 'A').lower()}"]

    def ecosystem(self, side: str | None) -> Any:
        return self.objects[f"ecosystem_{(side or 'A').lower()}"]

    def province(self, side: str) -> Any:
        return self.objects[f"province_{side.lower()}"]

    def lead_org(self, side: str) -> Any:
        return self.ecosystem(side).lead_organisation

    def view_on_site_args(self) -> list[Any]:
        from django.contrib.contenttypes.models import ContentType

        initiative = self.objects["initiative_a_obj"]
        return [ContentType.objects.get_for_model(initiative).pk, initiative.pk]


def _security_rows() -> None:
    """One row per admin model of the login protection and two-factor apps, so their object views
    are in the matrix. The device belongs to a user outside the roles (a device changes a role's login)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.tests.factories import UserFactory

    common = {"user_agent": "matrix", "ip_address": "10.0.0.1", "username": "m-someone", "http_accept": "*/*",
              "path_info": "/inloggen/"}
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common, locked_out=False)
    TOTPDevice.objects.create(user=UserFactory(username="m-otp"), name="matrix", confirmed=True)


def _build_world() -> World:
    from agendas.models import Agenda, AgendaVersion, Goal, Status
    from initiatives.models import Initiative, InitiativeLink, OverlapSuggestion
    from initiatives.tests.factories import InitiativeFactory
    from portal.models import Organisation, Region, User
    from portal.tests.factories import (
        EcosystemFactory,
        OrganisationFactory,
        RegionFactory,
        UserFactory,
    )
    from portal.token_services import api_token_issue
    from portal.webhooks import WebhookDelivery, WebhookEndpoint
    from selection.models import RoundAssignment
    from selection.tests.factories import DecisionFactory, SelectionRoundFactory

    w = World()
    p1 = RegionFactory(code="MX01", name="Matrixprovincie A", kind=Region.Kind.PROVINCE)
    p2 = RegionFactory(code="MX02", name="Matrixprovincie B", kind=Region.Kind.PROVINCE)
    p3 = RegionFactory(code="MX03", name="Matrixprovincie X", kind=Region.Kind.PROVINCE)
    w.objects.update(province_a=p1, province_b=p2, province_code_a=p1.code, province_code_b=p2.code)
    eco_x = EcosystemFactory(regions=[p3], slug="matrix-x")
    initiative_x = InitiativeFactory(ecosystem=eco_x, title="Publiek initiatief X")  # public, created first
    w.objects.update(initiative_x_pk=initiative_x.pk, link_kind=InitiativeLink.Kind.choices[0][0])
    staff_user = UserFactory(staff=True, username="m-staff",
                             organisation=OrganisationFactory(kind=Organisation.Kind.MINISTRY))
    w.users.update(
        staff=staff_user,
        assessor=UserFactory(assessor=True, username="m-assessor", organisation=staff_user.organisation),
        admin=UserFactory(admin=True, username="m-admin"),
    )
    selection_round = SelectionRoundFactory()
    w.round_pk = selection_round.pk
    w.objects.update(round_pk_a=selection_round.pk, round_pk_b=selection_round.pk)
    for side, province in (("a", p1), ("b", p2)):
        ecosystem = EcosystemFactory(regions=[province], slug=f"matrix-{side}", published=False)
        initiative = InitiativeFactory(
            ecosystem=ecosystem, unpublished=True, external_id=f"EXT-{side.upper()}", title=f"Initiatief {side}",
        )
        rom_org = OrganisationFactory(rom=True, slug=f"matrix-rom-{side}")
        rom_org.served_provinces.set([province])
        w.users[f"board_{side}"] = UserFactory(organisation=ecosystem.lead_organisation, username=f"m-board-{side}")
        w.users[f"rom_{side}"] = UserFactory(rom=True, organisation=rom_org, username=f"m-rom-{side}")
        w.objects[f"webhook_pk_{side}"] = WebhookEndpoint.objects.create(
            organisation=rom_org, url=f"https://example.org/hook-{side}", secret="s" * 40, events=["overlap.found"],
        ).pk
        WebhookDelivery.objects.create(
            endpoint_id=w.objects[f"webhook_pk_{side}"], event_type="overlap.found", event_id=uuid.uuid4(),
            payload={"test": True},
        )
        suggestion = OverlapSuggestion.objects.create(
            a=initiative_x, b=initiative, score=0.9, kind="overlap", reasons=["test"],
            text_fingerprint_a="x", text_fingerprint_b="y",
        )
        link = InitiativeLink.objects.create(
            from_initiative=initiative_x, to_initiative=initiative, kind=InitiativeLink.Kind.choices[0][0],
            status=InitiativeLink.Status.PROPOSED, created_by=staff_user,
        )
        agenda = Agenda.objects.create(ecosystem=ecosystem, title=f"RIEA {side}", status=Status.IN_REVIEW)
        AgendaVersion.objects.create(agenda=agenda, number=1, frozen=True, status=Status.IN_REVIEW, vision="Visie",
                                     submitted_at=timezone.now())
        draft = AgendaVersion.objects.create(agenda=agenda, number=2, vision="Visie 2")
        goal = Goal.objects.create(version=draft, title="Meer banen")
        RoundAssignment.objects.create(round=selection_round, initiative=initiative, assessor=w.users["assessor"])
        DecisionFactory(round=selection_round, initiative=initiative, decided_by=staff_user)
        w.objects.update({
            f"ecosystem_{side}": ecosystem, f"ecosystem_slug_{side}": ecosystem.slug,
            f"initiative_{side}_obj": initiative, f"initiative_pk_{side}": initiative.pk,
            f"initiative_external_id_{side}": initiative.external_id,
            f"suggestion_pk_{side}": suggestion.pk, f"link_pk_{side}": link.pk, f"goal_pk_{side}": goal.pk,
        })
    _admin_rows(w)
    _security_rows()
    # The assessor is assigned to initiative A only.
    RoundAssignment.objects.filter(initiative=w.objects["initiative_b_obj"]).delete()
    assert Initiative.objects.filter(published=False).count() == 2
    # Tokens: a service user per organisation and role, like production (admins have no token).
    token_orgs = {
        "board_a": (w.ecosystem("A").lead_organisation, User.Role.BOARD),
        "board_b": (w.ecosystem("B").lead_organisation, User.Role.BOARD),
        "rom_a": (w.users["rom_a"].organisation, User.Role.ROM),
        "rom_b": (w.users["rom_b"].organisation, User.Role.ROM),
        "staff": (staff_user.organisation, User.Role.STAFF),
        "assessor": (staff_user.organisation, User.Role.ASSESSOR),
    }
    for role, (organisation, user_role) in token_orgs.items():
        _token, raw = api_token_issue(organisation=organisation, name="matrix", actor=None, role=user_role,
                                      rate_limit=1_000_000)
        w.tokens[role] = raw
    return w


def _admin_rows(w: World) -> None:
    """One row for every model the admin shows, so each change/delete/history page is rendered."""
    from django.contrib.auth.models import Group

    from portal.models import (
        EcosystemStatistics,
        FundingInstrument,
        FutureVisionWindow,
        Priority,
        Theme,
    )
    from selection.models import (
        Assessment,
        ConflictDeclaration,
        InitiativeRoundResult,
        ScoringRun,
        SelectionRound,
    )

    Group.objects.create(name="matrix")
    EcosystemStatistics.objects.create(ecosystem=w.ecosystem("A"), computed_at=timezone.now())
    FutureVisionWindow.objects.create(code="MX-W", name_nl="Venster", name_en="Window")
    Priority.objects.create(code="MX-P", kind=Priority.Kind.choices[0][0], name_nl="Prioriteit", name_en="Priority")
    Theme.objects.create(code="MX-T", name_nl="Thema", name_en="Theme")
    FundingInstrument.objects.create(code="MX-F", name="Regeling", level=FundingInstrument.Level.choices[0][0],
                                     form=FundingInstrument.Form.choices[0][0])
    selection_round = SelectionRound.objects.get(pk=w.round_pk)
    initiative = w.objects["initiative_a_obj"]
    Assessment.objects.create(round=selection_round, initiative=initiative, assessor=w.users["assessor"],
                              framework_version=selection_round.framework_version)
    ConflictDeclaration.objects.create(round=selection_round, initiative=w.objects["initiative_b_obj"],
                                       assessor=w.users["staff"], statement="Eerder betrokken.")
    ScoringRun.objects.create(round=selection_round)
    InitiativeRoundResult.objects.create(round=selection_round, initiative=initiative, computed_at=timezone.now())


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once per module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = _build_world()
            built.baseline = _snapshot()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def clients(world: World) -> dict[str, Client]:
    """One logged-in browser client per role (sessions live in the module's transaction)."""
    result = {"anonymous": Client()}
    for role in ROLES:
        if role.kind != "anonymous":
            client = Client()
            client.force_login(world.users[role.name])
            result[role.name] = client
    return result


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------

SNAPSHOT_EXCLUDE = {"sessions.session", "portal.apitoken", "portal.idempotencyrecord", "admin.logentry"}
SNAPSHOT_IGNORED_FIELDS = {"last_login", "last_used_at"}
_SNAPSHOT_SQL: list[str] = []


def _snapshot_sql() -> str:
    """One query: an md5 of every row of each table of the portal's own apps."""
    if not _SNAPSHOT_SQL:
        parts = []
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.app_label not in {"portal", "initiatives", "agendas", "selection"}:
                continue
            if meta.label_lower in SNAPSHOT_EXCLUDE or meta.proxy:
                continue
            table = connection.ops.quote_name(meta.db_table)
            columns = ", ".join(
                connection.ops.quote_name(f.column) for f in meta.concrete_fields if f.attname not in SNAPSHOT_IGNORED_FIELDS
            )
            pk = connection.ops.quote_name(meta.pk.column)
            parts.append(
                f"SELECT '{meta.db_table}' AS t, md5(coalesce(string_agg(ROW({columns})::text, '|' ORDER BY {pk}), '')) "  # noqa: S608 - names from the models, quoted
                f"FROM {table}"
            )
        _SNAPSHOT_SQL.append(" UNION ALL ".join(parts))
    return _SNAPSHOT_SQL[0]


def _snapshot() -> dict[str, str]:
    """Every row of the portal's own apps (small in this world): unchanged after a denied write."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        return dict(cursor.fetchall())


def _classify(response: Any, also_ok: frozenset[int] = frozenset()) -> str:
    status = response.status_code
    if status in also_ok:
        return OK
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
        return OK
    if 200 <= status < 300 or status == 304:
        return OK
    return str(status)


@dataclass(frozen=True)
class Cell:
    url_name: str
    role: Role
    owner: str | None
    method: str


def cells_for(pattern: UrlPattern) -> list[tuple[Cell, Rule]]:
    expectation = expectation_for(pattern.name)
    if expectation is None:
        return []
    methods = dict(expectation.methods)
    model = _admin_model(pattern.name)
    if model in READ_ONLY_ADMIN_ADD and pattern.name.endswith(("_add", "_change")):
        methods = {m: (ADMIN_READ_ONLY if m == "POST" or pattern.name.endswith("_add") else rule)
                   for m, rule in methods.items()}
    return [
        (Cell(pattern.name, role, owner, method), rule)
        for owner in expectation.owners
        for role in ROLES
        for method, rule in methods.items()
    ]


def _args(world: World, pattern: UrlPattern, expectation: E, owner: str | None) -> list[Any]:
    if expectation.args is not None:
        return expectation.args(world, owner)
    # Admin object pages: the model comes from the route prefix "admin/<app>/<model>/".
    if pattern.route.startswith("admin/") and "<" in pattern.route.removeprefix(pattern.prefix):
        app_label, model_name = pattern.prefix.removeprefix("admin/").strip("/").split("/")
        obj = apps.get_model(app_label, model_name).objects.order_by("pk").first()
        assert obj is not None, f"{pattern.name}: the matrix world has no {app_label}.{model_name} row"
        return [obj.pk]
    return []


def _url(world: World, pattern: UrlPattern, expectation: E, owner: str | None) -> str:
    args = _args(world, pattern, expectation, owner)
    if pattern.pattern.name:
        try:
            url = reverse(pattern.name, args=args)
        except Exception:  # noqa: BLE001 - keyword-only converters (e.g. the user admin's <id>)
            url = "/" + pattern.prefix + str(pattern.pattern.pattern).replace("<id>", str(args[0]))
    else:
        # Unnamed: fill the route's single converter by hand.
        url = "/" + pattern.prefix + (str(args[0]) + "/" if "<path:object_id>" in pattern.route else str(args[0]))
    return url + (f"?{expectation.query}" if expectation.query else "")


def run_cell(world: World, clients: dict[str, Client], pattern: UrlPattern, cell: Cell, expected: str) -> str | None:
    """Make the request; returns a failure message or None. Each cell runs in its own savepoint."""
    expectation = expectation_for(pattern.name)
    assert expectation is not None
    url = _url(world, pattern, expectation, cell.owner)
    data = expectation.data(world, cell.owner) if expectation.data else {}
    unsafe = cell.method != "GET"
    with transaction.atomic():
        before = world.baseline if unsafe and expected != OK else None
        if pattern.is_api and cell.role.kind not in {"anonymous", "admin"}:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[cell.role.name]}")
        elif expectation.fresh_session and cell.role.kind != "anonymous":
            client = Client()
            client.force_login(world.users[cell.role.name])
        else:
            client = clients[cell.role.name]
        kwargs: dict[str, Any] = {}
        if unsafe and pattern.is_api:
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif unsafe:
            kwargs = {"data": data}
        try:
            response = getattr(client, cell.method.lower())(url, **kwargs)
            actual = _classify(response, expectation.also_ok)
        except Exception as exc:  # noqa: BLE001 - a crash is a failed cell (500), reported with its cause
            actual = f"500 ({type(exc).__name__}: {str(exc)[:120]})"
            response = None
        message = None
        if actual != expected:
            extra = ""
            if response is not None and response.status_code in (301, 302):
                extra = f" -> {response.headers.get('Location')}"
            elif response is not None and response.status_code >= 400 and not response.streaming:
                extra = f": {response.content[:200]!r}"
            message = f"{cell.method} {url} as {cell.role} (owner {cell.owner}): expected {expected}, got {actual}{extra}"
        elif before is not None:
            after = _snapshot()
            changed = sorted(label for label in before if before[label] != after.get(label))
            if changed:
                message = f"{cell.method} {url} as {cell.role}: denied ({actual}) but changed rows of {changed}"
        transaction.set_rollback(True)
    return message


# Groups of patterns (one test each) so `-n 2 --dist loadgroup` shares the matrix between workers.
ALL_PATTERNS = all_url_patterns()


def _group(pattern: UrlPattern) -> str:
    if pattern.route.startswith("admin/"):
        return "admin"
    if pattern.is_api:
        return "api"
    return "web"


@pytest.mark.parametrize("pattern", ALL_PATTERNS, ids=[p.name for p in ALL_PATTERNS])
def test_permission_matrix(pattern: UrlPattern, world: World, clients: dict[str, Client], db: None) -> None:
    cells = cells_for(pattern)
    if not cells:
        pytest.fail(f"{pattern.name} has no expectation (see test_every_url_has_an_expectation)")
    failures = [
        message
        for cell, rule in cells
        if (message := run_cell(world, clients, pattern, cell, rule(cell.role, cell.owner))) is not None
    ]
    assert not failures, f"{len(failures)} of {len(cells)} cells failed:\n" + "\n".join(failures)


def test_matrix_size() -> None:
    """The number of cells (URL pattern x role x owner x method); printed for the report."""
    size = sum(len(cells_for(p)) for p in ALL_PATTERNS)
    by_group: dict[str, int] = {}
    for p in ALL_PATTERNS:
        by_group[_group(p)] = by_group.get(_group(p), 0) + len(cells_for(p))
    print(f"\nPermission matrix: {len(ALL_PATTERNS)} URL patterns, {len(ROLES)} roles, {size} cells {by_group}")
    assert size > len(ALL_PATTERNS) * len(ROLES)


def test_snapshot_sees_a_write(world: World, db: None) -> None:
    """The denied-write check must be able to fail: a changed row changes the snapshot."""
    from initiatives.models import Initiative

    assert _snapshot() == world.baseline
    Initiative.objects.filter(pk=world.key("initiative_pk", "A")).update(title="Gewijzigd")
    assert _snapshot()["initiatives_initiative"] != world.baseline["initiatives_initiative"]


def test_stale_check_names_missing_urls() -> None:
    """An unknown URL name has no expectation; a pattern named like an admin page falls under its group."""
    assert expectation_for("security:login-code") is None
    assert expectation_for("admin:portal_region_changelist") is not None
