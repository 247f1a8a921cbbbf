"""`python -m chassis.migrations <app>`: the migration Job of deploy/k8s, run as the Job runs it."""

import asyncio
import os
import subprocess
import sys
from asyncio.subprocess import PIPE

import asyncpg

from chassis import testing
from gradebook.settings import GradebookSettings


async def test_the_migration_job_brings_a_service_database_to_its_head():
    # The run's own database name, beside the one gradebook's tests use.
    settings = testing.test_settings(GradebookSettings, database_url=testing.test_database_url("gradebook_job"))
    await testing.drop_database(settings)
    environment = {
        **os.environ,
        "JOURNAL_DATABASE_URL": settings.database_url,
        "JOURNAL_PROFILE": "test",
        "JOURNAL_MIGRATE_ON_START": "false",
    }
    try:
        job = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "chassis.migrations", "gradebook.main:app", env=environment, stderr=PIPE
        )
        _, stderr = await asyncio.wait_for(job.communicate(), 120)
        assert job.returncode == 0, stderr.decode()
        connection = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
        try:
            assert await connection.fetchval("SELECT version_num FROM alembic_version")
            assert await connection.fetchval("SELECT to_regclass('public.outbox') IS NOT NULL")
        finally:
            await connection.close()
    finally:
        await testing.drop_database(settings)


def test_the_migration_job_refuses_a_part_without_migrations():
    result = subprocess.run(
        [sys.executable, "-m", "chassis.migrations", "esia_sandbox.main:app"], capture_output=True, text=True
    )
    assert result.returncode != 0
