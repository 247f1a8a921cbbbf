from datetime import date, timedelta

import pytest

from chassis.problems import Invalid
from gradebook.domain.edit_window import (
    EDIT_WINDOW_CHOICES,
    EditWindow,
    add_months,
    check_lesson_record,
    check_mark_date,
    default_choice,
    edit_window_choice,
)
from gradebook.settings import GradebookSettings

TODAY = date(2026, 11, 25)


def is_open(window: EditWindow, lesson_date: date, today: date) -> bool:
    """Whether the journal accepts a change of that lesson today: what production asks, through ``check``."""
    try:
        window.check(lesson_date, today)
    except Invalid as closed:
        assert closed.detail.startswith("Окно редактирования закрыто")
        return False
    return True


def test_default_window_is_fourteen_days_inclusive():
    window = EditWindow()
    assert is_open(window, TODAY - timedelta(days=14), TODAY)
    assert not is_open(window, TODAY - timedelta(days=15), TODAY)


def test_window_of_a_week_and_a_window_that_never_closes():
    assert not is_open(EditWindow(7), TODAY - timedelta(days=8), TODAY)
    assert is_open(EditWindow(None), date(2026, 9, 1), TODAY)


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
    assert is_open(EditWindow(), date.max, TODAY)
    assert not is_open(EditWindow(), date.min, TODAY)


def test_a_month_is_the_same_day_next_month_clamped_to_its_end():
    assert add_months(date(2026, 10, 15), 1) == date(2026, 11, 15)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 12, 20), 1) == date(2027, 1, 20)
    assert add_months(date(9999, 12, 5), 1) == date.max


def test_a_month_window_closes_after_the_same_day_next_month():
    month = edit_window_choice("1m").window
    assert is_open(month, date(2026, 10, 25), date(2026, 11, 25))
    assert not is_open(month, date(2026, 10, 24), date(2026, 11, 25))
    # 31 January stays open through the end of February, not into March.
    assert is_open(month, date(2027, 1, 31), date(2027, 2, 28))
    assert not is_open(month, date(2027, 1, 31), date(2027, 3, 1))
    with pytest.raises(Invalid, match=r"до 28\.02\.2027 включительно"):
        check_mark_date(date(2027, 1, 31), date(2027, 3, 1), month)


def test_the_administrator_chooses_never_one_two_three_weeks_or_a_month():
    assert [(c.code, c.window) for c in EDIT_WINDOW_CHOICES] == [
        ("never", EditWindow(None)),
        ("7d", EditWindow(7)),
        ("14d", EditWindow(14)),
        ("21d", EditWindow(21)),
        ("1m", EditWindow(0, months=1)),
    ]
    assert edit_window_choice("never").title == "Никогда не закрывается (до конца учебного года)"
    assert is_open(edit_window_choice("21d").window, TODAY - timedelta(days=21), TODAY)
    assert not is_open(edit_window_choice("21d").window, TODAY - timedelta(days=22), TODAY)
    assert is_open(edit_window_choice("never").window, date(2025, 9, 1), TODAY)


def test_any_other_window_is_refused_with_the_allowed_list():
    for bad in ("10d", "", "NEVER", "14"):
        with pytest.raises(Invalid, match="Допустимые значения: «never» — никогда не закрывается") as refused:
            edit_window_choice(bad)
        assert [a["code"] for a in refused.value.extra["allowed"]] == ["never", "7d", "14d", "21d", "1m"]


def test_the_regions_default_must_be_one_of_the_choices(monkeypatch):
    assert default_choice(14).code == "14d"
    assert default_choice(None).code == "never"
    monkeypatch.setenv("JOURNAL_EDIT_WINDOW_DAYS", "7")
    assert GradebookSettings().edit_window_days == 7
    monkeypatch.setenv("JOURNAL_EDIT_WINDOW_DAYS", "10")
    with pytest.raises(ValueError, match="not one of R-24's choices"):
        GradebookSettings()


def refusal(check, *args, **kwargs) -> str:
    with pytest.raises(Invalid) as refused:
        check(*args, **kwargs)
    return refused.value.detail


def test_each_refusal_says_what_the_teacher_did_wrong_in_full():
    assert refusal(check_lesson_record, TODAY + timedelta(days=1), TODAY, EditWindow(), has_homework=False) == (
        "Урок нельзя записать будущей датой; заранее можно задать только домашнее задание."
    )
    assert refusal(check_lesson_record, TODAY + timedelta(days=367), TODAY, EditWindow(), has_homework=True) == (
        "Домашнее задание можно задать заранее не более чем на год вперёд."
    )
    assert refusal(check_mark_date, TODAY + timedelta(days=1), TODAY, EditWindow()) == (
        "Отметку нельзя поставить за урок, который ещё не прошёл."
    )
    with pytest.raises(Invalid) as unknown:
        edit_window_choice("10d")
    assert unknown.value.detail == (
        "Такого окна редактирования нет. Допустимые значения: «never» — никогда не закрывается (до конца учебного "
        "года); «7d» — 1 неделя после урока; «14d» — 2 недели после урока; «21d» — 3 недели после урока; "
        "«1m» — 1 месяц после урока."
    )
    assert unknown.value.extra["allowed"][0] == {
        "code": "never",
        "title": "Никогда не закрывается (до конца учебного года)",
    }


def test_a_month_in_the_calendars_last_year_stays_in_it():
    assert add_months(date(9999, 1, 31), 1) == date(9999, 2, 28)
    assert add_months(date(9999, 11, 30), 1) == date(9999, 12, 30)
