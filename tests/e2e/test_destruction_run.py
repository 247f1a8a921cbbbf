"""Destruction of a student's personal data at the end of its terms (152-ФЗ ст. 21), through the gateway, against
every service: refused early with the date, incomplete while a service is down and finished by a retry, and
afterwards no row in any database names the student, while the access log's chain still verifies."""

import importlib
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from chassis.destruction import CURRENT
from chassis.settings import ServiceSettings
from chassis.testing import eventually
from devstack.browser import Browser
from devstack.stack import SERVICES, Stack
from gateway.access_log import verify

TEACHER_OID, ADMIN_OID = "1000001", "1000006"
PARTS = [*SERVICES, "gateway"]
#: Tables that only ever hold an event's envelope for days (``chassis.retention``), not a person's record.
TRANSIENT = {"outbox", "inbox", "idempotency_keys"}


def holdings_of(part: str):
    module = "gateway.destruction.holdings" if part == "gateway" else f"{part}.retention"
    return importlib.import_module(module).HOLDINGS


def _server() -> str:
    return ServiceSettings().admin_database_url.rsplit("/", 1)[0]


@pytest.fixture
async def databases(stack: Stack) -> AsyncIterator[dict[str, asyncpg.Connection]]:
    """A superuser connection to each part's database: the test looks past row-level security."""
    server = _server()
    opened = {part: await asyncpg.connect(f"{server}/{stack.db_prefix}{part}") for part in PARTS}
    yield opened
    for connection in opened.values():
        await connection.close()


async def rows_naming(connection: asyncpg.Connection, person_id: UUID, surname: str) -> dict[str, int]:
    """Every table with a row whose uuid column is the person or whose text names them."""
    columns = await connection.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        " AND data_type IN ('uuid', 'ARRAY', 'character varying', 'text', 'jsonb')"
    )
    found: dict[str, int] = {}
    for table, column, kind in columns:
        if table in TRANSIENT:
            continue
        if kind == "uuid":
            condition, value = f'"{column}" = $1', person_id
        elif kind == "ARRAY":
            condition, value = f'"{column}"::text LIKE $1', f"%{person_id}%"
        else:
            condition, value = f'"{column}"::text LIKE $1', f"%{surname}%"
        count = await connection.fetchval(f'SELECT count(*) FROM "{table}" WHERE {condition}', value)
        if count:
            found[f"{table}.{column}"] = count
    return found


async def age(databases: dict[str, asyncpg.Connection], person_id: UUID, years: int) -> None:
    """The time machine of this test: the student's rows become ``years`` older, in every part."""
    for part, connection in databases.items():
        for holding in holdings_of(part):
            # The access log is sealed: its entries were written old, never moved (that would break the chain).
            if holding.via is not None or holding.dated in (None, CURRENT) or holding.table.name == "access_log":
                continue
            table = holding.table.name
            await connection.execute(
                f'UPDATE "{table}" SET "{holding.dated}" = "{holding.dated}" - interval \'{years} years\''
                f' WHERE "{holding.person}" = $1',
                person_id,
            )


async def restart(stack: Stack, part: str) -> None:
    process, port = next(iter(stack.instances(part).items()))
    await stack._launch(part, f"{part}.main:app", process, port)
    await stack.wait_ready()


async def test_a_student_who_left_is_destroyed_everywhere_only_after_the_terms(stack, demo_school, databases):
    admin, teacher = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    try:
        await admin.login(ADMIN_OID)
        await teacher.login(TEACHER_OID)
        await _destroy_a_student(stack, admin, teacher, databases)
    finally:
        await admin.close()
        await teacher.close()


