"""Database creation and Alembic migrations, the same for every service.

A service's ``migrations/env.py`` is one call: ``run_migrations(Base.metadata)``.
Its first revision calls ``create_chassis_tables()`` and ``enable_tenant_isolation()``.

``python -m chassis.migrations gradebook.main:app`` migrates one service's database and exits:
the deploy's migration job, run before a release's pods start with ``migrate_on_start`` off.
"""

import argparse
import asyncio
import contextlib
import importlib
from pathlib import Path

import asyncpg
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from chassis import tables
from chassis.settings import ServiceSettings


async def ensure_database(settings: ServiceSettings) -> None:
    """Create the service's login role (never a superuser: RLS must bind it) and database if missing."""
    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        role = settings.db_role
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            # Another service may create it at the same moment.
            with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        name = settings.database_name
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await admin.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
    finally:
        await admin.close()


def alembic_config(settings: ServiceSettings, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", settings.database_url)
    return config


async def upgrade(settings: ServiceSettings, migrations_dir: Path) -> None:
    await ensure_database(settings)
    # env.py runs its own event loop, so Alembic goes to a thread.
    await asyncio.to_thread(command.upgrade, alembic_config(settings, migrations_dir), "head")


def run_migrations(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online mode only)."""
    url = context.config.get_main_option("sqlalchemy.url")

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=lambda obj, name, type_, *_: not (type_ == "table" and name in tables.metadata.tables),
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())


def create_chassis_tables() -> None:
    """Outbox, inbox and idempotency keys; called from a service's first revision."""
    bind = op.get_bind()
    tables.metadata.create_all(bind)


def create_retention_indexes() -> None:
    """The indexes ``chassis.retention`` deletes by; a database created after them has them already."""
    op.execute("CREATE INDEX IF NOT EXISTS outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL")
    op.execute("CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at)")
    op.execute("CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at)")


def enable_tenant_isolation(table: str) -> None:
    """Row-level security on a tenant-owned table: rows of the transaction's school only.

    FORCE applies it to the table owner too (our services connect as the owner).
    The region-wide read roles get a SELECT-only policy.
    """
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"""
        CREATE POLICY school_isolation ON {table}
        USING (school_id = NULLIF(current_setting('app.school_id', true), '')::uuid)
        WITH CHECK (school_id = NULLIF(current_setting('app.school_id', true), '')::uuid)
    """)
    op.execute(f"""
        CREATE POLICY region_read ON {table} FOR SELECT
        USING (current_setting('app.region_read', true) = 'on')
    """)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chassis.migrations", description=__doc__.splitlines()[0])
    parser.add_argument("app", help="the service's app as uvicorn names it, e.g. gradebook.main:app")
    module, _, attribute = parser.parse_args(argv).app.partition(":")
    app = getattr(importlib.import_module(module), attribute or "app")
    if app.state.migrations_dir is None:
        parser.error(f"{module} has no migrations")
    asyncio.run(upgrade(app.state.settings, app.state.migrations_dir))


if __name__ == "__main__":
    main()
