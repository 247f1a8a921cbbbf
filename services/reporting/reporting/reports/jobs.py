"""Long reports run after the response, with progress, their result kept in the file store (``chassis.files``).

A school's summary sheets for a period (all its classes, R-60, R-61) take a class per step; the
job's row tells how many steps are done, and the file is downloadable once the job is done.
The job runs in the instance that accepted it; its row and file are readable from any instance.
"""

import asyncio
from datetime import date
from uuid import UUID

import structlog
from sqlalchemy import select, update

from chassis.db import Database
from chassis.files import FileStore
from chassis.problems import NotFound
from chassis.tenancy import Tenant
from reporting.domain.report_periods import ReportPeriod, dates_period, period_of_class
from reporting.domain.sheets import by_class, class_order, summary_sheet
from reporting.models import SchoolClass
from reporting.reports import queries
from reporting.reports.exports import ReportTable, to_pdf_many, to_xlsx_book
from reporting.reports.models import ReportJob
from reporting.reports.tables import summary_sheet_table

log = structlog.get_logger()

KINDS = {"school-summary-sheets": "Сводные ведомости школы"}


def file_key(school_id: UUID, job_id: UUID, format: str) -> str:
    return f"reports/{school_id}/{job_id}.{format}"


async def _set(db: Database, school_id: UUID, job_id: UUID, **values: object) -> None:
    async with db.transaction(Tenant(school_id=school_id)) as session:
        await session.execute(update(ReportJob).filter_by(school_id=school_id, id=job_id).values(**values))


async def run_school_summary_sheets(
    db: Database,
    files: FileStore,
    clock,
    school_id: UUID,
    job_id: UUID,
    format: str,
    period_id: UUID | None,
    start: date | None,
    end: date | None,
) -> None:
    """Every class's summary sheet for the period, in one workbook (a sheet per class) or one PDF."""
    tenant = Tenant(school_id=school_id)
    try:
        async with db.transaction(tenant) as session:
            classes = sorted(
                await session.scalars(select(SchoolClass).filter_by(school_id=school_id)),
                key=lambda c: class_order(c.name),
            )
            schemes = await queries.period_schemes(session, school_id)
            school = await queries.school_title(session, school_id)
        await _set(db, school_id, job_id, status="running", total_steps=len(classes))
        # Classes following the same dates are read together: a school's marks in a few queries, not 40 × 4.
        by_dates: dict[ReportPeriod, list[SchoolClass]] = {}
        async with db.transaction(tenant) as session:
            for school_class in classes:
                period = await _class_period(session, school_id, school_class.id, schemes, period_id, start, end)
                if period is not None:
                    by_dates.setdefault(period, []).append(school_class)
        sheets: dict[UUID, ReportTable] = {}
        done = 0
        for period, group in by_dates.items():
            async with db.transaction(tenant) as session:
                members = await queries.school_students(session, school_id, period.dates)
                ids = [s.student_id for c in group for s in members.get(c.id, [])]
                totals = await queries.mark_totals(session, school_id, ids, period.dates)
                absences = await queries.class_absences(session, school_id, ids, period.dates)
                subjects = await queries.school_subjects(session, school_id, period.dates)
            class_totals, class_absences = by_class(members, totals), by_class(members, absences)
            for school_class in group:
                sheet = summary_sheet(
                    members.get(school_class.id, []),
                    class_totals[school_class.id],
                    class_absences[school_class.id],
                    subjects=subjects.get(school_class.id, []),
                )
                sheets[school_class.id] = summary_sheet_table(sheet, school, school_class.name, period)
                done += 1
            await _set(db, school_id, job_id, done_steps=done)
        tables = [sheets[c.id] for c in classes if c.id in sheets]
        names = [c.name for c in classes if c.id in sheets]
        if format == "xlsx":
            body = await asyncio.to_thread(to_xlsx_book, tables, names)
        else:
            body = await asyncio.to_thread(to_pdf_many, tables)
        key = file_key(school_id, job_id, format)
        await files.put(key, body)
        await _set(db, school_id, job_id, status="done", file_key=key, finished_at=clock.now())
    except Exception:
        # The job's row must say it failed whatever broke; the cause goes to the log.
        log.exception("report job failed", job_id=str(job_id), school_id=str(school_id))
        await _set(
            db,
            school_id,
            job_id,
            status="failed",
            error="Отчёт не удалось построить. Попробуйте ещё раз; если не выйдет — сообщите администратору.",
            finished_at=clock.now(),
        )


async def _class_period(session, school_id, class_id, schemes, period_id, start, end) -> ReportPeriod | None:
    """The class's dates; None for a class whose grade does not follow the chosen period (10–11 in half-years)."""
    if period_id is None:
        assert start is not None and end is not None
        return dates_period(start, end)
    try:
        return period_of_class(schemes, await queries.class_grade(session, school_id, class_id), period_id)
    except NotFound:
        return None
