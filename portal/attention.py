"""The dashboard's "needs attention" list. Apps register providers; the dashboard asks them all.

A provider takes the user and returns a list of AttentionItem (possibly empty). The agenda,
selection and overlap apps add theirs (agendas awaiting review, rounds near their deadline,
pending overlap suggestions) with `register_provider` in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.permissions import AnyUser


@dataclass(frozen=True)
class AttentionItem:
    label: str
    count: int
    url: str
    severity: str = "info"  # "info" | "warning"


Provider = Callable[[AnyUser], list[AttentionItem]]
_PROVIDERS: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def attention_items(*, user: AnyUser) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for provider in _PROVIDERS:
        items.extend(item for item in provider(user) if item.count)
    return items
