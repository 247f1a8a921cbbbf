"""Summary sheets, attendance by month and the journal-fill control against hand-computed figures (R-60, R-62)."""

from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chassis.problems import Invalid, NotFound
from reporting.domain.indicators import ScoredMark, average, weighted_average
from reporting.domain.periods import DateRange
from reporting.domain.report_periods import SchemePeriods, dates_period, month_period, period_of_class
from reporting.domain.sheets import (
    AbsenceCounts,
    ClassStudent,
    FillClass,
    FillLesson,
    LessonHomework,
    MarkTotals,
    StudentAbsence,
    StudentMark,
    StudentPeriodMark,
    absence_counts,
    attendance_sheet,
    by_class,
    family_summaries,
    journal_fill,
    mark_totals,
    refused_families,
    summary_sheet,
)

ANNA, BORIS, VERA = (ClassStudent(uuid4(), n) for n in ("Абрамова Анна", "Яковлев Борис", "Ёлкина Вера"))
OCT = DateRange(date(2026, 10, 1), date(2026, 10, 31))


def test_summary_sheet_by_hand():
    marks = [
        StudentMark(ANNA.student_id, "Математика", "5", 1.0),
        StudentMark(ANNA.student_id, "Математика", "3", 2.0),  # контрольная weighs double
        StudentMark(ANNA.student_id, "Русский язык", "4", 1.0),
        StudentMark(BORIS.student_id, "Математика", "2", 1.0),
        StudentMark(BORIS.student_id, "Математика", "зач", 0.0),
        StudentMark(uuid4(), "Математика", "5", 1.0),  # not of this class: left out
    ]
    absences = [
        StudentAbsence(BORIS.student_id, "Математика", date(2026, 10, 5), "ill"),
        StudentAbsence(BORIS.student_id, "Русский язык", date(2026, 10, 5), "ill"),
        StudentAbsence(BORIS.student_id, "Математика", date(2026, 10, 6), "late"),
        StudentAbsence(VERA.student_id, "Математика", date(2026, 10, 7), "unexcused"),
    ]
    finals = [
        StudentPeriodMark(ANNA.student_id, "Математика", "4"),
        StudentPeriodMark(BORIS.student_id, "Математика", "2"),
        StudentPeriodMark(VERA.student_id, "Математика", "н/а"),
    ]
    sheet = summary_sheet([BORIS, VERA, ANNA], mark_totals(marks), absences, finals, subjects=["Физкультура"])

    # Ё sorts with Е, as in a paper class list.
    assert [r.student.name for r in sheet.rows] == ["Абрамова Анна", "Ёлкина Вера", "Яковлев Борис"]
    assert sheet.subjects == ["Математика", "Русский язык", "Физкультура"]
    anna, vera, boris = sheet.rows
    assert anna.cells["Математика"].marks == 2
    assert anna.cells["Математика"].average == 4.0
    assert anna.cells["Математика"].weighted_average == pytest.approx(3.67)  # (5 + 6) / 3
    assert anna.cells["Математика"].period_mark == "4"
    assert anna.average == 4.0  # (5 + 3 + 4) / 3
    assert boris.cells["Математика"].marks == 2 and boris.cells["Математика"].average == 2.0
    assert vera.cells["Математика"].marks == 0 and vera.cells["Математика"].average is None
    assert boris.absences == AbsenceCounts(missed=2, ill=2, excused=0, unexcused=0, lates=1)
    assert sheet.absences == AbsenceCounts(missed=3, ill=2, excused=0, unexcused=1, lates=1)

    maths = sheet.feet["Математика"]
    assert maths.average == pytest.approx(3.33)  # 5, 3, 2
    assert (maths.without_marks, maths.with_one_mark) == (1, 0)
    assert maths.indicators is not None
    assert (maths.indicators.pass_rate, maths.indicators.quality_rate) == (pytest.approx(33.33), pytest.approx(33.33))
    assert maths.indicators.average == 3.0  # (4 + 2) / 2: н/а leaves the average
    russian = sheet.feet["Русский язык"]
    assert (russian.without_marks, russian.with_one_mark, russian.indicators) == (2, 1, None)


