"""Async SQLAlchemy engine and the one way to open a transaction as a tenant.

A transaction costs one round trip to begin: ``BEGIN`` and the tenant's ``set_config`` go to
PostgreSQL as one simple-protocol query. There is no ping at checkout (it cost a BEGIN/ROLLBACK
per transaction); a pooled connection that died meanwhile fails that first query, is discarded,
and the transaction begins once more on a fresh one. Connections are recycled after an hour.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from chassis.tenancy import Tenant

#: The request's own transaction, when one encloses the route (``chassis.idempotency``).
_enclosing: ContextVar[tuple["Database", AsyncSession] | None] = ContextVar("enclosing_transaction", default=None)


#: Errors of a pooled connection that died while idle (a restarted server, a dropped socket); the
#: client's own state error when the server's goodbye arrives just as the first query is sent.
DROPPED = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError)
RECYCLE_SECONDS = 3600


class Database:
    def __init__(
        self, url: str, *, source: str, pool_size: int = 10, max_overflow: int = 10, pool_timeout: float = 30.0
    ) -> None:
        self.url = url
        #: The CloudEvents `source` of events this service emits.
        self.source = source
        # a failed statement's error (and so its log line) names no values: they may be a СНИЛС.
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            # Past this a request is answered 503 (``chassis.problems``): every connection is busy.
            pool_timeout=pool_timeout,
            pool_recycle=RECYCLE_SECONDS,
            hide_parameters=True,
        )
        # Many rows inserted at once (an ORM flush, ``insert(...)`` with a list) go as multi-row
        # statements of up to 1,000 rows, as with psycopg2; asyncpg's executemany would run the
        # statement once per row on the server (an import's chunk: thousands of executions).
        self.engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self, tenant: Tenant) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on normal exit and rolled back on error.

        The tenant is set transaction-locally, so a pooled connection never carries it over.
        Inside ``enclosing()`` it is a savepoint of that transaction: an error undoes its part only,
        and nothing is committed before the enclosing transaction is.
        """
        enclosing = _enclosing.get()
        if enclosing is not None and enclosing[0] is self:
            session = enclosing[1]
            async with session.begin_nested():
                await set_tenant(session, tenant)
                yield session
            return
        session = await self._begun_as(tenant)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()

    async def _begun_as(self, tenant: Tenant) -> AsyncSession:
        """A session whose transaction has begun as ``tenant``; a dead pooled connection is replaced once."""
        for attempt in (1, 2):
            session = self._sessions()
            session.info["source"] = self.source
            try:
                connection = await session.connection()
                raw = await connection.get_raw_connection()
                try:
                    begun = await _begin_as_tenant(raw.dbapi_connection, raw.driver_connection, tenant)
                except DROPPED as exc:
                    if attempt == 2:
                        raise
                    # As SQLAlchemy does on a disconnect: this connection and every one pooled before it
                    # are replaced (a restarted server ended them all), so the second attempt gets a live one.
                    self.engine.sync_engine.pool._invalidate(raw, exc)
                    await session.close()
                    continue
                if not begun:
                    await set_tenant(session, tenant)
                return session
            except BaseException:
                await session.close()
                raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def execute_alone(self, statement: str, *args: Any) -> None:
        """``statement`` (asyncpg's SQL, ``$1``…) in a transaction of its own, committed when it returns: one round
        trip, with no tenant set (for a table without row-level security). A pooled connection that died meanwhile
        is replaced once, as in ``transaction``."""
        for attempt in (1, 2):
            async with self.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                try:
                    await raw.driver_connection.execute(statement, *args)
                    return
                except DROPPED as exc:
                    if attempt == 2:
                        raise
                    await connection.invalidate(exc)

    @asynccontextmanager
    async def enclosing(self) -> AsyncIterator[AsyncSession]:
        """One transaction for everything ``transaction()`` does inside this block, committed at its end."""
        async with self._sessions() as session, session.begin():
            session.info["source"] = self.source
            token = _enclosing.set((self, session))
            try:
                yield session
            finally:
                _enclosing.reset(token)

    @property
    def asyncpg_dsn(self) -> str:
        return self.url.replace("postgresql+asyncpg://", "postgresql://")

    async def dispose(self) -> None:
        await self.engine.dispose()


class _BegunTransaction:
    """What SQLAlchemy's asyncpg adapter keeps as the driver's transaction: it only commits or rolls back."""

    __slots__ = ("_connection",)

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def commit(self) -> None:
        await self._connection.execute("COMMIT")

    async def rollback(self) -> None:
        await self._connection.execute("ROLLBACK")


async def _begin_as_tenant(adapter: Any, connection: asyncpg.Connection, tenant: Tenant) -> bool:
    """BEGIN and the tenant in one round trip; False when the adapter already began (then nothing is sent).

    The values are a UUID's text and a fixed word, so writing them into the query is safe.
    """
    if getattr(adapter, "_transaction", True) is not None:
        return False
    school = str(tenant.school_id) if tenant.school_id else ""
    region = "on" if tenant.region_read else ""
    begin = "BEGIN READ ONLY" if tenant.read_only else "BEGIN"
    settings = f"set_config('app.school_id', '{school}', true), set_config('app.region_read', '{region}', true)"
    await connection.execute(f"{begin}; SELECT {settings}")
    adapter._transaction = _BegunTransaction(connection)
    return True


async def set_tenant(session: AsyncSession, tenant: Tenant) -> None:
    if tenant.read_only and not session.in_nested_transaction():
        # Only the transaction's first statement may set it; a read-only tenant opens its own transaction.
        await session.execute(text("SET TRANSACTION READ ONLY"))
    await session.execute(
        text("SELECT set_config('app.school_id', :school, true), set_config('app.region_read', :region, true)"),
        {"school": str(tenant.school_id) if tenant.school_id else "", "region": "on" if tenant.region_read else ""},
    )
