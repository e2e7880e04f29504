"""Aggregation of several assessors' scores into one result per initiative (pure, no Django).

- per criterion: median and mean of the given scores; "not applicable" (None) is missing, not zero;
- spread per criterion: max - min of the given scores; disagreement when spread > threshold;
- weighted total: the weighted mean of each criterion's median, first normalised to 0..1 on the
  criterion's own scale, times 100. Weights are relative: any positive sum gives the same total.
  Criteria without any score drop out of the numerator *and* the denominator;
- coverage: submitted / assigned assessments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    weight: float
    scale_min: float
    scale_max: float


@dataclass(frozen=True)
class CriterionAggregate:
    median: float | None
    mean: float | None
    n: int
    spread: float | None
    disagreement: bool

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return {
            "median": self.median, "mean": self.mean, "n": self.n, "spread": self.spread,
            "disagreement": self.disagreement,
        }


@dataclass(frozen=True)
class Aggregate:
    criteria: dict[str, CriterionAggregate] = field(default_factory=dict)
    weighted_total: float | None = None
    max_spread: float | None = None
    disagreement: bool = False
    coverage: float = 0.0


def aggregate_criterion(values: Sequence[float | None], *, threshold: float) -> CriterionAggregate:
    given = sorted(float(v) for v in values if v is not None)
    n = len(given)
    if not n:
        return CriterionAggregate(median=None, mean=None, n=0, spread=None, disagreement=False)
    # The plain middle (mean of the two middle values when n is even), as percentile_cont(0.5).
    half = n // 2
    median = given[half] if n % 2 else (given[half - 1] + given[half]) / 2
    spread = given[-1] - given[0]
    return CriterionAggregate(
        median=median, mean=sum(given) / n, n=n, spread=spread, disagreement=spread > threshold,
    )


def weighted_total(medians: Mapping[str, float | None], specs: Sequence[CriterionSpec]) -> float | None:
    numerator = 0.0
    denominator = 0.0
    for spec in specs:
        median = medians.get(spec.code)
        if median is None or spec.weight <= 0:
            continue
        normalised = (median - spec.scale_min) / (spec.scale_max - spec.scale_min)
        numerator += spec.weight * normalised
        denominator += spec.weight
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 6)


def coverage(submitted: int, assigned: int) -> float:
    if assigned <= 0:
        return 0.0
    return min(1.0, submitted / assigned)


def aggregate(
    scores: Mapping[str, Sequence[float | None]],
    specs: Sequence[CriterionSpec],
    *,
    threshold: float,
    submitted: int,
    assigned: int,
) -> Aggregate:
    """`scores` maps criterion code to the assessors' values (None = not applicable / missing)."""
    per_criterion = {spec.code: aggregate_criterion(scores.get(spec.code, ()), threshold=threshold) for spec in specs}
    spreads = [a.spread for a in per_criterion.values() if a.spread is not None]
    return Aggregate(
        criteria=per_criterion,
        weighted_total=weighted_total({c: a.median for c, a in per_criterion.items()}, specs),
        max_spread=max(spreads) if spreads else None,
        disagreement=any(a.disagreement for a in per_criterion.values()),
        coverage=coverage(submitted, assigned),
    )
