"""The invariant checker (``chassis.invariants``) passes on a consistent gradebook and diary and names each
broken invariant planted into them. The restore drill runs the same checker as a command on a restored database.

The two databases hold the services' real tables (made from their models, as a migration makes them); the rows
are written the way the services write them: a state and its event in one transaction, the diary's copy after.
"""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from chassis import testing
from chassis.db import Database
from chassis.invariants import check
from chassis.migrations import ensure_database
from chassis.settings import ServiceSettings
from chassis.tables import metadata as chassis_metadata
from chassis.tenancy import Tenant
from gradebook.models import Base as GradebookBase
from reporting.models import Base as ReportingBase

SCHOOL = uuid4()
SYSTEM = Tenant()


@dataclass
class Journal:
    databases: dict[str, Database]
    lesson: UUID

    async def run(self, service: str, sql: str, **values: object) -> None:
        async with self.databases[service].transaction(SYSTEM) as session:
            await session.execute(text(sql), {"school": SCHOOL, **values})

    async def event(self, type_: str, subject: UUID, version: int | None, *, sent: bool = True) -> None:
        """An event of the aggregate ``subject`` at ``version`` (None: a posting carries none), two minutes old."""
        await self.run(
            "gradebook",
            "INSERT INTO outbox (event_id, type, school_id, envelope, created_at, sent_at) VALUES (:id, :type, :school,"
            " jsonb_build_object('subject', CAST(:subject AS text), 'data', CAST(:data AS jsonb)),"
            " now() - interval '2 minutes', CASE WHEN :sent THEN now() END)",
            id=uuid4(),
            type=type_,
            subject=str(subject),
            data=json.dumps({} if version is None else {"version": version}),
            sent=sent,
        )

    async def mark(self, mark_id: UUID, version: int, *, events: bool = True, diary: int | None = None) -> None:
        """A mark at ``version`` with the events of each of its states; the diary's copy at ``diary``."""
        await self.run(
            "gradebook",
            "INSERT INTO marks (id, school_id, lesson_id, student_id, value, work_type, weight, version, posted_by)"
            " VALUES (:id, :school, :lesson, :student, '5', 'answer', 1, :version, :teacher)",
            id=mark_id,
            lesson=self.lesson,
            student=uuid4(),
            version=version,
            teacher=uuid4(),
        )
        if events:
            await self.event("gradebook.mark.posted.v1", mark_id, None)
            for changed in range(2, version + 1):
                await self.event("gradebook.mark.changed.v1", mark_id, changed)
        if diary is not None:
            await self.diary_mark(mark_id, diary)

    async def diary_mark(self, mark_id: UUID, version: int, *, deleted: bool = False) -> None:
        await self.run(
            "reporting",
            "INSERT INTO marks (school_id, id, version, student_id, lesson_id, subject_name, date, value, work_type,"
            " weight, deleted) VALUES (:school, :id, :version, :student, :lesson, 'Математика', current_date, '5',"
            " 'answer', 1, :deleted)",
            id=mark_id,
            version=version,
            student=uuid4(),
            lesson=self.lesson,
            deleted=deleted,
        )

    async def forget(self, *ids: UUID) -> None:
        """Removes what a test planted: the rows and events of these ids."""
        for service in ("gradebook", "reporting"):
            await self.run(service, "DELETE FROM marks WHERE id = ANY(:ids)", ids=list(ids))
            subjects = list(map(str, ids))
            await self.run(service, "DELETE FROM outbox WHERE envelope->>'subject' = ANY(:ids)", ids=subjects)


async def database(service: str, metadata_: object) -> Database:
    settings = testing.test_settings(
        ServiceSettings, service_name=service, database_url=testing.test_database_url(f"invariants_{service}")
    )
    await testing.drop_database(settings)
    await ensure_database(settings)
    await testing.create_tables(settings, chassis_metadata)
    await testing.create_tables(settings, metadata_)
    return Database(settings.database_url, source=f"/{service}", pool_size=2, max_overflow=0)


