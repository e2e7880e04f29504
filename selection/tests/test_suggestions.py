"""Every suggestion rule: its score and its reason in words (pure module)."""

from selection.suggestions import (
    InitiativeFacts,
    suggest,
    suggest_international,
    suggest_national_priorities,
    suggest_national_relevance,
    suggest_new_parties,
)


def test_national_priorities_none_tagged():
    s = suggest_national_priorities(InitiativeFacts())
    assert s.fraction == 0 and s.on_scale(1, 5) == 1
    assert s.text() == "Not tagged with any national priority."


def test_national_priorities_more_tags_and_a_transition_challenge_score_higher():
    one = suggest_national_priorities(InitiativeFacts(priority_names=["Waterstof"]))
    three = suggest_national_priorities(
        InitiativeFacts(priority_names=["Energietransitie", "Waterstof", "Fotonica"], transition_challenge_count=1)
    )
    assert one.on_scale(1, 5) == 3
    assert three.on_scale(1, 5) == 5
    assert "3 national priorities (Energietransitie, Waterstof, Fotonica)" in three.text()
    assert "1 transition challenges" in three.text()


def test_national_relevance_one_province_no_krimp_is_low():
    s = suggest_national_relevance(InitiativeFacts(province_count=1, landsdeel_count=1))
    assert s.on_scale(1, 5) == 1
    assert "no population-decline region" in s.text()


def test_national_relevance_krimp_and_several_landsdelen():
    s = suggest_national_relevance(
        InitiativeFacts(province_count=3, landsdeel_count=2, decline_region_names=["Oost-Groningen"])
    )
    assert s.fraction == min(1.0, 0.15 * 2 + 0.25 + 0.4)
    assert s.on_scale(1, 5) == 5
    assert "population-decline regions (Oost-Groningen)" in s.text()


def test_new_parties_share_of_startups_smes_and_civil_society():
    partners = [
        ("startup", "business", "NL"), ("university", "knowledge", "NL"),
        ("foundation", "civil_society", "NL"), ("company", "business", "NL"),
    ]
    s = suggest_new_parties(InitiativeFacts(partners=partners))
    assert s.fraction == 1.0  # half of the partners
    assert s.text() == "2 of 4 partners (50%) are start-ups, SMEs or civil-society parties."
    none = suggest_new_parties(InitiativeFacts(partners=[("company", "business", "NL")]))
    assert none.fraction == 0
    assert suggest_new_parties(InitiativeFacts()).text() == "No partner organisations are registered."


def test_international_eu_funding_and_foreign_partners():
    assert suggest_international(InitiativeFacts(partners=[("company", "business", "NL")])).fraction == 0
    eu_only = suggest_international(InitiativeFacts(eu_instrument_names=["EFRO"]))
    assert eu_only.fraction == 0.5
    both = suggest_international(
        InitiativeFacts(eu_instrument_names=["Horizon Europe"], partners=[("university", "knowledge", "BE"), ("company", "business", "DE")])
    )
    assert both.fraction == 1.0
    assert both.text() == "1 EU funding instruments (Horizon Europe) and 2 foreign partners."


def test_unknown_rule_gives_no_suggestion_and_translation_is_applied():
    assert suggest("", InitiativeFacts()) is None
    s = suggest("national_priorities", InitiativeFacts())
    assert s.text(lambda m: m.upper()) == "NOT TAGGED WITH ANY NATIONAL PRIORITY."


def test_every_reason_key_has_a_template_with_its_parameters():
    from selection.suggestions import REASONS

    facts = InitiativeFacts(
        priority_names=["A"], province_count=2, landsdeel_count=1, decline_region_names=["B"],
        partners=[("startup", "business", "DE")], eu_instrument_names=["EFRO"],
    )
    seen = set()
    for rule_facts in (facts, InitiativeFacts()):
        for rule in ("national_priorities", "national_relevance", "new_parties", "international"):
            suggestion = suggest(rule, rule_facts)
            seen.add(suggestion.key)
            assert "{" not in suggestion.text()
    assert seen <= set(REASONS)
