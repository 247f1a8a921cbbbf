"""Forecast of period marks (R-29): rounding by the school's threshold, and «what is needed» against brute force."""

from fractions import Fraction
from itertools import combinations_with_replacement

from hypothesis import given, settings
from hypothesis import strategies as st

from gradebook.domain.forecast import forecast, spread, what_is_needed
from gradebook.domain.marks import ScoredMark, weighted_average

HALF, SIXTY = Fraction(1, 2), Fraction(3, 5)

marks_st = st.lists(
    st.builds(ScoredMark, st.sampled_from(["1", "2", "3", "4", "5", "зач"]), st.sampled_from([0.0, 1.0, 1.5, 2.0])),
    max_size=12,
)
threshold_st = st.integers(50, 99).map(lambda t: Fraction(t, 100))


def test_the_forecast_rounds_by_the_threshold():
    # (5·2 + 4·1) / 3 = 4.67
    assert forecast([ScoredMark("5", 2.0), ScoredMark("4", 1.0)], SIXTY) == 5
    assert forecast([ScoredMark("зач", 0.0)], HALF) is None


def test_what_is_needed_for_a_four_to_become_a_five():
    needed = what_is_needed([ScoredMark("4", 1.0), ScoredMark("4", 1.0)], HALF)
    # (8 + 5 + 5) / 4 = 4.5: two fives.
    assert [(n.target, n.values) for n in needed] == [(5, (5, 5))]
    assert [(n.target, n.values) for n in what_is_needed([], HALF)] == [(2, (2,)), (3, (3,)), (4, (4,)), (5, (5,))]


@given(st.integers(1, 30), st.integers(1, 30))
def test_spread_is_even_and_sums_right(count, per):
    total = min(count * per, count * 5)
    values = spread(total, count)
    assert sum(values) == total and len(values) == count and max(values) - min(values) <= 1


@given(marks_st, threshold_st)
def test_the_forecast_agrees_with_the_weighted_average(marks, threshold):
    got = forecast(marks, threshold)
    average = weighted_average(marks)
    assert (got is None) == (average is None)
    if got is not None:
        assert abs(got - average) <= 1


def _brute_force(marks, threshold, weight, target, limit):
    """The fewest marks and their least sum that bring the forecast to ``target`` or above, by trying all."""
    for count in range(1, limit + 1):
        sums = [
            sum(combo)
            for combo in combinations_with_replacement(range(1, 6), count)
            if forecast(marks + [ScoredMark(str(v), weight) for v in combo], threshold) >= target
        ]
        if sums:
            return count, min(sums)
    return None


@settings(max_examples=60, deadline=None)
@given(marks_st, threshold_st, st.sampled_from([1.0, 1.5, 2.0]))
def test_what_is_needed_is_the_fewest_and_least_demanding(marks, threshold, weight):
    now = forecast(marks, threshold) or 1
    found = {n.target: n.values for n in what_is_needed(marks, threshold, weight)}
    for target in range(now + 1, 6):
        expected = _brute_force(marks, threshold, weight, target, limit=4)
        if expected is None:
            # Out of reach with four marks: the answer needs more, or none at all.
            assert target not in found or len(found[target]) > 4
            continue
        values = found[target]
        assert (len(values), sum(values)) == expected
        assert forecast(marks + [ScoredMark(str(v), weight) for v in values], threshold) >= target
