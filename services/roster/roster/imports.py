"""Applying an import job (R-15): the checked rows, in chunks, each chunk one transaction with its progress.

A worker in every roster process picks up jobs that are applying, one school at a time and
one job by one process only (``FOR UPDATE SKIP LOCKED``), so a job started before a restart
goes on from its last committed chunk.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import structlog
from fastapi import FastAPI
from sqlalchemy import cast, func, select
from sqlalchemy.dialects.postgresql import JSONPATH
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.bulk import insert_rows
from chassis.db import Database
from chassis.tenancy import Tenant
from contracts.roster import GuardianshipLinked, StaffRoleGranted
from roster.consents import record_entry_consents
from roster.domain.imports import Known, parse_class
from roster.events import class_created, person_registered
from roster.models import Enrolment, Guardianship, ImportJob, Person, SchoolClass, StaffRole
from roster.movements import MovementWriter

log = structlog.get_logger()

#: Rows per transaction: small enough to show progress, large enough to be quick.
CHUNK = 1000
DATE_FIELDS = ("birth_date", "enrolled_on")


async def known_of(session: AsyncSession, school_id: UUID, academic_year: str, today: date) -> Known:
    """The school's СНИЛС (and whether each is a student's), its ESIA accounts and its classes of the year."""
    students = select(Enrolment.student_id).where(Enrolment.school_id == school_id)
    people = await session.execute(
        select(Person.snils, Person.id.in_(students)).where(Person.school_id == school_id, Person.snils.is_not(None))
    )
    classes = await session.execute(
        select(SchoolClass.grade, SchoolClass.letter).where(
            SchoolClass.school_id == school_id, SchoolClass.academic_year == academic_year
        )
    )
    accounts = await session.execute(
        select(Person.esia_oid, Person.snils).where(Person.school_id == school_id, Person.esia_oid.is_not(None))
    )
    return Known(
        snils={snils: student for snils, student in people},
        classes=frozenset(f"{g}{letter}" for g, letter in classes),
        esia_oids={oid: snils for oid, snils in accounts},
        today=today,
    )


#: The card's fields a file fills.
PERSON_FIELDS = ("last_name", "first_name", "middle_name", "birth_date", "snils", "esia_oid", "phone", "email")


class ChunkWriter:
    """Writes rows of one chunk; reads what a row is checked against once per chunk, never per row.

    People, their consents, ties and roles are rows of their tables, each table one statement for the chunk
    (``chassis.bulk``): ORM objects for them were most of an import's CPU. Classes, a few a school, stay objects.
    """

    def __init__(self, session: AsyncSession, job: ImportJob, now: datetime) -> None:
        self.session, self.job, self.now = session, job, now
        self.writer = MovementWriter(session, job.school_id, job.created_by)
        #: The school's people the chunk names, and those it adds: СНИЛС → id.
        self.people: dict[str, UUID] = {}
        self.new_people: list[dict[str, Any]] = []
        #: The year's classes by name, which students are enrolled in.
        self.classes: dict[str, SchoolClass] = {}
        #: Every class of the school by (year, grade, letter), which a file of classes adds to.
        self.class_keys: set[tuple[str, int, str]] = set()
        self.enrolled: set[UUID] = set()
        self.ties: set[tuple[UUID, UUID]] = set()
        self.new_ties: list[dict[str, Any]] = []
        self.roles: set[tuple[UUID, str]] = set()
        self.new_roles: list[dict[str, Any]] = []

    async def load(self, rows: list[dict]) -> None:
        school_id = self.job.school_id
        wanted = {r["data"].get(k) for r in rows for k in ("snils", "child_snils")} - {None}
        if wanted:
            found = await self.session.execute(
                select(Person.snils, Person.id).filter_by(school_id=school_id).where(Person.snils.in_(wanted))
            )
            self.people = {snils: person_id for snils, person_id in found}
        for c in await self.session.scalars(select(SchoolClass).filter_by(school_id=school_id)):
            self.class_keys.add((c.academic_year, c.grade, c.letter))
            if c.academic_year == self.job.academic_year:
                self.classes[c.name] = c
        self.enrolled = set(
            await self.session.scalars(
                select(Enrolment.student_id)
                .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
                .where(Enrolment.school_id == school_id, SchoolClass.academic_year == self.job.academic_year)
            )
        )
        if self.job.kind in ("parents", "oneroster"):
            ties = await self.session.execute(
                select(Guardianship.guardian_id, Guardianship.student_id).filter_by(school_id=school_id)
            )
            self.ties = {(g, s) for g, s in ties}
        if self.job.kind in ("staff", "oneroster"):
            roles = await self.session.execute(
                select(StaffRole.person_id, StaffRole.role).filter_by(school_id=school_id)
            )
            self.roles = {(p, r) for p, r in roles}

    def person(self, data: dict[str, Any]) -> UUID:
        """The person the row names: the school's by СНИЛС, or a new one."""
        snils = data.get("snils")
        if snils and snils in self.people:
            return self.people[snils]
        person = {"id": uuid4(), "school_id": self.job.school_id, **{f: data.get(f) for f in PERSON_FIELDS}}
        self.new_people.append(person)
        if snils:
            self.people[snils] = person["id"]
        self.writer.events.append(person_registered(person))
        return person["id"]

    def enrol(self, student_id: UUID, class_name: str, on: date) -> None:
        if student_id in self.enrolled:
            return
        school_class = self.classes[class_name]
        self.writer.enrol(student_id, school_class, on)
        self.writer.record(student_id, "enrolled", on, to_class=school_class, reason="загрузка из файла")
        self.enrolled.add(student_id)

    def add_class(self, data: dict[str, Any]) -> None:
        year = data.get("academic_year") or self.job.academic_year
        grade, letter = parse_class(data["class_name"])
        if (year, grade, letter) in self.class_keys:
            return
        self.class_keys.add((year, grade, letter))
        created = SchoolClass(id=uuid4(), school_id=self.job.school_id, grade=grade, letter=letter, academic_year=year)
        self.session.add(created)
        if year == self.job.academic_year:
            self.classes[created.name] = created
        self.writer.events.append(class_created(created))

    def made_first(self, data: dict[str, Any]) -> UUID | None:
        """The row's class or person, made for the whole chunk before any link: the enrolments and ties that name
        them go in after."""
        kind = data.get("kind") or self.job.kind
        if kind == "classes":
            self.add_class(data)
            return None
        return self.person(data) if kind in ("students", "parents", "staff") else None

    async def write_made(self) -> None:
        """The chunk's new classes and people, and the consent confirmed as each person is entered (R-5)."""
        await self.session.flush()
        await insert_rows(self.session, Person.__table__, self.new_people)
        await record_entry_consents(self.session, self.job.school_id, [p["id"] for p in self.new_people], self.now)

    def apply(self, data: dict[str, Any], person_id: UUID | None) -> None:
        # A OneRoster archive holds rows of several kinds, each marked with its own.
        kind = data.pop("kind", None) or self.job.kind
        if kind == "students":
            assert person_id is not None
            if data.get("class_name"):
                self.enrol(person_id, data["class_name"], data["enrolled_on"])
        elif kind == "enrolments":
            self.enrol(self.people[data["snils"]], data["class_name"], data["enrolled_on"])
        elif kind == "parents":
            assert person_id is not None
            child_id = self.people[data["child_snils"]]
            if (person_id, child_id) not in self.ties:
                self.ties.add((person_id, child_id))
                relation = data.get("relation") or "родитель"
                self.new_ties.append(
                    {
                        "school_id": self.job.school_id,
                        "guardian_id": person_id,
                        "student_id": child_id,
                        "relation": relation,
                    }
                )
                self.writer.events.append(
                    GuardianshipLinked(guardian_id=person_id, student_id=child_id, relation=relation)
                )
        elif kind == "staff":
            assert person_id is not None
            for role in data["roles"]:
                if (person_id, role) not in self.roles:
                    self.roles.add((person_id, role))
                    self.new_roles.append({"school_id": self.job.school_id, "person_id": person_id, "role": role})
                    self.writer.events.append(StaffRoleGranted(person_id=person_id, role=role))

    async def write_links(self) -> None:
        """The chunk's ties, roles, enrolments and movements, then its events."""
        await insert_rows(self.session, Guardianship.__table__, self.new_ties)
        await insert_rows(self.session, StaffRole.__table__, self.new_roles)
        await self.writer.flush()


