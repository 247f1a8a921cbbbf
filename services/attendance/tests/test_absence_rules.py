from datetime import date, timedelta
from uuid import uuid4

import pytest

from attendance.domain.absences import (
    absence_reason,
    academic_year_days,
    check_lesson_marker,
    check_reason_corrector,
    check_teacher_window,
    leads_class,
    reason_code,
    summarize,
)
from chassis.problems import Forbidden, Invalid

LESSON = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("ill", "ill"), ("Б", "ill"), ("У", "excused"), ("н", "unexcused"), (" О ", "late"), ("LATE", "late")],
)
def test_reasons_by_name_or_journal_code(raw, reason):
    assert absence_reason(raw) == reason


@pytest.mark.parametrize("raw", ["sick", "Х", "B", "", "ОУ"])
def test_unknown_reasons_are_invalid(raw):
    with pytest.raises(Invalid, match="Неизвестная причина"):
        absence_reason(raw)


def test_each_reason_shows_its_code():
    assert [reason_code(r) for r in ("ill", "excused", "unexcused", "late")] == ["Б", "У", "Н", "О"]


def test_teacher_marks_from_the_lesson_day_to_five_days_after():
    check_teacher_window(LESSON, LESSON)
    check_teacher_window(LESSON, LESSON + timedelta(days=5))
    with pytest.raises(Invalid, match="классный руководитель"):
        check_teacher_window(LESSON, LESSON + timedelta(days=6))
    with pytest.raises(Invalid, match="не заранее"):
        check_teacher_window(LESSON, LESSON - timedelta(days=1))


def test_window_length_is_a_parameter():
    with pytest.raises(Invalid, match=r"в течение 2 дн\."):
        check_teacher_window(LESSON, LESSON + timedelta(days=3), days=2)


def test_summary_counts_missed_lessons_by_reason_and_lates_apart():
    summary = summarize(["ill", "ill", "unexcused", "late", "excused", "late", "late"])
    assert (summary.lessons_missed, summary.ill, summary.excused, summary.unexcused, summary.lates) == (4, 2, 1, 1, 3)
    assert summarize([]).lessons_missed == 0


SMIRNOVA, PETROVA = uuid4(), uuid4()
CLASS_TEACHER = frozenset({"class_teacher"})
TEACHER = frozenset({"teacher"})


def test_a_class_teacher_leads_only_the_class_assigned_to_them():
    assert leads_class(SMIRNOVA, CLASS_TEACHER, SMIRNOVA)
    assert not leads_class(SMIRNOVA, CLASS_TEACHER, PETROVA)
    assert not leads_class(SMIRNOVA, CLASS_TEACHER, None)
    # The assignment alone is not enough once the staff role is gone.
    assert not leads_class(SMIRNOVA, TEACHER, SMIRNOVA)


def correct(person_id, roles, class_teacher_id, today):
    check_reason_corrector(
        person_id,
        roles,
        lesson_teacher_id=PETROVA,
        class_teacher_id=class_teacher_id,
        lesson_date=LESSON,
        today=today,
        window_days=5,
    )


def test_the_class_teacher_of_the_lessons_class_corrects_at_any_time():
    correct(SMIRNOVA, CLASS_TEACHER, SMIRNOVA, LESSON + timedelta(days=60))


def test_a_class_teacher_of_another_class_may_not_correct():
    with pytest.raises(Forbidden, match="классный руководитель этого класса"):
        correct(SMIRNOVA, CLASS_TEACHER | TEACHER, uuid4(), LESSON)


def test_the_lessons_teacher_corrects_within_the_window_only():
    correct(PETROVA, TEACHER, SMIRNOVA, LESSON + timedelta(days=5))
    with pytest.raises(Invalid, match="классный руководитель"):
        correct(PETROVA, TEACHER, SMIRNOVA, LESSON + timedelta(days=6))
    with pytest.raises(Forbidden):
        correct(PETROVA, frozenset({"guardian"}), SMIRNOVA, LESSON)


def test_the_teachers_refusals_say_why_in_full():
    lesson = date(2026, 11, 23)
    with pytest.raises(Invalid) as early:
        check_teacher_window(lesson, lesson - timedelta(days=1))
    assert early.value.detail == "Пропуск отмечается в день урока или после него, но не заранее."
    with pytest.raises(Invalid) as late:
        check_teacher_window(lesson, lesson + timedelta(days=6))
    assert late.value.detail == (
        "Учитель отмечает пропуски в течение 5 дн. после урока; теперь причину может исправить классный руководитель."
    )


def test_the_lessons_teacher_corrects_a_reason_within_the_schools_window_not_the_default():
    teacher, lesson = uuid4(), date(2026, 11, 23)

    def correct(today: date, window_days: int) -> None:
        check_reason_corrector(
            teacher,
            frozenset({"teacher"}),
            lesson_teacher_id=teacher,
            class_teacher_id=None,
            lesson_date=lesson,
            today=today,
            window_days=window_days,
        )

    correct(lesson + timedelta(days=7), 7)
    with pytest.raises(Invalid, match=r"в течение 2 дн\."):
        correct(lesson + timedelta(days=3), 2)
    with pytest.raises(Forbidden) as stranger:
        check_reason_corrector(
            uuid4(),
            frozenset({"teacher"}),
            lesson_teacher_id=teacher,
            class_teacher_id=None,
            lesson_date=lesson,
            today=lesson,
            window_days=5,
        )
    assert stranger.value.detail == (
        "Причину пропуска исправляет классный руководитель этого класса или учитель, который вёл урок."
    )


def test_the_lessons_teacher_marks_absences_until_the_assignment_ends_and_the_substitute_always():
    teacher, substitute, other = uuid4(), uuid4(), uuid4()
    check_lesson_marker(teacher, teacher, None, None)
    check_lesson_marker(substitute, teacher, substitute, LESSON)
    with pytest.raises(Forbidden, match=r"снята с 20\.11\.2026"):
        check_lesson_marker(teacher, teacher, substitute, LESSON)
    with pytest.raises(Forbidden, match="только учитель"):
        check_lesson_marker(other, teacher, None, None)
    with pytest.raises(Forbidden, match="только учитель"):
        check_lesson_marker(other, teacher, substitute, None)


def test_a_school_year_holds_september_to_august():
    assert academic_year_days("2026/2027") == (date(2026, 9, 1), date(2027, 8, 31))
