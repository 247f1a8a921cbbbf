"""DOMAIN §1: the region's inspector reads every school and writes nothing — enforced by PostgreSQL itself.

Every service's tenant tables, migrated for real, are probed as the service's own role with the
inspector's tenant (``app.region_read`` on): a row of some school is visible, and an INSERT, an
UPDATE and a DELETE are refused by row-level security (the UPDATE and DELETE find no row they
may touch). A last test loosens one table's ``region_read`` policy from ``FOR SELECT`` to every
command and checks that the same probe then sees the writes, so the probe cannot pass vacuously.
"""

from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

import attendance.main
import gradebook.main
import notifications.main
import reporting.main
import roster.main
from attendance.settings import AttendanceSettings
from chassis import testing
from chassis.migrations import upgrade
from chassis.settings import ServiceSettings
from gradebook.settings import GradebookSettings
from notifications.settings import NotificationsSettings
from reporting.settings import ReportingSettings
from roster.settings import RosterSettings

SERVICES: dict[str, tuple[type[ServiceSettings], Path]] = {
    "roster": (RosterSettings, roster.main.MIGRATIONS),
    "gradebook": (GradebookSettings, gradebook.main.MIGRATIONS),
    "attendance": (AttendanceSettings, attendance.main.MIGRATIONS),
    "notifications": (NotificationsSettings, notifications.main.MIGRATIONS),
    "reporting": (ReportingSettings, reporting.main.MIGRATIONS),
}

#: A value of each column type, for the seeded row's required columns.
SAMPLE = {
    "uuid": "gen_random_uuid()",
    "character varying": "'1'",
    "text": "'1'",
    "integer": "1",
    "smallint": "1",
    "bigint": "1",
    "numeric": "1",
    "double precision": "1",
    "boolean": "false",
    "date": "current_date",
    "timestamp with time zone": "now()",
    "jsonb": "'{}'",
    "json": "'{}'",
    "ARRAY": "'{}'",
    "time without time zone": "'08:30'",
    "real": "1",
}


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _migrated(service: str) -> ServiceSettings:
    settings_class, migrations = SERVICES[service]
    settings = testing.test_settings(settings_class, database_url=testing.test_database_url(f"rls_{service}"))
    await testing.drop_database(settings)
    await upgrade(settings, migrations)
    return settings


async def _tenant_tables(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity ORDER BY c.relname"
    )
    return [row["relname"] for row in rows]


async def _seed_row(admin: asyncpg.Connection, table: str) -> None:
    """One row of some school, written past row-level security and foreign keys (superuser, replica mode).

    The probe needs a row, not a valid one: this throwaway database's CHECK constraints go first.
    """
    checks = await admin.fetch(
        "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'", f'"{table}"'
    )
    for check in checks:
        await admin.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{check["conname"]}"')
    columns = await admin.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL",
        table,
    )
    names = ", ".join(f'"{c["column_name"]}"' for c in columns)
    values = ", ".join(SAMPLE[c["data_type"]] for c in columns)
    async with admin.transaction():
        await admin.execute("SET LOCAL session_replication_role = replica")
        await admin.execute(f'INSERT INTO "{table}" ({names}) VALUES ({values})')


async def _as_inspector(service: asyncpg.Connection, statement: str) -> str:
    """Run one statement in a transaction as the inspector's tenant; its status, rolled back either way."""
    transaction = service.transaction()
    await transaction.start()
    try:
        await service.execute("SELECT set_config('app.school_id', '', true), set_config('app.region_read', 'on', true)")
        return await service.execute(statement)
    finally:
        await transaction.rollback()


async def _writes_refused(service: asyncpg.Connection, table: str) -> list[str]:
    """What the inspector managed to write to ``table`` (nothing, if row-level security holds)."""
    written = []
    assert await _as_inspector(service, f'SELECT * FROM "{table}"') == "SELECT 1", f"{table}: the row is not visible"
    for statement in (f'UPDATE "{table}" SET school_id = school_id', f'DELETE FROM "{table}"'):
        status = await _as_inspector(service, statement)
        if not status.endswith(" 0"):
            written.append(f"{table}: {status}")
    try:
        status = await _as_inspector(service, f"INSERT INTO \"{table}\" (school_id) VALUES ('{uuid4()}')")
        written.append(f"{table}: {status}")
    except asyncpg.InsufficientPrivilegeError as refused:
        assert "row-level security" in str(refused)
    except asyncpg.PostgresError as passed_rls:
        # Past the policy, stopped only by a NOT NULL or foreign key: the policy let the write through.
        written.append(f"{table}: INSERT passed row-level security ({type(passed_rls).__name__})")
    return written


@pytest.fixture
async def migrated():
    """``migrated(service)``: the service's database migrated afresh, a superuser and a service connection."""
    opened: list[asyncpg.Connection] = []

    async def open_(service: str) -> tuple[asyncpg.Connection, asyncpg.Connection]:
        settings = await _migrated(service)
        admin_url = settings.admin_database_url.rsplit("/", 1)[0] + "/" + settings.database_name
        admin = await asyncpg.connect(admin_url)
        own = await asyncpg.connect(_dsn(settings.database_url))
        opened.extend([admin, own])
        return admin, own

    yield open_
    for connection in opened:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_the_region_read_tenant_writes_nothing_in_any_tenant_table(migrated, service):
    admin, own = await migrated(service)
    tables = await _tenant_tables(admin)
    assert tables, f"{service} has no tenant tables"
    written = []
    for table in tables:
        await _seed_row(admin, table)
        written += await _writes_refused(own, table)
    assert written == []


async def test_the_probe_sees_writes_once_the_policy_is_not_select_only(migrated):
    admin, own = await migrated("roster")
    await _seed_row(admin, "subjects")
    await admin.execute("DROP POLICY region_read ON subjects")
    await admin.execute("CREATE POLICY region_read ON subjects USING (current_setting('app.region_read', true) = 'on')")
    assert sorted(await _writes_refused(own, "subjects")) == [
        "subjects: DELETE 1",
        "subjects: INSERT passed row-level security (NotNullViolationError)",
        "subjects: UPDATE 1",
    ]
