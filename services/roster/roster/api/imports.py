"""Bulk import and export of the contingent (R-15): a file is checked first (the dry run, nothing written),
then applied — all of it or only its valid rows — as one job with a status and progress.

The file is the request body as it is (XLSX or CSV), so the secretary's screen and a script
send the same thing; ``kind`` says what the file holds.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import Conflict, Invalid, NotFound
from roster.api.classes import current_academic_year
from roster.domain.imports import (
    KIND_TITLES,
    FileProblem,
    check_table,
    export_rows,
    read_table,
    write_csv,
    write_xlsx,
)
from roster.domain.oneroster import OUR_TO_ONEROSTER, ExportPerson, check_oneroster, merged_rows, write_zip
from roster.imports import known_of
from roster.models import AcademicYear, Enrolment, Guardianship, ImportJob, Person, School, SchoolClass, StaffRole

router = APIRouter(prefix="/schools/{school_id}", tags=["imports"])

#: Who loads files: the administration and the secretary (R-15).
LOADERS = ("school_admin", "secretary")
#: A municipality's file is tens of megabytes at most; more is a mistake.
MAX_BYTES = 50 * 1024 * 1024
#: Errors shown in full; a file with more has a systematic fault, shown by its first ones.
MAX_ERRORS = 1000

Kind = Literal["students", "parents", "staff", "classes", "enrolments", "oneroster"]


class ErrorOut(BaseModel):
    row: int
    column: str
    message: str


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    kind_title: str = ""
    filename: str
    academic_year: str
    status: str
    mode: str | None
    total_rows: int
    valid_rows: int
    #: Rows whose СНИЛС matched a person already in the school: added to, not entered twice.
    existing_rows: int
    applied_rows: int
    errors: list[ErrorOut]
    error_count: int = 0
    message: str | None
    created_at: datetime
    finished_at: datetime | None


def job_out(job: ImportJob) -> JobOut:
    out = JobOut.model_validate(job)
    return out.model_copy(
        update={
            "kind_title": KIND_TITLES[job.kind],
            "errors": out.errors[:MAX_ERRORS],
            "error_count": len(job.errors),
        }
    )


@router.post("/imports", status_code=201)
async def check_file(
    school_id: UUID,
    request: Request,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    kind: Kind,
    filename: Annotated[str, Query(max_length=300)] = "файл",
) -> JobOut:
    """The dry run: every row checked against the school, a per-row report in Russian, nothing written."""
    caller.require(school_id, *LOADERS)
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise Invalid("Файл больше 50 МБ: разделите его на части.")
    academic_year = current_academic_year(today)
    known = await known_of(session, school_id, academic_year, today)
    try:
        if kind == "oneroster":
            rows, errors, total = merged_rows(check_oneroster(data, known))
        else:
            checked = check_table(kind, read_table(data), known)
            rows, errors, total = checked.valid, checked.errors, len(checked.rows)
    except FileProblem as problem:
        raise Invalid(str(problem)) from problem
    except UnicodeDecodeError as exc:
        raise Invalid("Не удалось прочитать файл: сохраните его в UTF-8 или Windows-1251.") from exc
    job = ImportJob(
        school_id=school_id,
        kind=kind,
        filename=filename,
        academic_year=academic_year,
        status="checked",
        total_rows=total,
        valid_rows=len(rows),
        existing_rows=sum(1 for r in rows if r.existing),
        rows=[{"row": r.row, "data": _json(r.data), "existing": r.existing} for r in rows],
        errors=[e.__dict__ for e in errors],
        applied_rows=0,
        created_by=caller.person_id,
        created_at=datetime.now(UTC),
    )
    session.add(job)
    await session.flush()
    return job_out(job)


def _json(data: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


@router.get("/imports")
async def list_jobs(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[JobOut]:
    caller.require(school_id, *LOADERS)
    jobs = await session.scalars(
        select(ImportJob).where(ImportJob.school_id == school_id).order_by(ImportJob.created_at.desc()).limit(50)
    )
    return [job_out(j) for j in jobs]


@router.get("/imports/{job_id}")
async def get_job(school_id: UUID, job_id: UUID, caller: CallerDep, session: SchoolSession) -> JobOut:
    """The job's status and progress (the screen and the CLI poll it)."""
    caller.require(school_id, *LOADERS)
    job = await session.get(ImportJob, job_id)
    if job is None or job.school_id != school_id:
        raise NotFound("Загрузка не найдена.")
    return job_out(job)


class ApplyIn(BaseModel):
    #: ``all``: only a file with no errors; ``valid``: the rows that passed, the others left out.
    mode: Literal["all", "valid"]
    consent: Literal[True] = Field(description="Согласия на обработку персональных данных всех людей файла получены")


@router.post("/imports/{job_id}/apply", status_code=202)
async def apply_job(
    school_id: UUID,
    job_id: UUID,
    body: ApplyIn,
    caller: CallerDep,
    session: SchoolSession,
    request: Request,
    background: BackgroundTasks,
) -> JobOut:
    """Starts applying in the background; the job's progress shows how far it got."""
    caller.require(school_id, *LOADERS)
    job = await session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.school_id != school_id:
        raise NotFound("Загрузка не найдена.")
    if job.status != "checked":
        raise Conflict("Эта загрузка уже выполняется или выполнена.")
    if body.mode == "all" and job.errors:
        raise Conflict(
            f"В файле {len(job.errors)} ошибок: исправьте их и загрузите файл заново "
            "или загрузите только правильные строки."
        )
    if not job.valid_rows:
        raise Conflict("В файле нет ни одной правильной строки.")
    job.status, job.mode = "applying", body.mode
    await session.flush()
    out = job_out(job)
    # Background tasks run after the session's transaction has committed: the worker then sees the job.
    background.add_task(request.app.state.imports.wake.set)
    return out


