"""Transactions as a tenant: one round trip to begin, no ping, a dead pooled connection replaced."""

import asyncio
from uuid import uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from chassis.db import Database, set_tenant
from chassis.events import emit_event
from chassis.problems import install_problem_handlers
from chassis.tenancy import SYSTEM, Tenant
from contracts.roster import SubjectCreated

from .conftest import Probe, seen


class Base(DeclarativeBase):
    pass


class Seen(Base):
    __table__ = seen


@pytest.fixture
async def db(probe_app: Probe):
    database = Database(probe_app.settings.database_url, source="/test", pool_size=1, max_overflow=0)
    yield database
    await database.dispose()


async def tenant_settings(session) -> tuple[str, str]:
    row = (
        await session.execute(text("SELECT current_setting('app.school_id'), current_setting('app.region_read')"))
    ).one()
    return row[0], row[1]


async def test_the_tenant_is_set_for_the_transaction_only(db: Database):
    school = uuid4()
    async with db.transaction(Tenant(school_id=school)) as session:
        assert await tenant_settings(session) == (str(school), "")
    async with db.transaction(Tenant(region_read=True)) as session:
        assert await tenant_settings(session) == ("", "on")
    async with db.engine.connect() as connection:  # the same (only) pooled connection, outside any tenant
        assert await connection.scalar(text("SELECT current_setting('app.school_id', true)")) in ("", None)


async def test_a_read_only_tenant_reads_its_school_and_writes_nothing(db: Database):
    school = uuid4()
    async with db.transaction(Tenant(school_id=school, read_only=True)) as session:
        assert await tenant_settings(session) == (str(school), "")
        with pytest.raises(DBAPIError) as refused:
            await session.execute(seen.insert().values(event_id=uuid4(), name="db-read-only"))
    assert refused.value.orig.sqlstate == "25006"
    # The next transaction on the same pooled connection writes again.
    async with db.transaction(SYSTEM) as session:
        await session.execute(seen.insert().values(event_id=uuid4(), name="db-after-read-only"))


async def test_a_transaction_commits_on_exit_and_rolls_back_on_error(db: Database):
    committed, undone = uuid4(), uuid4()
    async with db.transaction(SYSTEM) as session:
        await session.execute(seen.insert().values(event_id=committed, name="db-commit"))
    with pytest.raises(RuntimeError):
        async with db.transaction(SYSTEM) as session:
            await session.execute(seen.insert().values(event_id=undone, name="db-rollback"))
            raise RuntimeError("the route failed")
    async with db.transaction(SYSTEM) as session:
        ids = set(await session.scalars(select(seen.c.event_id).where(seen.c.name.like("db-%"))))
    assert committed in ids
    assert undone not in ids


async def test_a_transaction_is_its_begin_with_the_tenant_its_statements_and_commit(db: Database):
    """No ping at checkout, no separate BEGIN: what the driver sends for a one-statement transaction."""
    async with db.engine.connect() as connection:  # the pool's only connection
        driver = (await connection.get_raw_connection()).driver_connection
    sent: list[str] = []

    def log(record) -> None:
        sent.append(record.query)

    driver.add_query_logger(log)
    school = uuid4()
    async with db.transaction(Tenant(school_id=school)) as session:
        await session.execute(text("SELECT 1"))
    await asyncio.sleep(0.01)  # asyncpg calls its query loggers soon after, not during, a query
    driver.remove_query_logger(log)
    # The logger sees simple-protocol queries (prepared statements such as the SELECT are not logged);
    # a ping would show as its own BEGIN and ROLLBACK.
    assert len(sent) == 2, sent
    assert sent[0].startswith("BEGIN; SELECT set_config('app.school_id'") and str(school) in sent[0]
    assert sent[1] == "COMMIT"


async def test_a_pooled_connection_that_died_is_replaced_and_the_transaction_runs(db: Database, probe_app: Probe):
    async with db.transaction(SYSTEM) as session:
        pid = await session.scalar(select(func.pg_backend_pid()))
    async with probe_app.app.state.db.transaction(SYSTEM) as other:
        assert await other.scalar(select(func.pg_terminate_backend(pid)))
    async with db.transaction(Tenant(school_id=uuid4())) as session:
        assert await session.scalar(select(func.pg_backend_pid())) != pid


