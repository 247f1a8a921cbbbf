"""The operator command that grants region roles, run as a separate process like the demo loader does."""

import asyncio
import os
import sys

from sqlalchemy import select

from chassis.tenancy import SYSTEM
from gateway.models import RegionAccount


async def run_admin(settings, *args: str) -> tuple[int, str]:
    env = {**os.environ, "JOURNAL_DATABASE_URL": settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.admin",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def region_accounts(stack, oid: str) -> list[tuple[str, str, str]]:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        rows = await session.scalars(select(RegionAccount).where(RegionAccount.esia_oid == oid))
        return [(r.role, r.name, str(r.person_id)) for r in rows]


async def test_granting_a_region_role_twice_leaves_one_account(stack, settings):
    grant = ["grant-region-role", "--oid", "7700001", "--role", "inspector", "--name", "Орлова Елена Сергеевна"]
    assert (await run_admin(settings, *grant))[0] == 0
    first = await region_accounts(stack, "7700001")
    assert (await run_admin(settings, *grant))[0] == 0
    assert await region_accounts(stack, "7700001") == first
    assert [(role, name) for role, name, _ in first] == [("inspector", "Орлова Елена Сергеевна")]


async def test_unknown_region_role_is_refused(stack, settings):
    code, output = await run_admin(
        settings, "grant-region-role", "--oid", "7700002", "--role", "director", "--name", "X"
    )
    assert code != 0
    assert "invalid choice" in output
    assert await region_accounts(stack, "7700002") == []
