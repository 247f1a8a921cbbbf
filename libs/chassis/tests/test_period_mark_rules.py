"""The rules of attestation and forecast gradebook and reporting share (R-28, R-29)."""

from datetime import date
from fractions import Fraction

from chassis.period_mark_rules import min_marks, missed_half, rounded, weekly_hours

HALF, SIXTY = Fraction(1, 2), Fraction(3, 5)


def test_the_threshold_decides_the_rounding():
    assert rounded(Fraction(9, 2), HALF) == 5
    assert rounded(Fraction(9, 2), SIXTY) == 4
    assert rounded(Fraction(46, 10), SIXTY) == 5
    assert rounded(Fraction(449, 100), HALF) == 4
    assert rounded(Fraction(5), HALF) == 5


def test_weekly_hours_count_lessons_over_the_weeks_at_least_one():
    assert weekly_hours(16, date(2026, 9, 1), date(2026, 10, 25)) == 2
    assert weekly_hours(5, date(2026, 9, 1), date(2026, 10, 14)) == 1
    assert weekly_hours(30, date(2026, 9, 1), date(2026, 10, 12)) == 5
    assert weekly_hours(0, date(2026, 9, 1), date(2026, 9, 1)) == 1


def test_the_minimum_of_marks_follows_the_weekly_hours():
    assert [min_marks(h) for h in (1, 2, 3, 4, 5, 8)] == [3, 5, 7, 9, 10, 10]
    # A school's own table: below its first row, the first row's minimum.
    assert min_marks(1, ((2, 5), (4, 9))) == 5
    assert min_marks(3, ((4, 9), (2, 5))) == 5


def test_more_than_half_the_lessons_missed():
    assert missed_half(9, 16) and not missed_half(8, 16)
    assert not missed_half(0, 0)