def row_data(stored: dict) -> dict[str, Any]:
    data = dict(stored["data"])
    for name in DATE_FIELDS:
        if data.get(name):
            data[name] = date.fromisoformat(data[name])
    return data


async def apply_next_chunk(db: Database, job_id: UUID, school_id: UUID) -> bool:
    """One chunk of the job in one transaction; False when the job has nothing more to do."""
    async with db.transaction(Tenant(school_id=school_id)) as session:
        job = await session.scalar(
            select(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status == "applying")
            .with_for_update(skip_locked=True)
        )
        if job is None:
            return False
        now = datetime.now(UTC)
        # Only the chunk's rows leave the database: a municipality's file in one job is a hundred chunks.
        window = f"$[{job.applied_rows} to {job.applied_rows + CHUNK - 1}]"
        chunk = await session.scalar(
            select(func.jsonb_path_query_array(ImportJob.rows, cast(window, JSONPATH))).where(ImportJob.id == job_id)
        )
        writer = ChunkWriter(session, job, now)
        await writer.load(chunk)
        rows = [row_data(stored) for stored in chunk]
        people = [writer.made_first(data) for data in rows]
        await writer.write_made()
        for data, person_id in zip(rows, people, strict=True):
            writer.apply(data, person_id)
        await writer.write_links()
        job.applied_rows += len(chunk)
        if job.applied_rows >= job.valid_rows:
            job.status, job.finished_at = "done", now
        return job.status == "applying"


