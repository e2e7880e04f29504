"""Automatic score suggestions, each with its reason in words (pure, no Django imports).

The assessor sees the suggestion and its reason and has the last word. Every rule returns a
fraction 0..1 that `Suggestion.on_scale` maps to a criterion's scale, and a reason key with
parameters; REASONS holds the English templates so the UI can translate them (marked for
extraction with the local `gettext_noop`, which xgettext recognises by name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    return message


# Partner kinds that count as "new and smaller parties".
SMALL_PARTY_KINDS = frozenset({"startup", "sme", "citizen_initiative", "foundation"})
SMALL_PARTY_HELIX = frozenset({"civil_society"})


# Reason per key: English templates, translated on display. Results store the key, not the text.
REASONS: dict[str, str] = {
    "priorities_none": gettext_noop("Not tagged with any national priority."),
    "priorities_some": gettext_noop("Tagged with {count} national priorities ({names}), of which {challenges} transition challenges."),
    "relevance_decline": gettext_noop("Works in {provinces} provinces across {landsdelen} landsdelen, including population-decline regions ({regions})."),
    "relevance_no_decline": gettext_noop("Works in {provinces} provinces across {landsdelen} landsdelen; no population-decline region."),
    "partners_none": gettext_noop("No partner organisations are registered."),
    "partners_small_share": gettext_noop("{small} of {total} partners ({percent}%) are start-ups, SMEs or civil-society parties."),
    "international_none": gettext_noop("No EU funding instruments and no foreign partners."),
    "international_some": gettext_noop("{eu} EU funding instruments ({names}) and {foreign} foreign partners."),
}


@dataclass(frozen=True)
class InitiativeFacts:
    """What the rules need to know about one initiative, gathered in bulk by the scoring service."""

    priority_names: Sequence[str] = ()
    transition_challenge_count: int = 0
    province_count: int = 0
    landsdeel_count: int = 0
    decline_region_names: Sequence[str] = ()
    # (kind, helix_role, country) per partner organisation, the lead included.
    partners: Sequence[tuple[str, str, str]] = ()
    eu_instrument_names: Sequence[str] = ()


@dataclass(frozen=True)
class Suggestion:
    fraction: float  # 0..1
    key: str  # into REASONS
    params: dict[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return REASONS[self.key]

    def on_scale(self, scale_min: int, scale_max: int) -> int:
        return round(scale_min + self.fraction * (scale_max - scale_min))

    def text(self, translate: Callable[[str], str] = gettext_noop) -> str:
        return translate(self.reason).format(**self.params)


def _names(items: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (" …" if len(items) > limit else "")


def suggest_national_priorities(facts: InitiativeFacts) -> Suggestion:
    count = len(facts.priority_names)
    if count == 0:
        return Suggestion(0.0, "priorities_none")
    # One priority is a fit; three or more, or a transition challenge plus another, is a strong fit.
    fraction = min(1.0, 0.5 + 0.25 * (count - 1) + (0.25 if facts.transition_challenge_count else 0.0))
    return Suggestion(
        fraction,
        "priorities_some",
        {"count": count, "names": _names(list(facts.priority_names)), "challenges": facts.transition_challenge_count},
    )


def suggest_national_relevance(facts: InitiativeFacts) -> Suggestion:
    provinces, landsdelen, decline = facts.province_count, facts.landsdeel_count, len(facts.decline_region_names)
    # More provinces and landsdelen means wider relevance; krimp regions add to balanced growth.
    fraction = min(1.0, 0.15 * max(provinces - 1, 0) + 0.25 * max(landsdelen - 1, 0) + (0.4 if decline else 0.0))
    if decline:
        return Suggestion(
            fraction,
            "relevance_decline",
            {"provinces": provinces, "landsdelen": landsdelen, "regions": _names(list(facts.decline_region_names))},
        )
    return Suggestion(
        fraction,
        "relevance_no_decline",
        {"provinces": provinces, "landsdelen": landsdelen},
    )


def suggest_new_parties(facts: InitiativeFacts) -> Suggestion:
    total = len(facts.partners)
    if total == 0:
        return Suggestion(0.0, "partners_none")
    small = sum(1 for kind, helix, _country in facts.partners if kind in SMALL_PARTY_KINDS or helix in SMALL_PARTY_HELIX)
    share = small / total
    # Half or more of the partners small or civil-society parties counts as plenty of room.
    return Suggestion(
        min(1.0, share * 2),
        "partners_small_share",
        {"small": small, "total": total, "percent": round(100 * share)},
    )


def suggest_international(facts: InitiativeFacts) -> Suggestion:
    foreign = sum(1 for _kind, _helix, country in facts.partners if country and country.upper() != "NL")
    eu = len(facts.eu_instrument_names)
    fraction = min(1.0, (0.5 if eu else 0.0) + 0.25 * min(foreign, 2))
    if not eu and not foreign:
        return Suggestion(0.0, "international_none")
    return Suggestion(
        fraction,
        "international_some",
        {"eu": eu, "names": _names(list(facts.eu_instrument_names)) or "-", "foreign": foreign},
    )


RULES: dict[str, Callable[[InitiativeFacts], Suggestion]] = {
    "national_priorities": suggest_national_priorities,
    "national_relevance": suggest_national_relevance,
    "new_parties": suggest_new_parties,
    "international": suggest_international,
}


def suggest(rule: str, facts: InitiativeFacts) -> Suggestion | None:
    function = RULES.get(rule)
    return function(facts) if function else None