async def test_when_the_server_ended_every_pooled_connection_one_retry_still_suffices(probe_app: Probe):
    db = Database(probe_app.settings.database_url, source="/test", pool_size=3, max_overflow=0)
    try:
        pids = []
        async with db.transaction(SYSTEM) as a, db.transaction(SYSTEM) as b, db.transaction(SYSTEM) as c:
            for session in (a, b, c):
                pids.append(await session.scalar(select(func.pg_backend_pid())))
        async with probe_app.app.state.db.transaction(SYSTEM) as other:
            for pid in pids:
                await other.execute(select(func.pg_terminate_backend(pid)))
        async with db.transaction(Tenant(school_id=uuid4())) as session:
            assert await session.scalar(select(func.pg_backend_pid())) not in pids
    finally:
        await db.dispose()


async def test_a_request_that_finds_every_connection_busy_is_told_to_retry_not_failed(probe_app: Probe):
    """A pool exhausted for its whole wait (a login storm on a machine short of CPU) answers 503 with
    Retry-After: the client learns to come back, and nothing was begun."""
    db = Database(probe_app.settings.database_url, source="/test", pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/count")
    async def count() -> int:
        async with db.transaction(SYSTEM) as session:
            return await session.scalar(select(func.count()).select_from(text("pg_class")))

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe") as client:
            async with db.transaction(SYSTEM):  # the pool's only connection, held
                busy = await client.get("/count")
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "5"
            assert busy.json()["type"].endswith("/overloaded")
            assert "Повторите через несколько секунд" in busy.json()["detail"]
            assert (await client.get("/count")).status_code == 200
    finally:
        await db.dispose()


async def test_a_tenant_set_within_a_transaction_holds_from_there_on(db: Database):
    """What a consumer's batch does between its events' schools: the transaction goes on writing as the next one."""
    school, other = uuid4(), uuid4()
    async with db.transaction(Tenant(school_id=school)) as session:
        await session.execute(seen.insert().values(event_id=uuid4(), name="db-first-tenant"))
        await set_tenant(session, Tenant(school_id=other))
        assert await tenant_settings(session) == (str(other), "")
        await session.execute(seen.insert().values(event_id=uuid4(), name="db-next-tenant"))
        await set_tenant(session, Tenant(region_read=True))
        assert await tenant_settings(session) == ("", "on")


async def test_a_read_only_tenant_set_as_a_transactions_first_statement_makes_it_read_only(db: Database):
    """A transaction the driver had begun already (no BEGIN of ours): ``set_tenant`` makes it read only."""
    school = uuid4()
    async with AsyncSession(db.engine) as session:
        await set_tenant(session, Tenant(school_id=school, read_only=True))
        assert await tenant_settings(session) == (str(school), "")
        with pytest.raises(DBAPIError) as refused:
            await session.execute(seen.insert().values(event_id=uuid4(), name="db-set-read-only"))
    assert refused.value.orig.sqlstate == "25006"


async def test_inside_an_enclosing_transaction_each_part_runs_as_its_own_tenant(db: Database):
    school = uuid4()
    async with db.enclosing() as enclosing:
        async with db.transaction(Tenant(school_id=school)) as session:
            assert session is enclosing
            assert await tenant_settings(session) == (str(school), "")
        async with db.transaction(Tenant(region_read=True)) as session:
            assert await tenant_settings(session) == ("", "on")


async def test_a_failed_statement_names_no_values(db: Database):
    """R-5: the error, and so its log line, never carries a value: it may be a СНИЛС."""
    with pytest.raises(DBAPIError) as failed:
        async with db.transaction(SYSTEM) as session:
            await session.execute(text("SELECT CAST(:snils AS text), 1 / 0"), {"snils": "112-233-445 95"})
    assert failed.value.orig.sqlstate == "22012"  # division by zero: the server's message names no value either
    assert "112-233-445 95" not in str(failed.value)


async def test_events_carry_the_databases_source_and_the_relay_listens_on_the_same_database(db: Database):
    with pytest.raises(RuntimeError):
        async with db.transaction(SYSTEM) as session:
            envelope = await emit_event(
                session, SubjectCreated(subject_id=uuid4(), name="db-source"), school_id=uuid4()
            )
            raise RuntimeError("undone: only the envelope is read")
    assert envelope.source == "/test"
    listener = await asyncpg.connect(db.asyncpg_dsn)
    try:
        async with db.transaction(SYSTEM) as session:
            assert await listener.fetchval("SELECT current_database()") == await session.scalar(
                text("SELECT current_database()")
            )
    finally:
        await listener.close()


async def test_a_row_read_in_a_transaction_stays_readable_after_it_commits(db: Database):
    """A route answers with what it wrote after the commit: the row is not expired (an async reload would fail)."""
    async with db.transaction(SYSTEM) as session:
        row = Seen(event_id=uuid4(), name="db-after-commit")
        session.add(row)
    assert row.name == "db-after-commit" and row.id is not None