def test_a_schools_rows_split_by_class_give_each_class_the_same_sheet():
    a, b = uuid4(), uuid4()
    members = {a: [ANNA, BORIS], b: [VERA]}
    totals = [
        MarkTotals(ANNA.student_id, "Математика", 2, 2, 8, 8, 2),
        MarkTotals(VERA.student_id, "Математика", 1, 1, 3, 3, 1),
        MarkTotals(uuid4(), "Математика", 1, 1, 5, 5, 1),  # left before the dates: on no list
    ]
    absences = [StudentAbsence(BORIS.student_id, "Математика", date(2026, 10, 5), "ill")]
    totals_of, absences_of = by_class(members, totals), by_class(members, absences)
    assert totals_of == {a: [totals[0]], b: [totals[1]]}
    assert absences_of[a] == absences and absences_of[b] == []
    for klass, students in members.items():
        assert summary_sheet(students, totals_of[klass], absences_of[klass]) == summary_sheet(
            students, totals, absences
        )


def test_attendance_by_month():
    absences = [
        StudentAbsence(ANNA.student_id, "Математика", date(2026, 10, 5), "ill"),
        StudentAbsence(ANNA.student_id, "Русский язык", date(2026, 10, 5), "ill"),
        StudentAbsence(ANNA.student_id, "Физика", date(2026, 10, 5), "late"),
        StudentAbsence(ANNA.student_id, "Физика", date(2026, 11, 2), "unexcused"),  # another month
    ]
    sheet = attendance_sheet([ANNA, BORIS], absences, OCT)
    assert len(sheet.days) == 31
    assert sheet.rows[0].days == {date(2026, 10, 5): "2Б О"}
    assert sheet.rows[0].counts == AbsenceCounts(missed=2, ill=2, lates=1)
    assert sheet.rows[1].days == {} and sheet.counts.missed == 2


def test_journal_fill_by_hand():
    five_a, ten_b = uuid4(), uuid4()
    math_teacher, russian_teacher, idle_teacher = uuid4(), uuid4(), uuid4()
    lessons = [
        FillLesson(five_a, math_teacher, date(2026, 10, 12), "Дроби", "№ 12"),
        FillLesson(five_a, russian_teacher, date(2026, 10, 13), "Причастие", None),
        FillLesson(five_a, math_teacher, date(2026, 10, 14), " ", ""),
        FillLesson(ten_b, idle_teacher, date(2026, 9, 14), "Старый урок", "с. 5"),  # before the range
    ]
    fill = journal_fill(
        DateRange(date(2026, 10, 12), date(2026, 10, 18)),
        [FillClass(ten_b, "10Б", [VERA.student_id]), FillClass(five_a, "5А", [ANNA.student_id, BORIS.student_id])],
        lessons,
        marks_by_student={ANNA.student_id: 3},
        unrecorded_by_class={five_a: 2},
        known_teachers={math_teacher, russian_teacher, idle_teacher},
    )
    five, ten = fill.classes
    assert (five.class_name, ten.class_name) == ("5А", "10Б")  # by grade, not as text
    assert (five.lessons, five.with_topic, five.with_homework, five.unrecorded) == (3, 2, 1, 2)
    assert (five.students_without_marks, five.students_with_one_mark, five.marks_per_student) == (1, 0, 1.5)
    assert (ten.lessons, ten.students_without_marks, ten.marks_per_student) == (0, 1, 0.0)
    assert (fill.active_teachers, fill.known_teachers, fill.active_share) == (2, 3, 66.7)


