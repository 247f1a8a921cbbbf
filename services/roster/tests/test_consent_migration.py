"""Migration 0007 (R-5): the person's consent mark becomes a «given» record per purpose, dated as the mark was."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
from alembic import command

from chassis import testing
from chassis.migrations import alembic_config, ensure_database
from contracts.roster import CONSENT_PURPOSES
from roster.settings import RosterSettings

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


async def test_the_consent_mark_becomes_a_given_record_for_every_purpose():
    settings = testing.test_settings(RosterSettings, database_url=testing.test_database_url("roster_consent_migration"))
    await testing.drop_database(settings)
    await ensure_database(settings)
    config = alembic_config(settings, MIGRATIONS)
    try:
        await asyncio.to_thread(command.upgrade, config, "0006")
        school, person, marked = uuid4(), uuid4(), datetime(2026, 9, 1, 9, 30, tzinfo=UTC)
        owner = await asyncpg.connect(settings.owner_database_url.replace("+asyncpg", ""))
        try:
            await owner.execute("SELECT set_config('app.school_id', $1, false)", str(school))
            await owner.execute(
                "INSERT INTO schools (id, school_id, name, short_name, municipality)"
                " VALUES ($1, $1, 'СОШ', 'СОШ', 'Город')",
                school,
            )
            await owner.execute(
                "INSERT INTO people (id, school_id, last_name, first_name, consent_at)"
                " VALUES ($1, $2, 'Старова', 'Ия', $3)",
                person,
                school,
                marked,
            )
        finally:
            await owner.close()

        await asyncio.to_thread(command.upgrade, config, "head")
        owner = await asyncpg.connect(settings.owner_database_url.replace("+asyncpg", ""))
        try:
            await owner.execute("SELECT set_config('app.school_id', $1, false)", str(school))
            rows = await owner.fetch(
                "SELECT version, purpose, action, signer_id, recorded_at FROM consents"
                " WHERE person_id = $1 ORDER BY version",
                person,
            )
            forced = await owner.fetchval("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'people'")
        finally:
            await owner.close()
        assert [(r["version"], r["purpose"], r["action"]) for r in rows] == [
            (n, p, "given") for n, p in enumerate(CONSENT_PURPOSES, start=1)
        ]
        assert {r["recorded_at"] for r in rows} == {marked} and {r["signer_id"] for r in rows} == {None}
        # The migration lifts row-level security on people only for its own statement.
        assert forced is True
    finally:
        await testing.drop_database(settings)
