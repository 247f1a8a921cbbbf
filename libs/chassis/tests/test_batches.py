"""Consumers in batches: one transaction and one acknowledgement for many deliveries, a poison one isolated."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from uuid import uuid4

import aio_pika
from sqlalchemy import func, select, text

from chassis.broker import Broker
from chassis.consumers import Consumer, ConsumerRunner, events_in
from chassis.events import EVENTS_HEADER
from chassis.metrics import Metrics
from chassis.settings import ServiceSettings
from chassis.tables import inbox
from chassis.testing import delete_queues, eventually, publish_event
from contracts.roster import SubjectCreated

from .conftest import Probe, seen

POISON = "отравленное"
MARK = "пачкой:"


def batch_consumer(applied: list[tuple[str, int]]) -> Consumer:
    consumer = Consumer(f"batches.{uuid4().hex[:8]}")

    @consumer.on(SubjectCreated)
    async def record(session, event: SubjectCreated, envelope) -> None:
        if event.name == POISON:
            raise ValueError("this event is bad")
        applied.append((event.name, await session.scalar(text("SELECT txid_current()"))))
        # The probe's own consumer records these events too, under their bare names.
        await session.execute(seen.insert().values(event_id=envelope.id, name=f"{MARK}{event.name}"))

    return consumer


@asynccontextmanager
async def running(probe: Probe, consumer: Consumer, metrics: Metrics) -> AsyncIterator[None]:
    # A long window, so the deliveries published before the start make one batch on a slow machine too.
    settings = probe.settings.model_copy(update={"consumer_batch_window_ms": 300.0})
    broker = await Broker.connect(settings, [consumer])
    runner = ConsumerRunner(probe.app.state.db, broker, settings, [consumer], metrics)
    try:
        yield runner
    finally:
        await runner.stop()
        await broker.close()
        await delete_queues(settings, [consumer.name])


def outcomes(metrics: Metrics, consumer: Consumer, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "journal_events_handled_total",
        {"service": "batches", "consumer": consumer.name, "type": SubjectCreated.TYPE, "outcome": outcome},
    )
    return value or 0.0


async def rows_named(probe: Probe, prefix: str) -> list[str]:
    async with probe.app.state.db.engine.connect() as connection:
        return list(await connection.scalars(select(seen.c.name).where(seen.c.name.like(f"{MARK}{prefix}%"))))


async def test_waiting_deliveries_are_applied_in_one_transaction_once_each(probe_app: Probe):
    applied: list[tuple[str, int]] = []
    consumer, metrics = batch_consumer(applied), Metrics("batches")
    prefix = f"пачка-{uuid4().hex[:6]}-"
    async with running(probe_app, consumer, metrics) as runner:
        school = uuid4()
        envelopes = [
            await publish_event(
                probe_app.settings, SubjectCreated(subject_id=uuid4(), name=f"{prefix}{i}"), school_id=school
            )
            for i in range(10)
        ]
        # The same event delivered twice in one batch is applied once.
        await publish_event(
            probe_app.settings, SubjectCreated(subject_id=uuid4(), name="x"), school_id=school, envelope=envelopes[0]
        )
        await runner.start()

        async def settled() -> bool:
            return outcomes(metrics, consumer, "ok") + outcomes(metrics, consumer, "duplicate") == 11

        await eventually(settled, timeout=10)
    assert sorted(await rows_named(probe_app, prefix)) == sorted(f"{MARK}{prefix}{i}" for i in range(10))
    assert outcomes(metrics, consumer, "duplicate") == 1
    assert len({txid for _, txid in applied}) == 1, "one transaction for the batch"
    async with probe_app.app.state.db.engine.connect() as connection:
        stored = await connection.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.consumer == consumer.name)
        )
    assert stored == 10


async def test_a_poison_event_in_a_batch_is_retried_alone_and_the_rest_apply(probe_app: Probe):
    applied: list[tuple[str, int]] = []
    consumer, metrics = batch_consumer(applied), Metrics("batches")
    prefix = f"с-ядом-{uuid4().hex[:6]}-"
    names = [f"{prefix}{i}" for i in range(3)] + [POISON] + [f"{prefix}{i}" for i in range(3, 6)]
    async with running(probe_app, consumer, metrics) as runner:
        for name in names:
            # Two schools in one batch: each event runs under its own tenant.
            await publish_event(probe_app.settings, SubjectCreated(subject_id=uuid4(), name=name), school_id=uuid4())
        await runner.start()

        async def settled() -> bool:
            return outcomes(metrics, consumer, "ok") == 6 and outcomes(metrics, consumer, "retried") == 1

        await eventually(settled, timeout=10)
    assert sorted(await rows_named(probe_app, prefix)) == sorted(MARK + n for n in names if n != POISON)
    # The batch ran once together and was rolled back; then every good event alone, each its own transaction.
    alone = applied[-6:]
    assert len({txid for _, txid in alone}) == 6


async def test_a_handler_of_many_takes_a_batchs_run_of_its_events_in_one_call(probe_app: Probe):
    calls: list[list[str]] = []
    consumer, metrics = Consumer(f"batches.{uuid4().hex[:8]}"), Metrics("batches")

    @consumer.on_many(SubjectCreated)
    async def record_all(session, created: list) -> None:
        calls.append([event.name for event, _ in created])
        rows = [{"event_id": envelope.id, "name": f"{MARK}{event.name}"} for event, envelope in created]
        await session.execute(seen.insert().values(rows))

    prefix = f"серия-{uuid4().hex[:6]}-"
    first, second = uuid4(), uuid4()
    schools = [first] * 4 + [second] * 2
    async with running(probe_app, consumer, metrics) as runner:
        for i, school in enumerate(schools):
            event = SubjectCreated(subject_id=uuid4(), name=f"{prefix}{i}")
            await publish_event(probe_app.settings, event, school_id=school)
        await runner.start()
        await eventually(lambda: _settled(metrics, consumer, len(schools)), timeout=10)
        # Alone, an event is a run of one: the same handler, in a transaction of its own.
        alone = SubjectCreated(subject_id=uuid4(), name=f"{prefix}6")
        await publish_event(probe_app.settings, alone, school_id=second)
        await eventually(lambda: _settled(metrics, consumer, len(schools) + 1), timeout=10)
    assert sorted(await rows_named(probe_app, prefix)) == sorted(f"{MARK}{prefix}{i}" for i in range(7))
    # One call per school's run (each under its own tenant), the events in their order.
    assert calls == [[f"{prefix}{i}" for i in range(4)], [f"{prefix}{i}" for i in range(4, 6)], [f"{prefix}6"]]


async def _settled(metrics: Metrics, consumer: Consumer, count: int) -> bool:
    return outcomes(metrics, consumer, "ok") == count


def test_batch_settings_have_sensible_defaults():
    settings = ServiceSettings()
    assert 1 < settings.consumer_batch <= settings.prefetch
    assert 0 < settings.consumer_batch_window_ms <= 50


async def test_a_stopped_runner_takes_no_more_deliveries(probe_app: Probe):
    consumer, metrics = batch_consumer([]), Metrics("batches")
    queue_name = probe_app.settings.queue_prefix + consumer.name

    async def consumers_of_queue() -> int:
        connection = await aio_pika.connect(probe_app.settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, passive=True)
            return queue.declaration_result.consumer_count

    async with running(probe_app, consumer, metrics) as runner:
        await runner.start()
        assert await consumers_of_queue() == 1
        await runner.stop()  # its broker connection stays open: only the runner's channels close
        assert await consumers_of_queue() == 0


def test_a_batch_counts_a_batch_messages_events_by_its_header():
    def message(headers: dict | None) -> SimpleNamespace:
        return SimpleNamespace(headers=headers)

    assert events_in(message({EVENTS_HEADER: 30})) == 30
    assert events_in(message({})) == 1 and events_in(message(None)) == 1
    # A header that is not a count is one event, as the body will be read then.
    assert events_in(message({EVENTS_HEADER: "много"})) == 1 and events_in(message({EVENTS_HEADER: 0})) == 1
