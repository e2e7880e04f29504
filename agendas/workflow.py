"""The agenda workflow in one table: which role may move an agenda from which state to which.

    draft ──submit──▶ submitted ──start review──▶ in_review ──give feedback──▶ feedback
                          ▲                            │                         │
                          └────────submit─── revised ◀─┼───────start revision────┘
                                                 ▲     └──adopt──▶ adopted
                                                 └──────start revision─────┘

Roles come from portal.permissions.agenda_role: "board" (the ecosystem's own board), "staff"
(programme staff and admins) and "assessor" (programme-team assessors). Nothing else decides
whether a transition is allowed: agendas.services.agenda_transition looks it up here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from agendas.models import Status

BOARD = "board"
STAFF = "staff"
ASSESSOR = "assessor"

ALLOWED_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({BOARD}),
    (Status.SUBMITTED, Status.IN_REVIEW): frozenset({STAFF, ASSESSOR}),
    (Status.IN_REVIEW, Status.FEEDBACK): frozenset({STAFF, ASSESSOR}),
    (Status.IN_REVIEW, Status.ADOPTED): frozenset({STAFF}),
    (Status.FEEDBACK, Status.REVISED): frozenset({BOARD}),
    (Status.REVISED, Status.SUBMITTED): frozenset({BOARD}),
    # An adopted agenda stays current: the board starts a revision and submits a new version.
    (Status.ADOPTED, Status.REVISED): frozenset({BOARD}),
}

# Button labels per target state.
TRANSITION_LABELS = {
    Status.SUBMITTED: _("Submit this version"),
    Status.IN_REVIEW: _("Start the review"),
    Status.FEEDBACK: _("Send feedback to the board"),
    Status.ADOPTED: _("Adopt the agenda"),
    Status.REVISED: _("Start a revision"),
}


def is_allowed(*, source: str, target: str, role: str | None) -> bool:
    return role is not None and role in ALLOWED_TRANSITIONS.get((source, target), frozenset())


def targets_for(*, source: str, role: str | None) -> list[str]:
    """The states this role may move an agenda to from `source`, in table order."""
    return [t for (s, t), roles in ALLOWED_TRANSITIONS.items() if s == source and role in roles]
