"""What a mark's event costs its consumer's process: notifications' family consumer, and beside it a consumer that
does nothing with the event (the chassis's fixed cost of a delivery: the aio-pika message, the envelope's parse, the
inbox row, the transaction with its tenant, the ack).

Load-independent figures for a shared machine. Each consumer runs in this process with its service's chassis (no
relay, no HTTP) on a database of its own (``journal_perf_cons_<pid>_*``, dropped at the end) and a run-specific
exchange on the real broker; notifications' database holds a class of 25 with two guardians each (their e-mail
chosen for marks, as a daily digest, as in ``bench_mark_flow.py``). The events are built before the clock starts and
published by a child process, so this process's CPU time (``time.process_time``) is the consumer's alone:

- **alone**: one ``gradebook.mark.posted.v1`` at a time, the next once the last is handled (each a batch of one,
  as single marks arrive in a quiet hour); one in ten a «2» (also an alert, R-52);
- **column**: a lesson's column of 25 published together (the consumer takes them as one batch or a few).

Per event it prints the consumer's transactions and statements (SQLAlchemy's, as ``bench_round_trips.py`` counts
them) and CPU. Compare two checkouts' notifications one right after the other with
``PYTHONPATH=<old>/services/notifications`` (the chassis likewise: ``<old>/libs/chassis``).

``uv run python tests/perf/bench_consumers.py [--marks 200]``.
"""

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import aio_pika
from bench_mark_flow import family_rows
from bench_round_trips import Counter, forget_broker
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.app import create_app
from chassis.consumers import Consumer
from chassis.events import Envelope, envelopes_for
from chassis.relay import message_for
from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.testing import TEST_NOW, drop_database
from contracts.gradebook import MarkPosted
from notifications import main as notifications_main
from notifications.settings import NotificationsSettings

RUN = f"journal_perf_cons_{os.getpid()}_"
CLASS_SIZE = 25

#: The chassis alone: a consumer of mark events whose handler does nothing.
nothing = Consumer("perf.nothing")


@nothing.on_many(MarkPosted)
async def on_marks_posted(session: AsyncSession, posted: list[tuple[MarkPosted, Envelope]]) -> None:
    pass


def settings_for(name: str) -> NotificationsSettings:
    defaults = ServiceSettings()
    return NotificationsSettings(
        database_url=f"postgresql+asyncpg://{defaults.db_role}@{defaults.db_server}/{RUN}{name}",
        exchange=f"perf.cons{os.getpid()}.school.events",
        public_exchange=f"perf.cons{os.getpid()}.public.events",
        queue_prefix=f"perf.cons{os.getpid()}.",
        keys_dir=Path(tempfile.mkdtemp(prefix="bench-cons-")),
        profile="test",
        test_clock=TEST_NOW,
        log_level="WARNING",
        run_relay=False,
        delivery_poll_seconds=3600.0,
    )


