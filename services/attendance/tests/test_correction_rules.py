"""R-41, R-42: reasons for a date range, moving an absence to another lesson, the share missed per course."""

from datetime import date
from uuid import uuid4

import pytest

from attendance.domain.absences import (
    RANGE_MAX_DAYS,
    CourseAttendance,
    check_lesson_change,
    course_attendance,
    range_reason,
)
from chassis.problems import Conflict, Invalid

MONDAY = date(2026, 10, 12)


def test_a_range_takes_a_missed_lesson_reason_for_up_to_a_month():
    assert range_reason("Б", MONDAY, date(2026, 10, 18)) == "ill"
    assert range_reason("excused", MONDAY, MONDAY) == "excused"
    assert range_reason("Н", MONDAY, date(2026, 11, 11)) == "unexcused"
    assert RANGE_MAX_DAYS == 31
    with pytest.raises(Invalid, match=r"^Опоздание отмечается по одному уроку; для периода укажите Б, У или Н\.$"):
        range_reason("О", MONDAY, MONDAY)
    with pytest.raises(Invalid, match=r"^Начало периода позже его конца\.$"):
        range_reason("Б", MONDAY, date(2026, 10, 11))
    with pytest.raises(Invalid, match=r"^Причину можно указать сразу не более чем за 31 дн\.; разбейте период"):
        range_reason("Б", MONDAY, date(2026, 11, 12))


def test_an_absence_moves_to_another_lesson_of_its_class_where_the_student_has_none():
    check_lesson_change(same_class=True, same_lesson=False, target_deleted=False, taken=False)
    cases = [
        ({"same_lesson": True}, Invalid, r"^Пропуск уже стоит на этом уроке\.$"),
        ({"target_deleted": True}, Invalid, r"^Этот урок удалён из журнала\.$"),
        ({"same_class": False}, Invalid, r"^Пропуск можно перенести только на урок того же класса\.$"),
        ({"taken": True}, Conflict, r"^У обучающегося уже есть отметка о пропуске на этом уроке\.$"),
    ]
    for change, error, message in cases:
        args = {"same_class": True, "same_lesson": False, "target_deleted": False, "taken": False} | change
        with pytest.raises(error, match=message):
            check_lesson_change(**args)


def test_the_share_missed_per_course_counts_missed_lessons_not_lates():
    maths, history = uuid4(), uuid4()
    m1, m2, m3, h1 = uuid4(), uuid4(), uuid4(), uuid4()
    lessons = [
        (m1, maths, "Математика"),
        (m2, maths, "Математика"),
        (m3, maths, "Математика"),
        (h1, history, "История"),
    ]
    absences = [(m1, "ill"), (m2, "late"), (m3, "unexcused"), (h1, "excused")]
    assert course_attendance(lessons, absences) == [
        CourseAttendance(history, "История", 1, 1, 1.0),
        CourseAttendance(maths, "Математика", 3, 2, 0.67),
    ]
    assert course_attendance(lessons[:2], []) == [CourseAttendance(maths, "Математика", 2, 0, 0.0)]
    assert course_attendance([], absences) == []