ExportKind = Literal["students", "parents", "staff", "classes", "oneroster"]


@router.get("/exports/{kind}")
async def export_file(
    school_id: UUID,
    kind: ExportKind,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """The school's people in the import's own columns: a round trip gives the same roster."""
    caller.require(school_id, *LOADERS, "director", "deputy")
    academic_year = current_academic_year(today)
    name = f"{kind}-{academic_year.replace('/', '-')}.{format}"
    if kind == "oneroster":
        content = await oneroster_archive(session, school_id, academic_year, datetime.now(UTC))
        return Response(
            content,
            media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="oneroster-{academic_year.replace("/", "-")}.zip"'},
        )
    lines = export_rows(kind, await export_records(session, school_id, kind, academic_year))
    if format == "xlsx":
        content = write_xlsx(lines, KIND_TITLES[kind])
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, media = write_csv(lines), "text/csv; charset=utf-8"
    return Response(content, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


async def export_records(session: SchoolSession, school_id: UUID, kind: str, academic_year: str) -> list[dict]:
    if kind == "classes":
        rows = await session.scalars(
            select(SchoolClass)
            .filter_by(school_id=school_id, academic_year=academic_year)
            .order_by(SchoolClass.grade, SchoolClass.letter)
        )
        return [{"class_name": c.name, "academic_year": c.academic_year} for c in rows]
    people = {
        p.id: p
        for p in await session.scalars(
            select(Person).filter_by(school_id=school_id).order_by(Person.last_name, Person.first_name)
        )
    }

    def card(p: Person) -> dict:
        return {
            f: getattr(p, f)
            for f in ("last_name", "first_name", "middle_name", "birth_date", "snils", "esia_oid", "phone", "email")
        }

    if kind == "students":
        rows = await session.execute(
            select(Enrolment, SchoolClass)
            .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
            .where(Enrolment.school_id == school_id, SchoolClass.academic_year == academic_year)
        )
        records = [{**card(people[e.student_id]), "class_name": c.name, "enrolled_on": e.enrolled_on} for e, c in rows]
    elif kind == "parents":
        ties = await session.scalars(select(Guardianship).filter_by(school_id=school_id))
        records = [
            {**card(people[t.guardian_id]), "child_snils": people[t.student_id].snils, "relation": t.relation}
            for t in ties
        ]
    else:
        roles: dict[UUID, list[str]] = {}
        for r in await session.scalars(select(StaffRole).filter_by(school_id=school_id)):
            roles.setdefault(r.person_id, []).append(r.role)
        records = [{**card(people[pid]), "roles": sorted(held)} for pid, held in roles.items()]
    return sorted(records, key=lambda r: (r["last_name"], r["first_name"], r.get("class_name") or ""))


async def oneroster_archive(session: SchoolSession, school_id: UUID, academic_year: str, now: datetime) -> bytes:
    """The school's year as a OneRoster 1.2 bulk archive: ids are ours, ``identifier`` the СНИЛС."""
    school = await session.get(School, school_id)
    assert school is not None  # the caller's tenancy let them in: the school is there
    year = await session.scalar(select(AcademicYear).filter_by(school_id=school_id, name=academic_year))
    start = int(academic_year[:4])
    year_row = (
        str(year.id) if year else f"{school_id}-{start}",
        academic_year,
        year.starts if year else date(start, 9, 1),
        year.ends if year else date(start + 1, 5, 31),
    )
    classes = list(
        await session.scalars(
            select(SchoolClass)
            .filter_by(school_id=school_id, academic_year=academic_year)
            .order_by(SchoolClass.grade, SchoolClass.letter)
        )
    )
    enrolments = list(await session.scalars(select(Enrolment).where(Enrolment.class_id.in_([c.id for c in classes]))))
    ties = list(await session.scalars(select(Guardianship).filter_by(school_id=school_id)))
    roles: dict[UUID, set[str]] = {e.student_id: {"student"} for e in enrolments}
    children: dict[UUID, list[str]] = {}
    for t in ties:
        roles.setdefault(t.guardian_id, set()).add("parent")
        children.setdefault(t.guardian_id, []).append(str(t.student_id))
    for r in await session.scalars(select(StaffRole).filter_by(school_id=school_id)):
        if r.role in OUR_TO_ONEROSTER:
            roles.setdefault(r.person_id, set()).add(r.role)
    people = await session.scalars(select(Person).where(Person.id.in_(roles)).order_by(Person.last_name, Person.id))
    exported = [
        ExportPerson(
            str(p.id), p.last_name, p.first_name, p.middle_name, p.birth_date, p.snils, p.phone, p.email,
            tuple(sorted(roles[p.id])), tuple(sorted(children.get(p.id, []))), p.esia_oid,
        )
        for p in people
    ]  # fmt: skip
    return write_zip(
        (str(school_id), school.name),
        year_row,
        [(str(c.id), c.grade, c.name) for c in classes],
        exported,
        [(str(e.id), str(e.class_id), str(e.student_id), e.enrolled_on) for e in enrolments],
        now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
    )