async def run_job(db: Database, job_id: UUID, school_id: UUID) -> None:
    try:
        more = True
        while more:
            more = await apply_next_chunk(db, job_id, school_id)
    except Exception as exc:
        # The chunk rolled back whole; the job stops where the last whole chunk left it.
        log.exception("import_failed", job_id=str(job_id))
        async with db.transaction(Tenant(school_id=school_id)) as session:
            job = await session.get(ImportJob, job_id, with_for_update=True)
            if job is not None and job.status == "applying":
                job.status, job.finished_at = "failed", datetime.now(UTC)
                job.message = (
                    f"Загрузка остановлена после {job.applied_rows} строк: {type(exc).__name__}. "
                    "Загруженные строки сохранены; проверьте данные школы и загрузите оставшиеся строки заново."
                )


class ImportWorker:
    """Applies jobs in the background; woken by the route that starts one, and polling for jobs left by a restart."""

    def __init__(self, db: Database, poll_seconds: float = 2.0) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.wake = asyncio.Event()
        #: Jobs being applied by this process, each in its own task: one school's file does not wait for another's.
        self.running: dict[UUID, asyncio.Task] = {}

    async def pending(self) -> list[tuple[UUID, UUID]]:
        # Across schools: the read-only region tenancy sees every school's jobs; each is then applied in its own.
        async with self.db.transaction(Tenant(region_read=True)) as session:
            rows = await session.execute(
                select(ImportJob.id, ImportJob.school_id).where(ImportJob.status == "applying")
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]

    async def run(self) -> None:
        try:
            while True:
                try:
                    for job_id, school_id in await self.pending():
                        if job_id not in self.running:
                            task = asyncio.create_task(run_job(self.db, job_id, school_id), name=f"import-{job_id}")
                            self.running[job_id] = task
                            task.add_done_callback(lambda _, job_id=job_id: self.running.pop(job_id, None))
                except Exception:
                    log.exception("import_worker_error")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
                self.wake.clear()
        finally:
            for task in list(self.running.values()):
                task.cancel()


@contextlib.asynccontextmanager
async def import_worker(app: FastAPI) -> AsyncIterator[None]:
    worker = ImportWorker(app.state.db)
    app.state.imports = worker
    task = asyncio.create_task(worker.run(), name="imports")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
