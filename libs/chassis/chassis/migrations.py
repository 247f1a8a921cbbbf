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
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from chassis import tables
from chassis.settings import ServiceSettings


async def ensure_database(settings: ServiceSettings) -> None:
    """Development and tests: create the service's two roles and its database if missing, as the superuser.

    The owner role owns the database, its schema and every table and runs the migrations; the runtime
    role may only connect and use the rows (``grant_runtime``). Neither is a superuser or bypasses RLS,
    and no other role may connect. Production provisions the same (docs/security.md) without this.
    """
    if not settings.admin_database_url:
        return
    owner, runtime = settings.db_owner_role, settings.db_role
    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        for role, url in ((owner, settings.owner_database_url), (runtime, settings.database_url)):
            await _ensure_role(admin, role, make_url(url).password)
        name = settings.database_name
        current = await admin.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name)
        if current is None:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await admin.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        elif current != owner:
            await admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{owner}"')
    finally:
        await admin.close()
    server = settings.admin_database_url.rsplit("/", 1)[0]
    inside = await asyncpg.connect(f"{server}/{settings.database_name}")
    try:
        await inside.execute(f'ALTER SCHEMA public OWNER TO "{owner}"')
        # A database made before the roles were split: its objects pass to the owner.
        for kind, name in await inside.fetch(LEGACY_OBJECTS, owner):
            await inside.execute(f'ALTER {kind} {name} OWNER TO "{owner}"')
    finally:
        await inside.close()


#: Objects of the schema ``public`` not owned by the owner role (``$1``), as ``ALTER <kind> <name>``.
LEGACY_OBJECTS = """
    SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                ELSE 'TABLE' END, quote_ident(c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND pg_get_userbyid(c.relowner) <> $1
      AND NOT (c.relkind = 'S' AND EXISTS (
          SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT 'FUNCTION', p.oid::regprocedure::text
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1
    UNION ALL
    SELECT 'TYPE', quote_ident(t.typname)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND pg_get_userbyid(t.typowner) <> $1
"""


async def _ensure_role(admin: asyncpg.Connection, role: str, password: str | None) -> None:
    attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
    found = await admin.fetchrow(
        "SELECT rolcanlogin AND NOT (rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole) AS least"
        " FROM pg_roles WHERE rolname = $1",
        role,
    )
    if found is None:
        # Another service or test run may create it at the same moment.
        with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
            await admin.execute(f'CREATE ROLE "{role}" {attributes}')
    elif not found["least"]:
        await admin.execute(f'ALTER ROLE "{role}" {attributes}')
    if password is not None:
        # Rotation: the role takes the password the settings give (a literal: no parameters in DDL).
        await admin.execute(f'ALTER ROLE "{role}" PASSWORD {_literal(password)}')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def grant_runtime(settings: ServiceSettings) -> None:
    """As the owner, after the migrations: the runtime role uses the rows of every table, owns none, and
    no role but the two connects (production runs this in the migration job, with no superuser)."""
    owner = await asyncpg.connect(settings.owner_database_url.replace("+asyncpg", ""))
    runtime, name = settings.db_role, settings.database_name
    try:
        await owner.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        await owner.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{name}" TO "{runtime}"')
        await owner.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        await owner.execute(f'GRANT USAGE ON SCHEMA public TO "{runtime}"')
        await owner.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{runtime}"')
        await owner.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{runtime}"')
    finally:
        await owner.close()


def alembic_config(settings: ServiceSettings, migrations_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # Alembic's ini interpolation: a password's % must be doubled.
    config.set_main_option("sqlalchemy.url", settings.owner_database_url.replace("%", "%%"))
    return config


async def upgrade(settings: ServiceSettings, migrations_dir: Path) -> None:
    await ensure_database(settings)
    # env.py runs its own event loop, so Alembic goes to a thread.
    await asyncio.to_thread(command.upgrade, alembic_config(settings, migrations_dir), "head")
    await grant_runtime(settings)


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
    tables.metadata.create_all(bind, tables=[tables.outbox, tables.inbox, tables.idempotency_keys])


def create_retention_indexes() -> None:
    """The indexes ``chassis.retention`` deletes by; a database created after them has them already."""
    op.execute("CREATE INDEX IF NOT EXISTS outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL")
    op.execute("CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at)")
    op.execute("CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at)")


def create_school_zones() -> None:
    """The replica of the schools' time zones (``chassis.schooltime``), a school's rows to itself."""
    tables.school_zones.create(op.get_bind(), checkfirst=True)
    enable_tenant_isolation(tables.school_zones.name)


def create_destructions_table() -> None:
    """The destruction runs' ledger (``chassis.destruction``); a database created after it has it already."""
    op.execute(
        "CREATE TABLE IF NOT EXISTS destructions (run_id uuid PRIMARY KEY, school_id uuid NOT NULL,"
        " removed jsonb NOT NULL, destroyed_at timestamptz NOT NULL DEFAULT now())"
    )


def enable_tenant_isolation(table: str) -> None:
    """Row-level security on a tenant-owned table: rows of the transaction's school only.

    FORCE applies it to the table owner too (the migrations' role); the services' runtime role owns
    no table, so it can neither turn it off nor alter the policies.
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