def marks(school: UUID, class_id: UUID, teacher: UUID, students: list[UUID], count: int, *, column: bool) -> list:
    """``count`` mark events as gradebook's outbox holds them, each as its envelope's JSON dump."""
    subject, lessons = uuid4(), [uuid4() for _ in range(count // CLASS_SIZE + 1)]
    events = [
        MarkPosted(
            mark_id=uuid4(),
            lesson_id=lessons[i // CLASS_SIZE],
            student_id=students[i % CLASS_SIZE],
            class_id=class_id,
            subject_id=subject,
            subject_name="Математика",
            teacher_id=teacher,
            date=TEST_NOW.date() - timedelta(days=i // CLASS_SIZE),
            value="5" if column else ("2" if i % 10 == 0 else "4"),
            work_type="test" if column else "answer",
            work_type_title="Контрольная работа" if column else "Ответ на уроке",
            weight=2.0 if column else 1.0,
        )
        for i in range(count)
    ]
    return [e.model_dump(mode="json") for e in envelopes_for(events, source="/gradebook", school_id=school)]


class Publisher:
    """This script as a child process publishing what it is sent, a line of envelopes at a time."""

    async def __aenter__(self) -> "Publisher":
        self.child = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--publish-to",
            json.dumps({"amqp_url": settings_for("").amqp_url, "exchange": settings_for("").exchange}),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return self

    async def publish(self, line: bytes) -> None:
        assert self.child.stdin and self.child.stdout
        self.child.stdin.write(line)
        await self.child.stdin.drain()
        assert await self.child.stdout.readline() == b"published\n"

    async def __aexit__(self, *_exc) -> None:
        assert self.child.stdin
        self.child.stdin.close()
        await self.child.wait()


async def publish_lines(target: str) -> None:
    """The child: each line of stdin is a JSON list of envelopes to publish (routing key: the event's type)."""
    where = json.loads(target)
    connection = await aio_pika.connect(where["amqp_url"])
    async with connection:
        # No confirms: a line's events go out together, as the relay's pipelined batches send them.
        channel = await connection.channel(publisher_confirms=False)
        exchange = await channel.get_exchange(where["exchange"], ensure=False)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.buffer.readline):
            for envelope in json.loads(line):
                await exchange.publish(message_for(envelope), routing_key=envelope["type"])
            sys.stdout.write("published\n")
            sys.stdout.flush()


class Handled:
    """Counts the consumer's finished deliveries and wakes whoever waits for a number of them (no polling)."""

    def __init__(self, app: FastAPI) -> None:
        self.count, self._target, self._reached = 0, 0, asyncio.Event()
        metrics = app.state.metrics
        finished = metrics.handling_finished

        def counted(*args, **kwargs) -> None:
            finished(*args, **kwargs)
            self.count += 1
            if self.count >= self._target:
                self._reached.set()

        metrics.handling_finished = counted

    async def until(self, count: int) -> None:
        self._target = count
        if self.count < count:
            self._reached.clear()
            await asyncio.wait_for(self._reached.wait(), 60)


async def measure(label: str, app: FastAPI, handled: Handled, publisher: Publisher, lines: list[bytes], per: int):
    counter = Counter(app)
    events = len(lines) * per
    cpu = time.process_time()
    for line in lines:
        target = handled.count + per
        await publisher.publish(line)
        await handled.until(target)
    cpu = time.process_time() - cpu
    statements, tx = counter.statements / events, counter.transactions / events
    print(
        f"{label:<32} per event: {tx:.2f} tx, {statements + 2 * tx:.2f} round trips; CPU {cpu / events * 1000:.3f} ms"
    )


async def consume(name: str, app: FastAPI, school: UUID, rows: list, alone: list[bytes], columns: list[bytes]) -> None:
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            session.add_all(rows)
        handled = Handled(app)
        async with Publisher() as publisher:
            # Warm: compiled statements cached, pools open.
            await measure(f"{name}, warming", app, handled, publisher, alone[:5], 1)
            await measure(f"{name}, warming", app, handled, publisher, columns[:1], CLASS_SIZE)
            await measure(f"{name}, alone", app, handled, publisher, alone[5:], 1)
            await measure(f"{name}, column of {CLASS_SIZE}", app, handled, publisher, columns[1:], CLASS_SIZE)


async def publishing(lines: list[bytes]) -> None:
    """The bench's own share of an "alone" figure: a line sent to the child and its answer read, for events no
    queue takes (nothing to wait for)."""
    async with Publisher() as publisher:
        await publisher.publish(lines[0])
        cpu = time.process_time()
        for line in lines:
            await publisher.publish(line)
        cpu = time.process_time() - cpu
    print(f"{'the bench itself, alone':<32} per event: CPU {cpu / len(lines) * 1000:.3f} ms (publishing, no consumer)")


async def run(count: int) -> None:
    school, class_id, teacher = uuid4(), uuid4(), uuid4()
    students = [uuid4() for _ in range(CLASS_SIZE)]
    rows = family_rows(school, class_id, teacher, students)
    singles = marks(school, class_id, teacher, students, count + 5, column=False)
    alone = [json.dumps([envelope]).encode() + b"\n" for envelope in singles]
    column = marks(school, class_id, teacher, students, count + CLASS_SIZE, column=True)
    columns = [json.dumps(column[i : i + CLASS_SIZE]).encode() + b"\n" for i in range(0, len(column), CLASS_SIZE)]
    every = {"notifications": settings_for("notifications"), "nothing": settings_for("nothing")}
    for settings in every.values():
        await drop_database(settings)
    try:
        family = notifications_main.build_app(every["notifications"])
        await consume("notifications.family", family, school, rows, alone, columns)
        bare = create_app(
            every["nothing"],
            title="nothing",
            routers=[],
            consumers=[nothing],
            migrations_dir=notifications_main.MIGRATIONS,
        )
        await consume("a consumer doing nothing", bare, school, rows, alone, columns)
        unrouted = [{**envelope, "type": "perf.unrouted"} for envelope in singles]
        await publishing([json.dumps([envelope]).encode() + b"\n" for envelope in unrouted])
    finally:
        for settings in every.values():
            await drop_database(settings)
        await forget_broker(every["notifications"], [*notifications_main.app.state.consumers, nothing])
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--marks", type=int, default=200)
    parser.add_argument("--publish-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish_to:
        asyncio.run(publish_lines(args.publish_to))
        return
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(run(args.marks))


if __name__ == "__main__":
    main()
