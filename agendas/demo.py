"""Demo agendas for the demo ecosystems (idempotent): one adopted, one with feedback, one draft.

Call `seed_agendas()` after portal.demo.ensure_organisations_and_ecosystems(). It goes through the
services, so the history and versions look exactly like real use. Mail is switched off while seeding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

from agendas import services
from agendas.models import Agenda, Status
from portal.models import Ecosystem, FundingInstrument, User

ROLES = ("government", "business", "knowledge", "civil_society")


def _fill(version: Any, actor: User, *, name: str, complete: bool) -> None:
    today = timezone.localdate()
    services.version_update(version=version, actor=actor, lock_version=version.lock_version, data={
        "vision": f"{name} wil in 2040 een van de meest innovatieve regio's van Europa zijn, met brede welvaart "
                  "voor iedereen: goed werk, een gezonde leefomgeving en bedrijven die wereldwijd meedoen.",
        "dna_analysis": "Sterk in maakindustrie, hightech systemen en toegepast onderzoek; zwak in doorstroom van "
                        "talent naar het mkb en in samenwerking tussen kennisinstellingen en kleine bedrijven.",
        "horizon_start": today.year, "horizon_end": today.year + (20 if complete else 12),
        "last_revision": today - dt.timedelta(days=60),
        "impact": "10.000 extra banen in hightech en maakindustrie; 30% minder CO2-uitstoot van de industrie."
        if complete else "",
        "governance": "Een stuurgroep met provincie, gemeenten, bedrijven, kennisinstellingen en maatschappelijke "
                      "organisaties; een programmabureau bij de economic board.",
        "monitoring": "Jaarlijkse monitor met de indicatoren per doel; herijking elke vier jaar." if complete else "",
    })
    version.refresh_from_db()
    for i, role in enumerate(ROLES if complete else ROLES[:2]):
        services.part_add(version=version, actor=actor, kind="endorsement", data={
            "organisation": ["Provincie", "Werkgeversvereniging", "Universiteit", "Maatschappelijke alliantie"][i],
            "helix_role": role, "endorsed_on": today - dt.timedelta(days=90), "signatory": "Voorzitter",
        })
    services.part_add(version=version, actor=actor, kind="review_moment", data={
        "planned_on": today + dt.timedelta(days=365), "description": "Jaarlijkse herijking met de partners",
    })
    services.part_add(version=version, actor=actor, kind="goal", data={
        "title": "Meer technisch talent in de regio", "indicator": "Afgestudeerden techniek per jaar",
        "baseline": Decimal(2500), "target": Decimal(4000), "target_year": today.year + 10,
    })
    services.part_add(version=version, actor=actor, kind="goal", data={
        "title": "Innovatiever mkb", "indicator": "" if not complete else "Mkb-bedrijven met innovatieproject",
        "target": None if not complete else Decimal(600), "target_year": None if not complete else today.year + 8,
    })
    for party, role, kind, amount in [
        ("Provincie", "government", "money", 25_000_000), ("Bedrijven (consortium)", "business", "money", 40_000_000),
        ("Universiteit", "knowledge", "fte", 12),
    ]:
        services.part_add(version=version, actor=actor, kind="commitment", data={
            "party": party, "helix_role": role, "kind": kind, "amount": Decimal(amount),
        })
    services.part_add(version=version, actor=actor, kind="action", data={
        "title": "Internationaal talent aantrekken en behouden", "scope": "generic",
        "lead_organisation": "Economic board", "budget": Decimal(3_000_000),
    })
    if complete:
        services.part_add(version=version, actor=actor, kind="action", data={
            "title": "Fieldlab slimme maakindustrie", "scope": "cluster_specific",
            "lead_organisation": "Hogeschool", "budget": Decimal(5_000_000),
        })
    services.part_add(version=version, actor=actor, kind="human_capital", data={
        "title": "Leergemeenschap techniek", "kind": "learning_community", "with_mbo": True,
        "with_hogeschool": True, "with_university": complete, "education_partners": "ROC, hogeschool, universiteit",
    })
    instruments = {i.code: i for i in FundingInstrument.objects.filter(code__in=["regio-deal", "efro"])}
    for desc, code, level, form, amount, private, revolving in [
        ("Regio Deal", "regio-deal", "national", "subsidy", 30_000_000, False, 0),
        ("EFRO", "efro", "eu", "subsidy", 15_000_000, False, 0),
        ("Private co-financiering", None, "private", "equity", 60_000_000 if complete else 10_000_000, True,
         0),
        ("Regionaal innovatiefonds", None, "regional", "revolving", 15_000_000, False, 100 if complete else 0),
    ]:
        services.part_add(version=version, actor=actor, kind="funding_line", data={
            "description": desc, "instrument": instruments.get(code) if code else None, "source_level": level,
            "form": form, "amount": Decimal(amount), "year_from": today.year, "year_to": today.year + 6,
            "is_private": private, "revolving_share": revolving,
        })
    services.part_add(version=version, actor=actor, kind="agreement", data={
        "topic": "regulation", "description": "Experimenteerruimte voor waterstof in de industrie",
        "ministry": "EZK", "regional_owner": "Provincie", "national_role": "Regelgeving aanpassen",
        "regional_role": "Pilots organiseren en evalueren" if complete else "", "due_date": today + dt.timedelta(days=540),
    })


def _assess(agenda: Agenda, staff: User, score: int, target: str, note: str) -> None:
    services.agenda_transition(agenda=agenda, actor=staff, target=Status.IN_REVIEW)
    version = agenda.versions.filter(frozen=True).order_by("-number").first()
    for n in range(1, 8):
        services.criterion_assess(
            version=version, actor=staff, criterion=n, score=score if n != 3 else max(score - 1, 0),
            feedback="Goed onderbouwd." if score >= 2 else "Maak dit concreter en meetbaar.",
        )
    services.agenda_transition(agenda=agenda, actor=staff, target=target, note=note)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def seed_agendas() -> int:
    """Create the demo agendas that do not exist yet. Returns how many were created."""
    staff = User.objects.filter(username="programmateam").first()
    plans = [
        ("brainport-eindhoven", "bestuur-brainport", True, Status.ADOPTED),
        ("zuid-holland", "bestuur-zuid-holland", False, Status.FEEDBACK),
    ]
    created = 0
    for slug, username, complete, outcome in plans:
        ecosystem = Ecosystem.objects.filter(slug=slug).first()
        board = User.objects.filter(username=username).first()
        if ecosystem is None or board is None or staff is None or Agenda.objects.filter(ecosystem=ecosystem).exists():
            continue
        agenda = services.agenda_create(ecosystem=ecosystem, actor=board)
        _fill(agenda.versions.get(frozen=False), board, name=ecosystem.name, complete=complete)
        services.agenda_transition(agenda=agenda, actor=board, target=Status.SUBMITTED)
        if outcome == Status.ADOPTED:
            _assess(agenda, staff, 3, Status.ADOPTED, "Vastgesteld in het rijk-regio-overleg.")
        else:
            _assess(agenda, staff, 1, Status.FEEDBACK, "Werk de doelen en de hefboom verder uit.")
        created += 1
    return created
