"""Итоговая отметка: the rules of attestation (R-28) and of the forecast (R-29) that gradebook and reporting both
apply — gradebook beside the period mark, reporting in the class teacher's preliminary report (R-60). Pure
functions, in one place, so the two never round or count differently.
"""

from datetime import date
from fractions import Fraction
from math import floor

#: The scale's lowest and highest marks.
LOWEST, HIGHEST = 1, 5
#: R-29: the region's rounding threshold in hundredths of the way to the next mark (50: 4.50 → 5).
DEFAULT_FORECAST_THRESHOLD = 50
#: R-28 (001 §6.4): the region's minimum of current marks per period by weekly hours (1 h → 3 marks …).
DEFAULT_MIN_MARKS = ((1, 3), (2, 5), (3, 7), (4, 9), (5, 10))


def rounded(average: Fraction, threshold: Fraction) -> int:
    """R-29: the mark an average rounds to: up from ``threshold`` of the way to the next mark (4.50 → 5 at 0.50).

    Exact (fractions), so 4.50 with a threshold of 0.50 gives 5 and never 4 by a float's whim."""
    whole = floor(average)
    return min(HIGHEST, whole + 1 if average - whole >= threshold else whole)


def weekly_hours(lessons: int, starts: date, ends: date) -> int:
    """A subject's hours a week: its lessons over the weeks from ``starts`` to ``ends``, at least 1."""
    weeks = max(1, ((ends - starts).days + 1) / 7)
    return max(1, round(lessons / weeks))


def min_marks(hours: int, table: tuple[tuple[int, int], ...] = DEFAULT_MIN_MARKS) -> int:
    """R-28: the minimum for ``hours`` a week: the row of the most hours not above them (the first row below it)."""
    rows = sorted(table)
    fitting = [minimum for at, minimum in rows if at <= hours]
    return fitting[-1] if fitting else rows[0][1]


def missed_half(missed: int, lessons: int) -> bool:
    """R-28 (001 §6.7): more than half the lessons missed — the student may be left not attested."""
    return lessons > 0 and missed * 2 > lessons
