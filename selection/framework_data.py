"""The example afwegingskader of the AWTI advice (§3.2), as nine criteria (DOMAIN.md)."""

from __future__ import annotations

from typing import Any

FRAMEWORK_CODE = "awti-2021"
FRAMEWORK_NAME = "Afwegingskader AWTI 2021"

# (code, question_nl, question_en, help text, suggestion rule, allows not applicable)
NINE_QUESTIONS: list[tuple[str, str, str, str, str, bool]] = [
    ("toekomstbeeld",
     "Draagt het initiatief bij aan het overkoepelende toekomstbeeld?",
     "Does the initiative contribute to the overarching future vision (toekomstbeeld)?",
     "Kijk naar de vensters van het toekomstbeeld waaraan het initiatief gekoppeld is.", "", False),
    ("nationale-prioriteiten",
     "Past het bij de nationale prioriteiten (één of meerdere)? Helpt het één of meer transitieopgaven op te lossen?",
     "Does it fit the national priorities (one or several)? Does it help solve one or several transition challenges?",
     "Suggestie op basis van de koppelingen aan speerpunten en transitieopgaven.", "national_priorities", False),
    ("nationale-relevantie",
     "Hoe relevant is het regionale initiatief op nationale schaal? Draagt het bij aan evenwichtige groei in Nederland? Is het een antwoord op krimp?",
     "How relevant is the regional initiative at national scale? Does it contribute to balanced growth within the Netherlands? Is it an answer to population decline?",
     "Suggestie op basis van het aantal provincies en landsdelen en krimpregio's.", "national_relevance", False),
    ("economische-kansen",
     "Welke economische kansen biedt het, op korte en lange termijn? In hoeverre kunnen bedrijven nieuwe toepassingen ontwikkelen en vermarkten?",
     "Which economic opportunities does it offer, short and long term? To what extent can companies develop and market new applications?",
     "", "", False),
    ("internationale-ambities",
     "Bij welke internationale ambities en niches van Nederland past het, en helpt het die te realiseren? Helpt het Nederlandse bedrijven in internationale waardeketens?",
     "Which international ambitions and niches of the Netherlands does it fit, and does it help realise them? Does it help Dutch business in international value chains?",
     "", "", True),
    ("ontwikkelingsfase",
     "Hoe ver is het wetenschappelijk en technologisch ontwikkeld? Welke doorbraken zijn nog nodig? Is de kennis in Nederland of via partners in het buitenland beschikbaar?",
     "How far is it developed scientifically and technologically? Which breakthroughs are still needed? Is the knowledge available in the Netherlands or through partners abroad?",
     "", "", True),
    ("sterktes-zwaktes",
     "In hoeverre benut het de sterktes van het nationale innovatie-ecosysteem, en hoeveel hinder ondervindt het van zwakke plekken?",
     "To what extent does it use the strengths of the national innovation ecosystem, and how much is it hindered by weak spots?",
     "", "", False),
    ("nieuwe-partijen",
     "Hoeveel ruimte biedt het aan nieuwe en kleinere partijen, start-ups en burgerinitiatieven?",
     "How much room does it give to new and smaller parties, start-ups and citizens' initiatives?",
     "Suggestie op basis van het aandeel start-ups, mkb en maatschappelijke partners.", "new_parties", True),
    ("internationale-samenwerking",
     "Hoe goed sluit het aan bij andere nationale en internationale allianties en programma's; welke kansen op internationale samenwerking biedt het?",
     "How well does it connect to other national and international alliances and programmes; what opportunities for international cooperation does it offer?",
     "Suggestie op basis van EU-instrumenten in de financiering en buitenlandse partners.", "international", True),
]


def seed_framework(framework_model: Any, version_model: Any, criterion_model: Any) -> tuple[Any, bool]:
    """Create the framework with version 1 and the nine criteria unless it exists. Returns (version, created).

    Takes the model classes so the data migration can pass its historical models.
    """
    framework, _ = framework_model.objects.get_or_create(code=FRAMEWORK_CODE, defaults={"name": FRAMEWORK_NAME})
    version = version_model.objects.filter(framework=framework).order_by("-number").first()
    if version is not None:
        return version, False
    version = version_model.objects.create(framework=framework, number=1, note="AWTI 2021, §3.2")
    criterion_model.objects.bulk_create(
        criterion_model(
            version=version, code=code, position=position, question_nl=nl, question_en=en, help_text=help_text,
            weight=1, scale_min=1, scale_max=5, allows_not_applicable=na, suggestion_rule=rule,
        )
        for position, (code, nl, en, help_text, rule, na) in enumerate(NINE_QUESTIONS, start=1)
    )
    return version, True
