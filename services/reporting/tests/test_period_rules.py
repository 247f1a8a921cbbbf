from datetime import date

import pytest

from chassis.problems import Invalid
from reporting.domain.periods import academic_year_start, current_week, diary_range, summary_range

WEDNESDAY = date(2026, 11, 25)


def test_the_current_week_runs_monday_to_sunday():
    week = current_week(WEDNESDAY)
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert current_week(date(2026, 11, 29)).start == date(2026, 11, 23)
    assert len(week.days()) == 7


def test_diary_defaults_to_the_current_week_and_a_week_from_a_given_start():
    assert diary_range(None, None, WEDNESDAY) == current_week(WEDNESDAY)
    one_side = diary_range(date(2026, 12, 1), None, WEDNESDAY)
    assert (one_side.start, one_side.end) == (date(2026, 12, 1), date(2026, 12, 7))
    other_side = diary_range(None, date(2026, 12, 7), WEDNESDAY)
    assert (other_side.start, other_side.end) == (date(2026, 12, 1), date(2026, 12, 7))


def test_a_diary_page_spans_at_most_31_days():
    assert len(diary_range(date(2026, 1, 1), date(2026, 1, 31), WEDNESDAY).days()) == 31
    with pytest.raises(Invalid, match="31"):
        diary_range(date(2026, 1, 1), date(2026, 2, 1), WEDNESDAY)


def test_a_reversed_range_is_refused():
    with pytest.raises(Invalid, match="раньше"):
        diary_range(date(2026, 11, 30), date(2026, 11, 23), WEDNESDAY)
    with pytest.raises(Invalid, match="раньше"):
        summary_range(date(2026, 11, 30), date(2026, 11, 23), WEDNESDAY)


def test_summary_defaults_to_the_academic_year_so_far_and_spans_at_most_a_year():
    default = summary_range(None, None, WEDNESDAY)
    assert (default.start, default.end) == (date(2026, 9, 1), WEDNESDAY)
    spring = summary_range(None, None, date(2027, 3, 10))
    assert spring.start == date(2026, 9, 1)
    assert summary_range(date(2026, 9, 1), date(2027, 8, 31), WEDNESDAY).end == date(2027, 8, 31)
    with pytest.raises(Invalid, match="366"):
        summary_range(date(2026, 9, 1), date(2027, 9, 2), WEDNESDAY)


def test_the_school_year_of_the_calendars_first_months_starts_in_its_first_year():
    assert academic_year_start(date(1, 1, 1)) == date(1, 9, 1)
    assert academic_year_start(date(2026, 8, 31)) == date(2025, 9, 1)
    assert academic_year_start(date(2026, 9, 1)) == date(2026, 9, 1)