def test_periods_months_and_ranges():
    first = uuid4()
    schemes = [
        SchemePeriods(
            frozenset({10, 11}),
            [{"period_id": str(uuid4()), "name": "1 полугодие", "starts": "2026-09-01", "ends": "2026-12-28"}],
        ),
        SchemePeriods(
            frozenset(range(2, 10)),
            [{"period_id": str(first), "name": "1 четверть", "starts": "2026-09-01", "ends": "2026-10-25"}],
        ),
    ]
    period = period_of_class(schemes, 5, first)
    assert period.title == "1 четверть (01.09.2026 – 25.10.2026)"
    with pytest.raises(NotFound, match="отчётного периода нет"):
        period_of_class(schemes, 10, first)  # the quarters are not the 10th grade's
    with pytest.raises(NotFound):
        period_of_class(schemes, 5, uuid4())
    assert month_period("2026-02").dates == DateRange(date(2026, 2, 1), date(2026, 2, 28))
    assert month_period("2026-10").name == "октябрь 2026"
    with pytest.raises(Invalid, match="ГГГГ-ММ"):
        month_period("октябрь")
    with pytest.raises(Invalid, match="не может быть длиннее 366"):
        dates_period(date(2026, 9, 1), date(2027, 9, 30))
    assert period.period_id == first
    one_day = dates_period(date(2026, 9, 1), date(2026, 9, 1))
    assert (one_day.period_id, one_day.name, one_day.dates) == (
        None,
        "01.09.2026 – 01.09.2026",
        DateRange(date(2026, 9, 1), date(2026, 9, 1)),
    )
    assert one_day.title == "01.09.2026 – 01.09.2026"


@given(
    st.lists(
        st.tuples(st.sampled_from(["5", "4", "3", "2", "1", "зач", "незач"]), st.sampled_from([0.0, 0.5, 1.0, 2.0])),
        max_size=40,
    )
)
def test_summed_marks_give_the_same_averages_as_the_marks(values):
    """The database sums marks for a school's sheet; the sums must average exactly as the marks themselves."""
    marks = [StudentMark(ANNA.student_id, "Математика", value, weight) for value, weight in values]
    scored = [ScoredMark(value, weight) for value, weight in values]
    cell = summary_sheet([ANNA], mark_totals(marks), []).rows[0].cells.get("Математика")
    if not values:
        assert cell is None
        return
    assert cell.marks == len(values)
    assert cell.average == average(scored)
    assert cell.weighted_average == weighted_average(scored)


def test_family_summary_by_hand():
    marks = [
        StudentMark(ANNA.student_id, "Математика", "5", 1.0),
        StudentMark(ANNA.student_id, "Математика", "4", 2.0),
        StudentMark(BORIS.student_id, "Русский язык", "3", 1.0),
    ]
    absences = [
        StudentAbsence(ANNA.student_id, "Физика", date(2026, 10, 5), "ill"),
        StudentAbsence(ANNA.student_id, "Физика", date(2026, 10, 6), "late"),
    ]
    anna, vera, boris = family_summaries([VERA, BORIS, ANNA], marks, absences)
    assert [s.subject for s in anna.subjects] == ["Математика", "Физика"]
    maths, physics = anna.subjects
    assert (maths.marks, maths.average, maths.weighted_average) == (["5", "4"], 4.5, pytest.approx(4.33))
    assert (physics.marks, physics.absences, physics.lates) == ([], 1, 1)
    assert boris.student == BORIS and [s.subject for s in boris.subjects] == ["Русский язык"]
    assert vera.student == VERA and vera.subjects == []


def test_family_summary_counts_homework_and_shows_period_marks():
    homework = [
        LessonHomework("Математика", "№ 12"),
        LessonHomework("Математика", "  "),
        LessonHomework("Математика", None),
        LessonHomework("Физика", "§ 3"),
    ]
    finals = [StudentPeriodMark(ANNA.student_id, "Математика", "5"), StudentPeriodMark(BORIS.student_id, "ИЗО", "н/а")]
    marks = [StudentMark(ANNA.student_id, "Математика", "4", 1.0)]
    anna, boris = family_summaries([BORIS, ANNA], marks, [], homework, finals)
    assert anna.homework == {"Математика": 1, "Физика": 1} == boris.homework
    assert anna.period_marks == {"Математика": "5"} and boris.period_marks == {"ИЗО": "н/а"}
    # A subject with homework or a period mark only still gets its row.
    assert [s.subject for s in anna.subjects] == ["Математика", "Физика"]
    assert [s.subject for s in boris.subjects] == ["ИЗО", "Математика", "Физика"]


