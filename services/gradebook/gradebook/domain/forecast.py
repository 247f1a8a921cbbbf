"""Прогноз итоговой отметки (R-29): the expected period mark and what would lift it.

Computed exactly (fractions); the rounding itself is ``chassis.period_mark_rules.rounded``, which reporting's
preliminary report applies too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

from chassis.period_mark_rules import HIGHEST, LOWEST, rounded
from gradebook.domain.marks import FIVE_POINT, ScoredMark

#: Beyond this many new marks the forecast is not worth promising.
MAX_NEW_MARKS = 30


def _totals(marks: Iterable[ScoredMark]) -> tuple[Fraction, Fraction]:
    # pass/fail marks and weightless work types do not count.
    counted = [(int(m.value), Fraction(m.weight)) for m in marks if m.value in FIVE_POINT and m.weight > 0]
    return sum((v * w for v, w in counted), Fraction(0)), sum((w for _, w in counted), Fraction(0))


def forecast(marks: Iterable[ScoredMark], threshold: Fraction) -> int | None:
    """The expected period mark from the weighted average; None without a mark to count."""
    total, weight = _totals(marks)
    if weight == 0:
        return None
    return rounded(total / weight, threshold)


@dataclass(frozen=True)
class Needed:
    """The fewest new marks of one work type that lift the forecast to ``target`` or above, as modest as can be."""

    target: int
    values: tuple[int, ...]


def _least_sum(total: Fraction, weight: Fraction, new_weight: Fraction, count: int, bound: Fraction) -> int | None:
    """The least sum of ``count`` new marks that brings the weighted average to ``bound``; None if none can."""
    # (total + w·s) / (weight + w·n) ≥ bound  ⇔  s ≥ (bound·(weight + w·n) − total) / w
    least = max(LOWEST * count, ceil((bound * (weight + new_weight * count) - total) / new_weight))
    return least if least <= HIGHEST * count else None


def spread(total: int, count: int) -> tuple[int, ...]:
    """``count`` marks summing to ``total``, as even as possible, highest first (9 over 2 → 5, 4)."""
    base, extra = divmod(total, count)
    return tuple([base + 1] * extra + [base] * (count - extra))


def what_is_needed(marks: Iterable[ScoredMark], threshold: Fraction, new_weight: float = 1.0) -> list[Needed]:
    """R-29: for each mark above the forecast, the fewest new marks (of weight ``new_weight``) that reach it.

    Among the fewest, the least demanding: the smallest sum, spread evenly. A target out of reach
    within ``MAX_NEW_MARKS`` is left out.
    """
    counted = list(marks)
    total, weight = _totals(counted)
    now = forecast(counted, threshold)
    w = Fraction(new_weight)
    needed: list[Needed] = []
    for target in range((now or LOWEST) + 1, HIGHEST + 1):
        # The least average that rounds to ``target`` or higher.
        bound = target - 1 + threshold
        for count in range(1, MAX_NEW_MARKS + 1):
            least = _least_sum(total, weight, w, count, bound)
            if least is not None:
                needed.append(Needed(target, spread(least, count)))
                break
    return needed
