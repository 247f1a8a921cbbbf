"""R-11: the year's lifecycle, reporting period schemes, holidays and transfers (pure rules)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chassis.clock import Clock
from chassis.problems import Conflict, Invalid
from roster.domain.calendar import (
    SchemeKind,
    SchoolCalendar,
    Span,
    Transfer,
    YearStatus,
    advance_year,
    check_calendar_editable,
    check_grades_free,
    check_holiday,
    check_scheme,
    check_transfer,
    default_scheme,
    is_period_boundary,
)

YEAR = Span(date(2026, 9, 1), date(2027, 5, 31))
AUTUMN_BREAK = Span(date(2026, 10, 26), date(2026, 11, 3))


def calendar(*holidays: Span, transfers=(), days_per_week=5) -> SchoolCalendar:
    days = frozenset(day for span in holidays for day in span.days())
    return SchoolCalendar(year=YEAR, days_per_week=days_per_week, holidays=days, transfers=tuple(transfers))


def test_a_year_moves_one_step_forward_only():
    assert advance_year(YearStatus.PLANNING, YearStatus.ACTIVE) is YearStatus.ACTIVE
    assert advance_year(YearStatus.CLOSING, YearStatus.ARCHIVED) is YearStatus.ARCHIVED
    with pytest.raises(Conflict, match="планируется"):
        advance_year(YearStatus.PLANNING, YearStatus.ARCHIVED)
    with pytest.raises(Conflict, match="в архиве"):
        advance_year(YearStatus.ARCHIVED, YearStatus.ACTIVE)


def test_a_closing_year_keeps_its_calendar():
    check_calendar_editable(YearStatus.ACTIVE)
    with pytest.raises(Conflict, match="больше не меняется"):
        check_calendar_editable(YearStatus.CLOSING)


def test_quarters_below_ten_half_years_above():
    assert default_scheme(2) is SchemeKind.QUARTERS
    assert default_scheme(9) is SchemeKind.QUARTERS
    assert default_scheme(10) is SchemeKind.HALF_YEARS


def test_the_break_between_quarters_is_no_gap():
    quarters = [
        Span(date(2026, 9, 1), date(2026, 10, 25)),
        Span(date(2026, 11, 4), date(2026, 12, 28)),
        Span(date(2027, 1, 11), date(2027, 3, 21)),
        Span(date(2027, 3, 30), date(2027, 5, 31)),
    ]
    winter = Span(date(2026, 12, 29), date(2027, 1, 10))
    spring = Span(date(2027, 3, 22), date(2027, 3, 29))
    check_scheme(calendar(AUTUMN_BREAK, winter, spring), SchemeKind.QUARTERS, quarters)
    with pytest.raises(Invalid, match=r"ни в один период: с 22\.03\.2027"):
        check_scheme(calendar(AUTUMN_BREAK, winter), SchemeKind.QUARTERS, quarters)


def test_overlapping_or_outside_periods_are_refused():
    cal = calendar()
    with pytest.raises(Invalid, match="пересекаются"):
        check_scheme(
            cal, SchemeKind.HALF_YEARS, [Span(date(2026, 9, 1), date(2027, 1, 10)), Span(date(2027, 1, 9), YEAR.end)]
        )
    with pytest.raises(Invalid, match="выходит за границы"):
        check_scheme(
            cal,
            SchemeKind.HALF_YEARS,
            [Span(date(2026, 8, 31), date(2026, 12, 31)), Span(date(2027, 1, 1), YEAR.end)],
        )
    with pytest.raises(Invalid, match="4 периода"):
        check_scheme(cal, SchemeKind.QUARTERS, [Span(YEAR.start, YEAR.end)])


def test_a_grade_follows_one_scheme():
    check_grades_free([10, 11], {2: "четверти"})
    with pytest.raises(Conflict, match="Для 9-х классов"):
        check_grades_free([9, 10], {9: "четверти"})


def test_a_holiday_lies_inside_the_year():
    check_holiday(YEAR, AUTUMN_BREAK)
    with pytest.raises(Invalid, match="выходят за границы учебного года"):
        check_holiday(YEAR, Span(date(2027, 5, 30), date(2027, 6, 2)))


def test_holidays_weekends_and_transfers():
    # 2026: Monday 2 November is the day off for Saturday 31 October, which works as a Monday.
    cal = calendar(Span(date(2026, 11, 2), date(2026, 11, 4)), transfers=[Transfer(date(2026, 10, 31), 0)])
    assert cal.timetable_weekday(date(2026, 10, 30)) == 4
    assert cal.timetable_weekday(date(2026, 10, 31)) == 0
    assert cal.timetable_weekday(date(2026, 11, 1)) is None
    assert cal.timetable_weekday(date(2026, 11, 2)) is None
    assert cal.timetable_weekday(date(2027, 6, 1)) is None
    assert calendar(days_per_week=6).timetable_weekday(date(2026, 10, 31)) == 5


def test_a_transfer_goes_to_a_day_off():
    check_transfer(calendar(), Transfer(date(2026, 10, 31), 0))
    with pytest.raises(Invalid, match="и так учебный день"):
        check_transfer(calendar(), Transfer(date(2026, 10, 30), 0))
    with pytest.raises(Invalid, match="вне учебного года"):
        check_transfer(calendar(), Transfer(date(2027, 6, 5), 0))


def test_subgroup_moves_take_effect_on_a_period_start():
    periods = [Span(date(2026, 9, 1), date(2026, 12, 28)), Span(date(2027, 1, 11), YEAR.end)]
    assert is_period_boundary(date(2027, 1, 11), periods)
    assert not is_period_boundary(date(2027, 1, 12), periods)


def test_vladivostok_and_kaliningrad_see_different_todays():
    # 23:30 in Moscow on 14 October: already the 15th in Владивосток, still the 14th in Калининград.
    clock = Clock.starting_at(datetime(2026, 10, 14, 20, 30, tzinfo=UTC))
    assert clock.today("Asia/Vladivostok") == date(2026, 10, 15)
    assert clock.today("Europe/Kaliningrad") == date(2026, 10, 14)


# Property tests: any partition of the year into consecutive periods passes; spoiling it fails.
cuts = st.lists(st.integers(min_value=1, max_value=(YEAR.end - YEAR.start).days), min_size=3, max_size=3, unique=True)


def partition(offsets: list[int]) -> list[Span]:
    bounds = sorted(offsets)
    starts = [YEAR.start] + [YEAR.start + timedelta(days=offset) for offset in bounds]
    ends = [start - timedelta(days=1) for start in starts[1:]] + [YEAR.end]
    return [Span(start, end) for start, end in zip(starts, ends, strict=True)]


@given(cuts)
def test_any_consecutive_partition_is_a_valid_scheme(offsets):
    check_scheme(calendar(), SchemeKind.QUARTERS, partition(offsets))


@given(cuts, st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=20))
def test_pulling_a_period_back_makes_an_overlap(offsets, index, days):
    periods = partition(offsets)
    periods[index + 1] = Span(periods[index + 1].start - timedelta(days=days), periods[index + 1].end)
    with pytest.raises(Invalid, match=r"пересекаются|конец раньше начала|выходит за границы"):
        check_scheme(calendar(), SchemeKind.QUARTERS, periods)


@given(cuts, st.integers(min_value=0, max_value=2), st.integers(min_value=3, max_value=20))
def test_pushing_a_period_forward_leaves_a_gap_unless_it_is_a_holiday(offsets, index, days):
    periods = partition(offsets)
    later = periods[index + 1]
    if later.end - later.start < timedelta(days=days):
        return
    periods[index + 1] = Span(later.start + timedelta(days=days), later.end)
    gap = Span(later.start, later.start + timedelta(days=days - 1))
    # Three or more days always hold a weekday unless they are declared holidays.
    check_scheme(calendar(gap), SchemeKind.QUARTERS, periods)
    with pytest.raises(Invalid, match="ни в один период"):
        check_scheme(calendar(), SchemeKind.QUARTERS, periods)
