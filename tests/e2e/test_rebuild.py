"""Rebuilding a read model beside the live one (issue 5): the journal's own services run as processes
(the end-to-end stack with the demo school); the rebuild reads their databases and queues as the
operator's command does, while the diary keeps answering."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from uuid import UUID

import aio_pika
import asyncpg
import httpx
import pytest

from attendance.snapshots import snapshots as attendance_snapshots
from chassis.auth import Caller, TokenSigner
from chassis.db import Database
from chassis.rebuild import READ_MODELS, rebuild, schemas_for
from chassis.settings import ServiceSettings
from devstack.demo import signer_of
from devstack.stack import Stack
from gradebook.snapshots import snapshots as gradebook_snapshots
from notifications.handlers import family
from reporting.handlers import diary
from roster.snapshots import snapshots as roster_snapshots

PATIENCE_SECONDS = 20.0


async def admin(stack: Stack, service: str) -> asyncpg.Connection:
    """The superuser: reads every school's rows (row-level security does not bind it)."""
    server = ServiceSettings().admin_database_url.rsplit("/", 1)[0]
    return await asyncpg.connect(f"{server}/{stack.db_prefix}{service}")


async def rows_of(connection: asyncpg.Connection, schema: str, table: str) -> list[tuple]:
    return sorted(tuple(r) for r in await connection.fetch(f'SELECT * FROM "{schema}"."{table}"'))


async def person_id(stack: Stack, school: UUID, last_name: str, first_name: str) -> UUID:
    connection = await admin(stack, "roster")
    try:
        return await connection.fetchval(
            "SELECT id FROM people WHERE school_id = $1 AND last_name = $2 AND first_name = $3",
            school,
            last_name,
            first_name,
        )
    finally:
        await connection.close()


async def until(probe, timeout: float = PATIENCE_SECONDS):
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := await probe()):
        assert asyncio.get_running_loop().time() < deadline, "the read model did not follow"
        await asyncio.sleep(0.1)
    return found


async def settled(probe):
    """The probe's value once it has not changed for a second (what earlier tests wrote has arrived)."""
    last = await probe()
    while True:
        await asyncio.sleep(1.0)
        if (now := await probe()) == last:
            return now
        last = now


@pytest.fixture
async def signer(stack: Stack, demo_school: UUID) -> TokenSigner:
    return await signer_of(stack)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def settings_of(stack: Stack) -> ServiceSettings:
    return ServiceSettings(queue_prefix=stack.queue_prefix, exchange=stack.exchange)


async def the_journal_changes(stack: Stack, http: httpx.AsyncClient, signer: TokenSigner, school: UUID) -> dict:
    """A changed mark (version 2), a corrected absence (version 2) and a withdrawn one (a tombstone)."""
    teacher_id = await person_id(stack, school, "Иванова", "Мария")
    teacher = Caller(teacher_id, "Иванова Мария Петровна", frozenset({(school, "teacher"), (school, "class_teacher")}))
    headers = {"Authorization": f"Bearer {signer.issue(teacher)}"}
    base = f"/schools/{school}"
    students = [await person_id(stack, school, *name) for name in (("Петров", "Алексей"), ("Сидоров", "Иван"))]
    courses = (await http.get(f"{stack.url('gradebook')}{base}/courses", headers=headers)).json()
    maths = next(c for c in courses if c["subject_name"] == "Математика")
    lesson = await http.post(
        f"{stack.url('gradebook')}{base}/lessons",
        json={"course_id": maths["id"], "date": stack.today().isoformat(), "topic": "Пересборка дневника"},
        headers=headers,
    )
    assert lesson.status_code == 201, lesson.text
    lesson_id = lesson.json()["id"]
    mark = await http.post(
        f"{stack.url('gradebook')}{base}/lessons/{lesson_id}/marks",
        json={"student_id": str(students[0]), "value": "3", "work_type": "answer"},
        headers=headers,
    )
    assert mark.status_code == 201, mark.text
    changed = await http.patch(
        f"{stack.url('gradebook')}{base}/marks/{mark.json()['id']}", json={"value": "4"}, headers=headers
    )
    assert changed.status_code == 200, changed.text

    async def absence(student: UUID) -> str:
        for _ in range(100):  # attendance hears of the lesson within milliseconds; until then it says 409
            response = await http.post(
                f"{stack.url('attendance')}{base}/lessons/{lesson_id}/absences",
                json={"student_id": str(student), "reason": "Н"},
                headers=headers,
            )
            if response.status_code != 409:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    corrected, withdrawn = await absence(students[0]), await absence(students[1])
    response = await http.patch(
        f"{stack.url('attendance')}{base}/absences/{corrected}", json={"reason": "Б"}, headers=headers
    )
    assert response.status_code == 200, response.text
    response = await http.delete(f"{stack.url('attendance')}{base}/absences/{withdrawn}", headers=headers)
    assert response.status_code == 204, response.text
    return {
        "headers": headers,
        "lesson_id": lesson_id,
        "mark_id": UUID(mark.json()["id"]),
        "students": students,
        "corrected": UUID(corrected),
        "withdrawn": UUID(withdrawn),
    }


