"""Reports for the class teacher and the administration (R-60 … R-62), as JSON or a file.

``format=json`` answers the report's table (what the screen shows); ``xlsx``, ``pdf`` and ``csv``
answer the same table as a download.
"""

from datetime import date
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Invalid, NotFound
from reporting.domain.report_periods import (
    FILL_MAX_DAYS,
    ReportPeriod,
    dates_period,
    month_period,
    period_of_class,
)
from reporting.domain.sheets import attendance_sheet, journal_fill, summary_sheet
from reporting.reports import queries
from reporting.reports.exports import MEDIA_TYPES, Format, ReportTable, filename, render
from reporting.reports.tables import attendance_table, journal_fill_table, summary_sheet_table

router = APIRouter(prefix="/schools/{school_id}", tags=["reports"])

FormatQuery = Annotated[Format, Query(description="json, xlsx, pdf or csv")]


async def answer(table: ReportTable, format: Format, *parts: str) -> Response | dict:
    if format == "json":
        return table.as_json()
    # Rendering a PDF takes long enough to keep it off the event loop.
    body = await run_in_threadpool(render, table, format)
    name = filename(table, format, parts)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"},
    )


class PeriodOut(BaseModel):
    period_id: UUID
    name: str
    starts: date
    ends: date


@router.get("/classes/{class_id}/periods")
async def class_periods(school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession) -> list[PeriodOut]:
    """The reporting periods the class's grade follows (R-11): what a report asks for."""
    await queries.readable_class(session, caller, school_id, class_id)
    grade = await queries.class_grade(session, school_id, class_id)
    found = [
        PeriodOut(**period)
        for scheme in await queries.period_schemes(session, school_id)
        if grade is None or grade in scheme.grades
        for period in scheme.periods
    ]
    return sorted(found, key=lambda p: (p.starts, p.name))


async def _report_period(
    session: SchoolSession,
    school_id: UUID,
    class_id: UUID,
    period_id: UUID | None,
    start: date | None,
    end: date | None,
) -> ReportPeriod:
    if period_id is not None:
        grade = await queries.class_grade(session, school_id, class_id)
        return period_of_class(await queries.period_schemes(session, school_id), grade, period_id)
    if start is None or end is None:
        raise Invalid("Укажите отчётный период или даты начала и конца.")
    return dates_period(start, end)


@router.get("/classes/{class_id}/reports/summary-sheet", response_model=None)
async def summary_sheet_report(
    school_id: UUID,
    class_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    period_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Сводная ведомость успеваемости и посещаемости класса за отчётный период или даты (R-60)."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    period = await _report_period(session, school_id, class_id, period_id, start, end)
    students = await queries.class_students(session, school_id, class_id)
    ids = [s.student_id for s in students]
    sheet = summary_sheet(
        students,
        await queries.class_marks(session, school_id, ids, period.dates),
        await queries.class_absences(session, school_id, ids, period.dates),
        subjects=await queries.class_subjects(session, school_id, class_id, period.dates),
    )
    table = summary_sheet_table(sheet, await queries.school_title(session, school_id), school_class.name, period)
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")


@router.get("/classes/{class_id}/reports/attendance", response_model=None)
async def attendance_report(
    school_id: UUID,
    class_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    month: str,
    format: FormatQuery = "json",
) -> Response | dict:
    """Посещаемость класса за месяц (R-60): ``month`` as ГГГГ-ММ."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    period = month_period(month)
    students = await queries.class_students(session, school_id, class_id)
    absences = await queries.class_absences(session, school_id, [s.student_id for s in students], period.dates)
    table = attendance_table(
        attendance_sheet(students, absences, period.dates),
        await queries.school_title(session, school_id),
        school_class.name,
        period,
    )
    return await answer(table, format, month)


@router.get("/reports/journal-fill", response_model=None)
async def journal_fill_report(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    start: date,
    end: date,
    format: FormatQuery = "json",
) -> Response | dict:
    """Контроль заполнения журнала за неделю или месяц (R-62): the administration and the region's inspectors."""
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound("Отчёт не найден.")
    period = dates_period(start, end, FILL_MAX_DAYS)
    fill = journal_fill(period.dates, *await queries.fill_inputs(session, school_id, period.dates, today))
    table = journal_fill_table(fill, await queries.school_title(session, school_id))
    return await answer(table, format, f"{start:%Y%m%d}")
