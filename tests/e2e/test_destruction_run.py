"""Destruction of a student's personal data at the end of its terms (152-ФЗ ст. 21), through the gateway, against
every service: refused early with the date, incomplete while a service is down and finished by a retry, and
afterwards no row in any database names the student, while the access log's chain still verifies."""

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from devstack.browser import Browser
from devstack.expired import age, databases, left_student, server
from devstack.stack import Stack
from gateway.access_log import verify

TEACHER_OID, ADMIN_OID = "1000001", "1000006"
#: Tables that hold only event ids and request keys for days (``chassis.retention``), and the gateway's record of
#: the destruction itself: the act must name whose data went (приказ Роскомнадзора № 179). The outbox is scanned:
#: its sent events naming the person go with them, or a rebuild would bring the person back.
TRANSIENT = {"inbox", "idempotency_keys", "destruction_runs"}


@pytest.fixture
async def dbs(stack: Stack) -> AsyncIterator[dict[str, asyncpg.Connection]]:
    async with databases(stack) as opened:
        yield opened


@pytest.fixture
async def people(stack: Stack, demo_school) -> AsyncIterator[tuple[Browser, Browser]]:
    admin, teacher = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    await admin.login(ADMIN_OID)
    await teacher.login(TEACHER_OID)
    yield admin, teacher
    await admin.close()
    await teacher.close()


async def rows_naming(connection: asyncpg.Connection, person_id: UUID, surname: str) -> dict[str, int]:
    """Every column of every table with a row whose uuid is the person or whose text names them."""
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


async def restart(stack: Stack, part: str) -> None:
    process, port = next(iter(stack.instances(part).items()))
    await stack._launch(part, f"{part}.main:app", process, port)
    await stack.wait_ready()


async def test_a_student_who_left_is_destroyed_everywhere_only_after_the_terms(stack, people, dbs):
    admin, teacher = people
    school, today = admin.school_of("school_admin"), stack.today()
    student = await left_student(stack, admin, teacher, dbs)
    runs = f"/destruction/schools/{school}/runs"

    early = await admin.api("POST", runs, json={"person_id": str(student.id)})
    assert early.status_code == 409, early.text
    assert early.headers["content-type"] == "application/problem+json"
    may_go = early.json()["may_go_from"]
    assert early.json()["detail"].endswith(f"уничтожить их можно с {may_go[8:10]}.{may_go[5:7]}.{may_go[:4]}.")
    assert may_go > today.isoformat()
    assert await rows_naming(dbs["roster"], student.id, student.surname), "the refusal removed nothing"
    # An incident recorded while the student's account was in use: its facts stay, the account's id goes.
    incident = await dbs["gateway"].fetchval(
        "INSERT INTO breach_incidents (id, school_id, detected_at, description, account_id, recorded_by,"
        " recorded_by_name, recorded_at) VALUES (gen_random_uuid(), $1, now(), 'Вход под чужой учётной записью',"
        " $2, $3, 'Администратор', now()) RETURNING id",
        UUID(school),
        student.id,
        UUID(admin.me["person_id"]),
    )

    await age(dbs, student.id, 7)
    proposals = await admin.api("GET", f"/destruction/schools/{school}/proposals")
    assert proposals.status_code == 200, proposals.text
    [proposal] = [p for p in proposals.json() if p["person_id"] == str(student.id)]
    assert proposal["name"].startswith(student.surname)
    assert proposal["rows"]["gradebook"]["journal_record"] == 1

    # Attendance is down when the administrator confirms: its terms cannot be checked, so nothing is done.
    attendance = stack.processes["attendance"]
    attendance.terminate()
    await attendance.wait()
    try:
        down = await admin.api("POST", runs, json={"person_id": str(student.id)})
        assert down.status_code == 503, down.text
        assert "«Посещаемость»" in down.json()["detail"]
        recorded = (await admin.api("GET", runs)).json()
        assert all(r["person_id"] != str(student.id) for r in recorded), "no run was recorded"
    finally:
        await restart(stack, "attendance")

    # Attendance cannot get its ledger during the run (locked): it gives up after its lock timeout, and the run does
    # all it can and says so.
    blocker = dbs["attendance"].transaction()
    await blocker.start()
    await dbs["attendance"].execute("LOCK TABLE destructions IN ACCESS EXCLUSIVE MODE")
    try:
        first = await admin.api("POST", runs, json={"person_id": str(student.id)}, timeout=120)
        assert first.status_code == 201, first.text
        run = first.json()
        assert run["status"] == "incomplete"
        assert run["services"]["attendance"]["status"] == "failed"
        assert run["services"]["gradebook"]["status"] == "done"
        assert run["services"]["roster"]["status"] == "done", run["services"]["roster"]
        assert run["services"]["gateway"]["status"] == "pending", "the account goes last"
        not_yet = await admin.api("GET", f"{runs}/{run['id']}/act.pdf")
        assert not_yet.status_code == 409
        listed = [r for r in (await admin.api("GET", runs)).json() if r["id"] == run["id"]]
        assert listed[0]["status"] == "incomplete", "visibly incomplete"
    finally:
        await blocker.rollback()

    retried = await admin.api("POST", f"{runs}/{run['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "done", retried.json()["services"]
    assert retried.json()["services"]["gradebook"] == run["services"]["gradebook"], "done once, not twice"

    for part, connection in dbs.items():
        assert await rows_naming(connection, student.id, student.surname) == {}, f"{part} still holds the student"
    kept = await dbs["gateway"].fetchrow("SELECT description, account_id FROM breach_incidents WHERE id = $1", incident)
    assert dict(kept) == {"description": "Вход под чужой учётной записью", "account_id": None}
    tombstones = await dbs["gateway"].fetch("SELECT id FROM access_log_trimmed WHERE id = ANY($1)", student.logged)
    assert sorted(r["id"] for r in tombstones) == sorted(student.logged), "the removed entries leave their seals"
    engine = create_async_engine(
        f"{server().replace('postgresql://', 'postgresql+asyncpg://')}/{stack.db_prefix}gateway"
    )
    try:
        async with AsyncSession(engine) as session:
            assert await verify(session) is None, "the access log's chain still verifies"
    finally:
        await engine.dispose()
    act = await admin.api("GET", f"{runs}/{run['id']}/act.pdf")
    assert act.status_code == 200 and act.content.startswith(b"%PDF")