async def _destroy_a_student(stack: Stack, admin: Browser, teacher: Browser, databases) -> None:
    school, today = admin.school_of("school_admin"), stack.today()
    surname = f"Уничтожаемый{str(uuid4().int)[:6]}"
    created = await admin.api(
        "POST", f"/roster/schools/{school}/people", json={"last_name": surname, "first_name": "Пётр", "consent": True}
    )
    assert created.status_code == 201, created.text
    student = UUID(created.json()["id"])
    courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
    maths = next(c for c in courses if c["subject_name"] == "Математика")
    enrolled = await admin.api(
        "POST",
        f"/roster/schools/{school}/enrolments",
        json={"student_id": str(student), "class_id": maths["class_id"], "enrolled_on": str(today - timedelta(30))},
    )
    assert enrolled.status_code == 201, enrolled.text
    lesson = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons",
        json={"course_id": maths["id"], "date": today.isoformat(), "topic": "Проценты", "homework": "№ 5"},
    )
    assert lesson.status_code == 201, lesson.text

    async def marked():
        mark = await teacher.api(
            "POST",
            f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks",
            json={"student_id": str(student), "value": "4", "work_type": "test"},
        )
        return mark if mark.status_code == 201 else None

    await eventually(marked, timeout=20)
    left = await admin.api(
        "POST",
        f"/roster/schools/{school}/movements/leave",
        json={"student_id": str(student), "order_number": "15-у", "reason": "Переезд в другой регион"},
    )
    assert left.status_code == 201, left.text

    async def everywhere():
        """The mark reached reporting and the leaving reached the gateway (no student role is left)."""
        marks = await databases["reporting"].fetchval("SELECT count(*) FROM marks WHERE student_id = $1", student)
        roles = await databases["gateway"].fetchval("SELECT count(*) FROM school_roles WHERE person_id = $1", student)
        return marks == 1 and roles == 0

    await eventually(everywhere, timeout=20)
    # The student read the diary seven years ago: two entries of the access log, sealed into its chain.
    logged = [
        await databases["gateway"].fetchval(
            "INSERT INTO access_log (person_id, method, path, status, at)"
            " VALUES ($1, 'GET', '/api/v1/diary', 200, now() - interval '7 years') RETURNING id",
            student,
        )
        for _ in range(2)
    ]

    async def sealed():
        unsealed = await databases["gateway"].fetchval(
            "SELECT count(*) FROM access_log WHERE id = ANY($1) AND seal IS NULL", logged
        )
        return unsealed == 0

    await eventually(sealed, timeout=30)
    runs = f"/destruction/schools/{school}/runs"

    early = await admin.api("POST", runs, json={"person_id": str(student)})
    assert early.status_code == 409, early.text
    assert early.headers["content-type"] == "application/problem+json"
    may_go = early.json()["may_go_from"]
    assert early.json()["detail"].endswith(f"уничтожить их можно с {may_go[8:10]}.{may_go[5:7]}.{may_go[:4]}.")
    assert may_go > today.isoformat()
    assert await rows_naming(databases["roster"], student, surname), "nothing was removed by the refusal"

    await age(databases, student, 7)
    proposals = await admin.api("GET", f"/destruction/schools/{school}/proposals")
    assert proposals.status_code == 200, proposals.text
    [proposal] = [p for p in proposals.json() if p["person_id"] == str(student)]
    assert proposal["name"].startswith(surname)
    assert proposal["rows"]["gradebook"]["journal_record"] == 1

    # Attendance is down: the run does all it can and says it is incomplete.
    attendance = stack.processes["attendance"]
    attendance.terminate()
    await attendance.wait()
    try:
        first = await admin.api("POST", runs, json={"person_id": str(student)})
        assert first.status_code == 201, first.text
        run = first.json()
        assert run["status"] == "incomplete"
        assert run["services"]["attendance"]["status"] == "failed"
        assert run["services"]["gradebook"]["status"] == "done"
        assert run["services"]["gateway"]["status"] == "pending", "the account goes last"
        not_yet = await admin.api("GET", f"{runs}/{run['id']}/act.pdf")
        assert not_yet.status_code == 409
    finally:
        await restart(stack, "attendance")

    retried = await admin.api("POST", f"{runs}/{run['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "done"
    assert retried.json()["services"]["gradebook"] == run["services"]["gradebook"], "done once, not twice"

    for part, connection in databases.items():
        assert await rows_naming(connection, student, surname) == {}, f"{part} still holds the student"
    tombstones = await databases["gateway"].fetch("SELECT id FROM access_log_trimmed WHERE id = ANY($1)", logged)
    assert sorted(r["id"] for r in tombstones) == sorted(logged), "the removed entries leave their seals"
    engine = create_async_engine(
        f"{_server().replace('postgresql://', 'postgresql+asyncpg://')}/{stack.db_prefix}gateway"
    )
    try:
        async with AsyncSession(engine) as session:
            assert await verify(session) is None, "the access log's chain still verifies"
    finally:
        await engine.dispose()
    act = await admin.api("GET", f"{runs}/{run['id']}/act.pdf")
    assert act.status_code == 200 and act.content.startswith(b"%PDF")
