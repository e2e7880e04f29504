"""Shared by every CSV/Excel export: keep spreadsheets from running cell text as a formula."""

from __future__ import annotations

from typing import Any

# Text starting with one of these is a formula (or can start one) in Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix formula-like text with an apostrophe (CSV/formula injection); other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
