"""Async SQLAlchemy engine and the one way to open a transaction as a tenant."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from chassis.tenancy import Tenant


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
        """
        async with self._sessions() as session, session.begin():
            session.info["source"] = self.source
            await set_tenant(session, tenant)
            yield session

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
