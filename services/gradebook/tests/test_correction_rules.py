"""Rules of correcting the journal (R-24, R-25, R-27, 004 app.8), as pure functions."""

from datetime import date, timedelta

import pytest

from chassis.problems import Conflict, Invalid
from gradebook.domain.corrections import (
    DISPUTE_DAYS,
    MarkState,
    check_correctable,
    check_dispute_open,
    check_lesson_delete,
    check_lesson_move,
    check_work_type_change,
    correction_reason,
    dispute_text,
)
from gradebook.domain.edit_window import EditWindow
from gradebook.domain.periods import Lock, PeriodLocked
from gradebook.domain.work_types import work_type

TODAY = date(2026, 10, 14)


def test_a_correction_needs_a_reason_that_says_something():
    assert correction_reason("  ошибка ввода ", "удаления отметки") == "ошибка ввода"
    for empty in (None, "", "  ", "аб"):
        with pytest.raises(Invalid, match=r"^Укажите причину удаления отметки: она сохраняется в журнале изменений\.$"):
            correction_reason(empty, "удаления отметки")


def test_the_edit_window_is_the_gate_of_every_correction():
    window = EditWindow(7)
    check_correctable(date(2026, 10, 7), TODAY, window)
    with pytest.raises(Invalid, match=r"Окно редактирования закрыто: запись урока 06\.10\.2026"):
        check_correctable(date(2026, 10, 6), TODAY, window)


def test_a_closed_period_refuses_even_inside_the_window():
    quarter = Lock("I четверть", date(2026, 9, 1), TODAY)
    check_correctable(TODAY + timedelta(days=1), TODAY + timedelta(days=1), EditWindow(None), [quarter])
    with pytest.raises(
        PeriodLocked, match=r"^Период «I четверть» \(01\.09\.2026–14\.10\.2026\) по этому предмету закрыт"
    ):
        check_correctable(TODAY, TODAY, EditWindow(None), [quarter])


def test_a_mark_moves_only_to_another_work_type_of_its_scale():
    five = MarkState("5", work_type("answer"))
    check_work_type_change(five, work_type("test"))
    with pytest.raises(Invalid, match=r"^У отметки уже вид работы «Ответ на уроке»\.$"):
        check_work_type_change(five, work_type("answer"))
    with pytest.raises(Invalid, match=r"^Отметку «5» нельзя перевести в вид работы «Зачёт»: он оценивается по зачёт"):
        check_work_type_change(five, work_type("credit"))
    with pytest.raises(Invalid, match="оценивается по пятибалльной шкале"):
        check_work_type_change(MarkState("зач", work_type("credit")), work_type("test"))


def test_only_a_lesson_outside_the_timetable_moves_to_a_day_that_has_come():
    check_lesson_move(scheduled=False, old_date=date(2026, 10, 12), new_date=date(2026, 10, 13), today=TODAY)
    check_lesson_move(scheduled=False, old_date=date(2026, 10, 12), new_date=TODAY, today=TODAY)
    with pytest.raises(Conflict, match=r"^Урок по расписанию переносит только расписание"):
        check_lesson_move(scheduled=True, old_date=date(2026, 10, 12), new_date=date(2026, 10, 13), today=TODAY)
    with pytest.raises(Invalid, match=r"^Урок уже стоит на 12\.10\.2026\.$"):
        check_lesson_move(scheduled=False, old_date=date(2026, 10, 12), new_date=date(2026, 10, 12), today=TODAY)
    with pytest.raises(Invalid, match=r"^Урок нельзя перенести на день, который ещё не наступил\.$"):
        check_lesson_move(scheduled=False, old_date=date(2026, 10, 12), new_date=date(2026, 10, 15), today=TODAY)


def test_a_timetable_lesson_is_not_deleted_from_the_journal():
    check_lesson_delete(scheduled=False)
    with pytest.raises(Conflict, match=r"^Урок по расписанию удалить из журнала нельзя"):
        check_lesson_delete(scheduled=True)


@pytest.mark.parametrize("days_after", range(DISPUTE_DAYS + 1))
def test_a_dispute_is_open_three_days_after_posting(days_after):
    check_dispute_open(date(2026, 10, 11), date(2026, 10, 11 + days_after))


def test_a_dispute_after_three_days_is_refused_with_the_last_day():
    assert DISPUTE_DAYS == 3
    with pytest.raises(Invalid, match=r"^Оспорить отметку можно в течение 3 дней .* до 14\.10\.2026 включительно\."):
        check_dispute_open(date(2026, 10, 11), date(2026, 10, 15))


def test_a_dispute_and_its_answer_have_text():
    assert dispute_text(" Я отвечал на 5 ", "Напишите, что не так") == "Я отвечал на 5"
    with pytest.raises(Invalid, match=r"^Напишите ответ на обращение: без текста обращение не сохраняется\.$"):
        dispute_text(" ", "Напишите ответ на обращение")
