from datetime import date
from uuid import uuid4

from reporting.domain.diary import AbsenceRecord, DiaryAbsence, DiaryMark, LessonRecord, MarkRecord, diary_days
from reporting.domain.indicators import ScoredMark
from reporting.domain.periods import DateRange
from reporting.domain.summary import subject_summary

MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
WEEK = DateRange(MONDAY, date(2026, 11, 29))


def test_every_day_of_the_range_in_order_with_lessons_sorted_by_subject():
    russian, maths = uuid4(), uuid4()
    days = diary_days(
        WEEK,
        [
            LessonRecord(russian, TUESDAY, "Русский язык", "Причастие", None),
            LessonRecord(maths, TUESDAY, "Математика", "Дроби", "№ 12"),
            LessonRecord(uuid4(), date(2026, 11, 30), "Математика", "Вне недели", None),
        ],
        [],
        [],
    )
    assert [d.date for d in days] == WEEK.days()
    assert days[0].lessons == []
    assert [(le.subject, le.topic, le.homework) for le in days[1].lessons] == [
        ("Математика", "Дроби", "№ 12"),
        ("Русский язык", "Причастие", None),
    ]
    assert sum(len(d.lessons) for d in days) == 2


def test_marks_and_absences_join_their_lesson():
    lesson = uuid4()
    days = diary_days(
        WEEK,
        [LessonRecord(lesson, MONDAY, "Математика", "Дроби", None)],
        [
            MarkRecord(lesson, MONDAY, "Математика", "5", "test", "Контрольная работа", 2.0),
            MarkRecord(lesson, MONDAY, "Математика", "4", "answer", "Ответ на уроке", 1.0),
        ],
        [AbsenceRecord(lesson, MONDAY, "Математика", "late")],
    )
    [entry] = days[0].lessons
    assert entry.marks == [
        DiaryMark("5", "test", "Контрольная работа", 2.0),
        DiaryMark("4", "answer", "Ответ на уроке", 1.0),
    ]
    assert entry.absence == DiaryAbsence("late", "О")


def test_a_mark_before_its_lesson_shows_under_the_subject_without_topic():
    lesson = uuid4()
    days = diary_days(WEEK, [], [MarkRecord(lesson, TUESDAY, "История", "3", "answer", "Ответ на уроке", 1.0)], [])
    [entry] = days[1].lessons
    assert (entry.lesson_id, entry.subject, entry.topic, entry.homework) == (lesson, "История", None, None)
    assert entry.marks == [DiaryMark("3", "answer", "Ответ на уроке", 1.0)]


def test_an_absence_on_an_unknown_lesson_still_shows_with_its_code():
    days = diary_days(WEEK, [], [], [AbsenceRecord(uuid4(), MONDAY, "Физика", "unexcused")])
    assert days[0].lessons[0].absence == DiaryAbsence("unexcused", "Н")


def test_subject_summary_counts_lates_apart_from_absences():
    summary = subject_summary(
        "Математика",
        8,
        [ScoredMark("5", 2.0), ScoredMark("3", 1.0), ScoredMark("зач", 0.0)],
        ["ill", "unexcused", "late", "late"],
    )
    assert summary.lessons == 8
    assert summary.marks == ["5", "3", "зач"]
    assert summary.average == 4.0
    assert summary.weighted_average == 4.33
    assert (summary.absences, summary.lates) == (2, 2)
