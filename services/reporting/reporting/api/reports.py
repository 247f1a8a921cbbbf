"""Reports for the class teacher and the administration (R-60 … R-62), as JSON or a file.

``format=json`` answers the report's table (what the screen shows); ``xlsx``, ``pdf`` and ``csv``
answer the same table as a download.
"""

from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from chassis.auth import bearer_token
from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Invalid, NotFound
from reporting.domain.journal import journal_page
from reporting.domain.periods import academic_year_start
from reporting.domain.report_periods import (
    FILL_MAX_DAYS,
    ReportPeriod,
    dates_period,
    month_period,
    period_of_class,
)
from reporting.domain.sheets import (
    attendance_sheet,
    family_summaries,
    journal_fill,
    refused_families,
    summary_sheet,
)
from reporting.reports import queries
from reporting.reports.exports import MEDIA_TYPES, Format, ReportTable, filename, html_to_pdf, render, to_html_template
from reporting.reports.gradebook import mark_change_log
from reporting.reports.tables import (
    MOSCOW,
    attendance_table,
    journal_fill_table,
    journal_reads_table,
    journal_table,
    mark_changes_table,
    summary_sheet_table,
)

router = APIRouter(prefix="/schools/{school_id}", tags=["reports"])

#: Lessons per spread of the paper copy: the dates that fit across A4 portrait beside the class list.
PAPER_LESSONS_PER_SPREAD = 18

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
    students = await queries.class_students(session, school_id, class_id, period.dates)
    ids = [s.student_id for s in students]
    sheet = summary_sheet(
        students,
        await queries.mark_totals(session, school_id, ids, period.dates),
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
    students = await queries.class_students(session, school_id, class_id, period.dates)
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


class SubjectOut(BaseModel):
    subject_id: UUID
    name: str


@router.get("/classes/{class_id}/subjects")
async def class_subjects(
    school_id: UUID, class_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[SubjectOut]:
    """The subjects recorded in the class's journal: what the journal and its paper copy are asked for."""
    await queries.readable_class(session, caller, school_id, class_id)
    subjects = await queries.class_subject_names(session, school_id, class_id)
    return sorted((SubjectOut(subject_id=k, name=v) for k, v in subjects.items()), key=lambda s: s.name.lower())


async def _subject(session: SchoolSession, school_id: UUID, class_id: UUID, subject_id: UUID) -> str:
    subjects = await queries.class_subject_names(session, school_id, class_id)
    if subject_id not in subjects:
        raise NotFound("Такого предмета нет в журнале класса.")
    return subjects[subject_id]


@router.get("/classes/{class_id}/journal", response_model=None)
async def class_journal(
    school_id: UUID,
    class_id: UUID,
    subject_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    period_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Журнал класса по предмету — as it stands now, or as it stood at ``as_of`` rebuilt from the change
    events (R-25, for the inspector); for the administration and the region's inspectors. Every read is logged."""
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound(queries.CLASS_NOT_FOUND)
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    subject = await _subject(session, school_id, class_id, subject_id)
    period = await _report_period(session, school_id, class_id, period_id, start, end)
    now = request.app.state.clock.now()
    if as_of is not None and as_of.tzinfo is None:
        raise Invalid("Укажите момент с часовым поясом, например 2026-10-10T12:00:00+03:00.")
    if as_of is not None and as_of > now:
        raise Invalid(f"Момент {as_of:%d.%m.%Y %H:%M} ещё не наступил: журнал на него не восстановить.")
    students = await queries.class_students(session, school_id, class_id, period.dates)
    if as_of is None:
        records = await queries.journal_now(
            session, school_id, class_id, subject_id, period.dates, [s.student_id for s in students]
        )
        note = f"Состояние на {now.astimezone(MOSCOW):%d.%m.%Y %H:%M}"
    else:
        records = await queries.journal_at(session, school_id, class_id, subject_id, period.dates, as_of)
        note = f"Восстановлено по журналу изменений на {as_of.astimezone(MOSCOW):%d.%m.%Y %H:%M}"
    await queries.log_journal_read(request.app.state.db, school_id, caller, class_id, subject_id, as_of or now, now)
    page = journal_page(students, *records)
    table = journal_table(
        page, await queries.school_title(session, school_id), school_class.name, subject, period.title, note
    )
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")


@router.get("/classes/{class_id}/reports/paper-copy", response_model=None)
async def paper_copy(
    school_id: UUID,
    class_id: UUID,
    subject_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    period_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    """Бумажная копия журнала (R-64): a class and subject for a period as a PDF to print on both sides of A4."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    subject = await _subject(session, school_id, class_id, subject_id)
    period = await _report_period(session, school_id, class_id, period_id, start, end)
    students = await queries.class_students(session, school_id, class_id, period.dates)
    records = await queries.journal_now(
        session, school_id, class_id, subject_id, period.dates, [s.student_id for s in students]
    )
    html = to_html_template(
        "paper_copy.html",
        page=journal_page(students, *records),
        school=await queries.school_title(session, school_id),
        class_name=school_class.name,
        subject=subject,
        period=f"Период: {period.title}",
        final_title="Итог",
        per_spread=PAPER_LESSONS_PER_SPREAD,
        made_at=f"{request.app.state.clock.now().astimezone(MOSCOW):%d.%m.%Y %H:%M}",
        title=f"Копия журнала: {school_class.name}, {subject}",
    )
    body = await run_in_threadpool(html_to_pdf, html)
    name = f"kopiya-zhurnala-{period.dates.start:%Y%m%d}.pdf"
    return Response(
        body, media_type=MEDIA_TYPES["pdf"], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/reports/journal-reads", response_model=None)
async def journal_reads_report(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    start: date,
    end: date,
    format: FormatQuery = "json",
) -> Response | dict:
    """Who read which class's journal, for which moment, and when (R-5)."""
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound("Отчёт не найден.")
    period = dates_period(start, end)
    reads = await queries.journal_reads(session, school_id, period.dates)
    table = journal_reads_table(reads, await queries.school_title(session, school_id), period.title)
    return await answer(table, format, f"{start:%Y%m%d}")


@router.get("/reports/mark-changes", response_model=None)
async def mark_changes_report(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
    format: FormatQuery = "json",
) -> Response | dict:
    """Журнал изменений отметок (R-25): every mark changed after the fact from ``start`` to ``end`` (the school
    year so far unless given) — who, when, old → new, why — with the state of gradebook's chain of the log."""
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound("Отчёт не найден.")
    start = start or academic_year_start(end or today)
    period = dates_period(start, end or max(today, start))
    chain, changes = await mark_change_log(
        request.app.state.gradebook, bearer_token(request), school_id, period.dates.start, period.dates.end
    )
    table = mark_changes_table(changes, chain, await queries.school_title(session, school_id), period.title)
    return await answer(table, format, f"{period.dates.start:%Y%m%d}")


@router.get("/classes/{class_id}/reports/family-summary", response_model=None)
async def family_summary(
    school_id: UUID,
    class_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    month: str,
    student_id: UUID | None = None,
) -> Response:
    """R-54: the printed monthly summary for families who refused the electronic service — a page of A4 per
    student whose family had refused by the month's end (or the one ``student_id``), for the class teacher to
    hand out: marks and averages, absences and lates, homework set, period marks of a period that ended."""
    school_class = await queries.readable_class(session, caller, school_id, class_id)
    period = month_period(month)
    students = await queries.class_students(session, school_id, class_id, period.dates)
    if student_id is not None:
        students = [s for s in students if s.student_id == student_id]
        if not students:
            raise NotFound("Такого обучающегося нет в классе.")
    else:
        refusals = await queries.family_refusals(session, school_id, [s.student_id for s in students])
        students = refused_families(students, refusals, period.dates.end)
        if not students:
            raise NotFound(f"В классе нет семей, отказавшихся от электронной услуги к концу месяца ({period.name}).")
    ids = [s.student_id for s in students]
    html = to_html_template(
        "family_summary.html",
        summaries=family_summaries(
            students,
            await queries.class_marks(session, school_id, ids, period.dates),
            await queries.class_absences(session, school_id, ids, period.dates),
            await queries.class_homework(session, school_id, class_id, period.dates),
            await queries.period_marks_ended(session, school_id, ids, period.dates),
        ),
        school=await queries.school_title(session, school_id),
        class_name=school_class.name,
        month=period.name,
        made_at=f"{request.app.state.clock.now().astimezone(MOSCOW):%d.%m.%Y}",
    )
    body = await run_in_threadpool(html_to_pdf, html)
    name = f"svodka-dlya-semi-{month}.pdf"
    return Response(
        body, media_type=MEDIA_TYPES["pdf"], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
