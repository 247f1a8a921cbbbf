from datetime import date, timedelta

import pytest

from chassis.problems import Invalid
from gradebook.domain.edit_window import EditWindow, check_lesson_record, check_mark_date

TODAY = date(2026, 11, 25)


def test_default_window_is_fourteen_days_inclusive():
    window = EditWindow()
    assert window.is_open(TODAY - timedelta(days=14), TODAY)
    assert not window.is_open(TODAY - timedelta(days=15), TODAY)


def test_window_of_a_week_and_a_window_that_never_closes():
    assert not EditWindow(7).is_open(TODAY - timedelta(days=8), TODAY)
    assert EditWindow(None).is_open(date(2026, 9, 1), TODAY)


def test_back_dating_beyond_the_window_is_refused():
    with pytest.raises(Invalid, match="Окно редактирования закрыто"):
        check_mark_date(TODAY - timedelta(days=15), TODAY, EditWindow(14))
    with pytest.raises(Invalid, match="Окно редактирования закрыто"):
        check_lesson_record(TODAY - timedelta(days=15), TODAY, EditWindow(14), has_homework=False)


def test_no_mark_for_a_lesson_still_to_come():
    with pytest.raises(Invalid, match="ещё не прошёл"):
        check_mark_date(TODAY + timedelta(days=1), TODAY, EditWindow())
    check_mark_date(TODAY, TODAY, EditWindow())


def test_future_lesson_only_with_homework_posted_in_advance():
    with pytest.raises(Invalid, match="будущей датой"):
        check_lesson_record(TODAY + timedelta(days=2), TODAY, EditWindow(), has_homework=False)
    check_lesson_record(TODAY + timedelta(days=2), TODAY, EditWindow(), has_homework=True)
    check_lesson_record(TODAY, TODAY, EditWindow(), has_homework=False)


def test_homework_at_most_a_year_ahead_and_no_overflow_at_the_calendar_edge():
    check_lesson_record(TODAY + timedelta(days=366), TODAY, EditWindow(), has_homework=True)
    with pytest.raises(Invalid, match="не более чем на год"):
        check_lesson_record(TODAY + timedelta(days=367), TODAY, EditWindow(), has_homework=True)
    with pytest.raises(Invalid, match="не более чем на год"):
        check_lesson_record(date.max, TODAY, EditWindow(), has_homework=True)
    assert EditWindow().is_open(date.max, TODAY)
    assert not EditWindow().is_open(date.min, TODAY)
