"""Faults under a steady load, then an invariant check: nothing acknowledged is lost or applied twice.

A private PostgreSQL and a private RabbitMQ node (``servers``) and the chassis probe service as its
own process. A writer acknowledges events at a steady rate (a source row and its outbox row in one
transaction); one fault at a time hits the servers or the service; then the checker compares the
acknowledged source rows with the applied rows: lost, duplicated, seconds to converge.

``make test`` runs the short form; ``make chaos`` (``JOURNAL_FAULTS=full``) adds the RabbitMQ node
SIGKILL and runs a longer load. The table it prints is recorded in docs/reliability.md.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select, text

from chassis.db import Database
from chassis.events import emit_event
from chassis.migrations import ensure_database
from chassis.settings import ServiceSettings
from chassis.tables import metadata as chassis_metadata
from chassis.tenancy import Tenant
from chassis.testing import create_tables
from contracts.roster import SubjectCreated

from .probe_service import applied, metadata, sources
from .servers import PG_BIN, PrivatePostgres, PrivateRabbit, free_port

FULL = os.environ.get("JOURNAL_FAULTS") == "full"
LOAD_SECONDS = 6.0 if FULL else 3.0
CONVERGE_LIMIT = 30.0
SCHOOL = uuid4()

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or shutil.which("rabbitmq-server") is None,
        reason="the fault suite needs PostgreSQL 15 and RabbitMQ installed (make infra)",
    ),
]


@dataclass
class Figures:
    fault: str
    acknowledged: int
    lost: int
    duplicated: int
    converged_in: float

    def row(self) -> str:
        return f"| {self.fault} | {self.acknowledged} | {self.lost} | {self.duplicated} | {self.converged_in:.1f} |"


class ProbeProcess:
    """The probe service as a process of its own, so it can be SIGKILLed mid-message."""

    def __init__(self, settings_env: dict[str, str], log: Path) -> None:
        self.env = {**os.environ, **settings_env}
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "probe_service:app",
                "--app-dir",
                str(Path(__file__).parent),
                "--port",
                self.env["JOURNAL_PORT"],
                "--no-access-log",
            ],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    async def ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"http://127.0.0.1:{self.env['JOURNAL_PORT']}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise RuntimeError(f"the probe service is not ready; see {self.log}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
async def system(tmp_path_factory) -> AsyncIterator[tuple[PrivatePostgres, PrivateRabbit, ProbeProcess, Database]]:
    postgres, rabbit = PrivatePostgres(), PrivateRabbit()
    probe = None
    db = None
    try:
        await asyncio.gather(asyncio.to_thread(postgres.start), asyncio.to_thread(rabbit.start))
        env = {
            "JOURNAL_SERVICE_NAME": "faults",
            "JOURNAL_PORT": str(free_port()),
            "JOURNAL_DATABASE_URL": f"postgresql+asyncpg://journal@127.0.0.1:{postgres.port}/journal_faults",
            "JOURNAL_ADMIN_DATABASE_URL": postgres.admin_url,
            "JOURNAL_AMQP_URL": rabbit.url,
            "JOURNAL_MIGRATE_ON_START": "false",
            "JOURNAL_RETRY_DELAYS_MS": "[200, 1000]",
            "JOURNAL_DB_POOL_SIZE": "2",
            "JOURNAL_DB_MAX_OVERFLOW": "4",
            "JOURNAL_LOG_LEVEL": "WARNING",
        }
        settings = ServiceSettings(
            database_url=env["JOURNAL_DATABASE_URL"], admin_database_url=postgres.admin_url, amqp_url=rabbit.url
        )
        await ensure_database(settings)
        # As migrations make them: owned by the owner role, used by the runtime role the probe connects as.
        await create_tables(settings, chassis_metadata)
        await create_tables(settings, metadata)
        probe = ProbeProcess(env, tmp_path_factory.mktemp("faults") / "probe.log")
        probe.start()
        await probe.ready()
        db = Database(settings.database_url, source="/faults", pool_size=2, max_overflow=2)
        yield postgres, rabbit, probe, db
    finally:
        if db is not None:
            await db.dispose()
        if probe is not None:
            probe.kill()
        await asyncio.gather(asyncio.to_thread(rabbit.remove), asyncio.to_thread(postgres.remove))


async def write_steadily(db: Database, stop: asyncio.Event, acknowledged: list) -> None:
    """One event every 20 ms; a write counts only once its transaction committed (the producer's answer)."""
    while not stop.is_set():
        subject_id = uuid4()
        with contextlib.suppress(Exception):  # the database is down: this write is not acknowledged
            async with db.transaction(Tenant(school_id=SCHOOL)) as session:
                await session.execute(sources.insert().values(id=subject_id))
                await emit_event(session, SubjectCreated(subject_id=subject_id, name="нагрузка"), school_id=SCHOOL)
            acknowledged.append(subject_id)
        await asyncio.sleep(0.02)


async def check(db: Database, fault: str, acknowledged: list, started: float) -> Figures:
    """Wait for the read model to catch up with every acknowledged write, then count what is off."""
    expected = set(acknowledged)
    deadline = started + CONVERGE_LIMIT + 30
    while True:
        with contextlib.suppress(Exception):
            async with db.engine.connect() as connection:
                seen = set(await connection.scalars(select(applied.c.id).where(applied.c.id.in_(expected)).distinct()))
            if seen >= expected or time.monotonic() > deadline:
                break
        await asyncio.sleep(0.2)
    converged_in = time.monotonic() - started
    async with db.engine.connect() as connection:
        doubled = await connection.scalar(
            text("SELECT count(*) FROM (SELECT id FROM fault_applied GROUP BY id HAVING count(*) > 1) d")
        )
        stored_sources = await connection.scalar(select(func.count()).select_from(sources))
    assert stored_sources >= len(expected)
    return Figures(fault, len(expected), len(expected - seen), doubled, converged_in)


async def under_load(db: Database, fault: str, inject: Callable[[], object]) -> Figures:
    stop, acknowledged = asyncio.Event(), []
    writer = asyncio.create_task(write_steadily(db, stop, acknowledged))
    await asyncio.sleep(LOAD_SECONDS / 2)
    await asyncio.to_thread(inject)
    await asyncio.sleep(LOAD_SECONDS / 2)
    stop.set()
    await writer
    return await check(db, fault, acknowledged, time.monotonic())


async def test_no_fault_loses_or_doubles_an_acknowledged_event(system):
    postgres, rabbit, probe, db = system
    faults: list[tuple[str, Callable[[], object]]] = [
        ("RabbitMQ stop_app, 3 s, start_app", lambda: rabbit.restart_app(3)),
        ("PostgreSQL restart -m immediate", postgres.restart_immediately),
        ("SIGKILL of the service (relay and consumer), restart", lambda: (probe.kill(), probe.start())),
    ]
    if FULL:
        faults.append(("SIGKILL of the RabbitMQ node, restart", rabbit.kill_and_restart))
    results = [await under_load(db, "steady load, no fault", lambda: None)]
    for fault, inject in faults:
        results.append(await under_load(db, fault, inject))

    table = "\n".join(
        ["| fault | acknowledged | lost | duplicated | seconds to converge |", "|---|---|---|---|---|"]
        + [r.row() for r in results]
    )
    print("\n" + table)
    for result in results:
        assert result.acknowledged > 0, result
        assert (result.lost, result.duplicated) == (0, 0), table
        assert result.converged_in <= CONVERGE_LIMIT, table
