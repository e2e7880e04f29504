"""JSON shape of an adopted agenda version with its criterion results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from agendas import selectors
from agendas.models import AgendaVersion


def _figure(value: Any) -> Any:
    # Decimals as strings, like DRF's DecimalField, so no precision is lost.
    return str(value) if isinstance(value, Decimal) else value


class AdoptedVersionSerializer(serializers.Serializer):
    def to_representation(self, version: AgendaVersion) -> dict[str, Any]:
        eco = version.agenda.ecosystem
        return {
            "ecosystem": {"slug": eco.slug, "name": eco.name},
            "title": version.agenda.title,
            "version": version.number,
            "status": version.status,
            "submitted_at": version.submitted_at.isoformat() if version.submitted_at else None,
            "horizon": {"start": version.horizon_start, "end": version.horizon_end},
            "last_revision": version.last_revision.isoformat() if version.last_revision else None,
            "verdict": version.verdict,
            "verdict_feedback": version.verdict_feedback,
            "criteria": [
                {
                    "criterion": row.number,
                    "title": row.title,
                    "check": row.check.status,
                    "reasons": row.check.reasons,
                    "figures": {k: _figure(v) for k, v in row.check.figures.items()},
                    "score": row.score,
                    "feedback": row.feedback,
                }
                for row in selectors.criterion_rows(version)
            ],
        }
