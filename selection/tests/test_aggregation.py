"""Property and unit tests for the aggregation arithmetic (pure module)."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selection.aggregation import (
    CriterionSpec,
    aggregate,
    aggregate_criterion,
    coverage,
    weighted_total,
)

scores = st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), min_size=0, max_size=9)
weights = st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False)


def _specs(ws):
    return [CriterionSpec(code=f"c{i}", weight=w, scale_min=1, scale_max=5) for i, w in enumerate(ws)]


@given(values=scores)
def test_not_applicable_is_missing_not_zero(values):
    result = aggregate_criterion(values, threshold=2)
    given_values = [v for v in values if v is not None]
    assert result.n == len(given_values)
    if not given_values:
        assert result.median is None and result.mean is None and result.spread is None
        assert result.disagreement is False
    else:
        assert result.median == statistics.median(given_values)
        assert math.isclose(result.mean, sum(given_values) / len(given_values))
        assert min(given_values) <= result.median <= max(given_values)


@given(value=st.integers(min_value=1, max_value=5), ws=st.lists(weights, min_size=1, max_size=9))
def test_single_assessor_gives_their_scores_and_no_disagreement(value, ws):
    specs = _specs(ws)
    agg = aggregate({s.code: [value] for s in specs}, specs, threshold=0, submitted=1, assigned=1)
    assert all(a.median == value and a.mean == value and a.spread == 0 for a in agg.criteria.values())
    assert agg.disagreement is False
    assert math.isclose(agg.weighted_total, 100 * (value - 1) / 4, abs_tol=1e-6)


@given(
    medians=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), min_size=1, max_size=9),
    ws=st.lists(weights, min_size=9, max_size=9),
    factor=st.floats(min_value=0.01, max_value=100, allow_nan=False),
)
def test_weighted_total_ignores_the_sum_of_weights_and_stays_in_range(medians, ws, factor):
    specs = _specs(ws[: len(medians)])
    scaled = [CriterionSpec(s.code, s.weight * factor, s.scale_min, s.scale_max) for s in specs]
    by_code = {s.code: m for s, m in zip(specs, medians, strict=True)}
    total = weighted_total(by_code, specs)
    if all(m is None for m in medians):
        assert total is None
        return
    assert 0 <= total <= 100
    assert math.isclose(total, weighted_total(by_code, scaled), rel_tol=1e-6, abs_tol=1e-6)


@given(ws=st.lists(weights, min_size=2, max_size=2))
def test_missing_criterion_drops_out_of_numerator_and_denominator(ws):
    specs = _specs(ws)
    assert weighted_total({"c0": 5, "c1": None}, specs) == 100
    assert weighted_total({"c0": 1, "c1": None}, specs) == 0


def test_ties_take_the_middle_of_the_two_middle_scores():
    result = aggregate_criterion([2, 4, 4, 2], threshold=1)
    assert result.median == 3 and result.mean == 3 and result.spread == 2 and result.disagreement is True
    assert aggregate_criterion([3, 3, 3], threshold=0).disagreement is False


def test_disagreement_only_above_threshold():
    assert aggregate_criterion([1, 3], threshold=2).disagreement is False
    assert aggregate_criterion([1, 4], threshold=2).disagreement is True


def test_zero_weight_criterion_does_not_count():
    specs = [CriterionSpec("a", 0, 1, 5), CriterionSpec("b", 2, 1, 5)]
    assert weighted_total({"a": 1, "b": 5}, specs) == 100


def test_different_scales_are_normalised():
    specs = [CriterionSpec("a", 1, 0, 10), CriterionSpec("b", 1, 1, 5)]
    assert weighted_total({"a": 10, "b": 1}, specs) == 50


@pytest.mark.parametrize(("submitted", "assigned", "expected"), [(0, 0, 0.0), (1, 2, 0.5), (3, 3, 1.0), (4, 3, 1.0)])
def test_coverage(submitted, assigned, expected):
    assert coverage(submitted, assigned) == expected