async def test_the_diary_rebuilt_beside_the_live_one_equals_it_row_for_row(stack: Stack, demo_school, signer, http):
    school = demo_school
    changes = await the_journal_changes(stack, http, signer, school)
    reporting = await admin(stack, "reporting")
    try:
        # The live diary has followed: the mark at version 2, the correction and the tombstone.
        await until(lambda: reporting.fetchval("SELECT version = 2 FROM marks WHERE id = $1", changes["mark_id"]))
        await until(lambda: reporting.fetchval("SELECT withdrawn FROM absences WHERE id = $1", changes["withdrawn"]))
        await until(
            lambda: reporting.fetchval("SELECT reason = 'ill' FROM absences WHERE id = $1", changes["corrected"])
        )

        diary_url = f"{stack.url('reporting')}/schools/{school}/students/{changes['students'][0]}/diary"
        answers: list[int] = []
        reading = True

        async def read_all_along() -> None:
            while reading:
                answers.append((await http.get(diary_url, headers=changes["headers"])).status_code)
                await asyncio.sleep(0.01)

        async def write_during_the_rebuild() -> UUID:
            """A live mark while the rebuild runs: the rebuilt diary must have it too."""
            await asyncio.sleep(0.2)
            response = await http.post(
                f"{stack.url('gradebook')}/schools/{school}/lessons/{changes['lesson_id']}/marks",
                json={"student_id": str(changes["students"][0]), "value": "5", "work_type": "test"},
                headers=changes["headers"],
            )
            assert response.status_code == 201, response.text
            return UUID(response.json()["id"])

        databases = {
            name: Database(stack.database_url(name), source=f"/{name}")
            for name in ("reporting", "roster", "gradebook", "attendance")
        }
        producers = [
            (databases["roster"], roster_snapshots),
            (databases["gradebook"], gradebook_snapshots),
            (databases["attendance"], attendance_snapshots),
        ]
        reader = asyncio.create_task(read_all_along())
        writer = asyncio.create_task(write_during_the_rebuild())
        try:
            connection = await aio_pika.connect(settings_of(stack).amqp_url)
            async with connection:
                result = await rebuild(
                    databases["reporting"], connection, settings_of(stack), diary, producers, keep_old=True
                )
            live_mark = await writer
        finally:
            reading = False
            await reader
            for db in databases.values():
                await db.dispose()

        print(f"rebuilt while {len(answers)} diary reads answered: {result}")
        assert result.snapshots > 0 and result.replayed > 0 and result.applied > 0
        assert answers and set(answers) == {200}, answers
        await until(lambda: reporting.fetchval("SELECT count(*) FROM marks WHERE id = $1", live_mark))
        _, replaced = schemas_for(diary.name)
        for table in READ_MODELS[diary.name]:
            rebuilt, original = await rows_of(reporting, "public", table), await rows_of(reporting, replaced, table)
            if table == "marks":
                # The live consumer applied the mark posted mid-rebuild before the switch (to both) or after
                # it (to the rebuilt diary only): both are right; every other row is the same.
                assert live_mark in {row[1] for row in rebuilt}
                rebuilt, original = ([row for row in rows if row[1] != live_mark] for rows in (rebuilt, original))
            assert rebuilt == original, table
        assert await reporting.fetchval("SELECT count(*) FROM marks") > 0
        assert await reporting.fetchval("SELECT version FROM marks WHERE id = $1", changes["mark_id"]) == 2
        assert await reporting.fetchval("SELECT withdrawn FROM absences WHERE id = $1", changes["withdrawn"])
        # Indexes and row-level security came along under their own names.
        assert (
            await reporting.fetchval(
                "SELECT count(*) FROM pg_indexes"
                " WHERE indexname = 'marks_by_student_and_date' AND schemaname = 'public'"
            )
            == 1
        )
        assert await reporting.fetchval("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.marks'::regclass")
        await reporting.execute(f'DROP SCHEMA "{replaced}" CASCADE')
    finally:
        await reporting.close()


