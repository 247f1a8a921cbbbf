"""Async SQLAlchemy engine and the one way to open a transaction as a tenant."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from chassis.tenancy import Tenant

#: The request's own transaction, when one encloses the route (``chassis.idempotency``).
_enclosing: ContextVar[tuple["Database", AsyncSession] | None] = ContextVar("enclosing_transaction", default=None)


class Database:
    def __init__(self, url: str, *, source: str, pool_size: int = 10, max_overflow: int = 10) -> None:
        self.url = url
        #: The CloudEvents `source` of events this service emits.
        self.source = source
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
        )
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
        async with self._sessions() as session, session.begin():
            session.info["source"] = self.source
            await set_tenant(session, tenant)
            yield session

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


async def set_tenant(session: AsyncSession, tenant: Tenant) -> None:
    await session.execute(
        text("SELECT set_config('app.school_id', :school, true), set_config('app.region_read', :region, true)"),
        {"school": str(tenant.school_id) if tenant.school_id else "", "region": "on" if tenant.region_read else ""},
    )
