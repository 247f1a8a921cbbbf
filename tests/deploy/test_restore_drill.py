"""The restore drill of docs/operations.md runs here on every test run: a point-in-time restore
of the gradebook's database from pgBackRest's backup and archived WAL gets back exactly the
marks written before the target, and none after it, and the invariant checker finds the restored
database consistent (every mark with its event, no version gap, nothing unpublished)."""

import asyncio
import os
import sys
from asyncio.subprocess import PIPE, STDOUT

import pytest

from .conftest import DEPLOY


# About 50 s on an idle 2-core machine: a checkpoint, a full backup, WAL archiving, a restore.
@pytest.mark.timeout(240)
async def test_a_point_in_time_restore_brings_back_what_was_lost_and_nothing_after():
    drill = await asyncio.create_subprocess_exec(
        "bash",
        str(DEPLOY / "backup" / "restore-drill.sh"),
        env={**os.environ, "PYTHON": sys.executable},
        stdout=PIPE,
        stderr=STDOUT,
    )
    output, _ = await asyncio.wait_for(drill.communicate(), 230)
    text = output.decode()
    assert drill.returncode == 0, text
    assert "500 of 500 marks back, 0 written after the target" in text
    assert "нарушено 0" in text