@pytest.fixture(scope="module")
async def journal() -> AsyncIterator[Journal]:
    """A consistent journal: a lesson, a mark changed once, a deleted mark's tombstone, all in the diary."""
    databases = {"gradebook": await database("gradebook", GradebookBase.metadata)}
    databases["reporting"] = await database("reporting", ReportingBase.metadata)
    journal = Journal(databases, uuid4())
    course = uuid4()
    try:
        await journal.run(
            "gradebook",
            "INSERT INTO courses (id, school_id, teacher_id, subject_id, subject_name, class_id, class_name)"
            " VALUES (:course, :school, :teacher, :subject, 'Математика', :class_, '5А')",
            course=course,
            teacher=uuid4(),
            subject=uuid4(),
            class_=uuid4(),
        )
        await journal.run(
            "gradebook",
            "INSERT INTO lessons (id, school_id, course_id, date, topic, version, recorded_by)"
            " VALUES (:lesson, :school, :course, current_date, 'Дроби', 1, :teacher)",
            lesson=journal.lesson,
            course=course,
            teacher=uuid4(),
        )
        await journal.event("gradebook.lesson.recorded.v1", journal.lesson, 1)
        await journal.run(
            "reporting",
            "INSERT INTO lessons (school_id, id, version, class_id, subject_id, subject_name, date, topic)"
            " VALUES (:school, :lesson, 1, :class_, :subject, 'Математика', current_date, 'Дроби')",
            lesson=journal.lesson,
            class_=uuid4(),
            subject=uuid4(),
        )
        await journal.mark(uuid4(), 2, diary=2)
        deleted = uuid4()
        await journal.event("gradebook.mark.posted.v1", deleted, None)
        await journal.event("gradebook.mark.deleted.v1", deleted, 2)
        await journal.diary_mark(deleted, 2, deleted=True)
        yield journal
    finally:
        for db in databases.values():
            await db.dispose()


def broken(findings: list) -> list[str]:
    return [finding.line() for finding in findings if finding.count]


async def test_a_consistent_journal_breaks_no_invariant(journal):
    findings = await check(journal.databases, settle=60)
    assert broken(findings) == []
    assert len(findings) == 2 + 2 * 2 + 2  # two outboxes; marks and lessons at their producer; two diary tables


async def test_an_event_left_unpublished_is_named(journal):
    mark = uuid4()
    await journal.mark(mark, 1, diary=1)
    await journal.run("gradebook", "UPDATE outbox SET sent_at = NULL WHERE envelope->>'subject' = :id", id=str(mark))
    try:
        (line,) = broken(await check(journal.databases, settle=60))
        assert line.startswith("НАРУШЕН: outbox опубликован (gradebook.outbox, дольше 60 с): 1; например:")
        assert "gradebook.mark.posted.v1" in line
    finally:
        await journal.forget(mark)


async def test_a_state_without_its_event_and_a_version_gap_are_named(journal):
    # A change committed without its event: the mark is at version 3, the outbox holds versions 1 and 3 only.
    mark = uuid4()
    await journal.mark(mark, 3, events=False, diary=3)
    await journal.event("gradebook.mark.posted.v1", mark, None)
    await journal.event("gradebook.mark.changed.v1", mark, 3)
    silent = uuid4()
    await journal.mark(silent, 1, events=False, diary=1)
    try:
        lines = broken(await check(journal.databases, settle=60))
        assert lines == [
            "НАРУШЕН: у каждого состояния есть событие: отметки (gradebook.marks): 1;"
            f" например: {silent} v1 без события",
            f"НАРУШЕН: версии событий без пропусков: отметки (gradebook.outbox): 1; например: {mark}: версии 1, 3",
        ]
    finally:
        await journal.forget(mark, silent)


async def test_diary_rows_the_restored_gradebook_lost_are_named(journal):
    # After gradebook is restored to a point in time the diary is ahead: a mark it no longer has, a change it lost.
    lost, changed = uuid4(), uuid4()
    await journal.diary_mark(lost, 1)
    await journal.mark(changed, 1, diary=2)
    try:
        (line,) = broken(await check(journal.databases, settle=60))
        where = "отметки (gradebook.marks → reporting.marks): 2; например: "
        assert line.startswith(f"НАРУШЕН: у каждой строки копии есть источник: {where}")
        assert f"{lost}: нет в источнике (копия v1)" in line
        assert f"{changed}: версия расходится: источник v1, копия v2" in line
    finally:
        await journal.forget(lost, changed)
