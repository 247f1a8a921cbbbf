"""Least privilege in PostgreSQL (issue 7, item 10): each service connects as its own runtime role, which owns
nothing — it cannot turn row-level security off, change a policy or a table, nor reach another service's
database; the migrations run as the owner role. Against the real PostgreSQL, on databases of this run.
"""

import contextlib
from pathlib import Path

import asyncpg
import pytest

import attendance.main
import gradebook.main
from attendance.settings import AttendanceSettings
from chassis import testing
from chassis.migrations import ensure_database, upgrade
from chassis.settings import ServiceSettings
from gradebook.settings import GradebookSettings


async def _migrated(settings_class: type[ServiceSettings], module, name: str) -> ServiceSettings:
    settings = testing.test_settings(settings_class, database_url=testing.test_database_url(f"privilege_{name}"))
    await testing.drop_database(settings)
    await upgrade(settings, Path(module.__file__).parent.parent / "migrations")
    return settings


def _dsn(url: str) -> str:
    return url.replace("+asyncpg", "")


@pytest.fixture(scope="module")
async def services() -> tuple[ServiceSettings, ServiceSettings]:
    gradebook_settings = await _migrated(GradebookSettings, gradebook.main, "gradebook")
    attendance_settings = await _migrated(AttendanceSettings, attendance.main, "attendance")
    yield gradebook_settings, attendance_settings
    for settings in (gradebook_settings, attendance_settings):
        await testing.drop_database(settings)


async def test_each_service_has_its_own_runtime_role_apart_from_the_owner(services):
    gradebook_settings, attendance_settings = services
    assert gradebook_settings.db_role == "journal_gradebook"
    assert gradebook_settings.db_owner_role == "journal_gradebook_owner"
    assert attendance_settings.db_role == "journal_attendance"
    runtime = await asyncpg.connect(_dsn(gradebook_settings.database_url))
    try:
        assert await runtime.fetchval("SELECT current_user") == "journal_gradebook"
        owners = {
            r["owner"]
            for r in await runtime.fetch("SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'")
        }
        assert owners == {"journal_gradebook_owner"}
        attributes = await runtime.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        assert not any(attributes.values())
        # It uses the rows: a read of a tenant table is allowed (row-level security decides which rows).
        assert await runtime.fetchval("SELECT count(*) FROM lessons") == 0
    finally:
        await runtime.close()


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE lessons DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE lessons NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY school_isolation ON lessons",
        "CREATE POLICY everything ON lessons USING (true)",
        "ALTER TABLE lessons ADD COLUMN planted text",
        "DROP TABLE lessons",
        "TRUNCATE lessons",
        "CREATE TABLE planted (id int)",
    ],
)
async def test_the_runtime_role_cannot_turn_off_row_level_security_or_change_a_table(services, statement):
    gradebook_settings, _ = services
    runtime = await asyncpg.connect(_dsn(gradebook_settings.database_url))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await runtime.execute(statement)
    finally:
        await runtime.close()


async def test_the_owner_role_runs_the_migrations_and_keeps_row_level_security_forced(services):
    gradebook_settings, _ = services
    owner = await asyncpg.connect(_dsn(gradebook_settings.owner_database_url))
    try:
        assert await owner.fetchval("SELECT current_user") == "journal_gradebook_owner"
        assert await owner.fetchval("SELECT version_num FROM alembic_version")
        forced = await owner.fetchval("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'lessons'")
        assert forced
    finally:
        await owner.close()


async def test_a_service_cannot_reach_another_services_database(services):
    gradebook_settings, attendance_settings = services
    # Gradebook's runtime role (and its owner) knocking at attendance's database.
    for url in (gradebook_settings.database_url, gradebook_settings.owner_database_url):
        stranger = _dsn(url).rsplit("/", 1)[0] + "/" + attendance_settings.database_name
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(stranger)


async def test_a_database_made_before_the_split_passes_to_the_owner():
    """A demo's database from before (owned by the one shared role ``journal``) is taken over at the next start."""
    settings = testing.test_settings(AttendanceSettings, database_url=testing.test_database_url("privilege_legacy"))
    await testing.drop_database(settings)
    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'journal'"):
            with contextlib.suppress(asyncpg.DuplicateObjectError):
                await admin.execute("CREATE ROLE journal LOGIN")
        await admin.execute(f'CREATE DATABASE "{settings.database_name}" OWNER journal')
    finally:
        await admin.close()
    server = _dsn(settings.database_url).rsplit("/", 1)[0].replace(f"{settings.db_role}@", "journal@")
    legacy = await asyncpg.connect(f"{server}/{settings.database_name}")
    try:
        await legacy.execute("CREATE TABLE lessons (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
        await legacy.execute("CREATE TYPE reason AS ENUM ('ill')")
    finally:
        await legacy.close()
    try:
        await ensure_database(settings)
        owner = await asyncpg.connect(_dsn(settings.owner_database_url))
        try:
            owners = await owner.fetch(
                "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            )
            assert {r["owner"] for r in owners} == {"journal_attendance_owner"}
            assert await owner.fetchval("SELECT pg_get_userbyid(typowner) FROM pg_type WHERE typname = 'reason'") == (
                "journal_attendance_owner"
            )
        finally:
            await owner.close()
    finally:
        await testing.drop_database(settings)
