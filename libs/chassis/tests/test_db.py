"""Transactions as a tenant: one round trip to begin, no ping, a dead pooled connection replaced."""

import asyncio
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from chassis.db import Database
from chassis.problems import install_problem_handlers
from chassis.tenancy import SYSTEM, Tenant

from .conftest import Probe, seen


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