async def test_after_the_replay_window_the_snapshots_alone_rebuild_every_row_but_the_tombstones(
    stack: Stack, demo_school, signer, http
):
    """What is left when the outbox no longer holds the history: the current state of every aggregate."""
    changes = await the_journal_changes(stack, http, signer, demo_school)
    reporting = await admin(stack, "reporting")
    databases = {
        name: Database(stack.database_url(name), source=f"/{name}")
        for name in ("reporting", "roster", "gradebook", "attendance")
    }
    try:
        await until(lambda: reporting.fetchval("SELECT withdrawn FROM absences WHERE id = $1", changes["withdrawn"]))
        await until(lambda: reporting.fetchval("SELECT version = 2 FROM absences WHERE id = $1", changes["corrected"]))
        producers = [
            (databases["roster"], roster_snapshots),
            (databases["gradebook"], gradebook_snapshots),
            (databases["attendance"], attendance_snapshots),
        ]
        connection = await aio_pika.connect(settings_of(stack).amqp_url)
        async with connection:
            result = await rebuild(
                databases["reporting"], connection, settings_of(stack), diary, producers, keep_old=True, tail=False
            )
        assert result.replayed == 0 and result.snapshots > 0
        _, replaced = schemas_for(diary.name)
        for table in READ_MODELS[diary.name]:
            before = await rows_of(reporting, replaced, table)
            if table == "absences":
                withdrawn = await reporting.fetch(f'SELECT id FROM "{replaced}".absences WHERE withdrawn')
                assert changes["withdrawn"] in {r["id"] for r in withdrawn}
            if table in TOMBSTONES:  # what was withdrawn or deleted is gone at its owner: no snapshot, no tombstone
                before = [row for row in before if row not in await tombstones(reporting, replaced, table)]
            assert await rows_of(reporting, "public", table) == before, table
        assert await reporting.fetchval("SELECT version FROM absences WHERE id = $1", changes["corrected"]) == 2
        await reporting.execute(f'DROP SCHEMA "{replaced}" CASCADE')
        # Within the window, a rebuild with the tails brings the tombstones back (and leaves the diary
        # as the other tests expect it).
        connection = await aio_pika.connect(settings_of(stack).amqp_url)
        async with connection:
            await rebuild(databases["reporting"], connection, settings_of(stack), diary, producers)
        assert await reporting.fetchval("SELECT withdrawn FROM absences WHERE id = $1", changes["withdrawn"])
    finally:
        await reporting.close()
        for db in databases.values():
            await db.dispose()


#: The diary's tombstones, by table: the flag of a row kept only so that a late event cannot revive it.
TOMBSTONES = {"absences": "withdrawn", "lessons": "deleted", "marks": "deleted"}


async def tombstones(connection: asyncpg.Connection, schema: str, table: str) -> list[tuple]:
    query = f'SELECT * FROM "{schema}".{table} WHERE {TOMBSTONES[table]}'
    return [tuple(r) for r in await connection.fetch(query)]


async def test_the_notifications_replicas_rebuilt_by_the_command_equal_the_live_ones_and_nobody_is_told_twice(
    stack: Stack, demo_school
):
    notifications = await admin(stack, "notifications")
    try:
        notices_before = await settled(lambda: notifications.fetchval("SELECT count(*) FROM notifications"))
        deliveries_before = await notifications.fetchval("SELECT count(*) FROM deliveries")
        env = {
            **os.environ,
            "JOURNAL_QUEUE_PREFIX": stack.queue_prefix,
            "JOURNAL_EXCHANGE": stack.exchange,
        }
        urls = [
            f"--database-url={name}={stack.database_url(name)}"
            for name in ("notifications", "roster", "gradebook", "attendance")
        ]
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "chassis.rebuild", family.name, *urls, "--keep-old"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "notifications.family rebuilt" in done.stdout
        _, replaced = schemas_for(family.name)
        for table in READ_MODELS[family.name]:
            assert await rows_of(notifications, "public", table) == await rows_of(notifications, replaced, table), table
        assert await notifications.fetchval("SELECT count(*) FROM people") > 0
        assert await notifications.fetchval("SELECT count(*) FROM notifications") == notices_before
        assert await notifications.fetchval("SELECT count(*) FROM deliveries") == deliveries_before
        await notifications.execute(f'DROP SCHEMA "{replaced}" CASCADE')
    finally:
        await notifications.close()
