"""Long reports as jobs (R-60, R-61): ask for one, watch its progress, download the file later."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, BackgroundTasks, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession
from chassis.files import FileNotFound
from chassis.problems import Conflict, Invalid, NotFound
from reporting.domain.report_periods import dates_period
from reporting.reports import jobs, queries
from reporting.reports.exports import MEDIA_TYPES
from reporting.reports.models import ReportJob

router = APIRouter(prefix="/schools/{school_id}/report-jobs", tags=["reports"])

JOB_NOT_FOUND = "Такого отчёта нет."
#: Who may start a long report: the school's administrator and the deputy (the read-only roles start nothing).
STARTERS = frozenset({"school_admin", "deputy"})
#: The jobs list shows the latest ones.
LIST_LIMIT = 50


class JobIn(BaseModel):
    kind: Literal["school-summary-sheets"]
    format: Literal["xlsx", "pdf"]
    period_id: UUID | None = None
    start: date | None = None
    end: date | None = None


class JobOut(BaseModel):
    job_id: UUID
    kind: str
    title: str
    format: str
    status: str
    #: Per cent done.
    progress: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    #: Where the file is downloaded once the job is done.
    download: str | None


def job_out(job: ReportJob) -> JobOut:
    progress = 100 if job.status == "done" else (job.done_steps * 100 // job.total_steps if job.total_steps else 0)
    return JobOut(
        job_id=job.id,
        kind=job.kind,
        title=job.title,
        format=job.format,
        status=job.status,
        progress=progress,
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        download=f"/schools/{job.school_id}/report-jobs/{job.id}/file" if job.status == "done" else None,
    )


@router.post("", status_code=202)
async def start_job(
    school_id: UUID,
    body: JobIn,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    background: BackgroundTasks,
) -> JobOut:
    """Start a school's summary sheets for a period; answered at once, built after the answer."""
    if not caller.roles_in(school_id) & STARTERS:
        raise NotFound(JOB_NOT_FOUND)
    if body.period_id is not None:
        if not any(
            p["period_id"] == str(body.period_id)
            for scheme in await queries.period_schemes(session, school_id)
            for p in scheme.periods
        ):
            raise NotFound("Такого отчётного периода в школе нет.")
        title = "за отчётный период"
    elif body.start is not None and body.end is not None:
        title = f"за {dates_period(body.start, body.end).title}"
    else:
        raise Invalid("Укажите отчётный период или даты начала и конца.")
    clock = request.app.state.clock
    job = ReportJob(
        school_id=school_id,
        id=uuid4(),
        requested_by=caller.person_id,
        kind=body.kind,
        format=body.format,
        title=f"{jobs.KINDS[body.kind]} {title}",
        status="queued",
        done_steps=0,
        total_steps=0,
        created_at=clock.now(),
    )
    session.add(job)
    await session.flush()
    # Background tasks run after the response, so after this transaction commits the job's row.
    background.add_task(
        jobs.run_school_summary_sheets,
        request.app.state.db,
        request.app.state.files,
        clock,
        school_id,
        job.id,
        body.format,
        body.period_id,
        body.start,
        body.end,
    )
    return job_out(job)


def _readable(caller: CallerDep, school_id: UUID) -> None:
    if not queries.reads_school_reports(caller, school_id):
        raise NotFound(JOB_NOT_FOUND)


@router.get("")
async def list_jobs(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[JobOut]:
    _readable(caller, school_id)
    rows = await session.scalars(
        select(ReportJob).filter_by(school_id=school_id).order_by(ReportJob.created_at.desc()).limit(LIST_LIMIT)
    )
    return [job_out(job) for job in rows]


async def _job(session: SchoolSession, school_id: UUID, job_id: UUID) -> ReportJob:
    job = await session.get(ReportJob, (school_id, job_id))
    if job is None:
        raise NotFound(JOB_NOT_FOUND)
    return job


@router.get("/{job_id}")
async def get_job(school_id: UUID, job_id: UUID, caller: CallerDep, session: SchoolSession) -> JobOut:
    _readable(caller, school_id)
    return job_out(await _job(session, school_id, job_id))


@router.get("/{job_id}/file", response_model=None)
async def job_file(
    school_id: UUID, job_id: UUID, caller: CallerDep, session: SchoolSession, request: Request
) -> Response:
    _readable(caller, school_id)
    job = await _job(session, school_id, job_id)
    if job.status == "failed":
        raise Conflict(job.error or "Отчёт не построен.")
    if job.status != "done" or job.file_key is None:
        raise Conflict(f"Отчёт ещё строится: готово {job_out(job).progress} %.")
    try:
        body = await request.app.state.files.get(job.file_key)
    except FileNotFound:
        raise NotFound("Файл отчёта больше не хранится: постройте отчёт заново.") from None
    name = f"svodnye-vedomosti-{job.created_at:%Y%m%d}.{job.format}"
    return Response(
        body, media_type=MEDIA_TYPES[job.format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
