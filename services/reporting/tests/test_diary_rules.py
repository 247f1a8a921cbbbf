from datetime import date, time
from uuid import UUID, uuid4

from reporting.domain.diary import (
    AbsenceRecord,
    DiaryAbsence,
    DiaryMark,
    LessonRecord,
    MarkRecord,
    TimetableRecord,
    diary_days,
)
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


def test_the_timetable_shows_its_lessons_in_order_and_a_record_joins_its_timetable_lesson():
    first, second, recorded, extra = (UUID(int=n) for n in (1, 2, 3, 4))
    timetable = [
        TimetableRecord(
            first, TUESDAY, "Химия", 1, time(8, 0), time(8, 45), "31", "scheduled", "Орлова А. В.", None, 1
        ),
        TimetableRecord(second, TUESDAY, "Физика", 2, time(9, 0), time(9, 45), "12", "cancelled", None, "заболел", 1),
    ]
    days = diary_days(
        WEEK,
        [
            # A record of the first lesson, under its own id; a record outside the timetable (no number).
            LessonRecord(recorded, TUESDAY, "Химия", "Оксиды", "§ 4", scheduled_lesson_id=first),
            LessonRecord(extra, TUESDAY, "Астрономия", "Звёзды", None),
        ],
        [MarkRecord(recorded, TUESDAY, "Химия", "5", "test", "Контрольная работа", 2.0, True, UUID(int=9), 3)],
        [AbsenceRecord(UUID(int=5), TUESDAY, "Биология", "ill")],
        timetable,
    )
    lessons = days[1].lessons
    assert [(le.lesson_id, le.subject, le.number) for le in lessons] == [
        (recorded, "Химия", 1),
        (second, "Физика", 2),
        (extra, "Астрономия", None),
        (UUID(int=5), "Биология", None),
    ]
    chemistry, physics = lessons[0], lessons[1]
    assert (chemistry.topic, chemistry.homework, chemistry.starts, chemistry.ends, chemistry.room) == (
        "Оксиды",
        "§ 4",
        time(8, 0),
        time(8, 45),
        "31",
    )
    assert (chemistry.status, chemistry.substitute, chemistry.change) == ("scheduled", "Орлова А. В.", None)
    assert chemistry.marks == [DiaryMark("5", "test", "Контрольная работа", 2.0, True, UUID(int=9), 3)]
    assert (physics.topic, physics.homework, physics.starts, physics.room, physics.status, physics.change) == (
        None,
        None,
        time(9, 0),
        "12",
        "cancelled",
        "заболел",
    )
    assert sum(len(d.lessons) for d in days) == 4


def test_a_record_of_a_timetable_lesson_outside_the_range_does_not_bring_it_in():
    scheduled, recorded = UUID(int=1), UUID(int=2)
    days = diary_days(
        WEEK,
        [LessonRecord(recorded, date(2026, 11, 30), "Химия", "Оксиды", None, scheduled_lesson_id=scheduled)],
        [],
        [],
        [TimetableRecord(scheduled, TUESDAY, "Химия", 1, time(8), time(8, 45), None, "scheduled", None, None, 1)],
    )
    # The record moved the lesson to the 30th (outside the week): the timetable's Tuesday no longer shows it.
    assert all(d.lessons == [] for d in days)


def test_lessons_of_one_subject_without_a_number_keep_a_stable_order():
    ids = [UUID(int=n) for n in (3, 1, 2)]
    days = diary_days(WEEK, [LessonRecord(i, MONDAY, "Математика", "Дроби", None) for i in ids], [], [])
    assert [le.lesson_id for le in days[0].lessons] == sorted(ids, key=str)


def test_a_zero_lesson_comes_before_the_first():
    zero, first = UUID(int=1), UUID(int=2)
    days = diary_days(
        WEEK,
        [],
        [],
        [],
        [
            TimetableRecord(first, MONDAY, "Астрономия", 1, time(8), time(8, 45), None, "scheduled", None, None, 1),
            TimetableRecord(zero, MONDAY, "Химия", 0, time(7, 10), time(7, 55), None, "scheduled", None, None, 1),
        ],
    )
    assert [le.lesson_id for le in days[0].lessons] == [zero, first]
