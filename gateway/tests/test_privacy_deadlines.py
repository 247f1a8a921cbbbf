from datetime import UTC, date, datetime, timedelta

from gateway.privacy.deadlines import answer_deadline, breach_deadlines, days_in, is_working_day, working_days_left


def test_ten_working_days_skip_the_weekends():
    # Thursday 3 December 2026: from Friday the 4th, ten working days end on Thursday the 17th.
    assert answer_deadline(date(2026, 12, 3)) == date(2026, 12, 17)


def test_a_request_on_a_saturday_counts_from_monday():
    assert answer_deadline(date(2026, 12, 5)) == date(2026, 12, 18)


def test_the_schools_holidays_are_not_working_days():
    new_year = days_in([(date(2026, 12, 31), date(2027, 1, 11))])
    # From 22 December: 23, 24, 25, 28, 29, 30 December, then 12, 13, 14, 15 January.
    assert answer_deadline(date(2026, 12, 22), new_year) == date(2027, 1, 15)


def test_a_working_saturday_counts():
    saturday = date(2026, 12, 12)
    assert is_working_day(saturday, frozenset(), frozenset({saturday}))
    assert answer_deadline(date(2026, 12, 3), working_weekends=frozenset({saturday})) == date(2026, 12, 16)


def test_days_left_run_down_to_zero_then_below():
    deadline = date(2026, 12, 17)
    assert working_days_left(date(2026, 12, 3), deadline) == 10
    assert working_days_left(deadline, deadline) == 0
    assert working_days_left(date(2026, 12, 21), deadline) == -2


def test_breach_deadlines_run_from_detection():
    detected = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    deadlines = breach_deadlines(detected)
    assert deadlines.first_notice == detected + timedelta(hours=24)
    assert deadlines.investigation == detected + timedelta(hours=72)
