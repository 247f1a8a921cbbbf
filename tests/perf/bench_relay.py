"""Benchmark: the outbox relay draining committed rows to the events exchange, bound to quorum queues.

Writes ``--rows`` events to the outbox of a database of its own (as ``emit_events`` writes them), binds
``--queues`` quorum queues to their type (a mark goes to three or four), and times the relay's ``run`` from
its start until no row is unsent: rows a second, and the CPU of this process (the relay's, plus a count of
unsent rows every 10 ms). ``--baseline REV`` runs the relay of that git revision too, in the same run and
alternated with this tree's (``--rounds`` each), so the machine's noise falls on both; the medians compare.

Then the split of one drain into its parts, each alone: the database's (lock a batch, mark it sent, commit),
building the messages from the rows, and publishing prebuilt messages and waiting for their confirms.

Usage: ``uv run python tests/perf/bench_relay.py [--rows 20000] [--queues 3] [--baseline main] [--rounds 3]``;
figures in docs/performance.md.
"""

import argparse
import asyncio
import contextlib
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import aio_pika
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from chassis import relay as this_tree
from chassis.broker import Broker
from chassis.consumers import Consumer
from chassis.db import Database
from chassis.events import emit_events
from chassis.metrics import Metrics
from chassis.migrations import ensure_database, grant_runtime
from chassis.settings import ServiceSettings
from chassis.tables import metadata as chassis_metadata
from chassis.tables import outbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import delete_queues, drop_database, test_database_url, test_settings
from contracts.gradebook import MarkPosted

REPO = Path(__file__).resolve().parents[2]
#: A relay's ``run`` in this process: the CPU counted is its own and the poll's.
POLL_SECONDS = 0.01


def module_at(revision: str, name: str) -> ModuleType:
    """``chassis.<name>`` as it was at ``revision``, beside this tree's (what it imports is this tree's)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:libs/chassis/chassis/{name}.py"], cwd=REPO, check=True, capture_output=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"{name}_at_{revision}.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location(f"{name}_at_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def a_mark(i: int) -> MarkPosted:
    return MarkPosted(
        mark_id=uuid4(),
        lesson_id=uuid4(),
        student_id=uuid4(),
        class_id=uuid4(),
        subject_id=uuid4(),
        subject_name="Математика",
        teacher_id=uuid4(),
        date=date(2026, 10, 14),
        value=str(2 + i % 4),
        work_type="answer",
        work_type_title="Ответ на уроке",
        weight=1.0,
    )


async def fill(db: Database, rows: int) -> None:
    """``rows`` committed events, a thousand to a transaction (an import's chunk)."""
    school = uuid4()
    for start in range(0, rows, 1000):
        async with db.transaction(Tenant(school_id=school)) as session:
            await emit_events(session, [a_mark(i) for i in range(start, min(rows, start + 1000))], school_id=school)


async def unsent(db: Database) -> int:
    async with db.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))


async def drain(relay_module: ModuleType, db: Database, broker: Any, metrics: Metrics) -> tuple[float, float]:
    """Wall and CPU seconds of ``relay_module``'s relay, from its start until the outbox is empty."""
    relay = relay_module.OutboxRelay(db, broker, metrics)
    wall, cpu = time.perf_counter(), time.process_time()
    running = asyncio.create_task(relay.run())
    while await unsent(db):  # noqa: ASYNC110 (the wait is what is measured)
        await asyncio.sleep(POLL_SECONDS)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    return wall, cpu


async def purge(settings: ServiceSettings, queues: list[str]) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            await (await channel.get_queue(settings.queue_prefix + name)).purge()


async def split(db: Database, broker: Broker, rows: int) -> dict[str, tuple[float, float]]:
    """Each part of a drain alone, in this tree's relay: (wall, CPU) seconds for all ``rows``."""
    relay = this_tree.OutboxRelay(db, broker, Metrics("bench_relay"))
    parts: dict[str, tuple[float, float]] = {}
    batches = []
    wall, cpu = time.perf_counter(), time.process_time()
    while True:
        async with db.transaction(SYSTEM) as session:
            batch = await relay.locked_batch(session)
            if not batch:
                break
            await relay.mark_sent(session, [row.seq for row in batch])
        batches.append(batch)
    parts["database: lock a batch, mark it sent, commit"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    packs = [this_tree.packs(batch) for batch in batches]
    messages = [[this_tree.message_of(pack) for pack in batch] for batch in packs]
    parts["build the messages"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    for batch, built in zip(packs, messages, strict=True):
        await asyncio.gather(*(broker.publish(*m, pack[0].type) for pack, m in zip(batch, built, strict=True)))
    parts["publish a batch, await its confirms"] = (time.perf_counter() - wall, time.process_time() - cpu)
    return parts


async def main(rows: int, queues: int, baseline: str | None, rounds: int) -> None:
    settings = test_settings(
        ServiceSettings, service_name="bench_relay", database_url=test_database_url("bench_relay"), db_pool_size=4
    )
    consumers = [Consumer(f"bench.relay.{i}") for i in range(queues)]
    for consumer in consumers:
        consumer.on(MarkPosted)(lambda *_: None)
    names = [c.name for c in consumers]
    await drop_database(settings)
    await ensure_database(settings)
    engine = create_async_engine(settings.owner_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(chassis_metadata.create_all)
    await engine.dispose()
    await grant_runtime(settings)
    db = Database(settings.database_url, source="/bench", pool_size=settings.db_pool_size)
    broker = await Broker.connect(settings, consumers)
    metrics = Metrics("bench_relay")
    # A revision's relay publishes through its own revision's broker (the publishing call may have changed).
    variants: dict[str, tuple[ModuleType, Any]] = {"this tree": (this_tree, broker)}
    if baseline:
        old_broker = await module_at(baseline, "broker").Broker.connect(settings)
        variants[baseline] = (module_at(baseline, "relay"), old_broker)
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    try:
        for _ in range(rounds):
            for name, (module, publisher) in variants.items():
                await fill(db, rows)
                await purge(settings, names)
                figures[name].append(await drain(module, db, publisher, metrics))
        await fill(db, rows)
        await purge(settings, names)
        parts = await split(db, broker, rows)
    finally:
        for _, publisher in variants.values():
            await publisher.close()
        await db.dispose()
        await delete_queues(settings, names)
        await drop_database(settings)
    load = os.getloadavg()
    print(f"# outbox relay, {rows} rows to {queues} quorum queues; {os.cpu_count()} cores, {platform.machine()},")
    print(f"# Python {platform.python_version()}, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"{'relay':<12} {'rows/s (median)':>16} {'wall s':>22} {'CPU s':>22} {'rows per CPU-s':>15}")
    medians = {}
    for name, runs in figures.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        medians[name] = statistics.median(walls)
        print(
            f"{name:<12} {rows / medians[name]:>16.0f} {' '.join(f'{w:.2f}' for w in walls):>22} "
            f"{' '.join(f'{c:.2f}' for c in cpus):>22} {rows / statistics.median(cpus):>15.0f}"
        )
    if baseline:
        print(f"# this tree ÷ {baseline}: {medians[baseline] / medians['this tree']:.2f}× the rows a second")
    print("# one drain's parts, each alone (this tree)")
    for name, (wall, cpu) in parts.items():
        print(f"{name:<48} wall {wall:>6.2f} s  CPU {cpu:>6.2f} s  ({rows / wall:>7.0f} rows/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--queues", type=int, default=3)
    parser.add_argument("--baseline", help="a git revision whose relay runs too, e.g. main")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rows, args.queues, args.baseline, args.rounds)))
