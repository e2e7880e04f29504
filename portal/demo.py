"""Deterministic demo data: real ecosystems, their partners, users per role and N initiatives.

Initiative i is generated from its own random stream (seed, i), so a rerun creates only the missing
ones and the same (size, seed) always gives the same rows. Inserts are bulk, in batches, so
`--size 100000` takes minutes, not hours.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from initiatives.models import FundingLine, Initiative
from portal.demo_ecosystems import (
    ECOSYSTEMS,
    FIRST_NAMES,
    FOREIGN,
    LAST_NAMES,
    ORGANISATIONS,
    THEME_WINDOWS,
)
from portal.demo_text import (
    GENERIC_SENTENCES_EN,
    GENERIC_SENTENCES_NL,
    THEME_TEXTS,
    TITLE_PATTERNS_EN,
    TITLE_PATTERNS_NL,
)
from portal.models import (
    Ecosystem,
    EcosystemPartner,
    FundingInstrument,
    FutureVisionWindow,
    Organisation,
    Region,
    Theme,
    User,
    WeakSpot,
)

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - printed on purpose: demo mode only
EXTERNAL_PREFIX = "demo-"
BATCH = 2000

# (username, role, organisation slug, full name) — one login per role, two boards for contrast.
DEMO_USERS = [
    ("programmateam", User.Role.STAFF, "ezk", "Pim Programmateam"),
    ("beoordelaar", User.Role.ASSESSOR, "bzk", "Bea Beoordelaar"),
    ("bestuur-brainport", User.Role.BOARD, "brainport-development", "Bart Brainport"),
    ("bestuur-zuid-holland", User.Role.BOARD, "eb-zuid-holland", "Zoë Zuid-Holland"),
    ("rom-oost-nl", User.Role.ROM, "oost-nl", "Roos Oost NL"),
    ("admin", User.Role.ADMIN, None, "Ad Beheerder"),
]

TYPE_WEIGHTS = {
    "innovation_project": 40, "field_lab": 15, "programme": 10, "learning_community": 10, "campus": 5,
    "fund": 5, "centre_of_expertise": 8, "network": 7,
}
STAGE_WEIGHTS = {"idea": 15, "pilot": 35, "scaling": 30, "structural": 20}
STATUS_WEIGHTS = {"active": 70, "draft": 10, "completed": 10, "stopped": 5, "archived": 5}


@dataclass
class Catalogue:
    """Everything the generator picks from, loaded once."""

    ecosystems: list[Ecosystem]
    specs: dict[str, dict[str, Any]]
    partners: dict[int, list[Organisation]]
    regions_by_code: dict[str, Region]
    corops_by_province: dict[int, list[Region]]
    themes: dict[str, Theme]
    theme_priorities: dict[str, list[int]]
    windows: dict[str, FutureVisionWindow]
    instruments: list[FundingInstrument]
    foreign: list[Organisation] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def ensure_organisations_and_ecosystems() -> None:
    """Upsert the demo organisations, ecosystems, partners, weak spots and users (idempotent)."""
    regions = {r.code: r for r in Region.objects.all()}
    if len(regions) < 50:
        raise RuntimeError("Load the reference data first: python manage.py load_reference_data")
    with transaction.atomic():
        orgs: dict[str, Organisation] = {o.slug: o for o in Organisation.objects.all()}
        for slug, name, short, helix, kind, region_code in ORGANISATIONS:
            values = {
                "name": name, "short_name": short, "helix_role": helix, "kind": kind,
                "home_region": regions.get(region_code), "country": FOREIGN.get(slug, "NL"),
            }
            if slug in orgs:
                obj = orgs[slug]
                changed = [k for k, v in values.items() if getattr(obj, k) != v]
                if changed:
                    for k in changed:
                        setattr(obj, k, values[k])
                    obj.save(update_fields=[*changed, "updated_at"])
            else:
                orgs[slug] = Organisation.objects.create(slug=slug, **values)
        for spec in ECOSYSTEMS:
            ecosystem, _ = Ecosystem.objects.update_or_create(
                slug=spec["slug"],
                defaults={
                    "name": spec["name"], "lead_organisation": orgs[spec["lead"]],
                    "profile": spec["profile"], "strengths": spec["strengths"], "published": True,
                },
            )
            ecosystem.regions.set([regions[c] for c in spec["regions"]])
            for slug in [spec["lead"], *spec["partners"]]:
                EcosystemPartner.objects.get_or_create(
                    ecosystem=ecosystem, organisation=orgs[slug], defaults={"helix_role": orgs[slug].helix_role}
                )
            for category, severity, description in spec["weak_spots"]:
                WeakSpot.objects.update_or_create(
                    ecosystem=ecosystem, category=category, defaults={"severity": severity, "description": description}
                )
        password = make_password(DEMO_PASSWORD)
        for username, role, org_slug, full_name in DEMO_USERS:
            first, _, last = full_name.partition(" ")
            User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role, "organisation": orgs.get(org_slug) if org_slug else None,
                    "first_name": first, "last_name": last, "email": f"{username}@demo.regio-innovatieportaal.nl",
                    "password": password, "is_staff": role == User.Role.ADMIN,
                    "is_superuser": role == User.Role.ADMIN,
                },
            )


def load_catalogue() -> Catalogue:
    ecosystems = list(Ecosystem.objects.filter(slug__in=[s["slug"] for s in ECOSYSTEMS]).order_by("id"))
    by_slug = {s["slug"]: s for s in ECOSYSTEMS}
    partners: dict[int, list[Organisation]] = {}
    for link in EcosystemPartner.objects.filter(ecosystem__in=ecosystems).select_related("organisation").order_by("id"):
        partners.setdefault(link.ecosystem_id, []).append(link.organisation)
    regions = {r.code: r for r in Region.objects.all()}
    corops: dict[int, list[Region]] = {}
    for region in sorted(regions.values(), key=lambda r: r.code):
        if region.kind == Region.Kind.COROP and region.parent_id:
            corops.setdefault(region.parent_id, []).append(region)
    themes = {t.code: t for t in Theme.objects.all()}
    theme_priorities: dict[str, list[int]] = {code: [] for code in themes}
    for theme_code, priority_id in Theme.priorities.through.objects.values_list("theme__code", "priority_id").order_by("id"):
        theme_priorities[theme_code].append(priority_id)
    return Catalogue(
        ecosystems=ecosystems,
        specs={e.slug: by_slug[e.slug] for e in ecosystems},
        partners=partners,
        regions_by_code=regions,
        corops_by_province=corops,
        themes=themes,
        theme_priorities=theme_priorities,
        windows={w.code: w for w in FutureVisionWindow.objects.all()},
        instruments=list(FundingInstrument.objects.order_by("code")),
        foreign=list(Organisation.objects.exclude(country="NL").order_by("slug")),
    )


@dataclass
class InitiativePlan:
    initiative: Initiative
    region_ids: list[int]
    partner_ids: list[int]
    priority_ids: list[int]
    window_ids: list[int]
    funding: list[tuple[int, Decimal, int, int]]


def _text_choice(rng: random.Random, seed: int, index: int, cat: Catalogue) -> tuple[Ecosystem, str, int, bool]:
    """Ecosystem, theme, subtopic and language of initiative `index`.

    Every 12th initiative is a deliberate twin of an earlier one in another ecosystem (same
    subtopic, often the other language): the overlaps the programme team should find.
    """
    weights = [cat.specs[e.slug]["weight"] for e in cat.ecosystems]
    ecosystem = rng.choices(cat.ecosystems, weights=weights)[0]
    if index % 12 == 11:
        source_rng = random.Random(f"{seed}-{index - 7}")
        source_eco, theme, sub, english = _text_choice(source_rng, seed, index - 7, cat)
        others = [e for e in cat.ecosystems if e.id != source_eco.id]
        return rng.choice(others), theme, sub, not english if rng.random() < 0.6 else english
    theme = _pick(rng, cat.specs[ecosystem.slug]["themes"])
    sub = rng.randrange(len(THEME_TEXTS[theme]))
    return ecosystem, theme, sub, rng.random() < 0.15


def plan_initiative(seed: int, index: int, cat: Catalogue) -> InitiativePlan:
    rng = random.Random(f"{seed}-{index}")
    ecosystem, theme_code, sub_index, english = _text_choice(rng, seed, index, cat)
    spec = cat.specs[ecosystem.slug]
    subtopic = THEME_TEXTS[theme_code][sub_index]
    partners = cat.partners[ecosystem.id]
    lead = rng.choice(partners)
    place = rng.choice(spec["places"])
    partner = rng.choice(partners)
    fill = {"place": place, "lead": lead.name, "partner": partner.name, "year": rng.randint(2026, 2032), "n": rng.randint(2, 40)}
    kind = _pick(rng, TYPE_WEIGHTS)
    patterns = TITLE_PATTERNS_EN if english else TITLE_PATTERNS_NL
    title = _upper_first(rng.choice(patterns[kind]).format(subtopic=subtopic["en" if english else "nl"], place=place))[:200]
    sentences = subtopic["sentences_en" if english else "sentences_nl"]
    generic = GENERIC_SENTENCES_EN if english else GENERIC_SENTENCES_NL
    chosen = rng.sample(sentences, k=min(len(sentences), rng.randint(2, 3))) + rng.sample(generic, k=rng.randint(1, 2))
    description = " ".join(s.format(**fill) for s in chosen)

    region_ids = []
    for code in spec["regions"]:
        region = cat.regions_by_code[code]
        if region.kind == Region.Kind.PROVINCE and rng.random() < 0.5:
            region = rng.choice(cat.corops_by_province[region.id])
        region_ids.append(region.id)
    region_ids = sorted(set(rng.sample(region_ids, k=max(1, min(len(region_ids), rng.randint(1, 2))))))
    if rng.random() < 0.08:  # cross-regional initiative
        other = rng.choice(cat.ecosystems)
        region_ids = sorted({*region_ids, cat.regions_by_code[cat.specs[other.slug]["regions"][0]].id})
    partner_ids = sorted({p.id for p in rng.sample(partners, k=min(len(partners), rng.randint(1, 4)))} - {lead.id})
    if cat.foreign and rng.random() < 0.06:
        # A set: the foreign organisation may already be one of the ecosystem's partners.
        partner_ids = sorted({*partner_ids, rng.choice(cat.foreign).id} - {lead.id})
    priority_ids = cat.theme_priorities.get(theme_code, [])
    priority_ids = sorted(rng.sample(priority_ids, k=rng.randint(min(1, len(priority_ids)), len(priority_ids))))
    window_ids = [cat.windows[c].id for c in THEME_WINDOWS.get(theme_code, []) if c in cat.windows]

    status = _pick(rng, STATUS_WEIGHTS)
    start = dt.date(rng.randint(2019, 2027), rng.randint(1, 12), 1)
    end = start.replace(year=start.year + rng.randint(2, 8))
    budget = Decimal(int(10 ** rng.uniform(4.7, 7.7)) // 1000 * 1000)
    funding = []
    remaining = budget
    for _ in range(rng.randint(1, 3)):
        instrument = rng.choice(cat.instruments)
        amount = (remaining * Decimal(rng.uniform(0.2, 0.7))).quantize(Decimal("1"))
        remaining -= amount
        funding.append((instrument.id, amount, start.year, end.year))
    now = timezone.now()
    initiative = Initiative(
        title=title,
        description=description,
        ecosystem=ecosystem,
        lead_organisation=lead,
        type=kind,
        stage=_pick(rng, STAGE_WEIGHTS),
        scope=Initiative.Scope.GENERIC if theme_code == "human_capital" or rng.random() < 0.15 else Initiative.Scope.CLUSTER_SPECIFIC,
        theme=cat.themes[theme_code],
        budget=budget,
        start_date=start,
        end_date=end,
        status=status,
        published=status != "draft" and rng.random() < 0.85,
        contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        contact_email=f"contact{index}@demo.invalid",
        owner_organisation=ecosystem.lead_organisation,
        external_id=f"{EXTERNAL_PREFIX}{index:06d}",
        created_at=now,
        updated_at=now,
    )
    return InitiativePlan(initiative, region_ids, partner_ids, priority_ids, window_ids, funding)


def _batches(indices: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield indices[start : start + size]


def existing_demo_indices() -> set[int]:
    return {
        int(ext[len(EXTERNAL_PREFIX):])
        for ext in Initiative.objects.filter(external_id__startswith=EXTERNAL_PREFIX).values_list("external_id", flat=True)
    }


def seed_initiatives(*, size: int, seed: int, progress: Callable[[int], None] | None = None) -> int:
    """Create demo initiatives 0..size-1 that do not exist yet. Returns how many were created."""
    cat = load_catalogue()
    missing = sorted(set(range(size)) - existing_demo_indices())
    through = Initiative
    created = 0
    for batch in _batches(missing, BATCH):
        plans = [plan_initiative(seed, i, cat) for i in batch]
        with transaction.atomic():
            objs = Initiative.objects.bulk_create([p.initiative for p in plans])
            regions, partners, priorities, windows, lines = [], [], [], [], []
            for plan, obj in zip(plans, objs, strict=True):
                regions += [through.regions.through(initiative_id=obj.id, region_id=r) for r in plan.region_ids]
                partners += [through.partners.through(initiative_id=obj.id, organisation_id=o) for o in plan.partner_ids]
                priorities += [through.priorities.through(initiative_id=obj.id, priority_id=p) for p in plan.priority_ids]
                windows += [
                    through.vision_windows.through(initiative_id=obj.id, futurevisionwindow_id=w) for w in plan.window_ids
                ]
                lines += [
                    FundingLine(initiative_id=obj.id, instrument_id=i, amount=a, year_from=y0, year_to=y1)
                    for i, a, y0, y1 in plan.funding
                ]
            Initiative.regions.through.objects.bulk_create(regions)
            Initiative.partners.through.objects.bulk_create(partners)
            Initiative.priorities.through.objects.bulk_create(priorities)
            Initiative.vision_windows.through.objects.bulk_create(windows)
            FundingLine.objects.bulk_create(lines)
        created += len(batch)
        if progress:
            progress(len(batch))
    return created