def test_refused_families_by_the_months_last_day():
    refused = {ANNA.student_id: date(2026, 10, 31), BORIS.student_id: date(2026, 11, 1), VERA.student_id: None}
    assert refused_families([VERA, BORIS, ANNA], refused, date(2026, 10, 31)) == [ANNA]
    assert refused_families([VERA, BORIS, ANNA], refused, date(2026, 11, 30)) == [BORIS, ANNA]
    assert refused_families([VERA], {}, date(2026, 11, 30)) == []


def test_absences_are_counted_by_each_reason():
    assert absence_counts(["ill", "excused", "excused", "unexcused", "late"]) == AbsenceCounts(
        missed=4, ill=1, excused=2, unexcused=1, lates=1
    )


def test_namesakes_and_students_without_a_name_keep_a_stable_order():
    twins = [ClassStudent(UUID(int=n), "Иванов Иван") for n in (2, 1)] + [ClassStudent(UUID(int=3), None)]
    assert [row.student.student_id for row in summary_sheet(twins, [], []).rows] == [UUID(int=n) for n in (1, 2, 3)]


def test_the_sheets_subjects_go_alphabetically_whatever_their_case():
    totals = mark_totals([StudentMark(ANNA.student_id, s, "5", 1.0) for s in ("Биология", "алгебра")])
    assert summary_sheet([ANNA], totals, []).subjects == ["алгебра", "Биология"]
    marks = [StudentMark(ANNA.student_id, s, "5", 1.0) for s in ("Биология", "алгебра")]
    [anna] = family_summaries([ANNA], marks, [])
    assert [s.subject for s in anna.subjects] == ["алгебра", "Биология"]
    # The family's monthly summary counts no lessons (the diary does).
    assert [s.lessons for s in anna.subjects] == [0, 0]


def test_attendance_counts_the_first_and_the_last_day_of_the_month():
    absences = [
        StudentAbsence(ANNA.student_id, "Математика", date(2026, 10, 1), "ill"),
        StudentAbsence(ANNA.student_id, "Математика", date(2026, 10, 31), "excused"),
        StudentAbsence(ANNA.student_id, "Математика", date(2026, 9, 30), "unexcused"),
    ]
    [row] = attendance_sheet([ANNA], absences, OCT).rows
    assert row.student == ANNA
    assert row.days == {date(2026, 10, 1): "Б", date(2026, 10, 31): "У"}


def test_journal_fill_of_a_class_counts_its_range_end_its_students_and_marks():
    first_a, empty = uuid4(), uuid4()
    week = DateRange(date(2026, 10, 12), date(2026, 10, 18))
    students = [uuid4() for _ in range(3)]
    fill = journal_fill(
        week,
        [FillClass(first_a, "1А", students), FillClass(empty, "Подготовительный", [])],
        [FillLesson(first_a, None, date(2026, 10, 18), "Дроби", None)],
        marks_by_student={students[0]: 1, students[1]: 1, students[2]: 8},
        unrecorded_by_class={},
        known_teachers=set(),
    )
    assert fill.dates == week
    preparatory, first = fill.classes  # a class without a grade's number goes before the 1st
    assert (first.class_id, first.lessons, first.unrecorded, first.students, first.marks) == (first_a, 1, 0, 3, 10)
    assert (first.students_with_one_mark, first.marks_per_student) == (2, 3.3)
    assert (preparatory.students, preparatory.marks_per_student) == (0, None)


def test_homework_is_counted_per_lesson_for_the_family():
    homework = [LessonHomework("Математика", "№ 12"), LessonHomework("Математика", "№ 13")]
    [anna] = family_summaries([ANNA], [], [], homework)
    assert anna.homework == {"Математика": 2}
