"""The class teacher's preliminary report and the administration's movement, class fill and diary activity
(R-60 … R-62), as JSON or a file through the same report machinery (``reporting.api.reports.answer``)."""

from datetime import date, timedelta
from uuid import UUID

from fastapi import APIRouter, Response

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Invalid, NotFound
from reporting.api.reports import FormatQuery, answer
from reporting.domain.activity import class_activity
from reporting.domain.movement import ClassMovement, fill, movement
from reporting.domain.periods import DateRange, academic_year_start
from reporting.domain.preliminary import preliminary_report, report_day
from reporting.domain.report_periods import FILL_MAX_DAYS, dates_period, period_of_class
from reporting.reports import queries, school_queries
from reporting.reports.school_tables import (
    activity_table,
    fill_table,
    movement_table,
    preliminary_table,
    school_activity_table,
)

router = APIRouter(prefix="/schools/{school_id}", tags=["reports"])

REPORT_NOT_FOUND = "Отчёт не найден."


@router.get("/classes/{class_id}/reports/preliminary", response_model=None)
async def preliminary(
    school_id: UUID,
    class_id: UUID,
    period_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    as_of: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Предварительный отчёт (R-60): two weeks before the period ends each student's forecast period mark per
    subject and the students at risk; earlier only ``as_of`` a day asked for explicitly."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    grade = await queries.class_grade(session, school_id, class_id)
    period = period_of_class(await queries.period_schemes(session, school_id), grade, period_id)
    dates = DateRange(period.dates.start, report_day(period.dates, today, as_of))
    # The students still in the class on the report's day: one who left is attested by no one here.
    students = await queries.class_students(session, school_id, class_id, DateRange(dates.end, dates.end))
    ids = [s.student_id for s in students]
    report = preliminary_report(
        students,
        await queries.mark_totals(session, school_id, ids, dates),
        await queries.class_absences(session, school_id, ids, dates),
        await school_queries.lessons_per_subject(session, school_id, class_id, dates),
        dates,
    )
    table = preliminary_table(report, await queries.school_title(session, school_id), school_class.name, period)
    return await answer(table, format, f"{dates.end:%Y%m%d}")


def _administration(caller: CallerDep, school_id: UUID) -> None:
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound(REPORT_NOT_FOUND)


def _year_classes(classes: dict, day: date) -> set[UUID]:
    """The classes of the school year ``day`` falls in: a class with no one in it still has a row."""
    first = academic_year_start(day).year
    return {class_id for class_id, (_, _, year) in classes.items() if year == f"{first}/{first + 1}"}


@router.get("/reports/movement", response_model=None)
async def movement_report(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    period_id: UUID | None = None,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Движение обучающихся (R-61): per class and parallel over a reporting period of the school or dates."""
    _administration(caller, school_id)
    if period_id is not None:
        try:
            period = period_of_class(await queries.period_schemes(session, school_id), None, period_id)
        except NotFound:
            raise NotFound("Такого отчётного периода нет в этой школе.") from None
    elif start is not None and end is not None:
        period = dates_period(start, end)
    else:
        raise Invalid("Укажите отчётный период или даты начала и конца.")
    classes = await school_queries.school_classes(session, school_id)
    moved = movement(await school_queries.moves_until(session, school_id, period.dates.end), period.dates)
    for class_id in _year_classes(classes, period.dates.end) - set(moved):
        moved[class_id] = ClassMovement()
    table = movement_table(moved, classes, await queries.school_title(session, school_id), period)
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")


@router.get("/reports/class-fill", response_model=None)
async def class_fill_report(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    on: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Наполняемость классов (R-61) on a day (today unless given): students per class and parallel."""
    _administration(caller, school_id)
    day = on or today
    classes = await school_queries.school_classes(session, school_id)
    students = fill(await school_queries.moves_until(session, school_id, day), day)
    counts = {class_id: students[class_id] for class_id in set(students) | _year_classes(classes, day)}
    table = fill_table(counts, classes, await queries.school_title(session, school_id), f"{day:%d.%m.%Y}")
    return await answer(table, format, f"{day:%Y%m%d}")


@router.get("/classes/{class_id}/reports/diary-activity", response_model=None)
async def diary_activity(
    school_id: UUID,
    class_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Активность родителей и обучающихся (R-62) over a week or a month (the last 7 days unless given): who of
    the class's families and students opened the diary, each one's last visit, the families never seen."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    end = end or today
    period = dates_period(start or end - timedelta(days=6), end, FILL_MAX_DAYS)
    # The families of the class as it stands at the end: one who left is no family of it to reach.
    students = await queries.class_students(session, school_id, class_id, DateRange(end, end))
    ids = [s.student_id for s in students]
    activity = class_activity(
        students,
        await school_queries.with_family(session, school_id, ids),
        await school_queries.visits_until(session, school_id, ids, period.dates.end),
        period.dates,
    )
    table = activity_table(activity, await queries.school_title(session, school_id), school_class.name, period)
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")


@router.get("/reports/diary-activity", response_model=None)
async def school_diary_activity(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Активность родителей и обучающихся по классам (R-62) over a week or a month, for the administration."""
    _administration(caller, school_id)
    end = end or today
    period = dates_period(start or end - timedelta(days=6), end, FILL_MAX_DAYS)
    by_class = await queries.school_students(session, school_id, DateRange(end, end))
    ids = [s.student_id for students in by_class.values() for s in students]
    families = await school_queries.with_family(session, school_id, ids)
    visits = await school_queries.visits_until(session, school_id, ids, period.dates.end)
    activities = {
        class_id: class_activity(students, families, visits, period.dates) for class_id, students in by_class.items()
    }
    classes = await school_queries.school_classes(session, school_id)
    table = school_activity_table(activities, classes, await queries.school_title(session, school_id), period)
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")
