"""The rules of the preliminary report, the movement and fill, and the diary activity (R-60 … R-62), by hand."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from chassis.problems import Conflict, Invalid
from reporting.domain.activity import RecentVisits, Visit, class_activity
from reporting.domain.movement import ClassMovement, Move, classes_on, fill, movement
from reporting.domain.periods import DateRange
from reporting.domain.preliminary import forecast, preliminary_report, report_day
from reporting.domain.sheets import ClassStudent, MarkTotals, StudentAbsence

QUARTER = DateRange(date(2026, 9, 1), date(2026, 10, 25))


def test_the_forecast_rounds_the_weighted_average_up_from_half():
    assert forecast(4.5 * 3, 3.0) == 5
    assert forecast(2.5 * 4, 4.0) == 3
    # 0.1 + 0.2 weights: a float sum that is not exact still gives 4.5 → 5.
    assert forecast(4 * 0.1 + 5 * 0.2 - 0.05 * 3, 0.1 + 0.2) == 4
    assert forecast(4.49 * 100, 100.0) == 4
    assert forecast(0, 0) is None


def test_the_report_is_made_two_weeks_before_the_end_or_on_a_day_asked_for():
    assert report_day(QUARTER, date(2026, 10, 11), None) == date(2026, 10, 11)
    assert report_day(QUARTER, date(2026, 11, 3), None) == date(2026, 10, 25)
    with pytest.raises(Conflict, match=r"с 11\.10\.2026"):
        report_day(QUARTER, date(2026, 10, 10), None)
    assert report_day(QUARTER, date(2026, 10, 1), date(2026, 9, 20)) == date(2026, 9, 20)
    with pytest.raises(Invalid, match="вне периода"):
        report_day(QUARTER, date(2026, 10, 1), date(2026, 8, 31))
    with pytest.raises(Invalid, match="ещё не наступила"):
        report_day(QUARTER, date(2026, 10, 1), date(2026, 10, 2))


def test_students_at_risk_of_a_two_or_of_not_being_attested():
    anna, boris = ClassStudent(uuid4(), "Абрамова Анна"), ClassStudent(uuid4(), "Яковлев Борис")
    totals = [
        MarkTotals(anna.student_id, "Математика", 3, 3, 13, 17, 4),
        MarkTotals(boris.student_id, "Математика", 3, 3, 7, 10, 4),
        MarkTotals(boris.student_id, "Русский язык", 1, 1, 2, 2, 1),
    ]
    absences = [StudentAbsence(boris.student_id, "Русский язык", date(2026, 10, 6), r) for r in ("ill", "late")]
    report = preliminary_report([boris, anna], totals, absences, {"Русский язык": 1, "Математика": 5}, QUARTER)
    assert report.subjects == ["Математика", "Русский язык"]
    assert [row.student for row in report.rows] == [anna, boris]
    a, b = report.rows
    assert (a.cells["Математика"].forecast, a.cells["Математика"].weighted_average) == (4, 4.25)
    assert a.cells["Русский язык"].forecast is None
    assert a.risks == ["Русский язык: мало отметок: 0 из 3"]
    assert b.cells["Математика"].forecast == 3
    assert b.risks == [
        "Русский язык: прогноз «2»",
        "Русский язык: мало отметок: 1 из 3",
        "Русский язык: пропущено 1 из 1 уроков — возможна неаттестация",
    ]
    assert report.at_risk_in("Математика") == 0
    assert report.at_risk_in("Русский язык") == 2


def at(hour: int) -> datetime:
    return datetime(2026, 9, 1, hour, tzinfo=UTC)


def test_movement_and_fill_from_the_movements():
    a5, b5 = uuid4(), uuid4()
    anna, boris, vera = uuid4(), uuid4(), uuid4()
    moves = [
        Move(anna, date(2026, 8, 31), None, a5, at(1)),
        Move(boris, date(2026, 9, 10), None, b5, at(1)),
        Move(boris, date(2026, 10, 1), b5, a5, at(1)),
        Move(vera, date(2026, 9, 1), None, b5, at(1)),
        # Two movements of one day: moved to 5А, then left the school; the one told later stands.
        Move(vera, date(2026, 10, 20), a5, None, at(3)),
        Move(vera, date(2026, 10, 20), b5, a5, at(2)),
    ]
    assert classes_on(moves, date(2026, 10, 20)) == {anna: a5, boris: a5}
    assert fill(moves, date(2026, 9, 15)) == {a5: 1, b5: 2}
    moved = movement(moves, QUARTER)
    assert moved[a5] == ClassMovement(at_start=1, departed=1, moved_in=2, at_end=2)
    assert moved[b5] == ClassMovement(arrived=2, moved_out=2, at_end=0)
    for m in moved.values():
        assert m.at_end == m.at_start + m.arrived - m.departed + m.moved_in - m.moved_out


def test_diary_activity_counts_days_and_keeps_the_last_visit():
    anna, boris, vera = (ClassStudent(uuid4(), name) for name in ("Абрамова Анна", "Яковлев Борис", "Власова Вера"))
    week = DateRange(date(2026, 10, 8), date(2026, 10, 14))
    visits = [
        Visit(anna.student_id, True, date(2026, 10, 9), datetime(2026, 10, 9, 8, tzinfo=UTC)),
        Visit(anna.student_id, True, date(2026, 10, 12), datetime(2026, 10, 12, 19, tzinfo=UTC)),
        Visit(anna.student_id, False, date(2026, 10, 1), datetime(2026, 10, 1, 7, tzinfo=UTC)),
        # After the week: neither counted nor the last visit.
        Visit(boris.student_id, True, date(2026, 10, 15), datetime(2026, 10, 15, 7, tzinfo=UTC)),
    ]
    activity = class_activity([anna, boris, vera], {anna.student_id, boris.student_id}, visits, week)
    a, b, v = activity.rows
    assert (a.student, b.student, v.student) == (anna, vera, boris)
    assert (a.family_days, a.family_last, a.student_days) == (2, datetime(2026, 10, 12, 19, tzinfo=UTC), 0)
    assert a.student_last == datetime(2026, 10, 1, 7, tzinfo=UTC)
    assert (v.has_family, v.family_last) == (True, None)
    assert b.has_family is False
    assert (activity.families, activity.families_active, activity.families_never_seen) == (2, 1, 1)
    assert activity.students_active == 0


def test_a_readers_visit_is_written_again_only_ten_minutes_after_the_last_one_written():
    visits = RecentVisits(capacity=2)
    at = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
    mother = (uuid4(), uuid4(), uuid4(), date(2026, 10, 14))
    assert visits.due(mother, at)
    assert visits.due(mother, at), "asking is not writing: a read that failed leaves the visit due"
    visits.written(mother, at)
    assert not visits.due(mother, at + timedelta(minutes=9, seconds=59))
    assert visits.due(mother, at + timedelta(minutes=10))
    assert visits.due((*mother[:3], date(2026, 10, 15)), at), "each day is counted"
    # Full: everything is forgotten, which costs at most one more write a reader.
    visits.written((uuid4(), uuid4(), uuid4(), mother[3]), at)
    visits.written((uuid4(), uuid4(), uuid4(), mother[3]), at)
    assert visits.due(mother, at)


def test_the_report_days_refusals_in_full_and_the_periods_bounds_allowed():
    assert report_day(QUARTER, date(2026, 10, 1), QUARTER.start) == QUARTER.start
    assert report_day(QUARTER, date(2026, 11, 1), QUARTER.end) == QUARTER.end
    assert report_day(QUARTER, date(2026, 10, 1), date(2026, 10, 1)) == date(2026, 10, 1)
    with pytest.raises(Invalid) as outside:
        report_day(QUARTER, date(2026, 10, 1), date(2026, 8, 31))
    assert outside.value.detail == (
        "Дата 31.08.2026 вне периода 01.09.2026 – 25.10.2026: предварительный отчёт строится на день внутри периода."
    )
    with pytest.raises(Conflict) as early:
        report_day(QUARTER, date(2026, 10, 10), None)
    assert early.value.detail == (
        "Предварительный отчёт составляется за две недели до конца периода — с 11.10.2026. "
        "Чтобы посмотреть прогноз раньше, укажите дату отчёта."
    )


def test_the_forecast_makes_the_sums_exact_rather_than_near():
    # 4.499 is not 4.5, and a weight of 1.0001 is not 1: only float noise is taken out.
    assert forecast(4.499, 1.0) == 4
    assert forecast(4.5, 1.0001) == 4


def test_the_preliminary_report_adds_a_students_totals_and_counts_every_absence_but_lates():
    anna, boris = ClassStudent(UUID(int=2), "Абрамова Анна"), ClassStudent(UUID(int=1), "Яковлев Борис")
    namesake = ClassStudent(UUID(int=3), "Абрамова Анна")
    totals = [
        # Two groups' totals of one subject (a student moved between subgroups) add up.
        MarkTotals(anna.student_id, "алгебра", 2, 2, 8, 8, 2),
        MarkTotals(anna.student_id, "алгебра", 1, 1, 5, 5, 1),
        MarkTotals(boris.student_id, "алгебра", 3, 3, 13, 13, 3),
    ]
    absences = [
        StudentAbsence(boris.student_id, "Биология", date(2026, 10, day), reason)
        for day, reason in ((5, "ill"), (6, "unexcused"), (7, "late"))
    ]
    dates = DateRange(QUARTER.start, date(2026, 10, 12))
    report = preliminary_report([boris, namesake, anna], totals, absences, {"Биология": 3, "алгебра": 4}, dates)
    assert report.day == dates.end
    assert report.subjects == ["алгебра", "Биология"]
    assert [row.student for row in report.rows] == [anna, namesake, boris]
    algebra = report.rows[0].cells["алгебра"]
    assert (algebra.marks, algebra.weighted_average, algebra.forecast) == (3, 4.33, 4)
    assert report.rows[2].risks[-1] == "Биология: пропущено 2 из 3 уроков — возможна неаттестация"


def test_movements_on_the_last_day_count_and_classes_add_up():
    a5 = uuid4()
    moves = [Move(uuid4(), date(2026, 9, 1), None, a5, at(1)) for _ in range(3)]
    moves += [Move(m.student_id, QUARTER.end, a5, None, at(2)) for m in moves[:2]]
    assert movement(moves, QUARTER)[a5] == ClassMovement(arrived=3, departed=2, at_end=1)
    assert ClassMovement(1, 2, 3, 4, 5, 6) + ClassMovement(10, 20, 30, 40, 50, 60) == ClassMovement(
        11, 22, 33, 44, 55, 66
    )


def test_activity_counts_the_ranges_first_and_last_days_and_skips_visits_after_it():
    week = DateRange(date(2026, 10, 8), date(2026, 10, 14))
    anna, namesake = ClassStudent(UUID(int=2), "Абрамова Анна"), ClassStudent(UUID(int=1), "Абрамова Анна")
    visits = [
        Visit(anna.student_id, True, date(2026, 10, 15), datetime(2026, 10, 15, 7, tzinfo=UTC)),
        Visit(anna.student_id, True, week.start, datetime(2026, 10, 8, 7, tzinfo=UTC)),
        Visit(anna.student_id, True, week.end, datetime(2026, 10, 14, 7, tzinfo=UTC)),
    ]
    activity = class_activity([anna, namesake], {anna.student_id}, visits, week)
    assert activity.dates == week
    assert [row.student for row in activity.rows] == [namesake, anna]
    assert (activity.rows[1].family_days, activity.rows[1].family_last) == (2, datetime(2026, 10, 14, 7, tzinfo=UTC))
